"""An interactive page of a network view: one self-contained HTML file that works offline.

Cytoscape.js (MIT, vendored from the npm registry in ``kg/assets/``, see its README) is inlined
with the data and the page script from ``kg/assets/interactive.html``; nothing is fetched.
Nodes sit where ``kg render`` puts them in the picture (same layout), and as there, one arrow
stands for the propositions of one status between two nodes; the reader pans, zooms,
filters relations by status, finds a node by name, and clicks a node or an arrow to see the
evidence: every claim with its claimant, stance, grades, quote and post (with its whole text).

The page writes what it drew into ``<body>``'s data attributes (``data-rendered-nodes``,
``data-rendered-edges``, ``data-painted-pixels``) so that a headless browser can check it.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from pathlib import Path

import networkx as nx

from kg.export import cytoscape_elements
from kg.figures import STATUS_ORDER, humanize, status_style
from kg.layout import Layout
from kg.render import CLASS_STYLES, merged, network_layout, node_class, node_text
from kg.store import KGStore

ASSETS = Path(__file__).resolve().parent / "assets"
SHAPES = {"ellipse": "ellipse", "box": "rectangle", "hexagon": "hexagon", "octagon": "octagon",
          "parallelogram": "rhomboid"}

EVIDENCE = """
SELECT ?proposition ?status ?confidence ?reason ?claim ?claimant ?stance ?credibility
       ?reliability ?claimConfidence ?post ?postDate ?quote ?relayedBy WHERE {
  VALUES ?proposition { %s }
  ?proposition ckg:status/rdfs:label ?status ; ckg:confidence ?confidence .
  OPTIONAL { ?proposition ckg:statusReason ?reason }
  ?claim ckg:proposition ?proposition ; ckg:claimant ?who ; ckg:stance/rdfs:label ?stance ;
         ckg:quote ?quote ; prov:wasDerivedFrom ?postNode .
  ?who rdfs:label ?claimant .
  ?postNode ckg:position ?post .
  OPTIONAL { ?claim ckg:credibility ?credibility }
  OPTIONAL { ?claim ckg:confidence ?claimConfidence }
  OPTIONAL { ?who ckg:reliability/rdfs:label ?reliability }
  OPTIONAL { ?postNode ckg:time/ckg:earliest ?postDate }
  OPTIONAL { ?claim ckg:relayedBy/rdfs:label ?relayedBy }
}
ORDER BY ?proposition ?post ?claim
"""

POSTS = """
SELECT ?post ?text WHERE { ?p ckg:position ?post ; ckg:text ?text . VALUES ?post { %s } }
"""


def evidence(store: KGStore, propositions: list[str]) -> tuple[dict, dict]:
    """Claims of each proposition, and the text of each post they come from (by number)."""
    found: dict[str, dict] = {}
    for start in range(0, len(propositions), 300):
        chunk = " ".join(f"<{p}>" for p in propositions[start:start + 300])
        for row in store.select(EVIDENCE % chunk):
            entry = found.setdefault(str(row["proposition"]), {
                "status": str(row["status"]), "confidence": int(row["confidence"]),
                "reason": str(row.get("reason", "")), "claims": [], "_seen": set()})
            if str(row["claim"]) in entry["_seen"]:
                continue
            entry["_seen"].add(str(row["claim"]))
            claim = {"claimant": str(row["claimant"]), "stance": str(row["stance"]),
                     "post": int(row["post"]), "quote": str(row["quote"])}
            for key, name in (("credibility", "credibility"), ("claimConfidence", "confidence"),
                              ("reliability", "reliability"), ("postDate", "date"),
                              ("relayedBy", "relayedBy")):
                if key in row:
                    value = row[key].toPython()
                    claim[name] = value if isinstance(value, (int, float)) else str(value)
            entry["claims"].append(claim)
    for entry in found.values():
        del entry["_seen"]
    numbers = sorted({c["post"] for e in found.values() for c in e["claims"]})
    posts = {int(r["post"]): str(r["text"]) for r in store.select(
        POSTS % " ".join(str(n) for n in numbers))} if numbers else {}
    return found, posts


def _dash(linestyle: object) -> tuple[str, list[float]]:
    if linestyle == "-":
        return "solid", [6, 3]
    pattern = list(linestyle[1])
    return ("dotted" if pattern[0] <= 1 else "dashed"), pattern


def page_data(store: KGStore, graph: nx.MultiDiGraph, placed: Layout, title: str,
              caption: str) -> dict:
    """Everything the page script needs, in one JSON-able dict."""
    positions = {n: (b.x, placed.height - b.y) for n, b in placed.nodes.items()}
    members: dict[tuple, list[dict]] = {}
    for u, v, _, d in sorted(graph.edges(keys=True, data=True),
                             key=lambda e: (e[0], e[1], str(e[2]))):
        members.setdefault((u, v, str(d.get("status") or "") or "link"), []).append({
            "relation": humanize(str(d.get("relation", ""))),
            "proposition": d.get("proposition"), "operation": d.get("operation_label")})
    elements = cytoscape_elements(merged(graph), positions)
    for element in elements["elements"]["nodes"]:
        data = element["data"]
        node = graph.nodes[data["id"]]
        box = placed.nodes[data["id"]]
        shape, color = CLASS_STYLES[node_class(node)]
        data.update(text=node_text(node), cls=node_class(node), color=color,
                    shape=SHAPES[shape], w=round(box.w, 1), h=round(box.h, 1))
    for element in elements["elements"]["edges"]:
        data = element["data"]
        look = status_style(data.get("status"))
        linestyle, dash = _dash(look.linestyle)
        data.update(color=look.color, width=look.width, linestyle=linestyle, dash=dash,
                    members=members[(data["source"], data["target"], data["key"])])
    counts = Counter(str(d.get("status") or "") for *_, d in graph.edges(data=True))
    statuses = []
    for name in (*STATUS_ORDER, ""):
        if counts.get(name):
            look = status_style(name)
            linestyle, _ = _dash(look.linestyle)
            statuses.append({"name": name, "label": name or "structural links",
                             "count": counts[name], "color": look.color, "width": look.width,
                             "dash": linestyle == "dashed", "dotted": linestyle == "dotted"})
    classes = sorted({node_class(d) for _, d in graph.nodes(data=True)},
                     key=list(CLASS_STYLES).index)
    propositions = sorted({str(d["proposition"]) for *_, d in graph.edges(data=True)
                           if d.get("proposition")})
    found, posts = evidence(store, propositions)
    return {"title": title, "caption": caption, "focus": graph.graph.get("center"),
            "elements": elements["elements"], "statuses": statuses,
            "classes": [{"name": c, "shape": CLASS_STYLES[c][0], "color": CLASS_STYLES[c][1]}
                        for c in classes],
            "evidence": found, "posts": {str(k): v for k, v in sorted(posts.items())}}


def _script_safe(text: str) -> str:
    """Text that cannot end the <script> element it is inlined in."""
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def page(data: dict) -> str:
    """The HTML of the page: template, Cytoscape.js and data inlined."""
    template = (ASSETS / "interactive.html").read_text(encoding="utf-8")
    library = (ASSETS / "cytoscape.min.js").read_text(encoding="utf-8")
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (template.replace("{{TITLE}}", html.escape(data["title"]))
            .replace("{{CAPTION}}", html.escape(data["caption"]))
            .replace("/*DATA*/", _script_safe(payload))
            .replace("/*CYTOSCAPE*/", _script_safe(library)))


def write_page(store: KGStore, graph: nx.MultiDiGraph, path: Path, title: str,
               caption: str) -> Layout:
    """Write the interactive page of ``graph`` to ``path``; the layout it used."""
    placed = network_layout(graph)
    text = page(page_data(store, graph, placed, title, caption))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return placed

