"""Pictures as users get them: real matplotlib (Agg), real files, both layout engines, the
timeline and quantity charts, and the interactive page in headless Chromium."""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import matplotlib
import matplotlib.image as mpimg
import networkx as nx
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from kg import layout as layout_module
from kg.cli import main
from kg.errors import KGError
from kg.namespaces import CKG
from kg.pictures import render
from kg.quantity import reports
from kg.questions import run
from kg.render import draw_network, merged, network_layout
from kg.timeline import Glyph, panels, timeline_rows
from kg.views import most_connected, view

matplotlib.use("Agg")
SVG = "{http://www.w3.org/2000/svg}"
ENGINES = ["networkx", pytest.param("graphviz", marks=pytest.mark.skipif(
    not layout_module.graphviz_available(), reason="Graphviz's dot is not installed "
    "(make test installs it: apt-get install graphviz)"))]


def svg_text(path: Path) -> str:
    """Every text of an SVG, joined (matplotlib keeps text as text: svg.fonttype none)."""
    root = ET.parse(path).getroot()
    return " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))


@pytest.fixture(params=ENGINES)
def engine(request, monkeypatch) -> str:
    monkeypatch.setenv("KG_LAYOUT", request.param)
    return request.param


@pytest.mark.parametrize("suffix, magic", [(".png", b"\x89PNG"), (".svg", b"<?xml"),
                                           (".pdf", b"%PDF")])
def test_network_picture_is_written_in_the_format_of_its_suffix(built, tmp_path, suffix, magic):
    picture = render(built.store, "support", tmp_path / f"support{suffix}")
    data = picture.path.read_bytes()
    assert data.startswith(magic)
    assert len(data) > 10_000
    assert "14 nodes, 19 edges" in picture.summary


def test_png_is_a_real_picture(built, tmp_path):
    path = render(built.store, "targeting", tmp_path / "targeting.png").path
    pixels = mpimg.imread(path)
    height, width = pixels.shape[:2]
    assert width > 800 and height > 400
    ink = (pixels[..., :3].mean(axis=2) < 0.9).mean()
    assert 0.01 < ink < 0.5  # drawn on, but not a black page


@pytest.mark.parametrize("suffix", [".svg", ".pdf", ".png"])
def test_same_input_gives_the_same_file(built, tmp_path, suffix):
    first = render(built.store, "support", tmp_path / f"a{suffix}").path.read_bytes()
    second = render(built.store, "support", tmp_path / f"b{suffix}").path.read_bytes()
    assert first == second


def test_same_input_gives_the_same_pixels_with_the_fallback_layout(built, tmp_path,
                                                                     monkeypatch):
    monkeypatch.setenv("KG_LAYOUT", "networkx")
    a = mpimg.imread(render(built.store, "support", tmp_path / "a.png").path)
    b = mpimg.imread(render(built.store, "support", tmp_path / "b.png").path)
    assert a.shape == b.shape and (a == b).all()


def test_svg_has_title_legend_labels_and_caption(built, tmp_path):
    text = svg_text(render(built.store, "support", tmp_path / "support.svg").path)
    for expected in ("Who supported whom",                       # title
                     "Nodes (shape: kind, colour: class)", "Armed group", "Agency",  # legend
                     "Arrows (style: status of the proposition)", "dashed: reported (17)",
                     "red dotted: refuted (1)",
                     "SDF", "U.S. military", "advises, equips, trains",   # nodes, edge labels
                     "14 nodes", "19 propositions", "Data: 60 posts, the latest of 2022-01-22"):
        assert expected in text, expected


def test_svg_metadata_has_no_date(built, tmp_path):
    data = render(built.store, "support", tmp_path / "support.svg").path.read_text()
    assert "<dc:date>" not in data


def _boxes(fig):
    """Window extents of edge-label texts, node-label texts and node shapes of a figure."""
    fig.set_dpi(150)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    ax = fig.axes[0]
    labels = [t.get_window_extent(renderer) for t in ax.texts if t.get_zorder() == 5]
    names = [t.get_window_extent(renderer) for t in ax.texts if t.get_zorder() == 4]
    shapes = [p.get_window_extent(renderer) for p in ax.patches if p.get_zorder() == 3]
    return labels, names, shapes


def _overlap(a, b, tolerance: float = 0.5) -> bool:
    return (min(a.x1, b.x1) - max(a.x0, b.x0) > tolerance
            and min(a.y1, b.y1) - max(a.y0, b.y0) > tolerance)


@pytest.mark.parametrize("name, focus", [("support", None), ("targeting", None),
                                         ("actors", None), ("ego", "al-Sina prison"),
                                         ("relations", None)])
def test_labels_overlap_neither_each_other_nor_nodes(built, engine, name, focus):
    graph = view(built.store, name, focus)
    assert graph.number_of_nodes() <= 80
    fig, placed = draw_network(graph, "t", "c")
    assert placed.engine.startswith(engine)
    labels, names, shapes = _boxes(fig)
    assert len(labels) == merged(graph).number_of_edges()
    assert len(names) == len(shapes) == graph.number_of_nodes()
    for a, b in itertools.combinations(labels + shapes, 2):
        assert not _overlap(a, b), f"{name}: overlapping {a} and {b}"
    for text, shape in zip(names, shapes, strict=True):  # a node's name sits inside it
        assert shape.x0 <= text.x0 and text.x1 <= shape.x1


def test_without_graphviz_the_networkx_layout_is_used(built, tmp_path, monkeypatch):
    monkeypatch.delenv("KG_LAYOUT", raising=False)
    monkeypatch.setattr(layout_module.shutil, "which", lambda _: None)
    assert layout_module.pick_engine("auto") == "networkx"
    picture = render(built.store, "targeting", tmp_path / "targeting.svg")
    assert picture.summary.endswith(layout_module.NETWORKX_ENGINE)
    assert "Who targeted what" in svg_text(picture.path)
    with pytest.raises(KGError, match="apt-get install graphviz"):
        layout_module.pick_engine("graphviz")


def test_fallback_layout_keeps_every_node_and_edge(built):
    graph = view(built.store, "relations")
    placed = network_layout(graph, engine="networkx")
    assert set(placed.nodes) == set(graph.nodes)
    assert set(placed.edges) == set(merged(graph).edges(keys=True))
    assert all(0 <= b.x <= placed.width and 0 <= b.y <= placed.height
               for b in placed.nodes.values())


def test_unknown_layout_engine_is_named(monkeypatch):
    monkeypatch.setenv("KG_LAYOUT", "spring")
    with pytest.raises(KGError, match="unknown layout engine 'spring'"):
        layout_module.pick_engine()


def test_ego_picture_marks_the_focus(built, tmp_path):
    picture = render(built.store, "ego", tmp_path / "ego.svg", focus="al-Sina prison")
    text = svg_text(picture.path)
    assert "Around al-Sina prison" in text and "the focus (bold outline)" in text


def test_focus_on_another_view_makes_its_ego_network(built, tmp_path):
    picture = render(built.store, "support", tmp_path / "sdf.svg", focus="SDF")
    assert "SDF" in svg_text(picture.path)
    assert "4 nodes" in picture.summary


@pytest.mark.parametrize("args, message", [
    (("nope",), "no view 'nope'; views: support, targeting, claims, actors, relations, ego, "
                "timeline, quantity"),
    (("ego",), "the ego view needs --focus"),
    (("support", "--focus", "al-Sna prisn"), "did you mean 'al-Sina prison'"),
    (("support", "--min-confidence", "99"), "nothing to draw"),
    (("support", "--out", "x.gif"), "the suffix picks the format"),
    (("timeline", "--out", "t.html"), ".html is for the network views"),
    (("timeline", "--status", "reported"), "the timeline shows operations and posts"),
    (("quantity", "--quantity", "unicorns"), "no reported numbers"),
])
def test_clear_errors(built, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    names = {"--focus": "focus", "--min-confidence": "min_confidence", "--out": "path",
             "--status": "status", "--quantity": "quantity"}
    kwargs = {names[k]: float(v) if k == "--min-confidence" else v
              for k, v in zip(args[1::2], args[2::2], strict=True)}
    with pytest.raises(KGError, match=re.escape(message)):
        render(built.store, args[0], **kwargs)
    assert not list(tmp_path.rglob("*.*"))  # nothing written, not even an empty picture


def test_cli_prints_the_path_and_the_render_time(tmp_path, capsys):
    out = tmp_path / "pics" / "targeting.png"
    assert main(["render", "targeting", "--store", "memory", "--out", str(out)]) == 0
    line = capsys.readouterr().out.strip()
    assert re.fullmatch(rf"wrote {re.escape(str(out))} \(11 nodes, 12 edges; layout: .+\) in "
                        r"\d+\.\d\d s", line)
    assert out.stat().st_size > 10_000


# ------------------------------------------------------------------------------- timeline

def test_date_precision_in_words():
    assert Glyph(date(2022, 1, 20), date(2022, 1, 20), "DayPrecision").text() == "20 Jan 2022"
    assert Glyph(date(2022, 1, 20), date(2022, 1, 21), "DaysPrecision").text() == \
        "20–21 Jan 2022"
    assert Glyph(date(2021, 11, 1), date(2021, 11, 30), "MonthPrecision").text() == "Nov 2021"
    assert Glyph(date(2022, 1, 22), None, "BoundOnly").text() == "not before 22 Jan 2022"
    assert Glyph(None, date(2021, 8, 30), "BoundOnly").text() == "not after 30 Aug 2021"
    assert Glyph(None, None, "UnknownPrecision").text() == "date unknown"


def test_axis_breaks_where_dates_bunch():
    bunch = [date(2022, 1, 20), date(2022, 1, 21), date(2022, 1, 22)] * 5
    assert panels([date(2004, 6, 1), date(2021, 8, 30), *bunch]) == [
        (date(2004, 6, 1), date(2021, 8, 30)), (date(2022, 1, 20), date(2022, 1, 22))]
    assert panels(bunch) == [(date(2022, 1, 20), date(2022, 1, 22))]
    assert panels([]) == []


def test_timeline_rows_keep_what_the_sources_fix(built):
    rows = {r.label: r for r in timeline_rows(built.store)}
    assert rows["ISIS plot to attack al-Sina prison (November 2021)"].glyph.text() == "Nov 2021"
    assert rows["U.S. SOF advising the SDF in al-Hasakah"].glyph.text() == \
        "not before 22 Jan 2022"
    assert rows["CIA T-50 program"].glyph.text() == "date unknown"
    assert "ISIS" in rows and rows["ISIS"].heading
    assert rows["post 1"].glyph.text() == "20 Jan 2022"


def test_timeline_picture(built, tmp_path):
    picture = render(built.store, "timeline", tmp_path / "timeline.svg")
    text = svg_text(picture.path)
    for expected in ("Timeline of operations and posts", "known to the day",
                     "open-ended", "not before 22 Jan 2022", "date unknown", "Nov 2021",
                     "Posts: al-Sina prison attack", "Data: 60 posts"):
        assert expected in text, expected
    png = render(built.store, "timeline", tmp_path / "timeline.png").path
    assert mpimg.imread(png).shape[1] > 1000


def test_timeline_of_one_actor(built, tmp_path):
    picture = render(built.store, "timeline", tmp_path / "isis.svg", focus="ISIS")
    text = svg_text(picture.path)
    assert "involving ISIS" in text and "Taliban takeover" not in text


# ------------------------------------------------------------------------------- quantity

def test_escapee_reports_keep_approximations_and_bounds(built):
    groups = reports(built.store, quantity="escapees")
    (subject, measure), = groups
    assert measure == "escapees"
    texts = [(r.post, r.text(), r.stance) for r in groups[(subject, measure)]]
    assert sorted(texts) == [(7, "~20", "asserts"), (9, "~20", "questions"),
                             (11, "≥89\n(from 89 escapees recaptured)", "asserts"),
                             (11, "≥~100", "asserts"), (37, "≥~100", "asserts")]


def test_quantity_picture(built, tmp_path):
    picture = render(built.store, "quantity", tmp_path / "escapees.svg", quantity="escapees")
    text = svg_text(picture.path)
    for expected in ("Escapees", "~20", "≥~100", "questioned", "unverified", "corpus author",
                     "band: approximate (±25%)", "post 37", "from 89 escapees recaptured"):
        assert expected in text, expected
    assert picture.summary == "5 reports of a number"


def test_every_number_gets_a_panel(built, tmp_path):
    picture = render(built.store, "quantity", tmp_path / "all.png")
    assert picture.summary == "20 reports of a number"


# ---------------------------------------------------------------------- interactive page

def test_page_is_self_contained(built, tmp_path):
    path = render(built.store, "support", tmp_path / "support.html").path
    page = path.read_text(encoding="utf-8")
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)\s*=\s*[\"']?(https?:)?//",
                         page, re.I)
    assert "Copyright (c) 2016-" in page and "Cytoscape Consortium" in page  # vendored, inlined
    assert page.count("</script>") == 3  # library, data, page script
    for expected in ("Who supported whom", "external advice to groups", "corpus author"):
        assert expected in page
    again = render(built.store, "support", tmp_path / "again.html").path
    assert again.read_bytes() == path.read_bytes()


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(_chromium() is None, reason="chromium is not installed and could not be "
                    "installed (make test runs apt-get install chromium when it can)")
def test_page_draws_the_graph_in_headless_chromium(built, tmp_path):
    graph = view(built.store, "support")
    path = render(built.store, "support", tmp_path / "support.html").path
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run(
            [_chromium(), "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run", f"--user-data-dir={profile}", "--virtual-time-budget=8000",
             "--window-size=1400,900", "--dump-dom", path.resolve().as_uri()],
            capture_output=True, text=True, timeout=120, check=False)
    body = re.search(r"<body([^>]*)>", result.stdout)
    assert body, f"no DOM from chromium: {result.stderr[-2000:]}"
    attributes = dict(re.findall(r'data-([\w-]+)="([^"]*)"', body[1]))
    assert "error" not in attributes, attributes.get("error")
    assert int(attributes["rendered-nodes"]) == graph.number_of_nodes()
    assert int(attributes["rendered-edges"]) == merged(graph).number_of_edges()
    assert int(attributes["visible-edges"]) == merged(graph).number_of_edges()
    assert int(attributes["painted-pixels"]) > 1000  # the canvas is drawn on, not blank


def test_a_big_view_keeps_its_most_connected_nodes_and_says_so(built, tmp_path):
    whole = view(built.store, "claims")
    assert whole.number_of_nodes() > 80
    picture = render(built.store, "claims", tmp_path / "claims.svg")
    shown = int(picture.summary.split(" nodes")[0])
    assert 10 < shown <= 80
    assert f"the {shown} most connected of {whole.number_of_nodes()} nodes" in picture.summary
    assert "(--max-nodes)" in svg_text(picture.path)
    everything = render(built.store, "claims", tmp_path / "all.svg", max_nodes=0)
    assert everything.summary.startswith(f"{whole.number_of_nodes()} nodes")
    corpus_author = "https://w3id.org/conflict-kg/id/actor/corpus-author"
    assert corpus_author in most_connected(whole, 5)  # the busiest claimant stays


def test_a_dense_view_is_cut_to_the_arrows_a_picture_holds(built):
    """In the dense core of a big graph the node limit is not enough: the arrows (one per
    source, target and status, as drawn) are capped too, and every node kept has a neighbour."""
    whole = view(built.store, "claims")
    shown = most_connected(whole, 80, max_arrows=30)
    arrows = {(u, v, d.get("status")) for u, v, d in shown.edges(data=True)}
    assert 10 < len(arrows) <= 30
    assert len(arrows) < len({(u, v, d.get("status"))
                              for u, v, d in most_connected(whole, 80).edges(data=True)})
    assert all(any(True for _ in nx.all_neighbors(shown, n)) for n in shown)
    assert shown.graph["nodes_of"] == whole.number_of_nodes()


@pytest.mark.parametrize("name", ["support", "targeting", "claims", "actors", "relations"])
def test_every_view_is_the_same_on_both_backends(built, built_rdflib, name):
    """Views read plain values straight from Oxigraph; on rdflib through its terms: the nodes,
    edges and every attribute (with its Python type) must agree."""
    def content(graph):
        nodes = sorted((n, sorted((k, repr(v)) for k, v in d.items()))
                       for n, d in graph.nodes(data=True))
        edges = sorted((u, v, str(k), sorted((a, repr(x)) for a, x in d.items()))
                       for u, v, k, d in graph.edges(keys=True, data=True))
        return nodes, edges
    on_oxigraph, on_rdflib = view(built.store, name), view(built_rdflib.store, name)
    assert on_oxigraph.number_of_edges() > 0
    assert content(on_oxigraph) == content(on_rdflib)


@pytest.mark.parametrize("filters", [{}, {"min_confidence": 60}, {"status": "disputed"}])
def test_the_claims_view_is_the_claims_question_an_edge_per_row(built, filters):
    """The claims view reads its own narrower SPARQL, for speed; its edges must be the rows of
    the `claims` question, in their order, each proposition joined to its subject once."""
    _, rows = run(built.store, "claims", values=True, **filters)
    graph = view(built.store, "claims", **filters)
    claims = [(u, v, k, d) for u, v, k, d in graph.edges(keys=True, data=True)
              if d["relation"] != "about"]
    by_claim = {str(row["claim"]): row for row in rows}
    assert len(rows) > 0 and len(claims) == len(rows)
    for claimant, proposition, claim, data in claims:
        row = by_claim[claim]
        assert (claimant, proposition) == (row["claimant"], row["proposition"])
        assert data["relation"] == row["stance"].removeprefix(str(CKG)).lower()
        assert data["status"] == row["propositionStatus"].removeprefix(str(CKG)).lower()
        assert (data["confidence"], data["posts"], data["quotes"]) == (
            row["claimConfidence"], str(row["post"]), row["quote"])
    about = {(u, v) for u, v, d in graph.edges(data=True) if d["relation"] == "about"}
    assert about == {(row["proposition"], row["subject"]) for row in rows}
    # edges added in the rows' order place the nodes in it (a picture's layout follows it)
    in_row_order = [node for row in rows
                    for node in (row["claimant"], row["proposition"], row["subject"])]
    assert list(graph.nodes) == list(dict.fromkeys(in_row_order))
