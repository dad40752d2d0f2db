"""Bad input: one clear message (file and line), a non-zero exit, the previous store intact."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from kg.cli import main

CLAIMS = "data/claims/al-sina.ttl"


@pytest.fixture
def published(tmp_path: Path, data_copy: Path, capsys) -> Path:
    """A good store, built from the copy, that every bad build must leave as it was."""
    store = tmp_path / "store"
    assert main(["--quiet", "build", "--data", str(data_copy), "--store", str(store)]) == 0
    capsys.readouterr()
    return store


def _snapshot(store: Path) -> tuple[str, list[str]]:
    target = os.readlink(store)
    files = sorted(str(p.relative_to(store.parent)) for p in (store.parent / target).rglob("*"))
    return target, files


def _bad_build(data: Path, store: Path, capsys) -> str:
    before = _snapshot(store)
    started = time.perf_counter()
    code = main(["--quiet", "build", "--data", str(data), "--store", str(store)])
    assert time.perf_counter() - started < 120
    err = capsys.readouterr().err
    assert code == 1, err
    assert _snapshot(store) == before, "a failed build changed the published store"
    assert sorted(p.name for p in store.parent.iterdir() if p.name.startswith(".store-link")) == []
    assert len([p for p in store.parent.iterdir() if p.name.startswith("store-")]) == 1
    return err


def _append(path: Path, text: str) -> int:
    """Append Turtle to a file; return the line where it starts."""
    before = path.read_text(encoding="utf-8")
    path.write_text(before + "\n" + text, encoding="utf-8")
    return before.count("\n") + 2


def test_malformed_turtle(data_copy, published, capsys):
    target = data_copy / "entities" / "actors.ttl"
    line = _append(target, 'actor:broken a ckg:ArmedGroup ;\n    rdfs:label "unterminated .\n')
    err = _bad_build(data_copy, published, capsys)
    assert f"{target}:{line + 1}: syntax error" in err


def test_undeclared_prefix(data_copy, published, capsys):
    target = data_copy / "entities" / "places.ttl"
    line = _append(target, 'nowhere:x a ckg:City ; rdfs:label "X" .\n')
    err = _bad_build(data_copy, published, capsys)
    assert f"{target}:{line}:" in err and "nowhere:" in err and "not been declared" in err


def test_shacl_violation_names_the_node_and_the_rule(data_copy, published, capsys):
    target = data_copy / "entities" / "equipment.ttl"
    line = _append(target, 'equipment:mystery a ckg:Equipment ; rdfs:label "a" , "b" .\n')
    err = _bad_build(data_copy, published, capsys)
    assert f"{target}:{line}: SHACL: equipment:mystery rdfs:label" in err


def test_credibility_out_of_range(data_copy, published, capsys):
    target = data_copy / "claims" / "al-sina.ttl"
    text = target.read_text(encoding="utf-8")
    assert "ckg:credibility 3" in text
    target.write_text(text.replace("ckg:credibility 3", "ckg:credibility 7", 1), encoding="utf-8")
    err = _bad_build(data_copy, published, capsys)
    assert "SHACL: claim:" in err and "ckg:credibility" in err and str(target) in err


def test_quote_not_in_its_post(data_copy, published, capsys):
    target = data_copy / "claims" / "extra.ttl"
    target.write_text(
        "@prefix ckg: <https://w3id.org/conflict-kg/ontology#> .\n"
        "@prefix prov: <http://www.w3.org/ns/prov#> .\n"
        "@prefix actor: <https://w3id.org/conflict-kg/id/actor/> .\n"
        "@prefix prop: <https://w3id.org/conflict-kg/id/proposition/> .\n"
        "@prefix claim: <https://w3id.org/conflict-kg/id/claim/000_dd67e9743226e335-> .\n"
        "@prefix p: <https://w3id.org/conflict-kg/id/post/000_dd67e9743226e335-> .\n"
        "prop:test a ckg:Proposition ; ckg:subject actor:isis ; ckg:predicate ckg:fights ;\n"
        "    ckg:object actor:sdf .\n"
        "claim:011-99 a ckg:Claim ; ckg:proposition prop:test ; ckg:claimant actor:sdf ;\n"
        "    ckg:stance ckg:Asserts ; prov:wasDerivedFrom p:011 ; ckg:credibility 3 ;\n"
        '    ckg:quote "Per #SDF, 90 #ISIS escapees have been caught" .\n', encoding="utf-8")
    err = _bad_build(data_copy, published, capsys)
    assert f"{target}:9: claim:000_dd67e9743226e335-011-99: quote 'Per #SDF, 90 #ISIS escapees" in err
    assert "is not in the text of" in err


def test_reference_to_a_thing_defined_nowhere(data_copy, published, capsys):
    target = data_copy / "entities" / "actors.ttl"
    line = _append(target, 'actor:ghost-ally a ckg:ArmedGroup ; rdfs:label "Ghost" ;\n'
                           '    ckg:partOf actor:no-such-group .\n')
    err = _bad_build(data_copy, published, capsys)
    assert f"{target}:{line}: actor:no-such-group is defined nowhere (used by actor:ghost-ally)" in err


def test_misspelt_ontology_term(data_copy, published, capsys):
    target = data_copy / "entities" / "actors.ttl"
    _append(target, 'actor:typo a ckg:ArmedGroupp ; rdfs:label "Typo" .\n')
    err = _bad_build(data_copy, published, capsys)
    assert "ckg:ArmedGroupp is defined nowhere" in err


def test_id_defined_twice_across_files(data_copy, published, capsys):
    target = data_copy / "entities" / "places.ttl"
    line = _append(target, 'actor:isis a ckg:ArmedGroup ; rdfs:label "ISIS again" .\n')
    err = _bad_build(data_copy, published, capsys)
    assert f"{target}:{line}: actor:isis is defined twice: here and in " in err
    assert "actors.ttl:" in err


def test_id_defined_twice_in_one_file(data_copy, published, capsys):
    target = data_copy / "entities" / "equipment.ttl"
    _append(target, 'equipment:vbied a ckg:Equipment ; rdfs:label "VBIED again" .\n')
    err = _bad_build(data_copy, published, capsys)
    assert f"{target}:" in err and "equipment:vbied is defined twice in this file" in err


def test_a_post_cannot_be_redefined_by_hand(data_copy, published, capsys):
    target = data_copy / "corpus" / "posts.ttl"
    _append(target, 'p:011 a ckg:Post ; ckg:text "something else" .\n')
    err = _bad_build(data_copy, published, capsys)
    assert "000_dd67e9743226e335-011 is defined twice" in err


def test_rdf_xml_is_refused_before_parsing(data_copy, published, capsys):
    laughs = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
              + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'
                        for i in range(8))
              + ']><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">&i;</rdf:RDF>')
    target = data_copy / "laughs.rdf"
    target.write_text(laughs, encoding="utf-8")
    started = time.perf_counter()
    err = _bad_build(data_copy, published, capsys)
    assert time.perf_counter() - started < 30
    assert f"{target}: RDF/XML is not accepted" in err


def test_validate_reports_the_same_problem_and_writes_nothing(data_copy, tmp_path, capsys):
    target = data_copy / "entities" / "actors.ttl"
    _append(target, 'actor:x a ckg:ArmedGroup ; rdfs:label "X" ; ckg:partOf actor:nope .\n')
    before = sorted(tmp_path.rglob("*"))
    assert main(["--quiet", "validate", str(data_copy)]) == 1
    assert "actor:nope is defined nowhere" in capsys.readouterr().err
    assert sorted(tmp_path.rglob("*")) == before


def test_a_corpus_file_whose_name_cannot_name_posts(data_copy, published, capsys):
    target = data_copy / "corpus" / "corpus.ttl"
    (data_copy / "corpus" / "field notes.txt").write_text("Per #SDF, 3 killed\n", encoding="utf-8")
    line = _append(target, 'corpus:notes a ckg:Corpus ; rdfs:label "Notes" ;\n'
                           '    ckg:sourceFile "field notes.txt" .\n')
    err = _bad_build(data_copy, published, capsys)
    assert f"{target}:{line}: 'field notes.txt' cannot name posts" in err
    assert "rename the corpus file" in err
