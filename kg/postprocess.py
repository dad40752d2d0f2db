"""Questions that need graph search after their SPARQL: the rows are edges, Python finds paths.

A postprocessor gets the question and its bound parameters and runs the question's SPARQL
itself, on the part of the graph it needs (:func:`kg.questions.run` does not run it first).
"""

from __future__ import annotations

import itertools
from collections import defaultdict

import networkx as nx
import rdflib
from rdflib.term import Node

from kg.questions import Question, select
from kg.sparql import with_table
from kg.store import KGStore

PATH_COLUMNS = ["path", "hop", "source", "relation", "target", "direction", "status",
                "confidence", "posts", "quotes", "proposition"]

#: The edges from a set of nodes (the frontier of a search): the edges the `relations` question
#: gives, without their evidence, which `relations` reads at the end for the hops shown. Like
#: `relations`, it takes a proposition with an object that is not an outcome and a summary of
#: its claims, which the build writes where there are claims with their claimant, stance, quote
#: and post. Each pattern is a read per proposition: checking each claim here, and reading the
#: confidence and status when no filter is given, took 1.5 s against 0.37 s for the 3,366
#: propositions of two nodes at 5M triples on disk. The slot takes a FILTER on ?next, to look
#: for a meeting first (see :func:`_on_shortest_paths`).
NEIGHBOURS = """
SELECT DISTINCT ?node ?next ?proposition WHERE {
  { ?proposition ckg:subject ?node ; ckg:object ?next FILTER NOT EXISTS { ?next a ckg:Outcome } }
  UNION { ?proposition ckg:object ?node ; ckg:subject ?next
          FILTER NOT EXISTS { ?node a ckg:Outcome } }
  %s
  ?proposition ckg:claimCount ?claims .
  FILTER(!BOUND(?minConfidence) || EXISTS {
    ?proposition ckg:confidence ?confidence FILTER(?confidence >= ?minConfidence) })
  FILTER(!BOUND(?onlyStatus) || EXISTS { ?proposition ckg:status ?onlyStatus })
}
"""

#: The edges on the shortest paths: their ends, relation, status and confidence (how the paths
#: are numbered, and which of parallel edges a hop takes), before any evidence is read.
EDGES = """
SELECT ?proposition ?source ?relation ?target ?status ?confidence WHERE {
  ?proposition ckg:subject ?source ; ckg:predicate ?relation ; ckg:object ?target ;
               ckg:status ?status ; ckg:confidence ?confidence .
}
"""

#: How many propositions touch a set of nodes (which side of the search to widen next).
DEGREE = """
SELECT (COUNT(*) AS ?n) WHERE {
  VALUES ?end { ckg:subject ckg:object }
  ?proposition ?end ?node .
}
"""


class _Side:
    """One end of a bidirectional breadth-first search: each node's distance from the end,
    and for each node the nodes one step nearer the end (and the propositions between)."""

    def __init__(self, start: str) -> None:
        self.level = {start: 0}
        self.frontier = [start]
        self.depth = 0
        self.nearer: dict[str, set[str]] = defaultdict(set)
        self.edges: dict[frozenset[str], set[str]] = defaultdict(set)
        self.degree: int | None = None  # of the frontier, once counted


#: How many nodes the other end may have reached for a search to look for a meeting first.
FEW = 64


def _filters(bindings: dict[str, Node | None]) -> list[Node | None]:
    return [bindings.get("minConfidence"), bindings.get("onlyStatus")]


def _widen(store: KGStore, side: _Side, bindings: dict[str, Node | None],
           towards: list[str] | None = None) -> list[str]:
    """The next level of ``side``: its new nodes, each linked to the nodes of the last level.
    With ``towards``, only those of its nodes, and ``side`` is left as it is if there are none.
    """
    only = f"FILTER(?next IN ({', '.join(f'<{n}>' for n in towards)}))" if towards else ""
    rows = store.select(with_table(
        NEIGHBOURS % only, ["node", "minConfidence", "onlyStatus"],
        [[rdflib.URIRef(node), *_filters(bindings)] for node in side.frontier]))
    if towards and not rows:
        return []
    side.depth += 1
    found = []
    for row in rows:
        node, step, proposition = str(row["node"]), str(row["next"]), str(row["proposition"])
        if step not in side.level:
            side.level[step] = side.depth
            found.append(step)
        if side.level[step] == side.depth:
            side.nearer[step].add(node)
            side.edges[frozenset((node, step))].add(proposition)
    side.frontier, side.degree = found, None
    return found


def _degree(store: KGStore, side: _Side) -> int:
    if side.degree is None:
        rows = store.select(with_table(DEGREE, ["node"],
                                       [[rdflib.URIRef(node)] for node in side.frontier]))
        side.degree = int(rows[0]["n"]) if rows else 0
    return side.degree


def _on_shortest_paths(store: KGStore, start: str, end: str, bindings: dict[str, Node | None]
                       ) -> set[str]:
    """The propositions on the shortest paths between ``start`` and ``end``: a search from both
    ends, each time from the end whose frontier touches fewer propositions, until they meet."""
    ahead, behind = _Side(start), _Side(end)
    while ahead.frontier and behind.frontier:
        side, other = ((ahead, behind) if _degree(store, ahead) <= _degree(store, behind)
                       else (behind, ahead))
        # when the other end has reached few nodes, the edges to them are read first: if
        # there are any, the ends meet there, and the rest of this level need not be read
        # (0.24 s against 0.40 s from two nodes to the busiest actor at 5M triples on disk)
        found = (_widen(store, side, bindings, towards=sorted(other.level))
                 if len(other.level) <= FEW else [])
        found = found or _widen(store, side, bindings)
        meeting = [node for node in found if node in other.level]
        if meeting:
            # every node found is at the same distance from this end, and (had a shorter path
            # existed, the search would have met before) at the other end's last level
            propositions: set[str] = set()
            for one in (side, other):
                todo, seen = list(meeting), set(meeting)
                while todo:
                    node = todo.pop()
                    for nearer in one.nearer.get(node, ()):
                        propositions |= one.edges[frozenset((node, nearer))]
                        if nearer not in seen:
                            seen.add(nearer)
                            todo.append(nearer)
            return propositions
    return set()


def connections(store: KGStore, question: Question, bindings: dict[str, Node | None]
                ) -> tuple[list[str], list[dict[str, Node]]]:
    """The shortest paths between ``from`` and ``to``, one row per hop with its evidence.

    The paths are numbered as networkx numbers them on the graph of every relation (edges in
    the order of the `relations` rows: source, relation, target, proposition); of parallel
    edges a hop takes the most confident. Only the hops shown are read with their evidence
    (the question's SPARQL, `relations`, for those propositions).
    """
    start, end = str(bindings["from"]), str(bindings["to"])
    limit = int(bindings["paths"].toPython()) if bindings.get("paths") is not None else 3
    if start == end:
        return PATH_COLUMNS, []
    propositions = _on_shortest_paths(store, start, end, bindings)
    if not propositions:
        return PATH_COLUMNS, []
    edges = store.select(with_table(EDGES, ["proposition"],
                                    [[rdflib.URIRef(p)] for p in sorted(propositions)]))
    edges.sort(key=lambda edge: tuple(str(edge[k]) for k in
                                      ("source", "relation", "target", "proposition")))
    graph = nx.MultiGraph()
    for edge in edges:
        graph.add_edge(str(edge["source"]), str(edge["target"]), key=str(edge["proposition"]),
                       edge=edge, confidence=int(edge["confidence"].toPython()))
    paths = itertools.islice(nx.all_shortest_paths(graph, start, end), max(limit, 1))
    hops = [(number, hop, u, v, max(graph.get_edge_data(u, v).values(),
                                    key=lambda data: data["confidence"])["edge"])
            for number, path in enumerate(paths, start=1)
            for hop, (u, v) in enumerate(itertools.pairwise(path), start=1)]
    names = ["about", "minConfidence", "onlyStatus", "proposition"]
    shown = sorted({str(edge["proposition"]) for *_, edge in hops})
    _, rows = select(store, question, table=(names, [[None, *_filters(bindings), rdflib.URIRef(p)]
                                                     for p in shown]))
    evidence = {str(row["proposition"]): row for row in rows}
    out = []
    for number, hop, u, v, edge in hops:
        row = {**edge, **evidence.get(str(edge["proposition"]), {})}
        out.append({"path": rdflib.Literal(number), "hop": rdflib.Literal(hop),
                    "source": rdflib.URIRef(u), "target": rdflib.URIRef(v),
                    "direction": rdflib.Literal("→" if str(edge["source"]) == u else "←"),
                    **{k: row[k] for k in ("relation", "status", "confidence", "posts",
                                           "quotes", "proposition") if k in row}})
    return PATH_COLUMNS, out
