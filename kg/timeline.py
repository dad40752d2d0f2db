"""`kg render timeline`: operations and posts on a time axis, from the `timeline` question.

Operations sit in lanes by the actor that carried them out, posts in lanes by thread. What the
sources fix about a date is drawn as such: a dot is a date known to the day, a bar a window
(a few days, a month), an arrow an open end (only a lower or an upper bound), '?' no date at
all. When the dates bunch (a few days of fighting against years of background) the axis is
broken into panels, the busiest one day by day.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import matplotlib.dates as mdates
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from kg.errors import KGError
from kg.figures import (
    add_title_caption,
    caption_height,
    data_date,
    fit,
    save,
    style,
    text_size,
)
from kg.namespaces import CKG
from kg.questions import run
from kg.store import KGStore
from kg.views import node_info

OPERATION, POST = "#7b3f8c", "#3f6f8c"
ROW = 0.25          # inches per row
CLUSTER_GAP = 14    # days between dates that still belong to one bunch
NO_ACTOR = "no actor named"


@dataclass
class Glyph:
    """One dated thing on a row: its earliest and latest day (either may be unknown)."""

    earliest: date | None
    latest: date | None
    precision: str
    count: int = 1

    def days(self) -> list[date]:
        return [d for d in (self.earliest, self.latest) if d]

    def text(self) -> str:
        """The date as known: '20 Jan 2022', '20–21 Jan 2022', 'Nov 2021', 'not before …'."""
        e, l_ = self.earliest, self.latest
        if e and l_ and self.precision == "MonthPrecision":
            return e.strftime("%b %Y")
        if e and l_ and e == l_:
            return _day(e)
        if e and l_:
            same = (e.year, e.month) == (l_.year, l_.month)
            return f"{e.day}–{_day(l_)}" if same else f"{_day(e)} – {_day(l_)}"
        if e:
            return f"not before {_day(e)}"
        if l_:
            return f"not after {_day(l_)}"
        return "date unknown"


@dataclass
class Row:
    """A line of the chart: a lane heading, or one dated thing (an operation, or the posts of
    a thread that share a date)."""

    label: str
    glyph: Glyph | None = None
    color: str = OPERATION

    @property
    def heading(self) -> bool:
        return self.glyph is None


def _day(d: date) -> str:
    return f"{d.day} {d.strftime('%b %Y')}"


def _date(value: object) -> date | None:
    if value is None:
        return None
    return date.fromisoformat(str(value)[:10])


POSITIONS = "SELECT ?post ?position WHERE { VALUES ?post { %s } ?post ckg:position ?position }"


def _numbers(positions: list[int]) -> str:
    """'posts 1–5, 7' from [1, 2, 3, 4, 5, 7]."""
    runs: list[list[int]] = []
    for n in sorted(positions):
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    text = ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs)
    return f"post{'s' if len(positions) > 1 else ''} {text}"


def timeline_rows(store: KGStore, actor: str | None = None) -> list[Row]:
    """Rows of the chart from the `timeline` question: operation lanes (by actor) in order of
    their first date, then post lanes (by thread); in a lane, one row per operation and one per
    date of posts."""
    _, rows = run(store, "timeline", {"actor": actor} if actor else {})
    if not rows:
        raise KGError("the timeline has nothing to show" + (f" for {actor}" if actor else ""))
    names = node_info(store, sorted({str(r[k]) for r in rows for k in ("item", "lane")
                                     if k in r}))
    posts = [str(r["item"]) for r in rows if str(r["kind"]) == str(CKG.Post)]
    position = {str(r["post"]): int(r["position"]) for start in range(0, len(posts), 400)
                for r in store.select(POSITIONS % " ".join(f"<{p}>" for p in
                                                            posts[start:start + 400]))}
    lanes: dict[tuple[bool, str], dict[tuple, list[int]]] = {}
    for r in rows:
        is_post = str(r["kind"]) == str(CKG.Post)
        lane = names[str(r["lane"])]["label"] if "lane" in r else NO_ACTOR
        glyph = (_date(r.get("earliest")), _date(r.get("latest")),
                 str(r["precision"]).removeprefix(str(CKG)))
        what = ("posts",) if is_post else (names[str(r["item"])]["label"],)
        found = lanes.setdefault((is_post, lane), {}).setdefault((*glyph, *what), [])
        if is_post:
            found.append(position.get(str(r["item"]), 0))

    def when(key: tuple) -> tuple:
        days = [d for d in key[:2] if d]
        return (min(days) if days else date.max, max(days) if days else date.max, key[3])

    def first(lane: tuple[bool, str]) -> tuple:
        return (lane[0], lane[1] == NO_ACTOR, min(when(k) for k in lanes[lane])[0], lane[1])

    out: list[Row] = []
    for lane in sorted(lanes, key=first):
        out.append(Row(f"Posts: {lane[1]}" if lane[0] else lane[1]))
        for key in sorted(lanes[lane], key=when):
            label = _numbers(lanes[lane][key]) if lane[0] else key[3]
            out.append(Row(label, Glyph(*key[:3], count=max(len(lanes[lane][key]), 1)),
                           POST if lane[0] else OPERATION))
    return out


def panels(days: list[date]) -> list[tuple[date, date]]:
    """Spans of the broken axis: the busiest bunch of dates gets a panel of its own when the
    whole is much longer; what lies before and after it gets one each."""
    if not days:
        return []
    ordered = sorted(days)
    bunches, current = [], [ordered[0]]
    for d in ordered[1:]:
        if (d - current[-1]).days > CLUSTER_GAP:
            bunches.append(current)
            current = []
        current.append(d)
    bunches.append(current)
    busiest = max(bunches, key=lambda b: (len(b), b[-1]))
    whole = (ordered[-1] - ordered[0]).days
    if len(bunches) == 1 or whole <= 4 * max((busiest[-1] - busiest[0]).days, 7):
        return [(ordered[0], ordered[-1])]
    before = [d for d in ordered if d < busiest[0]]
    after = [d for d in ordered if d > busiest[-1]]
    spans = [(before[0], before[-1])] if before else []
    spans.append((busiest[0], busiest[-1]))
    return spans + ([(after[0], after[-1])] if after else [])


def _detail(span: tuple[date, date]) -> bool:
    return (span[1] - span[0]).days <= 31


def _limits(spans: list[tuple[date, date]]) -> list[tuple[float, float]]:
    """x limits of each panel: its span and some air, never reaching into the next panel."""
    out = []
    for i, span in enumerate(spans):
        a, b = mdates.date2num(span[0]), mdates.date2num(span[1]) + 1
        pad = 0.6 if _detail(span) else max((b - a) * 0.05, 20)
        lo, hi = a - pad, b + pad
        if i > 0:
            lo = max(lo, (mdates.date2num(spans[i - 1][1]) + 1 + a) / 2)
        if i + 1 < len(spans):
            hi = min(hi, (b + mdates.date2num(spans[i + 1][0])) / 2)
        out.append((lo, hi))
    return out


NAN = (float("nan"), float("nan"))


def _draw(ax, y: float, glyph: Glyph, color: str, lo: float, hi: float,
          ends: tuple[bool, bool]) -> None:
    """Draw a glyph clipped to the panel [lo, hi]; ``ends`` says whether the panel is the
    first and the last, where an open end gets its arrowhead."""
    e = mdates.date2num(glyph.earliest) if glyph.earliest else None
    l_ = mdates.date2num(glyph.latest) + 1 if glyph.latest else None
    tick = {"color": color, "linewidth": 1.6, "zorder": 3}
    if e is not None and l_ is not None and glyph.earliest == glyph.latest:
        if lo <= e + 0.5 <= hi:
            ax.plot([e + 0.5], [y], marker="o", markersize=6.5, color=color, zorder=4)
    elif e is not None and l_ is not None:
        a, b = max(e, lo), min(l_, hi)
        if a < b:
            ax.plot([a, b], [y, y], color=color, linewidth=3.2, solid_capstyle="butt", zorder=3)
            for end in (e, l_):
                if lo <= end <= hi:
                    ax.plot([end, end], [y - 0.28, y + 0.28], **tick)
    elif e is not None or l_ is not None:
        start, forward = (e, True) if e is not None else (l_, False)
        a, b = (max(start, lo), hi) if forward else (lo, min(start, hi))
        if a < b:
            head = "-|>" if ends[1 if forward else 0] else "-"
            ax.annotate("", xy=(b if forward else a, y), xytext=(a if forward else b, y),
                        arrowprops={"arrowstyle": head, "color": color, "linewidth": 2,
                                    "mutation_scale": 13, "shrinkA": 0, "shrinkB": 0},
                        zorder=3)
            if lo <= start <= hi:
                ax.plot([start, start], [y - 0.28, y + 0.28], **tick)


def draw_timeline(rows: list[Row], title: str, caption: str) -> Figure:
    """The chart of ``rows``: a label and a date column, then time across (broken where dates
    bunch) and a column for the undated."""
    days = [d for row in rows if row.glyph for d in row.glyph.days()]
    spans = panels(days)
    undated = any(row.glyph and not row.glyph.days() for row in rows)
    label_w = min(max(text_size(r.label, 8.5, r.heading)[0] for r in rows) / 72 + 0.1, 3.6)
    date_w = max(text_size(r.glyph.text(), 7.5)[0] for r in rows if r.glyph) / 72 + 0.25
    shares = [2.8 if _detail(s) else 1.5 for s in spans] + ([0.5] if undated else [])
    plot_w = max(sum(shares), 5.0)
    width = 0.25 + label_w + date_w + plot_w + 0.3
    body = len(rows) * ROW + 0.3
    top = 1.0
    bottom = caption_height(caption, width) + 0.1
    ticks = 0.45
    height = top + body + ticks + bottom
    with style():
        fig = Figure(figsize=(width, height))
        x = 0.25 + label_w + date_w
        axes = []
        for share in shares:
            w = share * plot_w / sum(shares)
            ax = fig.add_axes((x / width, (bottom + ticks) / height, (w - 0.1) / width,
                               body / height))
            x += w
            ax.set_ylim(len(rows) - 0.4, -0.6)
            ax.set_yticks([])
            for side in ("top", "right", "left"):
                ax.spines[side].set_visible(False)
            axes.append(ax)
        first = axes[0]
        lanes = [i for i, r in enumerate(rows) if r.heading] + [len(rows)]
        for n, (i, end) in enumerate(itertools.pairwise(lanes)):
            for ax in axes:
                if n % 2 == 0:
                    ax.axhspan(i - 0.5, end - 0.5, color="#f0f0f0", zorder=0, linewidth=0)
        for i, row in enumerate(rows):
            y = first.transData.transform((0, i))[1]
            fig.text((0.25 + label_w) / width, fig.transFigure.inverted().transform((0, y))[1],
                     fit(row.label, 8.5 if row.heading else 8, label_w, row.heading),
                     ha="right", va="center", fontsize=8.5 if row.heading else 8,
                     fontweight="bold" if row.heading else "normal",
                     color="#000000" if row.heading else "#333333")
            if row.glyph:
                fig.text((0.25 + label_w + 0.12) / width,
                         fig.transFigure.inverted().transform((0, y))[1], row.glyph.text(),
                         ha="left", va="center", fontsize=7.5, color="#555555")
        for n, (ax, span, (lo, hi)) in enumerate(zip(axes, spans, _limits(spans),
                                                     strict=False)):
            ax.set_xlim(lo, hi)
            _date_axis(ax, span, _detail(span))
            for i, row in enumerate(rows):
                if row.glyph:
                    _draw(ax, i, row.glyph, row.color, lo, hi, (n == 0, n == len(spans) - 1))
        if undated:
            ax = axes[-1]
            ax.set_xlim(0, 1)
            ax.set_xticks([0.5], ["date\nunknown"], fontsize=7.5)
            for i, row in enumerate(rows):
                if row.glyph and not row.glyph.days():
                    ax.text(0.5, i, "?", ha="center", va="center", fontsize=10,
                            fontweight="bold", color=row.color)
        for left, right in itertools.pairwise(axes):
            for ax, at in ((left, 1), (right, 0)):
                ax.plot([at], [0], transform=ax.transAxes, marker=[(-1, -2), (1, 2)],
                        markersize=9, linestyle="none", color="#444444", clip_on=False)
        _legend(fig, width, height)
        add_title_caption(fig, title, caption, top, bottom)
    return fig


def _date_axis(ax, span: tuple[date, date], detail: bool) -> None:
    if detail:
        days = [span[0] + timedelta(days=i) for i in range((span[1] - span[0]).days + 1)]
        ax.set_xticks([mdates.date2num(d) + 0.5 for d in days],
                      [f"{d.day} {d.strftime('%b')}\n{d.year}" for d in days], fontsize=7.5)
        for d in [*days, span[1] + timedelta(days=1)]:
            ax.axvline(mdates.date2num(d), color="#d8d8d8", linewidth=0.6, zorder=1)
    else:
        locator = mdates.AutoDateLocator(minticks=2, maxticks=5)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.tick_params(axis="x", labelsize=7.5)
        ax.xaxis.get_offset_text().set_fontsize(7.5)


def _legend(fig: Figure, width: float, height: float) -> None:
    handles = [
        Line2D([], [], color="#555555", marker="o", linestyle="none", markersize=6,
               label="known to the day"),
        Line2D([], [], color="#555555", linewidth=3.2, marker="|", markersize=9,
               label="a window: known to some days or a month"),
        Line2D([], [], color="#555555", linewidth=2, marker=">", markersize=6,
               label="open-ended: only 'not before' or 'not after'"),
        Line2D([], [], color="#555555", marker="$?$", linestyle="none", markersize=7,
               label="date unknown"),
        Line2D([], [], color=OPERATION, linewidth=5, label="operation (lanes: the actor)"),
        Line2D([], [], color=POST, linewidth=5, label="posts (lanes: the thread)"),
    ]
    fig.legend(handles=handles, loc="upper left", ncol=3, frameon=False, fontsize=8,
               bbox_to_anchor=(0.2 / width, 1 - 0.5 / height), handlelength=2.4,
               columnspacing=1.8)


def render_timeline(store: KGStore, path: Path, actor: str | None = None,
                    min_confidence: float | None = None, status: str | None = None,
                    filters: str = "") -> int:
    """Draw the timeline to ``path``; how many items it shows."""
    if min_confidence is not None or status:
        raise KGError("--min-confidence and --status filter propositions; the timeline shows "
                      "operations and posts (use --focus ACTOR to narrow it)")
    rows = timeline_rows(store, actor)
    operations = sum(1 for r in rows if r.glyph and r.color == OPERATION)
    posts = sum(r.glyph.count for r in rows if r.glyph and r.color == POST)
    title = "Timeline of operations and posts" + (f" involving {actor}" if actor else "")
    caption = (f"{operations} operations in lanes by the actor that carried them out, and "
               f"{posts} posts in lanes by thread, placed by what the sources fix about their "
               f"dates: a dot is known to the day, a bar is a window, an arrow is open-ended "
               f"(only a lower or an upper bound is known), '?' is undated; the date column "
               f"says the same in words. Where dates bunch the axis is broken (//) and the "
               f"busy days are shown one by one. An operation with two actors is in both "
               f"lanes. "
               f"Data: {data_date(store)}.")
    save(draw_timeline(rows, title, caption), path)
    return operations + posts
