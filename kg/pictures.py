"""What `kg render` draws: a view by name, its title and caption, and the writer that the output
file's suffix asks for (.png .svg .pdf with matplotlib, .html as an interactive page).

>>> # picture = render(store, "support", Path("out/support.png"))
>>> # picture.summary → '14 nodes, 19 edges; layout: graphviz dot'
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from kg.errors import KGError
from kg.figures import STATUS_ORDER, data_date, out_format
from kg.store import KGStore
from kg.views import VIEWS, most_connected, view

NETWORKS: dict[str, tuple[str, str]] = {
    "support": ("Who supported whom",
                "Support between actors (arming, training, advising, air, ground and artillery "
                "support, intelligence, resources, cooperation) as claimed in the corpus"),
    "targeting": ("Who targeted what",
                  "Attackers and the actors, facilities and places their operations targeted; "
                  "labels name the kind of operation"),
    "claims": ("Who claimed what",
               "Claimants, the propositions they assert, question or deny, and what each "
               "proposition is about"),
    "actors": ("Relations between actors", "Every stated relation whose both ends are actors"),
    "relations": ("Relations between entities",
                  "Every stated relation between actors, operations, facilities, places and "
                  "equipment"),
    "ego": ("Around {focus}", "Every stated relation within {radius} of {focus}"),
}
CHARTS = ("timeline", "quantity")
PICTURES = (*NETWORKS, *CHARTS)
RANKDIR = {"claims": "LR", "relations": "LR"}
CROWDED = 80  # nodes a page-sized picture holds with readable labels
PAGE_NODES = {"page": CROWDED, "html": 400}  # default --max-nodes of a picture and of a page
#: ... and how many arrows they draw at most by default: in the dense core of a big graph, 80
#: nodes carry a thousand arrows, which no one can read and Graphviz lays out in minutes (the
#: corpus's own views, up to 101 arrows in a picture and 391 in a page, stay whole)
PAGE_ARROWS = {"page": 120, "html": 400}


@dataclass
class Picture:
    """A written picture and a one-line account of it."""

    path: Path
    summary: str


PLURALS = {"facility": "facilities", "equipment": "pieces of equipment", "other": "others"}


def _plural(n: int, word: str) -> str:
    return f"{n} {word if n == 1 else PLURALS.get(word, word + 's')}"


def filters_text(min_confidence: float | None, status: str | None) -> str:
    """'Filters: confidence ≥ 30, status reported.' or 'No filters.'"""
    parts = ([f"confidence ≥ {min_confidence:g}"] if min_confidence is not None else []) + (
        [f"status {status.lower()}"] if status else [])
    return f"Filters: {', '.join(parts)}." if parts else "No filters."


def network_caption(graph: nx.MultiDiGraph, what: str, store: KGStore, filters: str,
                    noun: str = "proposition") -> str:
    """What is shown, the counts (of edges called ``noun``), the filters and the date of the
    data."""
    kinds = Counter(d.get("kind", "other") for _, d in graph.nodes(data=True))
    kinds_text = ", ".join(_plural(n, k) for k, n in sorted(kinds.items(), key=lambda i: -i[1]))
    judged = [d for *_, d in graph.edges(data=True) if d.get("status")]
    statuses = Counter(str(d["status"]) for d in judged)
    status_text = ", ".join(f"{statuses[s]} {s}" for s in STATUS_ORDER if statuses.get(s))
    claims = sum(int(d.get("claims") or 0) for d in judged)
    claims_text = f", from {_plural(claims, 'claim')}" if claims and noun != "claim" else ""
    links = graph.number_of_edges() - len(judged)
    links_text = f" and {_plural(links, 'structural link')}" if links else ""
    return (f"{what}. {_plural(graph.number_of_nodes(), 'node')} ({kinds_text}); "
            f"{_plural(len(judged), noun)} ({status_text}){claims_text}{links_text}. "
            f"One arrow stands for the {noun}s of one status between two nodes; its label "
            f"names their relations. {filters} Data: {data_date(store)}.")


def _shown(what: str, graph: nx.MultiDiGraph) -> str:
    """What a picture shows, and how much of its view when the view was cut."""
    if "nodes_of" not in graph.graph:
        return what
    return (f"{what}. Shown: the {graph.number_of_nodes()} most connected of "
            f"{graph.graph['nodes_of']} nodes (--max-nodes)")


def _network(store: KGStore, name: str, path: Path, focus: str | None, radius: int,
             min_confidence: float | None, status: str | None, max_nodes: int | None
             ) -> Picture:
    html = path.suffix.lower() == ".html"
    whole = view(store, name, focus, radius, min_confidence, status)
    kind = "html" if html else "page"
    graph = (most_connected(whole, PAGE_NODES[kind], PAGE_ARROWS[kind]) if max_nodes is None
             else most_connected(whole, max_nodes))
    filters = filters_text(min_confidence, status)
    if graph.number_of_edges() == 0:
        raise KGError(f"the {name} view has no relations ({filters.lower().rstrip('.')}): "
                      f"nothing to draw")
    title, what = NETWORKS["ego" if focus else name]
    if focus:
        center = graph.graph["center"]
        label = graph.nodes[center].get("label", focus)
        steps = _plural(radius, "relation")
        source = "" if name == "ego" else f" in the {name} view"
        title, what = title.format(focus=label), what.format(focus=label, radius=steps) + source
    caption = network_caption(graph, _shown(what, graph), store, filters,
                              "claim" if name == "claims" else "proposition")
    if html:
        from kg.interactive import write_page

        placed = write_page(store, graph, path, title, caption)
    else:
        from kg.render import render_network

        out_format(path)
        placed = render_network(graph, path, title, caption,
                                rankdir=RANKDIR.get(name, "LR"))
    summary = (f"{_plural(graph.number_of_nodes(), 'node')}, "
               f"{_plural(graph.number_of_edges(), 'edge')}; layout: {placed.engine}")
    if "nodes_of" in graph.graph:
        summary += (f"; the {graph.number_of_nodes()} most connected of "
                    f"{graph.graph['nodes_of']} nodes: --max-nodes 0 draws all, --focus ENTITY "
                    f"or a filter narrows the view")
    elif graph.number_of_nodes() > CROWDED and not html:
        summary += (f"; note: over {CROWDED} nodes the labels get small: try --focus ENTITY, "
                    f"a filter, or --out FILE.html")
    return Picture(path, summary)


def render(store: KGStore, name: str, path: Path | None = None, focus: str | None = None,
           radius: int = 1, min_confidence: float | None = None, status: str | None = None,
           quantity: str | None = None, max_nodes: int | None = None) -> Picture:
    """Draw the picture called ``name`` (a network view, ``timeline`` or ``quantity``) to
    ``path`` (default ``out/NAME.png``); the format follows the suffix. A network keeps its
    ``max_nodes`` most connected nodes (default 80 in a picture, 400 in a page; 0 keeps all)."""
    if name not in PICTURES:
        raise KGError(f"no view {name!r}; views: {', '.join(PICTURES)}")
    path = Path(path or f"out/{name}.png")
    if radius < 1:
        raise KGError("--radius takes a whole number of relations, 1 or more")
    if name in NETWORKS or name in VIEWS:
        return _network(store, name, path, focus, radius, min_confidence, status, max_nodes)
    if path.suffix.lower() == ".html":
        raise KGError(f"{name} renders to .png, .svg or .pdf; .html is for the network views "
                      f"({', '.join(NETWORKS)})")
    out_format(path)
    filters = filters_text(min_confidence, status)
    if name == "timeline":
        from kg.timeline import render_timeline

        count = render_timeline(store, path, focus, min_confidence, status, filters)
        return Picture(path, f"{_plural(count, 'item')} on the time axis")
    from kg.quantity import render_quantity

    count = render_quantity(store, path, focus, quantity, min_confidence, status, filters)
    return Picture(path, f"{_plural(count, 'report')} of a number")
