"""The ontology reference (kg/ontodoc.py): one page that documents every term, and a diagram."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg import ontodoc
from kg.namespaces import CKG

DOCS = Path(__file__).resolve().parent.parent / "docs" / "ontology"


@pytest.fixture(scope="module")
def onto() -> ontodoc.Ontology:
    return ontodoc.load()


@pytest.fixture(scope="module")
def page(onto: ontodoc.Ontology) -> str:
    return ontodoc.page(onto)


def _ids(html: str) -> list[str]:
    return re.findall(r'\sid="([^"]+)"', html)


def _terms(onto: ontodoc.Ontology) -> set[str]:
    props = [p for group in onto.properties().values() for p in group]
    return {str(t).removeprefix(str(CKG)) for t in [*onto.classes(), *props]}


def test_every_class_and_property_has_an_entry_and_every_link_a_target(onto, page):
    ids = _ids(page)
    assert len(ids) == len(set(ids)), "an anchor is used twice"
    assert _terms(onto) <= set(ids)
    assert {"Actor", "Prison", "Proposition", "Claim", "perpetrator", "locatedIn",
            "escapees", "alias", "Disputed"} <= set(ids)   # classes, properties, values
    targets = set(re.findall(r'href="#([^"]+)"', page))
    assert targets <= set(ids), sorted(targets - set(ids))


def test_an_entry_gives_definition_hierarchy_domain_range_and_alignments(page):
    prison = page[page.index('id="Prison"'):]
    prison = prison[:prison.index("</section>")]
    assert "A detention facility run as a prison." in prison
    assert 'href="#DetentionFacility"' in prison and "schema:GovernmentBuilding" in prison
    claimant = page[page.index('id="claimant"'):]
    claimant = claimant[:claimant.index("</section>")]
    assert "functional" in claimant
    assert 'Domain</dt><dd><a href="#Claim"' in claimant
    assert 'Range</dt><dd><a href="#Actor"' in claimant
    assert "prov:wasAttributedTo" in claimant and "close:" in claimant


def test_operation_types_show_their_acled_and_cameo_mappings(page):
    table = page[page.index('id="operation-types"'):]
    row = table[table.index('href="#SVBIEDAttack"'):]
    row = row[:row.index("</tr>")]
    assert "Suicide bomb" in row and "cameo:1831" in row and "broader:" in row


def test_the_diagram_shows_the_main_classes_and_the_properties_between_them(onto):
    diagram = ontodoc.main_classes(onto)
    names = {str(n).removeprefix(str(CKG)) for n in diagram.nodes}
    assert {"Actor", "Operation", "Proposition", "Claim", "Status", "Person"} <= names
    assert "Prison" not in names                        # not top-level, no property's end
    assert (CKG.Claim, CKG.Proposition) in diagram.properties
    assert (CKG.Person, CKG.Actor) in diagram.subclass
    assert "digraph classes" in ontodoc.dot_source(onto, diagram)


def test_generate_writes_the_page_and_a_png_with_or_without_graphviz(tmp_path, monkeypatch):
    written = ontodoc.generate(tmp_path / "with")
    assert [p.name for p in written] == ["index.html", "classes.png"]
    assert (tmp_path / "with" / "classes.png").read_bytes()[:4] == b"\x89PNG"
    monkeypatch.setattr(ontodoc.shutil, "which", lambda _: None)
    onto = ontodoc.load()
    assert ontodoc.draw_classes(onto, tmp_path / "without.png") == "networkx"
    assert (tmp_path / "without.png").read_bytes()[:4] == b"\x89PNG"


def test_the_committed_reference_covers_the_ontology(onto):
    committed = (DOCS / "index.html").read_text(encoding="utf-8")
    missing = _terms(onto) - set(_ids(committed))
    assert not missing, f"docs/ontology is out of date ({sorted(missing)[:5]} …): run make docs"
    assert (DOCS / "classes.png").exists()
