"""Named questions: every one runs, both backends agree, views agree with SPARQL, parameters are
data, names resolve, and the reasoning (subclasses, sub-properties, locatedIn+) counts."""

from __future__ import annotations

import json

import pytest
import rdflib

from kg.cli import main
from kg.errors import KGError
from kg.namespaces import PREFIXES
from kg.questions import get, questions, run
from kg.resolve import names, resolve
from kg.sparql import sparql_term
from kg.views import support_network, targeting_network


def _iri(name: str) -> str:
    prefix, local = name.split(":", 1)
    return PREFIXES[prefix] + local


def _plain(rows):
    return [{k: str(v) for k, v in row.items()} for row in rows]


def _terms(rows):
    """Rows as sorted JSON, each value with its kind, datatype or language (a string literal
    as a plain one: Oxigraph writes xsd:string, rdflib leaves it out)."""
    def term(value):
        if isinstance(value, rdflib.Literal):
            datatype = value.datatype if value.datatype != rdflib.XSD.string else None
            return ["literal", str(value), str(datatype or ""), value.language or ""]
        return [type(value).__name__, str(value)]
    return sorted(json.dumps({k: term(v) for k, v in row.items()}, sort_keys=True)
                  for row in rows)


CASES = {"example": {}, "none": {}, "at least 50": {"min_confidence": 50},
         "reported": {"status": "reported"}}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("name", sorted(questions()))
def test_every_question_gives_the_same_rows_on_both_backends(name, case, built, built_rdflib):
    """The reference backend (rdflib follows the SPARQL semantics) and Oxigraph agree, row for
    row, with the question's example parameters, with none, and filtered."""
    question = get(name)
    if case == "none" and any(p.required for p in question.params):
        pytest.skip(f"{name} needs a parameter")
    params = {} if case == "none" else question.example
    columns, rows = run(built.store, name, params, **CASES[case])
    other_columns, other_rows = run(built_rdflib.store, name, params, **CASES[case])
    if case in ("example", "none"):
        assert rows, f"{name} returned no rows on the corpus"
    assert columns == other_columns
    assert _terms(rows) == _terms(other_rows)


def _entities(store, sparql):
    return [rdflib.URIRef(row["e"]) for row in store.select(sparql)]


ACTORS = """SELECT DISTINCT ?e WHERE { { ?e a/rdfs:subClassOf* ckg:Actor }
                                     UNION { ?claim ckg:claimant ?e } } ORDER BY ?e"""
ENDS = "SELECT DISTINCT ?e WHERE { ?p ckg:subject|ckg:object ?e FILTER(isIRI(?e)) } ORDER BY ?e"
PLACES = """SELECT DISTINCT ?e WHERE { { ?e a/rdfs:subClassOf* ckg:Place }
                                     UNION { ?x ckg:locatedIn ?e } } ORDER BY ?e"""

#: A parameter that narrows a question to the rows of its unfiltered form that a column shows.
NARROWING = [
    ("relations", "about", ENDS, lambda row, x: x in (row["source"], row["target"])),
    ("who-supported-whom", "actor", ACTORS,
     lambda row, x: x in (row["supporter"], row["supported"])),
    ("claims", "by", ACTORS, lambda row, x: row["claimant"] == x),
    ("claims", "about", ENDS, lambda row, x: x in (row["subject"], row.get("object"))),
    ("targeting", "by", ACTORS, lambda row, x: row["attacker"] == x),
    ("prisons-targeted", "by", ACTORS, lambda row, x: row["attacker"] == x),
    ("facilities-targeted", "by", ACTORS, lambda row, x: row["attacker"] == x),
    ("quantity-history", "subject", ENDS, lambda row, x: row["subject"] == x),
]


@pytest.mark.parametrize(("name", "param", "candidates", "keep"), NARROWING,
                         ids=[f"{n}-{p}" for n, p, _, _ in NARROWING])
def test_a_parameter_gives_exactly_the_rows_it_names(built, name, param, candidates, keep):
    """A parameter is used in the query's triple patterns (so the store starts from it), not
    in a FILTER: it must still give exactly the rows of the unfiltered question it names (no
    row lost, none repeated), for every entity, filtered or not."""
    store = built.store
    for filters in ({}, {"min_confidence": 50}):
        _, everything = run(store, name, **filters)
        found = 0
        for entity in _entities(store, candidates):
            _, rows = run(store, name, {param: str(entity)}, **filters)
            assert _terms(rows) == _terms([r for r in everything if keep(r, entity)]), entity
            found += bool(rows)
        assert found, f"{name} {param}: no entity with rows, nothing proven"


def _iris(store, sparql):
    return {str(row["x"]) for row in store.select(sparql)}


ROLES = "ckg:perpetrator|ckg:target|ckg:supporter|ckg:participant|ckg:beneficiary|ckg:victim"

#: A parameter whose effect no column shows: the rows it keeps, by a plain query (a FILTER on
#: every row of the unfiltered question, as the questions were first written).
SELECTING = [
    ("operations", "actor", ACTORS, "operation",
     f"SELECT DISTINCT ?x WHERE {{ ?x {ROLES} $entity }}"),
    ("timeline", "actor", ACTORS, "item",
     f"SELECT DISTINCT ?x WHERE {{ ?x ckg:mentions|{ROLES} $entity }}"),
    ("contested", "about", ENDS, "finding",
     "SELECT DISTINCT ?x WHERE { ?x ckg:concerns/(ckg:subject|ckg:object) $entity }"),
    ("prisons-targeted", "in", PLACES, "prison",
     "SELECT DISTINCT ?x WHERE { ?x ckg:locatedIn+ $entity }"),
    ("facilities-targeted", "in", PLACES, "facility",
     "SELECT DISTINCT ?x WHERE { ?x ckg:locatedIn+ $entity }"),
    ("operations", "in", PLACES, "operation",
     "SELECT DISTINCT ?x WHERE { ?x ckg:partOf*/(ckg:place|ckg:target)/ckg:locatedIn* $entity }"),
]


@pytest.mark.parametrize(("name", "param", "candidates", "column", "selects"), SELECTING,
                         ids=[f"{n}-{p}" for n, p, _, _, _ in SELECTING])
def test_a_parameter_keeps_exactly_the_rows_of_what_it_selects(built, name, param, candidates,
                                                               column, selects):
    store = built.store
    _, everything = run(store, name)
    found = 0
    for entity in _entities(store, candidates):
        chosen = _iris(store, selects.replace("$entity", sparql_term(entity)))
        _, rows = run(store, name, {param: str(entity)})
        assert _terms(rows) == _terms([r for r in everything if str(r[column]) in chosen]), entity
        found += bool(rows)
    assert found >= 2, f"{name} {param}: too few entities with rows to prove anything"


def test_every_question_has_a_title_described_parameters_and_a_working_example():
    for question in questions().values():
        assert question.title and question.description
        assert all(p.description for p in question.params)
        assert {p.name for p in question.params if p.required} <= set(question.example)


def test_who_supported_whom_agrees_with_the_support_view(built):
    _, rows = run(built.store, "who-supported-whom")
    graph = support_network(built.store)
    from_sparql = sorted((str(r["supporter"]), str(r["supported"]), str(r["proposition"]))
                         for r in rows)
    from_view = sorted((u, v, d["proposition"]) for u, v, d in graph.edges(data=True))
    assert from_sparql == from_view
    assert len(from_view) >= 15


def test_prisons_targeted_agrees_with_the_targeting_view(built):
    _, rows = run(built.store, "prisons-targeted")
    graph = targeting_network(built.store)
    prisons = {n for n, d in graph.nodes(data=True)
               if d["type"] in ("Prison", "DetentionFacility", "FacilityPart")}
    from_view = {(u, v, d["operation"]) for u, v, d in graph.edges(data=True) if v in prisons}
    from_sparql = {(str(r["attacker"]), str(r["prison"]), str(r["operation"])) for r in rows}
    assert from_sparql == from_view


def test_who_supported_whom_includes_alleged_and_refuted_support_and_marks_it(built):
    _, rows = run(built.store, "who-supported-whom")
    statuses = {(str(r["supporter"]).rsplit("/", 1)[1], str(r["supported"]).rsplit("/", 1)[1],
                 str(r["status"]).rsplit("#", 1)[1]) for r in rows}
    assert ("us-sof", "sdf", "Alleged") in statuses
    assert ("turkey", "2022-01-20-al-sina-prison-attack", "Refuted") in statuses
    assert all(r["quotes"] and r["posts"] for r in rows)


def test_sub_properties_count_as_support(built):
    _, rows = run(built.store, "who-supported-whom")
    relations = {str(r["relation"]).rsplit("#", 1)[1] for r in rows}
    assert {"arms", "trains", "advises", "providesAirSupport"} <= relations


def test_prisons_targeted_covers_the_plot_the_attack_and_conoco(built):
    _, rows = run(built.store, "prisons-targeted")
    found = {(str(r["prison"]).rsplit("/", 1)[1], str(r["operation"]).rsplit("/", 1)[1])
             for r in rows}
    assert ("al-sina-prison", "2021-11-al-sina-plot") in found
    assert ("al-sina-prison", "2022-01-20-al-sina-prison-attack") in found
    assert ("sdf-prison-near-conoco", "2022-01-21-conoco-prison-assault") in found
    plot = [r for r in rows if str(r["operation"]).endswith("2021-11-al-sina-plot")]
    assert str(plot[0]["outcome"]) == "foiled (reported)"


@pytest.mark.parametrize(("place", "expected"), [
    ("Syria", {"al-sina-prison", "sdf-prison-near-conoco"}),
    ("al-Hasakah", {"al-sina-prison"}),
    ("Deir ez-Zor", {"sdf-prison-near-conoco"}),
    ("Iraq", set()),
])
def test_located_in_is_transitive(built, place, expected):
    _, rows = run(built.store, "prisons-targeted", {"in": place})
    assert {str(r["prison"]).rsplit("/", 1)[1] for r in rows} == expected


def test_subclasses_count_a_truck_bomb_is_an_attack(built):
    _, rows = run(built.store, "operations", {"kind": "attack", "in": "Ghweiran"})
    types = {str(r["type"]).rsplit("#", 1)[1] for r in rows}
    assert {"VBIEDAttack", "Assault", "Attack"} <= types
    assert "Clash" not in types and "Evacuation" not in types


def test_operations_in_a_place_include_those_at_facilities_there(built):
    _, rows = run(built.store, "operations", {"actor": "ISIS", "in": "al-Hasakah"})
    names = {str(r["operation"]).rsplit("/", 1)[1] for r in rows}
    assert {"2022-01-20-al-sina-vbied", "2022-01-20-al-sina-prison-attack"} <= names
    assert "2022-01-21-diyala-base-assault" not in names


def test_time_window_filters_operations(built):
    _, rows = run(built.store, "operations", {"from": "2021-11-01", "to": "2021-11-30"})
    names = {str(r["operation"]).rsplit("/", 1)[1] for r in rows}
    assert "2021-11-al-sina-plot" in names
    assert "2022-01-20-al-sina-vbied" not in names


def test_min_confidence_and_status_filter(built):
    _, all_rows = run(built.store, "who-supported-whom")
    _, strong = run(built.store, "who-supported-whom", min_confidence=50)
    _, refuted = run(built.store, "who-supported-whom", status="refuted")
    assert 0 < len(strong) < len(all_rows)
    assert all(int(r["confidence"]) >= 50 for r in strong)
    assert [str(r["status"]).rsplit("#", 1)[1] for r in refuted] == ["Refuted"]


@pytest.mark.parametrize("name", ["ISIS", "#ISIS", "isis", "Islamic State", "Daesh",
                                  "actor:isis", _iri("actor:isis")])
def test_names_aliases_hashtags_and_handles_resolve(built, name):
    assert str(resolve(built.store, name)) == _iri("actor:isis")


def test_a_name_as_written_resolves_to_what_the_table_of_every_name_gives(built):
    """The exact lookup (one query, no scan of every name) agrees with the table of every
    name, for every name of the corpus that names one entity."""
    checked = 0
    for spelling, entities in names(built.store).values():
        if len(entities) == 1:
            assert str(resolve(built.store, spelling)) == next(iter(entities)), spelling
            checked += 1
    assert checked > 100


def test_handles_and_preferred_kinds_resolve(built):
    assert str(resolve(built.store, "@Reuters")) == _iri("actor:reuters")
    assert str(resolve(built.store, "Turkey", prefer="actor")) == _iri("actor:turkey")
    with pytest.raises(KGError, match="names several entities"):
        resolve(built.store, "Turkey")


def test_unknown_entity_suggests_the_nearest_names(built):
    with pytest.raises(KGError, match="did you mean 'al-Sina prison'"):
        resolve(built.store, "al-Sina prisn")


def test_unknown_question_lists_the_known_ones():
    with pytest.raises(KGError, match=r"known questions: .*who-supported-whom"):
        get("who-helped-whom")


HOSTILE = 'x" } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o } #\n"""\\'


def test_a_hostile_parameter_is_data(built):
    before = len(built.store)
    _, rows = run(built.store, "quantity-history", {"quantity": HOSTILE})
    assert rows == []
    assert len(built.store) == before
    literal = sparql_term(rdflib.Literal(HOSTILE))
    assert literal.startswith('"') and "\n" not in literal


def test_a_hostile_entity_name_is_refused_cleanly(built):
    with pytest.raises(KGError, match="no entity is called"):
        run(built.store, "actor", {"actor": HOSTILE})
    with pytest.raises(KGError, match="not a valid IRI"):
        sparql_term(rdflib.URIRef("http://x/> } DROP ALL #"))


def test_bad_parameters_are_clear_errors(built):
    with pytest.raises(KGError, match="has no parameter 'who'"):
        run(built.store, "who-supported-whom", {"who": "ISIS"})
    with pytest.raises(KGError, match=r"actor needs actor=… \(kg ask actor --help-question"):
        run(built.store, "actor")
    with pytest.raises(KGError, match="not a date"):
        run(built.store, "operations", {"from": "last week"})
    with pytest.raises(KGError, match="no status 'maybe'"):
        run(built.store, "contested", status="maybe")


def test_connections_give_evidence_per_hop(built):
    columns, rows = run(built.store, "connections", {"from": "ISIS", "to": "DoD"})
    assert columns[:3] == ["path", "hop", "source"]
    assert [int(r["hop"]) for r in rows if int(r["path"]) == 1] == [1, 2]
    assert all(r["quotes"] and r["posts"] and r["status"] for r in rows)


def _paths_on_every_relation(store, start, end, paths, min_confidence):
    """The connections as first computed: networkx on the graph of every relation."""
    import itertools

    import networkx as nx

    _, rows = run(store, "relations", min_confidence=min_confidence)
    graph = nx.MultiGraph()
    for row in rows:
        graph.add_edge(str(row["source"]), str(row["target"]), row=row)
    if start == end or start not in graph or end not in graph or not nx.has_path(
            graph, start, end):
        return []
    out = []
    for number, path in enumerate(itertools.islice(nx.all_shortest_paths(graph, start, end),
                                                   paths), start=1):
        for hop, (u, v) in enumerate(itertools.pairwise(path), start=1):
            row = max(graph.get_edge_data(u, v).values(),
                      key=lambda d: int(d["row"]["confidence"]))["row"]
            out.append((number, hop, u, v, str(row["proposition"]), str(row["posts"])))
    return out


@pytest.mark.parametrize("min_confidence", [None, 40])
def test_connections_are_the_shortest_paths_over_every_relation(built, min_confidence):
    """The search from both ends gives the paths (in the same order, with the same edge per
    hop) that networkx gives on the graph of every relation."""
    store = built.store
    ends = [str(e) for e in _entities(store, ENDS)]
    compared = found = 0
    for start in ends[::4]:
        for end in ends[1::5]:
            _, rows = run(store, "connections", {"from": start, "to": end, "paths": "10"},
                          min_confidence=min_confidence)
            got = [(int(r["path"]), int(r["hop"]), str(r["source"]), str(r["target"]),
                    str(r["proposition"]), str(r["posts"])) for r in rows]
            assert got == _paths_on_every_relation(store, start, end, 10, min_confidence)
            compared += 1
            found += bool(got)
    assert compared > 50 and found > 10


def test_kg_ask_prints_json_rows_with_iri_and_label(tmp_path, capsys):
    store = str(tmp_path / "kg")
    assert main(["--quiet", "build", "--store", store]) == 0
    capsys.readouterr()
    assert main(["ask", "prisons-targeted", "--format", "json", "--store", store]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["prison"]["label"] in ("al-Sina prison", "SDF prison near the Conoco facility")
    assert rows[0]["prison"]["iri"].startswith("https://w3id.org/conflict-kg/id/facility/")
    assert main(["ask", "--list", "--store", store]) == 0
    assert "who-supported-whom" in capsys.readouterr().out
    assert main(["ask", "nonsense", "--store", store]) == 1
    assert "known questions" in capsys.readouterr().err
    # a page of the rows, and where the next one starts
    assert main(["ask", "claims", "--format", "json", "--store", store]) == 0
    every = json.loads(capsys.readouterr().out)
    assert main(["ask", "claims", "--format", "json", "--limit", "3", "--offset", "2",
                 "--store", store]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out) == every[2:5]
    assert f"(rows 3–5 of {len(every):,}; --offset 5 for the next)" in out.err
    for bad in (["--limit", "0"], ["--offset", "-1"]):
        assert main(["ask", "claims", *bad, "--store", store]) == 1
        assert "--limit takes a whole number ≥ 1, --offset one ≥ 0" in capsys.readouterr().err
    # parameters as `kg ask --list` shows them (actor=SDF), or with --param
    assert main(["ask", "actor", "--param", "actor=SDF", "--format", "json",
                 "--store", store]) == 0
    with_option = json.loads(capsys.readouterr().out)
    assert main(["ask", "actor", "actor=SDF", "--format", "json", "--store", store]) == 0
    assert json.loads(capsys.readouterr().out) == with_option != []
    assert main(["ask", "actor", "--format", "json", "actor=SDF", "--store", store]) == 0
    assert json.loads(capsys.readouterr().out) == with_option
    with pytest.raises(SystemExit) as usage:  # what is neither an option nor KEY=VALUE
        main(["ask", "actor", "--format", "json", "--bogus", "--store", store])
    assert usage.value.code == 2
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err
    assert main(["ask", "actor", "SDF", "--store", store]) == 1
    assert ("a parameter is KEY=VALUE, not 'SDF' (kg ask actor --help-question lists them)"
            in capsys.readouterr().err)
