"""Where nodes, edge routes and edge labels go, in points, for a graph whose node and label sizes
are known — so that the drawing can guarantee that labels overlap neither each other nor nodes.

Two engines give the same :class:`Layout`:

* ``graphviz`` — Graphviz ``dot`` through pydot, when the ``dot`` program is installed (Debian:
  ``apt-get install graphviz``). Nodes and edge labels are passed with their exact sizes, so dot
  reserves room for every label and routes edges as splines around them.
* ``networkx`` — the fallback: each connected part laid out by ForceAtlas2 (a spring layout on
  networkx < 3.4) with a fixed seed, then node boxes pushed apart, parallel edges bent apart,
  and each edge label put at the first free spot along its edge; while any label still
  collides, the part is spread out and labels placed again. Parts are packed in rows.

``engine="auto"`` takes Graphviz when it is there; ``$KG_LAYOUT`` (``graphviz`` or
``networkx``) overrides. Both are deterministic: same graph, same layout.
"""

from __future__ import annotations

import json
import math
import os
import shutil
from dataclasses import dataclass

import networkx as nx
import numpy as np

from kg.errors import KGError

EdgeKey = tuple[str, str, object]
Point = tuple[float, float]
ENGINES = ("auto", "graphviz", "networkx")
SHAPES = ("ellipse", "box", "hexagon", "octagon", "parallelogram")
ARROW = 7.0      # arrowhead length, points
GAP = 3.0        # air kept around every label and node, points
SEED = 7


@dataclass(frozen=True)
class NodeBox:
    """A node's centre and size, in points."""

    x: float
    y: float
    w: float
    h: float
    shape: str = "box"


@dataclass(frozen=True)
class EdgeRoute:
    """An edge as cubic Bézier control points (p0 c1 c2 p1 c1 c2 p2 …), the arrow tip after
    the last point, and the centre of its label (None when it has none)."""

    points: tuple[Point, ...]
    tip: Point | None
    label: Point | None


@dataclass
class Layout:
    """Everything placed, in points, inside ``(0, 0)``–``(width, height)``."""

    nodes: dict[str, NodeBox]
    edges: dict[EdgeKey, EdgeRoute]
    width: float
    height: float
    engine: str


def graphviz_available() -> bool:
    """Whether Graphviz's ``dot`` program and pydot are both there."""
    try:
        import pydot  # noqa: F401
    except ImportError:
        return False
    return shutil.which("dot") is not None


def pick_engine(engine: str = "auto") -> str:
    """The engine to use: ``$KG_LAYOUT`` or ``engine``, with 'auto' resolved."""
    chosen = os.environ.get("KG_LAYOUT") or engine
    if chosen not in ENGINES:
        raise KGError(f"unknown layout engine {chosen!r}; use one of {', '.join(ENGINES)}")
    if chosen == "auto":
        return "graphviz" if graphviz_available() else "networkx"
    if chosen == "graphviz" and not graphviz_available():
        raise KGError("the graphviz layout needs Graphviz's `dot` program (Debian: apt-get "
                      "install graphviz) and pydot; or use KG_LAYOUT=networkx")
    return chosen


def layout(graph: nx.MultiDiGraph, nodes: dict[str, tuple[float, float, str]],
           labels: dict[EdgeKey, tuple[float, float]], engine: str = "auto",
           rankdir: str = "LR") -> Layout:
    """Place ``graph``: ``nodes`` maps each node to (width, height, shape) in points, ``labels``
    each labelled edge (u, v, key) to its label's (width, height)."""
    if pick_engine(engine) == "graphviz":
        return graphviz_layout(graph, nodes, labels, rankdir)
    return networkx_layout(graph, nodes, labels)


def _edges(graph: nx.MultiDiGraph) -> list[EdgeKey]:
    return sorted(graph.edges(keys=True), key=lambda e: (e[0], e[1], str(e[2])))


# ---------------------------------------------------------------------------------- Graphviz

def _label_table(width: float, height: float) -> str:
    size = f'FIXEDSIZE="TRUE" WIDTH="{math.ceil(width + 2 * GAP)}" ' \
           f'HEIGHT="{math.ceil(height + GAP)}"'
    return (f'<<TABLE BORDER="0" CELLBORDER="0" CELLPADDING="0" CELLSPACING="0" {size}>'
            f'<TR><TD {size}></TD></TR></TABLE>>')


def _pairs(text: str) -> list[Point]:
    return [(float(x), float(y)) for x, y in (p.split(",") for p in text.split())]


def graphviz_layout(graph: nx.MultiDiGraph, nodes: dict[str, tuple[float, float, str]],
                    labels: dict[EdgeKey, tuple[float, float]], rankdir: str = "LR") -> Layout:
    """Graphviz ``dot``: ranks along ``rankdir``, splines, a reserved box for every label."""
    import pydot

    order = sorted(graph.nodes)
    ids = {node: f"n{i}" for i, node in enumerate(order)}
    dot = pydot.Dot("G", graph_type="digraph", rankdir=rankdir, margin="0", pad="0",
                    nodesep="0.3", ranksep="0.45", splines="true", ordering="out")
    for node in order:
        w, h, shape = nodes[node]
        dot.add_node(pydot.Node(ids[node], label="", shape=shape, fixedsize="true",
                                width=f"{w / 72:.4f}", height=f"{h / 72:.4f}"))
    edges = _edges(graph)
    for i, (u, v, key) in enumerate(edges):
        extra = {"label": _label_table(*labels[(u, v, key)])} if (u, v, key) in labels else {}
        dot.add_edge(pydot.Edge(ids[u], ids[v], id=f"e{i}", arrowsize="0.8", **extra))
    try:
        data = json.loads(dot.create(prog="dot", format="json0"))
    except Exception as error:  # pydot raises a bare Exception with dot's stderr
        raise KGError(f"Graphviz failed to lay out the graph: {error}") from None
    by_id = {obj["name"]: obj for obj in data.get("objects", [])}
    placed: dict[str, NodeBox] = {}
    for node in order:
        (x, y), = _pairs(by_id[ids[node]]["pos"])
        w, h, shape = nodes[node]
        placed[node] = NodeBox(x, y, w, h, shape)
    routes: dict[EdgeKey, EdgeRoute] = {}
    for edge in data.get("edges", []):
        key = edges[int(edge["id"][1:])]
        parts = edge["pos"].split()
        tip = None
        while parts and parts[0][:2] in ("e,", "s,"):
            if parts[0].startswith("e,"):
                tip = _pairs(parts[0][2:])[0]
            parts = parts[1:]
        label = _pairs(edge["lp"])[0] if "lp" in edge else None
        routes[key] = EdgeRoute(tuple(_pairs(" ".join(parts))), tip, label)
    return _framed(placed, _onto_edges(placed, routes, labels), labels, "graphviz dot")


def curve(route: EdgeRoute, steps: int = 16) -> np.ndarray:
    """Points along a route's cubic Bézier segments (and on to its tip)."""
    pts = np.array(route.points, dtype=float)
    t = np.linspace(0, 1, steps)[:, None]
    out = [pts[:1]]
    for i in range(0, len(pts) - 3, 3):
        p0, c1, c2, p1 = pts[i:i + 4]
        out.append((1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * c1 + 3 * (1 - t) * t ** 2 * c2
                   + t ** 3 * p1)
    if route.tip:
        out.append(np.array([route.tip], dtype=float))
    return np.vstack(out)


def nearest(route: EdgeRoute, point: Point) -> tuple[Point, float]:
    """The point of ``route`` nearest to ``point``, and how far it is."""
    pts = curve(route)
    d = np.hypot(pts[:, 0] - point[0], pts[:, 1] - point[1])
    i = int(d.argmin())
    return (float(pts[i, 0]), float(pts[i, 1])), float(d[i])


def _onto_edges(boxes: dict[str, NodeBox], routes: dict[EdgeKey, EdgeRoute],
                labels: dict[EdgeKey, tuple[float, float]]) -> dict[EdgeKey, EdgeRoute]:
    """Dot puts a label beside its edge; move it onto the edge (the line then runs under it)
    wherever it would still touch no node and no other label."""
    spots = {e: r.label for e, r in routes.items() if r.label and e in labels}
    nodes = [_rect(b.x, b.y, b.w, b.h) for b in boxes.values()]
    out = dict(routes)
    for _ in range(3):  # again: a label may have been blocked by one that moved after it
        moved = False
        for edge in sorted(spots, key=lambda e: (e[0], e[1], str(e[2]))):
            (x, y), far = nearest(routes[edge], spots[edge])
            w, h = labels[edge]
            others = [_rect(*spots[e], *labels[e]) for e in spots if e != edge]
            if far > 0 and _free(_rect(x, y, w, h), nodes + others) == 0:
                spots[edge], moved = (x, y), True
                out[edge] = EdgeRoute(routes[edge].points, routes[edge].tip, (x, y))
        if not moved:
            break
    return out


# ---------------------------------------------------------------------------------- networkx

def boundary(box: NodeBox, dx: float, dy: float) -> float:
    """Distance from the centre of ``box`` to its outline in direction (dx, dy), a unit
    vector."""
    if box.shape == "ellipse":
        a, b = box.w / 2, box.h / 2
        return 1 / math.sqrt((dx / a) ** 2 + (dy / b) ** 2)
    tx = box.w / 2 / abs(dx) if dx else math.inf
    ty = box.h / 2 / abs(dy) if dy else math.inf
    return min(tx, ty)


def _spread_nodes(pos: np.ndarray, sizes: np.ndarray, rounds: int = 400) -> np.ndarray:
    """Push overlapping node boxes apart (vectorised), along the axis of least overlap."""
    pos = pos.copy()
    n = len(pos)
    if n < 2:
        return pos
    half = sizes / 2 + 2 * GAP
    for _ in range(rounds):
        delta = pos[:, None, :] - pos[None, :, :]
        need = half[:, None, :] + half[None, :, :]
        overlap = need - np.abs(delta)
        hit = (overlap[..., 0] > 0) & (overlap[..., 1] > 0)
        np.fill_diagonal(hit, False)
        if not hit.any():
            break
        axis = (overlap[..., 1] < overlap[..., 0]).astype(int)  # push along the smaller one
        push = np.zeros_like(pos)
        for dim in (0, 1):
            sign = np.sign(delta[..., dim])
            sign[sign == 0] = 1
            amount = np.where(hit & (axis == dim), overlap[..., dim] / 2 + 0.5, 0) * sign
            push[:, dim] += amount.sum(axis=1)
        pos += push * 0.5
    return pos


def _offsets(graph: nx.MultiDiGraph, pos: dict[str, np.ndarray],
             labels: dict[EdgeKey, tuple[float, float]]) -> dict[EdgeKey, float]:
    """Sideways bend of each edge: parallel edges (either way) fan out by their labels'
    extent across the edge."""
    groups: dict[tuple[str, str], list[EdgeKey]] = {}
    for edge in _edges(graph):
        groups.setdefault(tuple(sorted(edge[:2])), []).append(edge)
    offsets = {}
    for (a, b), members in groups.items():
        d = pos[b] - pos[a]
        length = float(np.hypot(*d)) or 1.0
        nx_, ny_ = -d[1] / length, d[0] / length
        spacing = max((abs(labels[e][0] * nx_) + abs(labels[e][1] * ny_) if e in labels
                       else 8.0) for e in members) + 2 * GAP
        for i, edge in enumerate(members):
            offsets[edge] = (i - (len(members) - 1) / 2) * spacing
    return offsets


def _quadratic(p0: np.ndarray, c: np.ndarray, p2: np.ndarray, t: float) -> np.ndarray:
    return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * c + t ** 2 * p2


def _route(u: NodeBox, v: NodeBox, offset: float, flip: bool) -> tuple[EdgeRoute, tuple]:
    """A bent edge from u's outline to v's, as a cubic with an arrowhead; and its quadratic
    (for placing the label). ``flip`` bends the other way, so that an edge and its reverse
    share one side convention."""
    p0, p2 = np.array([u.x, u.y]), np.array([v.x, v.y])
    if (u.x, u.y) == (v.x, v.y):  # a loop: out of the top right and back
        c = p0 + np.array([u.w * 0.9, u.h * 1.8])
        quad = (p0, c, p0 + np.array([u.w * 0.1, 0.0]))
    else:
        d = p2 - p0
        length = float(np.hypot(*d))
        normal = np.array([-d[1], d[0]]) / length * (-1 if flip else 1)
        c = (p0 + p2) / 2 + normal * (2 * offset)
        quad = (p0, c, p2)
    start_dir = c - p0
    start_dir /= np.hypot(*start_dir) or 1
    end_dir = c - quad[2]
    end_dir /= np.hypot(*end_dir) or 1
    start = p0 + start_dir * boundary(u, *start_dir)
    tip = quad[2] + end_dir * boundary(v, *end_dir)
    end = tip + end_dir * ARROW
    c1 = start + 2 / 3 * (c - start)
    c2 = end + 2 / 3 * (c - end)
    points = tuple((float(p[0]), float(p[1])) for p in (start, c1, c2, end))
    return EdgeRoute(points, (float(tip[0]), float(tip[1])), None), quad


def _rect(x: float, y: float, w: float, h: float) -> np.ndarray:
    return np.array([x - w / 2 - GAP, y - h / 2 - GAP, x + w / 2 + GAP, y + h / 2 + GAP])


def _free(rect: np.ndarray, taken: list[np.ndarray]) -> float:
    """Area of ``rect`` covered by the rectangles in ``taken`` (0 when free)."""
    if not taken:
        return 0.0
    boxes = np.array(taken)
    w = np.minimum(boxes[:, 2], rect[2]) - np.maximum(boxes[:, 0], rect[0])
    h = np.minimum(boxes[:, 3], rect[3]) - np.maximum(boxes[:, 1], rect[1])
    return float((np.clip(w, 0, None) * np.clip(h, 0, None)).sum())


STEPS = (0.5, 0.4, 0.6, 0.3, 0.7, 0.22, 0.78)


def _place(graph: nx.MultiDiGraph, boxes: dict[str, NodeBox],
           labels: dict[EdgeKey, tuple[float, float]]) -> tuple[dict[EdgeKey, EdgeRoute], int]:
    """Routes and label spots; also how many labels found no free spot."""
    pos = {n: np.array([b.x, b.y]) for n, b in boxes.items()}
    offsets = _offsets(graph, pos, labels)
    taken = [_rect(b.x, b.y, b.w, b.h) for b in boxes.values()]
    routes, clashes = {}, 0
    for edge in _edges(graph):
        route, quad = _route(boxes[edge[0]], boxes[edge[1]], offsets[edge], edge[0] > edge[1])
        if edge in labels:
            w, h = labels[edge]
            best = None
            for t in STEPS:
                spot = _quadratic(*quad, t)
                rect = _rect(spot[0], spot[1], w, h)
                covered = _free(rect, taken)
                if best is None or covered < best[0]:
                    best = (covered, spot, rect)
                if covered == 0:
                    break
            clashes += best[0] > 0
            taken.append(best[2])
            route = EdgeRoute(route.points, route.tip, (float(best[1][0]), float(best[1][1])))
        routes[edge] = route
    return routes, clashes


def networkx_layout(graph: nx.MultiDiGraph, nodes: dict[str, tuple[float, float, str]],
                    labels: dict[EdgeKey, tuple[float, float]], seed: int = SEED) -> Layout:
    """The fallback without Graphviz: each connected part laid out by a force-directed layout
    with its boxes and labels kept apart, then the parts packed in rows, largest first."""
    parts = sorted(nx.weakly_connected_components(graph), key=lambda c: (-len(c), min(c)))
    return _pack([_component(graph.subgraph(part), nodes, labels, seed) for part in parts],
                 labels)


def _component(graph: nx.MultiDiGraph, nodes: dict[str, tuple[float, float, str]],
               labels: dict[EdgeKey, tuple[float, float]], seed: int) -> Layout:
    order = sorted(graph.nodes)
    simple = nx.Graph()
    simple.add_nodes_from(order)
    simple.add_edges_from(sorted({tuple(sorted((u, v))) for u, v, _ in _edges(graph) if u != v}))
    raw = _initial(simple, seed) if len(order) > 1 else {order[0]: np.zeros(2)}
    sizes = np.array([nodes[n][:2] for n in order], dtype=float)
    spread = np.array([raw[n] for n in order], dtype=float)
    if simple.number_of_edges():
        own = [labels[e][0] for e in _edges(graph) if e in labels]
        unit = float(np.median(sizes[:, 0])) + (float(np.median(own)) if own else 0.0) + 30
        lengths = [np.hypot(*(raw[u] - raw[v])) for u, v in simple.edges]
        spread *= unit / max(float(np.median(lengths)), 1e-6)
    for _ in range(12):
        spread = _spread_nodes(spread, sizes)
        boxes = {n: NodeBox(float(x), float(y), nodes[n][0], nodes[n][1], nodes[n][2])
                 for n, (x, y) in zip(order, spread, strict=True)}
        routes, clashes = _place(graph, boxes, labels)
        if not clashes:
            break
        spread = spread.mean(axis=0) + (spread - spread.mean(axis=0)) * 1.2
    return _framed(boxes, routes, labels, NETWORKX_ENGINE)


def _initial(simple: nx.Graph, seed: int) -> dict[str, np.ndarray]:
    """ForceAtlas2 with strong gravity (networkx ≥ 3.4): even spacing, no far-flung chains;
    a spring layout on older networkx."""
    if hasattr(nx, "forceatlas2_layout"):
        return nx.forceatlas2_layout(simple, seed=seed, max_iter=400, strong_gravity=True)
    return nx.spring_layout(simple, seed=seed, iterations=300)


NETWORKX_ENGINE = ("networkx forceatlas2" if hasattr(nx, "forceatlas2_layout")
                   else "networkx spring")


def _pack(parts: list[Layout], labels: dict[EdgeKey, tuple[float, float]], gap: float = 24.0
          ) -> Layout:
    """Parts side by side in rows about as wide as the whole is tall, the first row on top."""
    area = sum((p.width + gap) * (p.height + gap) for p in parts)
    row_width = max(max(p.width for p in parts), math.sqrt(area) * 1.3)
    nodes: dict[str, NodeBox] = {}
    edges: dict[EdgeKey, EdgeRoute] = {}
    x = top = row_height = 0.0
    for part in parts:
        if x and x + part.width > row_width:
            x, top, row_height = 0.0, top - row_height - gap, 0.0
        dx, dy = x, top - part.height
        nodes.update({n: NodeBox(b.x + dx, b.y + dy, b.w, b.h, b.shape)
                      for n, b in part.nodes.items()})
        edges.update({e: EdgeRoute(tuple((px + dx, py + dy) for px, py in r.points),
                                   (r.tip[0] + dx, r.tip[1] + dy) if r.tip else None,
                                   (r.label[0] + dx, r.label[1] + dy) if r.label else None)
                      for e, r in part.edges.items()})
        x += part.width + gap
        row_height = max(row_height, part.height)
    return _framed(nodes, edges, labels, parts[0].engine)


def _framed(boxes: dict[str, NodeBox], routes: dict[EdgeKey, EdgeRoute],
            labels: dict[EdgeKey, tuple[float, float]], engine: str) -> Layout:
    """Shift everything so that the drawing starts at (margin, margin)."""
    xs, ys = [], []
    for b in boxes.values():
        xs += [b.x - b.w / 2, b.x + b.w / 2]
        ys += [b.y - b.h / 2, b.y + b.h / 2]
    for edge, r in routes.items():
        for x, y in (*r.points, *([r.tip] if r.tip else [])):
            xs.append(x)
            ys.append(y)
        if r.label and edge in labels:
            w, h = labels[edge]
            xs += [r.label[0] - w / 2, r.label[0] + w / 2]
            ys += [r.label[1] - h / 2, r.label[1] + h / 2]
    margin = 6.0
    dx, dy = margin - min(xs), margin - min(ys)

    def move(p: Point) -> Point:
        return (p[0] + dx, p[1] + dy)

    return Layout(
        {n: NodeBox(b.x + dx, b.y + dy, b.w, b.h, b.shape) for n, b in boxes.items()},
        {e: EdgeRoute(tuple(map(move, r.points)), move(r.tip) if r.tip else None,
                      move(r.label) if r.label else None) for e, r in routes.items()},
        max(xs) + dx + margin, max(ys) + dy + margin, engine)
