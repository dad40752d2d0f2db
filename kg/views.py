"""networkx views of the graph, built from SPARQL results (the named questions), never by
walking triples in Python — so they are the same on every backend.

Nodes carry ``label`` and ``type`` (the most specific class, e.g. ``Prison``) and ``kind``
(``actor``, ``facility``, ``place``, ``operation``, ``proposition``, ``equipment``); edges carry
``relation``, ``status``, ``confidence``, ``claims``, ``claimants``, ``posts``, ``quotes`` and
``proposition``.

>>> # support = support_network(store, min_confidence=30)
>>> # ego = ego_network(store, "al-Sina prison", radius=1)
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable

import networkx as nx

from kg.errors import KGError
from kg.namespaces import CKG, shorten
from kg.questions import bind, get, python_value, run
from kg.resolve import resolve
from kg.rows import gc_paused, plain_rows, plain_tuples
from kg.sparql import with_values
from kg.store import KGStore

NODE_INFO = """
SELECT ?node ?label ?type WHERE {
  VALUES ?node { %s }
  OPTIONAL { ?node rdfs:label ?label }
  OPTIONAL { ?node a ?type }
}
"""

#: Every class of the ontology with each of its superclasses (read once per call of node_info:
#: a hundred classes, where a path per node costs a lookup per node and class).
SUPERCLASSES = """
SELECT ?class ?super WHERE { ?class rdfs:subClassOf+ ?super . FILTER(isIRI(?super)) }
"""

#: The kinds of node, each by its top class, in the order a node of several kinds takes.
KINDS = {"facility": CKG.Facility, "actor": CKG.Actor, "place": CKG.Place,
         "operation": CKG.Operation, "equipment": CKG.Equipment,
         "proposition": CKG.Proposition}


def _superclasses(store: KGStore) -> dict[str, set[str]]:
    supers: dict[str, set[str]] = defaultdict(set)
    for row in plain_rows(store, SUPERCLASSES):
        supers[row["class"]].add(row["super"])
    return supers


def _type_and_kind(own: frozenset[str], supers: dict[str, set[str]]) -> tuple[str, str]:
    """The most specific ckg: type of a node of the classes ``own`` and its kind."""
    ancestry = own.union(*(supers[t] for t in own))
    specific = sorted(t for t in own if t.startswith(str(CKG))
                      and not any(t in supers[other] for other in own))
    kinds = [kind for kind, top in KINDS.items() if str(top) in ancestry]
    return (specific[0].removeprefix(str(CKG)) if specific else "Thing",
            kinds[0] if kinds else "other")


def node_info(store: KGStore, nodes: list[str]) -> dict[str, dict[str, str]]:
    """Label, most specific ckg: type and kind of each node, in one query per 2,000 nodes."""
    supers = _superclasses(store)
    labels: dict[str, str] = {}
    types: dict[str, set[str]] = defaultdict(set)
    for start in range(0, len(nodes), 2000):
        chunk = " ".join(f"<{n}>" for n in nodes[start:start + 2000])
        for row in plain_rows(store, NODE_INFO % chunk):
            if "label" in row:
                labels.setdefault(row["node"], row["label"])
            if "type" in row:
                types[row["node"]].add(row["type"])
    described: dict[frozenset[str], tuple[str, str]] = {}  # nodes share a few sets of types
    info = {}
    for node in nodes:
        own = frozenset(types.get(node, ()))
        if own not in described:
            described[own] = _type_and_kind(own, supers)
        specific, kind = described[own]
        label = labels[node] if node in labels else shorten(node)
        info[node] = {"label": label, "type": specific, "kind": kind}
    return info


def _add_node_info(store: KGStore, graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    for node, data in node_info(store, sorted(graph.nodes)).items():
        graph.nodes[node].update(data)
    return graph


EDGE_FIELDS = ("status", "confidence", "claims", "claimants", "posts", "quotes", "proposition",
               "operation")


def _from_rows(store: KGStore, rows: list[dict[str, object]], source: str, target: str,
               relation: Callable[[dict[str, object]], str]) -> nx.MultiDiGraph:
    """A graph of rows of plain values (``run(…, values=True)``), an edge per row."""
    graph = nx.MultiDiGraph()
    for row in rows:
        if source not in row or target not in row:
            continue
        attributes = {f: row[f] for f in EDGE_FIELDS if f in row}
        if "status" in attributes:
            attributes["status"] = _local_name(str(attributes["status"]))
        u, v = str(row[source]), str(row[target])
        graph.add_edge(u, v, key=attributes.get("proposition") or len(graph.edges),
                       relation=relation(row), **attributes)
    return _add_node_info(store, graph)


def _relation_label(row: dict[str, object]) -> str:
    return shorten(str(row["relation"])).removeprefix("ckg:")


@gc_paused()
def support_network(store: KGStore, min_confidence: float | None = None,
                    status: str | None = None) -> nx.MultiDiGraph:
    """Supporter → supported, one edge per support proposition (the `who-supported-whom` rows)."""
    _, rows = run(store, "who-supported-whom", min_confidence=min_confidence, status=status,
                  values=True)
    return _from_rows(store, rows, "supporter", "supported", _relation_label)


@gc_paused()
def targeting_network(store: KGStore, min_confidence: float | None = None,
                      status: str | None = None) -> nx.MultiDiGraph:
    """Attacker → target (actor, facility or place), one edge per operation and target."""
    _, rows = run(store, "targeting", min_confidence=min_confidence, status=status,
                  values=True)
    graph = _from_rows(store, rows, "attacker", "target", lambda row: "targeted")
    operations = node_info(store, sorted({str(r["operation"]) for r in rows}))
    for _, _, data in graph.edges(data=True):
        data["relation"] = operations[data["operation"]]["type"]
        data["operation_label"] = operations[data["operation"]]["label"]
    return graph


#: The claims view's edges, a row per claim with only what its edge carries. The `claims`
#: question reads thirteen columns per claim, joined with its proposition's; at tens of thousands
#: of claims, reading seven and each proposition once (CLAIMED, below) takes half the time.
CLAIM_EDGES = """
SELECT ?claim ?claimant ?stance ?proposition ?confidence ?quote ?post WHERE {
  ?claim ckg:proposition ?proposition ; ckg:claimant ?claimant ; ckg:stance ?stance ;
         ckg:confidence ?confidence ; ckg:quote ?quote ; prov:wasDerivedFrom/ckg:position ?post .
}
"""

#: The propositions the claims view shows, with subject and status, filtered as the `claims`
#: question filters them (the confidence is read only to filter by it).
CLAIMED = """
SELECT ?proposition ?subject ?status WHERE {
  ?proposition ckg:subject ?subject ; ckg:status ?status .
  FILTER(!BOUND(?minConfidence) || EXISTS { ?proposition ckg:confidence ?confidence
                                            FILTER(?confidence >= ?minConfidence) })
  FILTER(!BOUND(?onlyStatus) || ?status = ?onlyStatus)
}
"""


@gc_paused()
def claims_network(store: KGStore, min_confidence: float | None = None,
                   status: str | None = None) -> nx.MultiDiGraph:
    """Claimants → propositions (edge per claim, by stance) → subjects (edge 'about'): the
    `claims` rows, in their order (by post, then claim)."""
    filters = bind(store, get("claims"), {}, min_confidence, status)
    claimed = with_values(CLAIMED, {name: filters[name]
                                    for name in ("minConfidence", "onlyStatus")})
    shown = {proposition: (subject, _local_name(status))
             for proposition, subject, status in plain_tuples(store, claimed)}
    claims = [row for row in plain_tuples(store, CLAIM_EDGES) if row[3] in shown]
    claims.sort(key=lambda row: (int(row[6]), row[0]))  # by post, then claim, as `claims`
    graph = nx.MultiDiGraph()
    propositions = set()
    for claim, claimant, stance, proposition, confidence, quote, post in claims:
        subject, status_name = shown[proposition]
        # add_edge with the attributes: add_edges_from costs a fifth more per edge
        graph.add_edge(claimant, proposition, claim, relation=_local_name(stance),
                       status=status_name, confidence=int(confidence), posts=post,
                       quotes=quote, claims=1, proposition=proposition)
        if proposition not in propositions:  # one edge to its subject, however many claims
            graph.add_edge(proposition, subject, "about", relation="about")
            propositions.add(proposition)
    # a proposition is named by its IRI, not looked up (they are most of the nodes)
    for node, data in node_info(store, sorted(set(graph) - propositions)).items():
        graph.nodes[node].update(data)
    for proposition in propositions:
        graph.nodes[proposition].update(label=shorten(proposition).removeprefix("prop:"),
                                        type="Proposition", kind="proposition")
    return graph


def _local_name(iri: str) -> str:
    """A ckg: term's local name in lower case, as edges name a stance or status: ckg:Asserts →
    asserts."""
    return iri.removeprefix(str(CKG)).lower()


@gc_paused()
def relations_network(store: KGStore, min_confidence: float | None = None,
                      status: str | None = None, about: str | None = None) -> nx.MultiDiGraph:
    """Every relation between two entities (the `relations` rows)."""
    params = {"about": about} if about else {}
    _, rows = run(store, "relations", params, min_confidence=min_confidence, status=status,
                  values=True)
    return _from_rows(store, rows, "source", "target", _relation_label)


@gc_paused()
def actor_network(store: KGStore, min_confidence: float | None = None,
                  status: str | None = None) -> nx.MultiDiGraph:
    """Relations whose both ends are actors (actors related only to operations or places are
    left out)."""
    _, rows = run(store, "relations", min_confidence=min_confidence, status=status,
                  values=True)
    ends = node_info(store, sorted({str(r[end]) for r in rows for end in ("source", "target")}))
    between_actors = [r for r in rows if ends[str(r["source"])]["kind"] == "actor"
                      and ends[str(r["target"])]["kind"] == "actor"]
    return _from_rows(store, between_actors, "source", "target", _relation_label)


def ego_network(store: KGStore, entity: str, radius: int = 1,
                min_confidence: float | None = None, status: str | None = None
                ) -> nx.MultiDiGraph:
    """Everything within ``radius`` relations of ``entity`` (a name, alias or IRI), either way."""
    center = str(resolve(store, entity))
    graph = relations_network(store, min_confidence, status)
    if center not in graph:
        graph.add_node(center)
        _add_node_info(store, graph)
    ego = nx.ego_graph(graph, center, radius=radius, undirected=True)
    ego.graph["center"] = center
    return nx.MultiDiGraph(ego)


def arrow(u: str, v: str, data: dict) -> tuple[str, str, str]:
    """The arrow a picture draws an edge as: one per source, target and status, however many
    propositions (:func:`kg.render.merged` draws them so)."""
    return u, v, str(data.get("status") or "")


def _arrows(graph: nx.MultiDiGraph, nodes: set[str], among: set[str]) -> set[tuple]:
    """The arrows a picture draws between ``nodes`` and ``among``."""
    return {arrow(u, v, data)
            for u, v, data in itertools.chain(graph.out_edges(nodes, data=True),
                                              graph.in_edges(nodes, data=True))
            if u in among and v in among}


def most_connected(graph: nx.MultiDiGraph, limit: int, max_arrows: int = 0) -> nx.MultiDiGraph:
    """At most ``limit`` nodes, those with the most evidence, and the edges among them (with
    ``max_arrows``, also no more arrows than that, parallel edges of one status counted once:
    the dense core of a big graph stays legible and quick to lay out). A node's evidence is the
    claims of its edges (an edge without claims counts one). Nodes come in by evidence, each
    next to one already in or with its own best-evidenced neighbour, so none is left alone.
    The focus of an ego view is always kept; ``graph.graph["nodes_of"]`` tells how many nodes
    the view had.

    >>> g = nx.MultiDiGraph([("a", "b", {"claims": 3}), ("b", "c", {}), ("c", "d", {})])
    >>> sorted(most_connected(g, 3).nodes), most_connected(g, 3).graph["nodes_of"]
    (['a', 'b', 'c'], 4)
    >>> sorted(most_connected(g, 10, max_arrows=2).nodes)
    ['a', 'b', 'c']
    """
    everything = set(graph.nodes)
    if limit <= 0 or (len(everything) <= limit and (
            not max_arrows or len(_arrows(graph, everything, everything)) <= max_arrows)):
        return graph
    weight = dict.fromkeys(graph.nodes, 0)
    for u, v, data in graph.edges(data=True):
        evidence = int(data.get("claims") or 1)
        weight[u] += evidence
        weight[v] += evidence
    rank = {n: (-weight[n], str(n)) for n in graph.nodes}
    center = graph.graph.get("center")
    kept = {center} if center in graph else set()
    arrows: set[tuple] = set()
    for node in sorted(graph.nodes, key=rank.get):
        if len(kept) >= limit:
            break
        neighbours = set(nx.all_neighbors(graph, node)) - {node}
        if node in kept or not neighbours:
            continue
        if neighbours & kept:
            adding = {node}
        elif len(kept) + 2 <= limit:
            adding = {node, min(neighbours, key=rank.get)}
        else:
            continue
        inside = kept | adding
        drawn = arrows | _arrows(graph, adding, inside)
        if max_arrows and kept and len(drawn) > max_arrows:
            break
        kept, arrows = inside, drawn
    shown = nx.MultiDiGraph(graph.subgraph(kept))
    shown.graph.update(graph.graph, nodes_of=graph.number_of_nodes())
    return shown


def projection(store: KGStore, sparql: str, source: str = "source", target: str = "target",
               relation: str = "relation") -> nx.MultiDiGraph:
    """Any SELECT with ``?source`` and ``?target`` (and optionally ``?relation``, ``?status``,
    ``?confidence``, …) as a graph."""
    rows = [{name: python_value(term) for name, term in row.items()}
            for row in store.select(sparql)]
    return _from_rows(store, rows, source, target,
                      lambda row: _relation_label({"relation": row[relation]})
                      if relation in row else "related")


VIEWS: dict[str, Callable[..., nx.MultiDiGraph]] = {
    "support": support_network,
    "targeting": targeting_network,
    "claims": claims_network,
    "actors": actor_network,
    "relations": relations_network,
}


def view(store: KGStore, name: str, focus: str | None = None, radius: int = 1,
         min_confidence: float | None = None, status: str | None = None) -> nx.MultiDiGraph:
    """A view by name (a key of VIEWS, or ``ego``); with ``focus``, only what lies within
    ``radius`` relations of that entity (a name, alias or IRI), either way."""
    if name == "ego":
        if not focus:
            raise KGError("the ego view needs --focus ENTITY (a name, alias, #hashtag or IRI)")
        return ego_network(store, focus, radius, min_confidence, status)
    if name not in VIEWS:
        raise KGError(f"no view {name!r}; views: {', '.join([*VIEWS, 'ego'])}")
    graph = VIEWS[name](store, min_confidence, status)
    if not focus:
        return graph
    center = str(resolve(store, focus))
    if center not in graph:
        label = node_info(store, [center])[center]["label"]
        raise KGError(f"{label} is not in the {name} view; try the ego view "
                      f"(--focus on `ego` takes every relation)")
    ego = nx.MultiDiGraph(nx.ego_graph(graph, center, radius=radius, undirected=True))
    ego.graph["center"] = center
    return ego
