"""The curated graph as built: what it must contain, derived layers, both backends agree."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from rdflib import URIRef

from kg.cli import main
from kg.namespaces import CKG, PREFIXES
from kg.stats import counts


def _status(store, subject: str, predicate: str, obj: str) -> str:
    rows = store.select(
        "SELECT ?status WHERE { ?p ckg:subject ?s ; ckg:predicate ?pred ; ckg:object ?o ; "
        "ckg:status ?status }",
        {"s": _iri(subject), "pred": _iri(predicate), "o": _iri(obj)})
    assert len(rows) == 1, f"expected one proposition {subject} {predicate} {obj}"
    return str(rows[0]["status"]).removeprefix(str(CKG))


def _iri(name: str) -> URIRef:
    prefix, local = name.split(":", 1)
    return URIRef(PREFIXES[prefix] + local)


def test_counts_cover_the_corpus(built):
    values = counts(built.store)
    assert values["posts"] == 60
    assert values["actors"] >= 50
    assert values["places"] >= 15
    assert values["facilities"] >= 6
    assert values["operations"] >= 25
    assert values["claims"] >= 150
    assert values["propositions"] >= 100


def test_every_post_is_the_source_of_a_claim_or_marked_commentary(built):
    assert built.posts_without_claims == []


def test_quote_offsets_slice_the_post_text(built):
    rows = built.store.select(
        "SELECT ?quote ?start ?end ?text WHERE { ?c a ckg:Claim ; ckg:quote ?quote ; "
        "ckg:quoteStart ?start ; ckg:quoteEnd ?end ; prov:wasDerivedFrom/ckg:text ?text }")
    assert len(rows) == built.store.count("?c a ckg:Claim")
    for row in rows:
        assert str(row["text"])[int(row["start"]):int(row["end"])] == str(row["quote"])


def test_every_claim_and_proposition_has_a_derived_confidence_and_status(built):
    assert built.store.count("?c a ckg:Claim FILTER NOT EXISTS { ?c ckg:confidence ?x }") == 0
    assert built.store.count("?p a ckg:Proposition FILTER NOT EXISTS { ?p ckg:status ?s }") == 0
    assert built.store.count("?p ckg:confidence ?c FILTER(?c < 0 || ?c > 100)") == 0


#: The summary of a proposition's claims, as the build writes it …
SUMMARY = """
SELECT ?p ?claims ?claimants ?posts ?quotes WHERE {
  ?p ckg:claimCount ?claims ; ckg:claimantList ?claimants ; ckg:postList ?posts ;
     ckg:quoteList ?quotes }
"""

#: … and as the claims give it, joined and aggregated by the store.
CLAIMS_JOINED = """
SELECT ?p (COUNT(DISTINCT ?claim) AS ?claims)
       (GROUP_CONCAT(DISTINCT CONCAT(?name, " ", ?stance); separator=" | ") AS ?claimants)
       (GROUP_CONCAT(DISTINCT STR(?position); separator=" | ") AS ?posts)
       (GROUP_CONCAT(DISTINCT ?quote; separator=" | ") AS ?quotes)
WHERE {
  ?claim ckg:proposition ?p ; ckg:claimant/rdfs:label ?name ; ckg:stance/rdfs:label ?stance ;
         ckg:quote ?quote ; prov:wasDerivedFrom/ckg:position ?position .
} GROUP BY ?p
"""


@pytest.mark.parametrize("backend", ["oxigraph", "rdflib"])
def test_the_summary_of_claims_is_the_claims_joined(built, built_rdflib, backend):
    store = (built if backend == "oxigraph" else built_rdflib).store

    def summaries(query):
        return {str(r["p"]): (int(r["claims"]), *(sorted(str(r[k]).split(" | "))
                                                  for k in ("claimants", "posts", "quotes")))
                for r in store.select(query)}

    written, joined = summaries(SUMMARY), summaries(CLAIMS_JOINED)
    assert len(written) == store.count("?p a ckg:Proposition") > 100
    assert written == joined
    some = next(v for v in written.values() if v[0] > 1)
    assert len(some[1]) > 1 or len(some[2]) > 1  # a list holds several items


@pytest.mark.parametrize("where", [
    # the al-Sina attack: truck bomb, assault, prisoners in coordination, the north wing
    "?p ckg:subject op:2022-01-20-al-sina-vbied ; ckg:predicate ckg:weapon ; ckg:object equipment:vbied",
    "?p ckg:subject op:2022-01-20-al-sina-assault ; ckg:predicate ckg:attackerCount ; ckg:value 80",
    "?p ckg:subject ?s ; ckg:predicate ckg:controls ; ckg:object facility:al-sina-prison-north-wing",
    "?p ckg:predicate ckg:controls ; ckg:object facility:al-sina-prison ; ckg:share 25",
    "?p ckg:predicate ckg:controls ; ckg:object facility:al-sina-prison ; ckg:share 30",
    "?p ckg:predicate ckg:killed ; ckg:minValue 100",
    "?p ckg:predicate ckg:escapeesRecaptured ; ckg:value 89",
    "?p ckg:predicate ckg:escapees ; ckg:value 20 ; ckg:approximate true",
    "?p ckg:predicate ckg:escapees ; ckg:minValue 100",
    "?p ckg:subject op:2022-01-20-al-sina-prisoner-uprising ; ckg:predicate ckg:perpetrator",
    # the foiled plot, the Conoco prison, Diyala, the building airstrike
    "op:2021-11-al-sina-plot a ckg:Plot . ?p ckg:subject op:2021-11-al-sina-plot ; ckg:predicate ckg:outcome ; ckg:object ckg:Foiled",
    "?p ckg:subject op:2022-01-21-conoco-prison-assault ; ckg:predicate ckg:target ; ckg:object facility:sdf-prison-near-conoco",
    "?p ckg:subject op:2022-01-21-diyala-base-assault ; ckg:predicate ckg:killed ; ckg:value 11",
    "?p ckg:predicate ckg:destroyedShare ; ckg:value 25",
    # U.S. support of the SDF: helicopters, Bradleys, SOF
    "?p ckg:subject actor:us-military ; ckg:predicate ckg:providesAirSupport ; ckg:object actor:sdf",
    "?p ckg:subject actor:us-military ; ckg:predicate ckg:providesGroundSupport ; ckg:object actor:sdf",
    "?p ckg:subject actor:us-sof ; ckg:predicate ckg:advises ; ckg:object actor:sdf",
    # support programmes, al-Juburi, repatriation, Afghanistan speakers
    "?p ckg:subject actor:cia ; ckg:predicate ckg:arms ; ckg:object actor:fsa",
    "?p ckg:subject actor:dod ; ckg:predicate ckg:trains ; ckg:object actor:ypg",
    "?p ckg:subject ?op ; ckg:predicate ckg:supporter ; ckg:object actor:hts",
    "?c ckg:claimant actor:reuters ; ckg:proposition ?p",
    "?p ckg:subject actor:sdf ; ckg:predicate ckg:obstructs ; ckg:object op:ne-syria-repatriation",
    "?c ckg:claimant actor:unnamed-european-officials-p019 ; ckg:proposition ?p",
    "?c ckg:claimant actor:unnamed-speaker-p058 ; ckg:proposition ?p",
    "?c ckg:claimant actor:unnamed-speaker-brookings-mei-event ; ckg:proposition ?p",
])
def test_the_graph_contains(built, where):
    assert built.store.count(where) >= 1, where


def test_the_sdf_thwarted_claim_is_disputed_by_the_author(built):
    status = _status(built.store, "op:2022-01-20-al-sina-prison-attack", "ckg:outcome",
                     "ckg:Foiled")
    assert status == "Disputed"


def test_the_foreign_power_claim_is_rejected(built):
    rows = built.store.select(
        "SELECT ?status WHERE { ?p ckg:subject actor:turkey ; ckg:predicate ckg:providesResources ;"
        " ckg:status ?status . ?c ckg:proposition ?p ; ckg:claimant actor:farhad-shami }")
    assert [str(r["status"]).removeprefix(str(CKG)) for r in rows] == ["Refuted"]


def test_the_turkey_capture_of_al_juburi_is_unconfirmed(built):
    assert _status(built.store, "actor:turkey", "ckg:captured", "actor:al-juburi") == "Unverified"


def test_truthy_layer_has_direct_triples_but_not_refuted_ones(built):
    assert built.store.count("actor:us-military ckg:providesAirSupport actor:sdf") == 1
    assert built.store.count("actor:turkey ckg:providesResources ?x") == 0
    refuted_direct = built.store.count(
        "?p ckg:status ckg:Refuted ; ckg:subject ?s ; ckg:predicate ?pred ; ckg:object ?o . "
        "?s ?pred ?o")
    assert refuted_direct == 0


def test_both_backends_build_the_same_graph(built, built_rdflib):
    assert counts(built.store) == counts(built_rdflib.store)
    query = ("SELECT ?p ?status ?confidence WHERE { ?p ckg:status ?status ; "
             "ckg:confidence ?confidence } ORDER BY ?p")
    assert built.store.select(query) == built_rdflib.store.select(query)


def test_build_publishes_atomically_and_replaces_the_previous_store(tmp_path: Path, capsys):
    store = tmp_path / "kg"
    assert main(["--quiet", "build", "--store", str(store)]) == 0
    first = os.readlink(store)
    out = capsys.readouterr().out
    assert "posts" in out and "claims" in out and "posts without a claim: 0" in out
    assert main(["--quiet", "build", "--store", str(store)]) == 0
    second = os.readlink(store)
    assert first != second
    assert not (tmp_path / first).exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("kg-")] == [second]


def test_stats_and_query_read_the_published_store(tmp_path: Path, capsys):
    store = str(tmp_path / "kg")
    assert main(["--quiet", "build", "--store", store]) == 0
    capsys.readouterr()
    assert main(["stats", "--store", store]) == 0
    assert "claims" in capsys.readouterr().out
    assert main(["query", "SELECT ?l WHERE { actor:isis rdfs:label ?l }", "--store", store,
                 "--format", "json"]) == 0
    assert '"l": "ISIS"' in capsys.readouterr().out


def test_query_on_a_missing_store_says_what_to_do(tmp_path: Path, capsys):
    assert main(["stats", "--store", str(tmp_path / "none")]) == 1
    assert "run `kg build` first" in capsys.readouterr().err


def test_a_store_built_before_the_summary_of_claims_says_to_rebuild(tmp_path: Path, capsys):
    import pyoxigraph as ox

    store = tmp_path / "kg"
    assert main(["--quiet", "build", "--store", str(store)]) == 0
    old = ox.Store(str(store.resolve()))  # as an older build left it: statuses, no summary
    old.update("DELETE WHERE { ?p <https://w3id.org/conflict-kg/ontology#claimCount> ?n }")
    left = len(old)
    del old
    capsys.readouterr()
    assert main(["ask", "relations", "--param", "about=SDF", "--store", str(store)]) == 1
    err = capsys.readouterr().err
    assert f"the store at {store} was built by an older kg" in err
    assert "Run `kg build` again" in err
    assert len(ox.Store.read_only(str(store.resolve()))) == left  # refused, left as it was
    assert main(["--quiet", "build", "--store", str(store)]) == 0
    assert main(["ask", "relations", "--param", "about=SDF", "--store", str(store)]) == 0


def test_bad_sparql_is_a_clear_error(capsys):
    assert main(["query", "SELECT ?x WHERE { ?x", "--store", "memory"]) == 1
    assert "SPARQL" in capsys.readouterr().err


def test_both_backends_derive_the_same_triples(built, built_rdflib):
    """Derivation runs in two threads on Oxigraph and in one on rdflib: same triples."""
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(!isBlank(?s) && !isBlank(?o)) }"

    def triples(store):
        return {(str(r["s"]), str(r["p"]), str(r["o"])) for r in store.select(query)}

    ox_triples, rdflib_triples = triples(built.store), triples(built_rdflib.store)
    assert len(ox_triples) > 5_000
    assert ox_triples == rdflib_triples


def test_named_graphs_of_a_trig_file_join_the_one_graph(tmp_path):
    from kg.build import build_graph

    (tmp_path / "extra.trig").write_text(
        "@prefix ckg: <https://w3id.org/conflict-kg/ontology#> .\n"
        "@prefix actor: <https://w3id.org/conflict-kg/id/actor/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "<https://example.org/batch-1> { actor:trig-group a ckg:ArmedGroup ;"
        ' rdfs:label "TriG group" . }\n', encoding="utf-8")
    store = build_graph([Path("data"), tmp_path]).store
    assert store.count('actor:trig-group a ckg:ArmedGroup ; rdfs:label "TriG group"') == 1
    assert store.count("GRAPH ?g { ?s ?p ?o }") == 0


def test_every_prefix_names_a_namespace_that_ends_a_path():
    """shorten() finds an IRI's prefix by the text up to its last '/' or '#': a namespace that
    ended otherwise would never be used to shorten anything."""
    from kg.namespaces import shorten

    assert all(ns.endswith(("/", "#")) for ns in PREFIXES.values())
    for name, ns in PREFIXES.items():
        assert shorten(f"{ns}x-1") == f"{name}:x-1" or PREFIXES[shorten(f"{ns}x-1")
                                                              .split(":")[0]] == ns
    assert shorten("https://example.org/elsewhere/x") == "https://example.org/elsewhere/x"
    assert shorten(f"{PREFIXES['id']}actor/isis/sub") == f"{PREFIXES['id']}actor/isis/sub"
