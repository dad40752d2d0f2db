"""The benchmark runs (smallest size, as a smoke test: no timing is asserted), and the SHACL fast
path (the shapes compiled to SPARQL, kg.shacl_core) finds exactly what pySHACL finds."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib

from kg import shacl
from kg.build import DATA, ROOT, build_graph
from kg.errors import KGError
from kg.sources import read_sources

#: Broken things, one or more per kind of constraint in ontology/shapes.ttl: counts, datatypes
#: (ill-typed literals too), classes, sh:in, patterns, lengths, ranges, node kinds, sh:or,
#: sh:xone, sh:not, sh:disjoint, sh:uniqueLang, node-level sh:class, blank-node focus nodes.
#: Every IRI they use is defined and every quote is in its post, so the build gets to SHACL.
MUTATIONS = """
@prefix ckg:      <https://w3id.org/conflict-kg/ontology#> .
@prefix actor:    <https://w3id.org/conflict-kg/id/actor/> .
@prefix place:    <https://w3id.org/conflict-kg/id/place/> .
@prefix facility: <https://w3id.org/conflict-kg/id/facility/> .
@prefix equipment: <https://w3id.org/conflict-kg/id/equipment/> .
@prefix op:       <https://w3id.org/conflict-kg/id/operation/> .
@prefix prop:     <https://w3id.org/conflict-kg/id/proposition/> .
@prefix claim:    <https://w3id.org/conflict-kg/id/claim/000_dd67e9743226e335-> .
@prefix p:        <https://w3id.org/conflict-kg/id/post/000_dd67e9743226e335-> .
@prefix thread:   <https://w3id.org/conflict-kg/id/thread/> .
@prefix corpus:   <https://w3id.org/conflict-kg/id/corpus/> .
@prefix prov:     <http://www.w3.org/ns/prov#> .
@prefix rdfs:     <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos:     <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd:      <http://www.w3.org/2001/XMLSchema#> .
@prefix acled:    <https://w3id.org/conflict-kg/acled#> .

acled:inter9 a skos:Concept . ckg:ReliabilityZ a skos:Concept . ckg:Maybe a skos:Concept .
ckg:Fortnight a skos:Concept . ckg:Guess a skos:Concept . ckg:Shrugs a skos:Concept .
equipment:m-two-labels a ckg:Equipment ; rdfs:label "a", "b" .
equipment:m-empty-label a ckg:Equipment ; rdfs:label "" .
equipment:m-lang-label a ckg:Equipment ; rdfs:label "tank"@en .
actor:m-no-label a ckg:ArmedGroup .
actor:m-bad-hashtag a ckg:ArmedGroup ; rdfs:label "X" ; ckg:hashtag "#X", 5 ; ckg:handle "@h" .
actor:m-bad-wikidata a ckg:ArmedGroup ; rdfs:label "W" ;
    ckg:wikidata "Q1", <https://en.wikipedia.org/wiki/X> .
actor:m-part-of-place a ckg:ArmedGroup ; rdfs:label "P" ; ckg:partOf place:syria ;
    ckg:memberOf place:iraq ; ckg:basedIn actor:isis .
actor:m-acled a ckg:ArmedGroup ; rdfs:label "A" ; ckg:acledActorType acled:inter9, acled:inter2 ;
    ckg:reliability ckg:ReliabilityZ, ckg:ReliabilityA ; ckg:reliabilityNote "n"@en .
actor:m-alias a ckg:Person ; rdfs:label "Al" ; ckg:alias "", "ok" ; ckg:leaderOf place:syria .
actor:m-org-leader a ckg:ArmedGroup ; rdfs:label "L" ; ckg:leaderOf actor:isis .
place:m-graded a ckg:City ; rdfs:label "G" ; ckg:reliability ckg:ReliabilityC ;
    ckg:locatedIn facility:al-sina-prison .
facility:m-nowhere a ckg:Prison ; rdfs:label "N" ; ckg:partOf actor:isis .
facility:m-part a ckg:FacilityPart ; rdfs:label "FP" ; ckg:locatedIn place:syria ;
    ckg:partOf facility:al-sina-prison, facility:m-nowhere .
facility:m-part-none a ckg:FacilityPart ; rdfs:label "FP2" ; ckg:locatedIn place:syria .
op:m-op a ckg:Attack ; rdfs:label "M" ;
    ckg:time [ a ckg:TimeSpec ; ckg:precision ckg:DayPrecision ;
               ckg:earliest "2022-01-01"^^xsd:date ; ckg:latest "2022-01-01"^^xsd:date ] ,
             place:syria ;
    ckg:endTime [ a ckg:TimeSpec ; ckg:precision ckg:Fortnight , ckg:DayPrecision ;
                  ckg:earliest "soon" ; ckg:latest "2022-13-45"^^xsd:date ;
                  ckg:dateBasis ckg:Guess ; ckg:dateNote "" ] ;
    ckg:outcome ckg:Maybe ; ckg:place actor:isis ; ckg:target equipment:vbied ;
    ckg:weapon actor:isis ; ckg:perpetrator place:syria ; ckg:supporter 5 ;
    ckg:participant facility:al-sina-prison ; ckg:beneficiary place:iraq ;
    ckg:victim "civilians" ; ckg:partOf actor:isis .
op:m-no-precision a ckg:Clash ; rdfs:label "NP" ;
    ckg:time [ a ckg:TimeSpec ; ckg:earliest "2022-01-01"^^xsd:date, "2022-01-02"^^xsd:date ] .
corpus:m-corpus a ckg:Corpus ; ckg:sha256 "XYZ", "abc" ; rdfs:label "l1", "l2" ;
    ckg:author place:syria .
thread:m-thread a ckg:Thread ; rdfs:label "T" .
actor:m-document a ckg:SourceDocument ; ckg:text "a", "b" ; ckg:author place:syria .
prop:m-two-subjects a ckg:Proposition ; ckg:subject actor:isis, actor:sdf ;
    ckg:predicate ckg:fights ; ckg:object "ISIS", actor:ypg .
prop:m-no-subject a ckg:Proposition ; ckg:predicate ckg:quote ; ckg:value actor:isis, 3 ;
    ckg:object actor:sdf .
prop:m-bounds a ckg:Proposition ; ckg:subject op:m-op ; ckg:predicate ckg:killed ;
    ckg:minValue "100", 5 ; ckg:maxValue 2.5e1 ; ckg:approximate "yes" ; ckg:share 150, "25%" ;
    ckg:asOfHours -5 ; ckg:asOf place:syria ; ckg:status ckg:Maybe ; ckg:confidence 101, "x" ;
    ckg:statusReason "r"@en .
prop:m-nothing a ckg:Proposition ; ckg:subject actor:isis ; ckg:predicate ckg:fights .
claim:m-1 a ckg:Claim ; ckg:proposition actor:isis ; ckg:claimant place:syria ;
    ckg:stance ckg:Shrugs ; prov:wasDerivedFrom p:001, p:002 ; ckg:quote "", " " ;
    ckg:credibility 7, "3", 2.5, "abc"^^xsd:integer ; ckg:relayedBy place:syria ;
    ckg:quoteStart -1 ; ckg:quoteEnd 0 ; ckg:confidence 200 ; ckg:confidenceNote 3 .
claim:m-2 a ckg:Claim ; ckg:relayedBy actor:isis, actor:sdf ; ckg:claimant actor:isis .
claim:m-3 a ckg:Claim ; ckg:quote "q"@en ; ckg:credibility 0 .
ckg:MScheme a skos:ConceptScheme .
ckg:m-concept a skos:Concept ; skos:inScheme ckg:MScheme, actor:isis ;
    skos:prefLabel "a"@en, "b"@en, "c"@fr ; skos:notation 3, "x" .
"""


def _shacl_problems(engine: str, data: list[Path], monkeypatch) -> list[str]:
    monkeypatch.setenv("KG_SHACL", engine)
    with pytest.raises(KGError) as error:
        build_graph(data)
    return [str(problem) for problem in error.value.problems]


def test_both_shacl_engines_accept_the_corpus(monkeypatch):
    for engine in shacl.ENGINES:
        monkeypatch.setenv("KG_SHACL", engine)
        assert build_graph().store.count("?c a ckg:Claim") > 150


def test_both_shacl_engines_find_the_same_violations(tmp_path, monkeypatch):
    broken = tmp_path / "mutations.ttl"
    broken.write_text(MUTATIONS, encoding="utf-8")
    reference = _shacl_problems("pyshacl", [DATA, broken], monkeypatch)
    fast = _shacl_problems("sparql", [DATA, broken], monkeypatch)
    assert fast == reference
    assert len(reference) > 100 and all(": SHACL: " in p for p in reference)
    for expected in ("prop:m-nothing: A proposition needs exactly one of",  # sh:xone
                     "ckg:m-concept skos:prefLabel",  # sh:uniqueLang
                     "m-1 ckg:relayedBy",  # sh:disjoint
                     "actor:m-org-leader: Only a person",  # node-level sh:class
                     "a node of op:m-op ckg:latest",  # blank node, ill-typed date
                     "m-1 ckg:credibility: A claim needs exactly one ckg:credibility"):
        assert any(expected in p for p in reference), expected


def test_unsupported_shapes_fall_back_to_pyshacl(built):
    shapes = rdflib.Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:closed true .""", format="turtle")
    assert shacl.engine(built.store, shapes) == "pyshacl"


def test_a_bulk_ntriples_file_is_checked_like_turtle(tmp_path, data_copy):
    """N-Triples are loaded by the store straight from the file; what they define is still
    located, and a second defining block or a syntax error is still reported with its line."""
    actor = "<https://w3id.org/conflict-kg/id/actor/bulk-group>"
    kind = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    group = "<https://w3id.org/conflict-kg/ontology#ArmedGroup>"
    bulk = data_copy / "bulk.nt"
    bulk.write_text(f'{actor} {kind} {group} .\n{actor} {label} "Bulk group" .\n')
    source = next(s for s in read_sources([data_copy]) if s.path == bulk)
    assert source.bulk and source.defined == {actor[1:-1]: 1}
    assert build_graph([data_copy]).store.count(f"{actor} a ckg:ArmedGroup") == 1
    other = "<https://w3id.org/conflict-kg/id/actor/isis>"
    bulk.write_text(bulk.read_text() + f'{other} {label} "ISIS" .\n{actor} {kind} {group} .\n')
    with pytest.raises(KGError, match=r"bulk.nt:1: .*bulk-group> is defined twice in this file"):
        read_sources([data_copy])
    bulk.write_text(f'{actor} {kind} {group} .\n{actor} {label} "unterminated .\n')
    with pytest.raises(KGError, match=r"bulk.nt:2: syntax error"):
        build_graph([data_copy])


def test_the_benchmark_runs_at_the_smallest_size(tmp_path):
    """A smoke test: the benchmark runs on Oxigraph and rdflib and writes its table."""
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--sizes", "10k",
         "--backends", "oxigraph,rdflib", "--repeat", "1", "--limit", "60",
         "--out", str(tmp_path / "out"), "--cache", str(tmp_path / "data")],
        capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    measured = results["sizes"]["10k"]["backends"]
    assert set(measured) == {"oxigraph", "rdflib"}
    assert all("error" not in m and m["triples"] > 10_000 for m in measured.values())
    table = (tmp_path / "out" / "results.md").read_text()
    assert "## 10k triples" in table and "| question actor, typical: median / p95 |" in table
    assert "Oxigraph/rdflib" in table
    assert (tmp_path / "out" / "results.png").stat().st_size > 0


def test_the_report_gives_a_lower_bound_for_a_build_stopped_at_the_limit(tmp_path, monkeypatch):
    """rdflib at 1M is stopped at --build-limit: the report says so, with the speedup as a
    lower bound, and the plot marks it instead of failing on what the stopped build lacks."""
    monkeypatch.syspath_prepend(str(ROOT))  # benchmarks/ is a folder of scripts, not installed
    from benchmarks.report import plot, write_markdown

    finished = {"build": {"parse": 0.5, "load": 2.0, "posts": 0.5, "SHACL": 1.0,
                          "derive": 1.0}, "build_total": 5.0, "build_cpu": 6.0,
                "build_rss_mb": 700.0, "peak_rss_mb": 800.0, "triples": 1_500_000,
                "questions": {"actor": {"typical": {"median": 0.002, "p95": 0.003, "rows": 3},
                                        "busiest": {"timeout": 40}}},
                "views": {"support": {"seconds": 0.4, "nodes": 5, "edges": 9}},
                "render": None, "load_before": 1.0, "load_after": 1.0}
    stopped = {"error": "stopped after 300 s, in SHACL", "build": {"parse": 0.5, "load": 21.0},
               "stopped_after": 300.0}
    manifest = {"triples": 1_000_000, "operations": 1, "propositions": 1, "claims": 1,
                "posts": 1, "actors": 1}
    results = {"machine": {"CPU": "x", "cores": "2", "RAM": "1 GiB"}, "started": "a",
               "finished": "b", "argv": [], "seed": 1,
               "sizes": {"1M": {"manifest": manifest,
                                "backends": {"oxigraph": finished, "rdflib": stopped}}}}
    write_markdown(results, tmp_path / "results.md")
    plot(results, tmp_path / "results.png")
    table = (tmp_path / "results.md").read_text()
    assert "| 1M: build ≥ 10× faster than rdflib Memory | ≥ 60× (rdflib: stopped after 300 s" \
        in table
    assert "slowest: actor stopped at the limit" in table
    assert (tmp_path / "results.png").stat().st_size > 0
