"""Draw a network view with matplotlib: node shape by kind and colour by class, edge style by
status, edge labels naming the relation, a legend beside (never over) the graph, a title and a
caption. Sizes are in points end to end — text is measured, the layout (:mod:`kg.layout`)
reserves room for it, and one unit of the drawing is one point of the page — so labels do not
overlap each other or the nodes.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import networkx as nx
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Ellipse, PathPatch, Polygon
from matplotlib.path import Path as MPath

from kg.figures import (
    STATUS_ORDER,
    StatusStyle,
    add_title_caption,
    caption_height,
    humanize,
    save,
    status_style,
    style,
    text_size,
    wrap,
)
from kg.layout import EdgeKey, EdgeRoute, Layout, NodeBox, layout, nearest
from kg.views import arrow

NODE_FONT, EDGE_FONT, LEGEND_FONT = 9.0, 7.5, 8.5
MAX_WIDTH, MAX_HEIGHT = 24.0, 22.0   # inches of graph before everything is scaled down

SOURCE_TYPES = ("UnnamedSource", "Analyst", "MediaOutlet", "ResearchOrganization")
ACTOR_CLASSES = {"ArmedGroup": "Armed group", "StateForce": "State force",
                 "Government": "Government", "Agency": "Agency",
                 "PopulationGroup": "Population group", "Person": "Person",
                 **dict.fromkeys(SOURCE_TYPES, "Source (analyst, outlet, unnamed)")}
CLASS_STYLES: dict[str, tuple[str, str]] = {   # legend entry → (shape, fill)
    "Armed group": ("ellipse", "#fdb462"),
    "State force": ("ellipse", "#80b1d3"),
    "Government": ("ellipse", "#bebada"),
    "Agency": ("ellipse", "#8dd3c7"),
    "Population group": ("ellipse", "#ffffb3"),
    "Person": ("ellipse", "#fccde5"),
    "Source (analyst, outlet, unnamed)": ("ellipse", "#e3e3e3"),
    "Other actor": ("ellipse", "#ccebc5"),
    "Facility": ("box", "#e5c494"),
    "Place": ("hexagon", "#b3de69"),
    "Operation": ("octagon", "#d9b8dd"),
    "Equipment": ("parallelogram", "#c9c9c9"),
    "Proposition": ("box", "#f4f4f4"),
    "Other": ("box", "#ffffff"),
}
OUTLINE = "#4d4d4d"


def node_class(data: dict) -> str:
    """The legend entry of a node: its actor class, or its kind."""
    if data.get("kind") == "actor":
        return ACTOR_CLASSES.get(data.get("type", ""), "Other actor")
    kind = str(data.get("kind", "other")).capitalize()
    return kind if kind in CLASS_STYLES else "Other"


def node_text(data: dict) -> str:
    """A node's label, wrapped for drawing."""
    return wrap(str(data.get("label", "")), 16 if data.get("kind") == "proposition" else 20)


def edge_text(data: dict) -> str:
    """An edge's label: the relation(s) in words."""
    if "text" in data:
        return data["text"]
    return humanize(str(data.get("relation", "")))


def merged(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """One drawn arrow per (source, target, status): parallel propositions of the same status
    share an arrow whose label names every relation."""
    out = nx.MultiDiGraph(**graph.graph)
    out.add_nodes_from(sorted(graph.nodes(data=True)))
    groups: dict[tuple[str, str, str], list[dict]] = {}
    for u, v, _, data in sorted(graph.edges(keys=True, data=True),
                                key=lambda e: (e[0], e[1], str(e[2]))):
        groups.setdefault(arrow(u, v, data), []).append(data)
    for (u, v, status), members in groups.items():
        words = list(dict.fromkeys(edge_text(d) for d in members if edge_text(d)))
        out.add_edge(u, v, key=status or "link", status=status or None,
                     text=wrap(", ".join(words), 26), propositions=len(members))
    return out


def _font(data: dict) -> float:
    return NODE_FONT - 1.5 if data.get("kind") == "proposition" else NODE_FONT


def node_size(data: dict, bold: bool = False) -> tuple[float, float, str]:
    """Width, height (points) and shape of a node that holds its label."""
    shape = CLASS_STYLES[node_class(data)][0]
    tw, th = text_size(node_text(data), _font(data), bold)
    h = th + 10
    extra = {"ellipse": tw * 0.22 + 14, "box": 14, "hexagon": 0.7 * h + 10,
             "octagon": 0.6 * h + 10, "parallelogram": 0.7 * h + 8}[shape]
    return tw + extra, h * (1.3 if shape == "ellipse" else 1.0), shape


def network_layout(graph: nx.MultiDiGraph, engine: str = "auto", rankdir: str = "LR") -> Layout:
    """Measure every node and edge label of ``graph`` (parallel edges :func:`merged`) and lay
    it out; edge keys of the layout are those of the merged graph."""
    graph = merged(graph)
    focus = graph.graph.get("center")
    nodes = {n: node_size(d, n == focus) for n, d in graph.nodes(data=True)}
    labels = {(u, v, k): _label_box(edge_text(d))
              for u, v, k, d in graph.edges(keys=True, data=True) if edge_text(d)}
    return layout(graph, nodes, labels, engine, rankdir)


def _label_box(text: str) -> tuple[float, float]:
    w, h = text_size(text, EDGE_FONT)
    return w + 3, h + 1


def outline(box: NodeBox) -> list[tuple[float, float]] | None:
    """The polygon of a node's shape (None for an ellipse)."""
    x, y, w, h = box.x, box.y, box.w / 2, box.h / 2
    if box.shape == "hexagon":
        k = min(0.35 * box.h, w / 2)
        return [(x - w, y), (x - w + k, y + h), (x + w - k, y + h), (x + w, y),
                (x + w - k, y - h), (x - w + k, y - h)]
    if box.shape == "octagon":
        k = min(0.3 * box.h, w / 2)
        return [(x - w, y - h + k), (x - w, y + h - k), (x - w + k, y + h), (x + w - k, y + h),
                (x + w, y + h - k), (x + w, y - h + k), (x + w - k, y - h), (x - w + k, y - h)]
    if box.shape == "parallelogram":
        k = min(0.35 * box.h, w / 2)
        return [(x - w, y - h), (x - w + 2 * k, y + h), (x + w, y + h), (x + w - 2 * k, y - h)]
    if box.shape == "ellipse":
        return None
    return [(x - w, y - h), (x - w, y + h), (x + w, y + h), (x + w, y - h)]


def marker(shape: str) -> MPath:
    """A legend marker in the shape nodes of a class are drawn in."""
    if shape == "ellipse":
        return MPath.unit_circle()
    points = outline(NodeBox(0, 0, 1.6, 1.0, shape))
    return MPath([*points, points[0]], closed=True)


def _draw_node(ax, box: NodeBox, data: dict, scale: float, focus: bool) -> None:
    fill = CLASS_STYLES[node_class(data)][1]
    width = (2.4 if focus else 0.9) * scale
    points = outline(box)
    patch = (Ellipse((box.x, box.y), box.w, box.h) if points is None
             else Polygon(points, closed=True))
    patch.set(facecolor=fill, edgecolor="#000000" if focus else OUTLINE, linewidth=width,
              zorder=3)
    ax.add_patch(patch)
    ax.text(box.x, box.y, node_text(data), ha="center", va="center", zorder=4,
            fontsize=_font(data) * scale, fontweight="bold" if focus else "normal",
            linespacing=1.2)


def _draw_edge(ax, route: EdgeRoute, data: dict, text: str, scale: float) -> None:
    look = status_style(data.get("status"))
    width = look.width * scale
    pts = list(route.points)
    codes = [MPath.MOVETO] + [MPath.CURVE4] * (len(pts) - 1)
    ax.add_patch(PathPatch(MPath(pts, codes), fill=False, edgecolor=look.color,
                           linestyle=look.linestyle, linewidth=width, zorder=1,
                           capstyle="butt"))
    if route.tip:
        (ex, ey), (tx, ty) = pts[-1], route.tip
        dx, dy = tx - ex, ty - ey
        norm = max((dx * dx + dy * dy) ** 0.5, 1e-6)
        wx, wy = -dy / norm * 3.2, dx / norm * 3.2
        ax.add_patch(Polygon([(tx, ty), (ex + wx, ey + wy), (ex - wx, ey - wy)], closed=True,
                             facecolor=look.color, edgecolor="none", zorder=2))
    if route.label and text:
        (nx_, ny_), far = nearest(route, route.label)
        if far > _label_box(text)[1] + 6:  # a leader line to a label set well apart
            ax.plot([route.label[0], nx_], [route.label[1], ny_], color="#b0b0b0",
                    linewidth=0.6 * scale, zorder=4.5, solid_capstyle="butt")
        ax.text(*route.label, text, ha="center", va="center", fontsize=EDGE_FONT * scale,
                color=look.color if look.color != "#1a1a1a" else "#000000", zorder=5,
                bbox={"boxstyle": "square,pad=0.12", "facecolor": "white",
                      "edgecolor": "none", "alpha": 0.9})


def _legend(ax, graph: nx.MultiDiGraph, focus: str | None) -> None:
    classes = sorted({node_class(d) for _, d in graph.nodes(data=True)},
                     key=list(CLASS_STYLES).index)
    node_handles = [Line2D([], [], linestyle="none", marker=marker(CLASS_STYLES[c][0]),
                           markersize=13 if CLASS_STYLES[c][0] != "ellipse" else 11,
                           markerfacecolor=CLASS_STYLES[c][1], markeredgecolor=OUTLINE,
                           label=c) for c in classes]
    if focus:
        node_handles.append(Line2D([], [], linestyle="none", marker="o", markersize=11,
                                   markerfacecolor="white", markeredgecolor="black",
                                   markeredgewidth=2.4, label="the focus (bold outline)"))
    edge_handles = [Line2D([], [], color=look.color, linestyle=look.linestyle,
                           linewidth=look.width + 0.2, label=text)
                    for look, text in _status_entries(graph)]
    first = ax.legend(handles=node_handles, title="Nodes (shape: kind, colour: class)",
                      loc="upper left", bbox_to_anchor=(0, 1), fontsize=LEGEND_FONT,
                      title_fontsize=LEGEND_FONT + 0.5, frameon=False, alignment="left",
                      labelspacing=0.7, borderaxespad=0)
    ax.add_artist(first)
    ax.legend(handles=edge_handles, title="Arrows (style: status of the proposition)",
              loc="upper left", bbox_to_anchor=(0, 1 - _legend_share(len(node_handles), ax)),
              fontsize=LEGEND_FONT, title_fontsize=LEGEND_FONT + 0.5, frameon=False,
              alignment="left", handlelength=3.2, borderaxespad=0)
    ax.set_axis_off()


def _status_entries(graph: nx.MultiDiGraph) -> list[tuple[StatusStyle, str]]:
    """One legend entry per line style: 'dashed: reported (17), alleged (1)'."""
    counts = Counter(str(d.get("status") or "") for *_, d in graph.edges(data=True))
    entries: dict[tuple, tuple[StatusStyle, list[str]]] = {}
    for status in (*STATUS_ORDER, ""):
        if counts.get(status):
            look = status_style(status)
            how, _, name = look.meaning.partition(": ")
            entry = entries.setdefault((look.color, str(look.linestyle)), (look, [how]))
            entry[1].append(f"{name} ({counts[status]})")
    return [(look, f"{parts[0]}: {', '.join(parts[1:])}") for look, parts in entries.values()]


def _legend_rows_height(rows: int) -> float:
    """Inches a legend with a title and ``rows`` entries takes."""
    return (rows * 1.95 + 2.2) * LEGEND_FONT / 72


def _legend_share(rows: int, ax) -> float:
    height = ax.get_position().height * ax.figure.get_size_inches()[1]
    return (_legend_rows_height(rows) + 0.2) / height


def draw_network(graph: nx.MultiDiGraph, title: str, caption: str, engine: str = "auto",
                 rankdir: str = "LR") -> tuple[Figure, Layout]:
    """A figure of ``graph`` with legend, title and caption, and the layout it used."""
    placed = network_layout(graph, engine, rankdir)
    drawn = merged(graph)
    focus = graph.graph.get("center")
    scale = min(1.0, MAX_WIDTH * 72 / placed.width, MAX_HEIGHT * 72 / placed.height)
    graph_w, graph_h = placed.width * scale / 72, placed.height * scale / 72
    classes = len({node_class(d) for _, d in graph.nodes(data=True)}) + bool(focus)
    entries = _status_entries(graph)
    statuses = len(entries)
    legend_texts = [*CLASS_STYLES, *(text + "00" for _, text in entries)]
    legend_w = max(text_size(t, LEGEND_FONT)[0] for t in legend_texts) / 72 + 0.75
    legend_h = _legend_rows_height(classes) + 0.2 + _legend_rows_height(statuses)
    width = max(0.35 + graph_w + 0.35 + legend_w + 0.15, 8.0)
    body = max(graph_h, legend_h)
    top, bottom = 0.6, caption_height(caption, width) + 0.1
    height = top + body + bottom
    with style():
        fig = Figure(figsize=(width, height))
        left = 0.35 + max(0.0, (width - 0.35 - legend_w - 0.15 - 0.35 - graph_w) / 2)
        ax = fig.add_axes((left / width, (bottom + (body - graph_h) / 2) / height,
                           graph_w / width, graph_h / height))
        ax.set_xlim(0, placed.width)
        ax.set_ylim(0, placed.height)
        ax.set_axis_off()
        for u, v, k, data in drawn.edges(keys=True, data=True):
            _draw_edge(ax, placed.edges[(u, v, k)], data, edge_text(data), scale)
        for node in sorted(graph.nodes):
            _draw_node(ax, placed.nodes[node], graph.nodes[node], scale, node == focus)
        legend_ax = fig.add_axes(((width - legend_w - 0.15) / width, bottom / height,
                                  legend_w / width, body / height))
        _legend(legend_ax, graph, focus)
        add_title_caption(fig, title, caption, top, bottom)
    return fig, placed


def render_network(graph: nx.MultiDiGraph, path: Path, title: str, caption: str,
                   engine: str = "auto", rankdir: str = "LR") -> Layout:
    """Draw ``graph`` to ``path`` (.png, .svg or .pdf); the layout used."""
    fig, placed = draw_network(graph, title, caption, engine, rankdir)
    save(fig, path)
    return placed


__all__ = ["EdgeKey", "draw_network", "network_layout", "node_class", "render_network"]
