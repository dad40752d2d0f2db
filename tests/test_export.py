"""Exports read back: GraphML and GEXF with every attribute, Cytoscape.js elements JSON, CSV
tables, and the whole graph as RDF with the same number of triples."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
import rdflib

from kg.cli import main
from kg.errors import KGError
from kg.export import GRAPH_FORMATS, export, portable, serialize, write_view
from kg.views import view

VIEWS = ["support", "targeting", "claims", "relations"]


def _edges(graph: nx.MultiDiGraph, drop: tuple[str, ...] = ()) -> list[tuple]:
    return sorted((u, v, str(k), sorted((a, b) for a, b in d.items() if a not in drop))
                  for u, v, k, d in graph.edges(keys=True, data=True))


def test_portable_values():
    graph = nx.MultiDiGraph()
    graph.add_node("a", label="A", missing=None, tags=["x", "y"], when=object)
    graph.add_node("b", label="B", tags="z", size=3)
    graph.add_node("c", size="big")
    graph.add_edge("a", "b", key="k", confidence=40, note=None)
    flat = portable(graph)
    assert flat.nodes["a"] == {"label": "A", "tags": "x | y", "when": str(object)}
    assert flat.nodes["b"]["size"] == "3" and flat.nodes["c"]["size"] == "big"  # one type
    assert flat.edges["a", "b", "k"] == {"confidence": 40}


@pytest.mark.parametrize("name", VIEWS)
def test_graphml_reads_back_with_every_attribute(built, tmp_path, name):
    graph = view(built.store, name)
    path, = write_view(graph, "graphml", tmp_path / f"{name}.graphml")
    back = nx.read_graphml(path, force_multigraph=True)
    expected = portable(graph)
    assert dict(back.nodes(data=True)) == dict(expected.nodes(data=True))
    assert _edges(back) == _edges(expected)
    assert back.number_of_edges() == graph.number_of_edges()
    sample = next(d for *_, d in back.edges(data=True) if "confidence" in d)
    assert isinstance(sample["confidence"], int)  # typed, not text


@pytest.mark.parametrize("name", VIEWS)
def test_gexf_reads_back_with_every_attribute(built, tmp_path, name):
    graph = view(built.store, name)
    path, = write_view(graph, "gexf", tmp_path / f"{name}.gexf")
    back = nx.read_gexf(path)
    expected = portable(graph)
    assert dict(back.nodes(data=True)) == dict(expected.nodes(data=True))
    # GEXF adds an edge id (the key where it is unique) and carries the key as an attribute
    assert _edges(back, drop=("id", "key")) == _edges(expected)
    ids = [d["id"] for *_, d in back.edges(data=True)]
    assert len(ids) == len(set(ids))


def test_cytoscape_json_is_the_elements_format(built, tmp_path):
    graph = view(built.store, "targeting")
    path, = write_view(graph, "cytoscape", tmp_path / "targeting.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    nodes, edges = data["elements"]["nodes"], data["elements"]["edges"]
    assert len(nodes) == graph.number_of_nodes() and len(edges) == graph.number_of_edges()
    ids = {n["data"]["id"] for n in nodes}
    assert ids == set(graph.nodes)
    assert all({"x", "y"} <= n["position"].keys() for n in nodes)
    assert all(e["data"]["source"] in ids and e["data"]["target"] in ids for e in edges)
    assert len({e["data"]["id"] for e in edges}) == len(edges)
    sample = next(n["data"] for n in nodes if n["data"]["label"] == "al-Sina prison")
    assert sample["kind"] == "facility" and sample["type"] == "Prison"
    assert {"relation", "status", "confidence", "quotes"} <= edges[0]["data"].keys()


def test_csv_writes_a_nodes_and_an_edges_table(built, tmp_path):
    graph = view(built.store, "support")
    nodes_path, edges_path = write_view(graph, "csv", tmp_path / "support.csv")
    assert (nodes_path.name, edges_path.name) == ("support-nodes.csv", "support-edges.csv")
    with nodes_path.open(encoding="utf-8") as f:
        nodes = list(csv.DictReader(f))
    with edges_path.open(encoding="utf-8") as f:
        edges = list(csv.DictReader(f))
    assert {r["id"] for r in nodes} == set(graph.nodes)
    assert len(edges) == graph.number_of_edges()
    assert {"source", "target", "key", "relation", "status", "quotes"} <= edges[0].keys()
    assert {(r["source"], r["target"], r["key"]) for r in edges} == {
        (u, v, str(k)) for u, v, k in graph.edges(keys=True)}


@pytest.mark.parametrize("fmt", list(GRAPH_FORMATS))
def test_whole_graph_parses_back_with_the_same_triples(built, fmt):
    data = serialize(built.store, fmt)
    quads = list(ox.parse(data, format=GRAPH_FORMATS[fmt][1]))
    assert len(quads) == len(built.store)
    if fmt in ("turtle", "trig"):
        assert data.startswith(b"@prefix") and b"@prefix ckg:" in data


def test_whole_graph_from_the_rdflib_backend(built_rdflib):
    data = serialize(built_rdflib.store, "turtle")
    assert len(rdflib.Graph().parse(data=data, format="turtle")) == len(built_rdflib.store)


def test_cli_export_writes_where_told(tmp_path, capsys):
    out = tmp_path / "x" / "support.graphml"
    assert main(["export", "support", "--format", "graphml", "--store", "memory",
                 "--out", str(out)]) == 0
    assert nx.read_graphml(out, force_multigraph=True).number_of_edges() == 19
    assert f"wrote {out}" in capsys.readouterr().err


def test_cli_export_to_standard_output(capsysbinary):
    assert main(["export", "--format", "nquads", "--store", "memory", "--out", "-"]) == 0
    assert len(capsysbinary.readouterr().out.splitlines()) > 5000


@pytest.mark.parametrize("args, message", [
    ({"fmt": "graphml"}, "graphml exports a view"),
    ({"fmt": "turtle", "view_name": "support"}, "turtle exports the whole graph"),
    ({"fmt": "png", "view_name": "support"}, "no export format 'png'"),
    ({"fmt": "csv", "view_name": "support", "out": "-"}, "csv writes two tables"),
    ({"fmt": "gexf", "view_name": "nope"}, "no view 'nope'"),
])
def test_export_errors(built, args, message):
    if "out" in args:
        args["out"] = Path(args["out"])
    with pytest.raises(KGError, match=message):
        export(built.store, **args)
