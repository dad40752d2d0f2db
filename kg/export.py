"""`kg export`: a network view for Gephi, Cytoscape or a spreadsheet, or the whole graph as RDF.

View formats (``kg export VIEW --format F``):

* ``graphml`` and ``gexf`` — read back with networkx (``read_graphml(path,
  force_multigraph=True)``, ``read_gexf(path)``) with every node and edge attribute intact.
  Attribute values are made portable first (:func:`portable`): a missing value (None) is left
  out, a list becomes its items joined by ``" | "`` (as the views' own lists already are),
  anything not a string, whole number, float or boolean becomes a string, and an attribute
  that holds values of more than one type holds strings everywhere. Edge keys are the
  propositions' IRIs; GEXF carries them as the ``key`` attribute beside a unique ``id``.
* ``cytoscape`` — Cytoscape.js's elements JSON: ``{"elements": {"nodes": [{"data": {"id":
  …}, "position": {…}}], "edges": [{"data": {"id": …, "source": …, "target": …}}]}}``,
  with the layout of ``kg render`` as node positions.
* ``csv`` — two tables, ``NAME-nodes.csv`` (id and attributes) and ``NAME-edges.csv``
  (source, target, key and attributes).

Whole-graph formats (``kg export --format F``): ``turtle``, ``trig``, ``nquads``, ``jsonld``,
written by Oxigraph (rdflib for the rdflib backend), with the project's prefixes where the
format has them.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import networkx as nx
import pyoxigraph as ox

from kg.errors import KGError
from kg.namespaces import PREFIXES
from kg.store import KGStore

VIEW_FORMATS = {"graphml": ".graphml", "gexf": ".gexf", "cytoscape": ".json", "csv": ".csv"}
GRAPH_FORMATS = {  # name: (suffix, Oxigraph format, rdflib format)
    "turtle": (".ttl", ox.RdfFormat.TURTLE, "turtle"),
    "trig": (".trig", ox.RdfFormat.TRIG, "trig"),
    "nquads": (".nq", ox.RdfFormat.N_QUADS, "nquads"),
    "jsonld": (".jsonld", ox.RdfFormat.JSON_LD, "json-ld"),
}
SCALARS = (str, bool, int, float)


def _portable_value(value: object) -> object:
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(map(str, value)) if isinstance(value, (set, frozenset)) else value
        return " | ".join(map(str, items))
    return value if isinstance(value, SCALARS) else str(value)


def _one_type(items: list[dict]) -> None:
    """Attributes holding values of several types hold strings everywhere (GraphML and GEXF
    declare one type per attribute)."""
    types: dict[str, set[type]] = {}
    for data in items:
        for key, value in data.items():
            types.setdefault(key, set()).add(type(value))
    mixed = {k for k, t in types.items() if len(t) > 1}
    for data in items:
        for key in mixed & data.keys():
            data[key] = str(data[key])


def portable(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of ``graph`` whose attributes every format can hold (see the module doc)."""
    out = nx.MultiDiGraph()
    out.graph.update({k: _portable_value(v) for k, v in graph.graph.items() if v is not None})
    for node, data in sorted(graph.nodes(data=True)):
        out.add_node(node, **{k: _portable_value(v) for k, v in data.items() if v is not None})
    for u, v, key, data in sorted(graph.edges(keys=True, data=True),
                                  key=lambda e: (e[0], e[1], str(e[2]))):
        out.add_edge(u, v, key=key if isinstance(key, (str, int)) else str(key),
                     **{k: _portable_value(x) for k, x in data.items() if x is not None})
    _one_type([d for _, d in out.nodes(data=True)])
    _one_type([d for *_, d in out.edges(data=True)])
    return out


def _edge_ids(graph: nx.MultiDiGraph) -> dict[tuple, str]:
    """A unique id per edge: its key when that is unique, else 'source target key'."""
    seen: dict[str, int] = {}
    for _, _, key in graph.edges(keys=True):
        seen[str(key)] = seen.get(str(key), 0) + 1
    return {(u, v, k): str(k) if seen[str(k)] == 1 else f"{u} {v} {k}"
            for u, v, k in graph.edges(keys=True)}


def cytoscape_elements(graph: nx.MultiDiGraph,
                       positions: dict[str, tuple[float, float]] | None = None) -> dict:
    """Cytoscape.js elements JSON of ``graph`` (positions in pixels, y down, when given)."""
    flat = portable(graph)
    ids = _edge_ids(flat)
    nodes = []
    for node, data in flat.nodes(data=True):
        element: dict = {"data": {"id": node, **data}}
        if positions and node in positions:
            x, y = positions[node]
            element["position"] = {"x": round(x, 2), "y": round(y, 2)}
        nodes.append(element)
    edges = [{"data": {"id": ids[(u, v, k)], "source": u, "target": v, "key": str(k), **data}}
             for u, v, k, data in flat.edges(keys=True, data=True)]
    return {"data": {k: v for k, v in flat.graph.items()}, "directed": True, "multigraph": True,
            "elements": {"nodes": nodes, "edges": edges}}


def _tables(graph: nx.MultiDiGraph) -> tuple[str, str]:
    flat = portable(graph)

    def table(header: list[str], rows: list[dict]) -> str:
        out = io.StringIO()
        writer = csv.DictWriter(out, header, lineterminator="\n", extrasaction="raise")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue()

    node_keys = sorted({k for _, d in flat.nodes(data=True) for k in d})
    edge_keys = sorted({k for *_, d in flat.edges(data=True) for k in d})
    nodes = table(["id", *node_keys], [{"id": n, **d} for n, d in flat.nodes(data=True)])
    edges = table(["source", "target", "key", *edge_keys],
                  [{"source": u, "target": v, "key": k, **d}
                   for u, v, k, d in flat.edges(keys=True, data=True)])
    return nodes, edges


def write_view(graph: nx.MultiDiGraph, fmt: str, path: Path | None) -> list[Path]:
    """Write ``graph`` in a view format to ``path`` (None: standard output); the files
    written."""
    if fmt not in VIEW_FORMATS:
        raise KGError(f"no view format {fmt!r}; use one of {', '.join(VIEW_FORMATS)} (or, for "
                      f"the whole graph without a view, {', '.join(GRAPH_FORMATS)})")
    if fmt == "csv":
        if path is None:
            raise KGError("csv writes two tables (nodes and edges): give --out NAME.csv")
        nodes, edges = _tables(graph)
        stem = path.with_suffix("") if path.suffix.lower() == ".csv" else path
        written = [stem.with_name(f"{stem.name}-{part}.csv") for part in ("nodes", "edges")]
        for target, text in zip(written, (nodes, edges), strict=True):
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        return written
    if fmt == "cytoscape":
        from kg.render import network_layout

        placed = network_layout(graph)
        positions = {n: (b.x, placed.height - b.y) for n, b in placed.nodes.items()}
        data = (json.dumps(cytoscape_elements(graph, positions), indent=1, ensure_ascii=False)
                + "\n").encode("utf-8")
    else:
        flat = portable(graph)
        if fmt == "gexf":
            for (u, v, k), edge_id in _edge_ids(flat).items():
                flat.edges[u, v, k]["id"] = edge_id
        buffer = io.BytesIO()
        (nx.write_graphml if fmt == "graphml" else nx.write_gexf)(flat, buffer)
        data = buffer.getvalue()
    return _write(data, path)


def _write(data: bytes, path: Path | None) -> list[Path]:
    if path is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return []
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return [path]


def serialize(store: KGStore, fmt: str) -> bytes:
    """The whole graph in one of GRAPH_FORMATS."""
    if fmt not in GRAPH_FORMATS:
        raise KGError(f"no whole-graph format {fmt!r}; use one of {', '.join(GRAPH_FORMATS)} "
                      f"(or give a view for {', '.join(VIEW_FORMATS)})")
    _, ox_format, rdflib_format = GRAPH_FORMATS[fmt]
    if store.ox is not None:
        graph = ox.DefaultGraph() if fmt == "turtle" else None
        prefixes = PREFIXES if fmt in ("turtle", "trig") else None
        return store.ox.dump(format=ox_format, from_graph=graph, prefixes=prefixes)
    target = store.dataset.default_graph if fmt == "turtle" else store.dataset
    return target.serialize(format=rdflib_format, encoding="utf-8")


def export(store: KGStore, fmt: str, view_name: str | None = None, out: Path | None = None,
           focus: str | None = None, radius: int = 1, min_confidence: float | None = None,
           status: str | None = None) -> list[Path]:
    """What `kg export` does: a view in a view format, or the whole graph in an RDF format.
    ``out`` defaults to out/VIEW.EXT (out/graph.EXT); '-' is standard output."""
    fmt = fmt.lower()
    to_stdout = out is not None and str(out) == "-"
    if fmt in GRAPH_FORMATS:
        if view_name or focus:
            raise KGError(f"{fmt} exports the whole graph: give no view (or pick a view format: "
                          f"{', '.join(VIEW_FORMATS)})")
        path = None if to_stdout else Path(out or f"out/graph{GRAPH_FORMATS[fmt][0]}")
        return _write(serialize(store, fmt), path)
    if fmt not in VIEW_FORMATS:
        raise KGError(f"no export format {fmt!r}; views: {', '.join(VIEW_FORMATS)}; whole "
                      f"graph: {', '.join(GRAPH_FORMATS)}")
    if not view_name:
        raise KGError(f"{fmt} exports a view: kg export VIEW --format {fmt} (views: support, "
                      f"targeting, claims, actors, relations, ego)")
    from kg.views import view

    graph = view(store, view_name, focus, radius, min_confidence, status)
    if graph.number_of_nodes() == 0:
        raise KGError(f"the {view_name} view is empty with these filters: nothing to export")
    path = None if to_stdout else Path(out or f"out/{view_name}{VIEW_FORMATS[fmt]}")
    return write_view(graph, fmt, path)
