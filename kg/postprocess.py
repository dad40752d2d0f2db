"""Questions that need graph search after their SPARQL: the rows are edges, Python finds paths."""

from __future__ import annotations

import itertools

import networkx as nx
import rdflib
from rdflib.term import Node

from kg.store import KGStore
from kg.views import EDGE_FIELDS

PATH_COLUMNS = ["path", "hop", "source", "relation", "target", "direction", "status",
                "confidence", "posts", "quotes", "proposition"]


def connections(store: KGStore, rows: list[dict[str, Node]], bindings: dict[str, Node | None]
                ) -> tuple[list[str], list[dict[str, Node]]]:
    """The shortest paths between ``from`` and ``to``, one row per hop with its evidence."""
    graph = nx.MultiGraph()
    for row in rows:
        graph.add_edge(str(row["source"]), str(row["target"]), **{
            "row": row, **{f: row.get(f) for f in EDGE_FIELDS}})
    start, end = str(bindings["from"]), str(bindings["to"])
    limit = int(bindings["paths"].toPython()) if bindings.get("paths") is not None else 3
    if start not in graph or end not in graph or not nx.has_path(graph, start, end):
        return PATH_COLUMNS, []
    paths = itertools.islice(nx.all_shortest_paths(graph, start, end), max(limit, 1))
    out = []
    for number, path in enumerate(paths, start=1):
        for hop, (u, v) in enumerate(itertools.pairwise(path), start=1):
            best = max(graph.get_edge_data(u, v).values(),
                       key=lambda d: int(d["confidence"].toPython()))
            row = best["row"]
            forward = str(row["source"]) == u
            out.append({"path": rdflib.Literal(number), "hop": rdflib.Literal(hop),
                        "source": rdflib.URIRef(u), "target": rdflib.URIRef(v),
                        "direction": rdflib.Literal("→" if forward else "←"),
                        **{k: row[k] for k in ("relation", "status", "confidence", "posts",
                                               "quotes", "proposition") if k in row}})
    return PATH_COLUMNS, out
