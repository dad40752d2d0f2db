"""The "sparql" backend: `kg build` uploads to a real `oxigraph serve` on 127.0.0.1, and every
named question, view, `kg ask`, render and export gives what the embedded store gives."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
import rdflib
import waitress

from kg.cli import main
from kg.errors import KGError
from kg.export import export
from kg.oxserver import OxigraphServer, free_port
from kg.questions import get, questions, run
from kg.remote import SparqlClient, connect, default_update_url, parse_spec, replace_graph
from kg.store import open_store
from kg.tabular import render
from kg.views import VIEWS, ego_network

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def oxigraph() -> Iterator[OxigraphServer]:
    """A real `oxigraph serve` (in memory, writable) on 127.0.0.1."""
    with OxigraphServer(None, read_only=False) as server:
        yield server


@pytest.fixture(scope="module")
def remote(oxigraph) -> str:
    """The corpus built by `kg build --store sparql+…` into that server; the spec."""
    spec = f"sparql+{oxigraph.url}/query"
    assert main(["-q", "build", "--store", spec]) == 0
    return spec


def test_build_uploads_exactly_the_checked_graph(remote, built):
    store = open_store(remote)
    assert store.backend == "sparql"
    assert len(store) == len(built.store)
    # a second upload replaces the graph: no duplicates, nothing left over
    assert replace_graph(connect(remote), built.store) == len(built.store)
    assert _shape(store.to_rdflib_graph()) == _shape(built.store.to_rdflib_graph())


def _shape(graph: rdflib.Graph) -> list[tuple[str, ...]]:
    """The triples, blank nodes made anonymous (rdflib's isomorphism test takes seconds)."""
    return sorted(tuple("_:" if isinstance(t, rdflib.BNode) else t.n3() for t in triple)
                  for triple in graph)


@pytest.mark.parametrize("name", sorted(questions()))
def test_named_question_gives_the_same_rows(remote, built, name):
    params = get(name).example
    assert run(open_store(remote), name, params) == run(built.store, name, params)


def test_filters_give_the_same_rows(remote, built):
    for name in ("who-supported-whom", "claims", "targeting"):
        assert run(open_store(remote), name, min_confidence=40, status="reported") == \
            run(built.store, name, min_confidence=40, status="reported")


def _picture(graph: nx.MultiDiGraph) -> tuple[list[str], list[str]]:
    return (sorted(repr(n) for n in graph.nodes(data=True)),
            sorted(repr(e) for e in graph.edges(keys=True, data=True)))


@pytest.mark.parametrize("view", sorted(VIEWS))
def test_view_is_the_same(remote, built, view):
    assert _picture(VIEWS[view](open_store(remote))) == _picture(VIEWS[view](built.store))


def test_ego_view_is_the_same(remote, built):
    assert _picture(ego_network(open_store(remote), "al-Sina prison", radius=2)) == \
        _picture(ego_network(built.store, "al-Sina prison", radius=2))


def test_kg_ask_on_the_remote_store(remote, built, capsys):
    assert main(["ask", "actor", "--param", "actor=SDF", "--store", remote, "--format", "csv"]) == 0
    columns, rows = run(built.store, "actor", {"actor": "SDF"})
    assert capsys.readouterr().out == render(rows, columns, "csv", built.store) + "\n"


def test_export_and_render_on_the_remote_store(remote, built, tmp_path):
    store = open_store(remote)
    for fmt in ("graphml", "csv"):
        mine = export(store, fmt, "support", tmp_path / f"remote.{fmt}")
        theirs = export(built.store, fmt, "support", tmp_path / f"embedded.{fmt}")
        assert [p.read_bytes() for p in mine] == [p.read_bytes() for p in theirs]
    export(store, "turtle", out=tmp_path / "graph.ttl")  # the whole graph, fetched once
    whole = rdflib.Graph().parse(tmp_path / "graph.ttl")
    assert len(whole) == len(built.store)
    out = tmp_path / "support.svg"
    assert main(["render", "support", "--store", remote, "--out", str(out)]) == 0
    assert out.stat().st_size > 1000


def test_named_graph_option(oxigraph, remote, built):
    spec = f"{remote}#graph=https://w3id.org/conflict-kg/graph/test"
    assert replace_graph(connect(spec), built.store) == len(built.store)
    assert run(open_store(spec), "prisons-targeted") == run(built.store, "prisons-targeted")
    assert len(open_store(remote)) == len(built.store)  # the default graph is untouched


def test_store_from_environment(remote, built, monkeypatch):
    monkeypatch.setenv("KG_STORE", remote)
    assert open_store().backend == "sparql"
    assert len(open_store()) == len(built.store)


def test_spec():
    assert default_update_url("http://h:7878/query") == "http://h:7878/update"
    assert default_update_url("http://h:3030/kg/query") == "http://h:3030/kg/update"
    assert default_update_url("http://h:7200/repositories/kg") == \
        "http://h:7200/repositories/kg/statements"
    assert default_update_url("http://h:8890/sparql") == "http://h:8890/sparql"
    endpoint = parse_spec("sparql+https://h/sparql#update=https://h/sparql-auth&graph=urn:kg")
    assert (endpoint.query_url, endpoint.update_url, endpoint.graph) == \
        ("https://h/sparql", "https://h/sparql-auth", "urn:kg")
    for bad, says in (("sparql+http://user:secret@h/query", "credentials do not go"),
                      ("sparql+ftp://h/query", r"not an http\(s\)"),
                      ("sparql+http://h/query#user=x", "unknown option"),
                      ("sparql+http://h/query#graph=not an iri", "not a valid IRI")):
        with pytest.raises(KGError, match=says):
            parse_spec(bad)


def test_errors_are_clear(remote):
    with pytest.raises(KGError, match=r"answered 400 .*error at"):
        open_store(remote).query("SELECT * WHERE { ?s ?p }")
    with pytest.raises(KGError, match="cannot reach the SPARQL endpoint"):
        open_store(f"sparql+http://127.0.0.1:{free_port()}/query").query("ASK {}")


class _Guarded:
    """A SPARQL endpoint (waitress) that wants credentials and records what it got."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.server = waitress.create_server(self.app, host="127.0.0.1", port=0, threads=2)
        self.url = f"http://127.0.0.1:{self.server.effective_port}/sparql"
        threading.Thread(target=self.server.run, daemon=True).start()

    def app(self, environ, start_response):
        authorization = environ.get("HTTP_AUTHORIZATION", "")
        self.seen.append(authorization)
        good = ("Basic " + base64.b64encode(b"analyst:s3cret").decode(), "Bearer t0ken")
        if authorization not in good:
            start_response("401 Unauthorized", [("WWW-Authenticate", 'Basic realm="kg"')])
            return [b"who are you?"]
        start_response("200 OK", [("Content-Type", "application/sparql-results+json")])
        return [json.dumps({"head": {}, "boolean": True}).encode()]


def test_credentials_come_from_the_environment():
    guarded = _Guarded()
    try:
        endpoint = parse_spec(f"sparql+{guarded.url}")
        with pytest.raises(KGError, match="401"):
            SparqlClient(endpoint, env={}).query("ASK {}")
        basic = SparqlClient(endpoint, env={"KG_SPARQL_USER": "analyst",
                                            "KG_SPARQL_PASSWORD": "s3cret"})
        assert basic.query("ASK {}").askAnswer is True
        assert SparqlClient(endpoint, env={"KG_SPARQL_TOKEN": "t0ken"}).query("ASK {}").askAnswer
        assert guarded.seen[-1] == "Bearer t0ken"
    finally:
        guarded.server.close()


def test_add_goes_to_the_endpoint():
    with OxigraphServer(None, read_only=False) as server:
        store = open_store(f"sparql+{server.url}/query")
        store.add([ox.Quad(ox.NamedNode("urn:kg:a"), ox.NamedNode("urn:kg:b"),
                           ox.Literal('say "hi"\n', language="en"))])
        assert len(store.dataset) == 1  # the local copy…
        store.add([ox.Quad(ox.BlankNode("x"), ox.NamedNode("urn:kg:b"), ox.Literal("3"))])
        assert len(store) == len(store.dataset) == 2  # …is fetched again after a change
        assert store.select("SELECT ?o WHERE { <urn:kg:a> ?p ?o }") == \
            [{"o": rdflib.Literal('say "hi"\n', lang="en")}]
