"""`kg render quantity`: how a number was reported over time and by whom, from the
`quantity-history` question — one panel per number (what it is about, which quantity).

A report is drawn as what it says: a dot for an exact figure, a dot with a band for an
approximate one ('~20'), an arrow up from a lower bound ('≥100', '100s'), an arrow down from
an upper bound, a bar for a range ('100s–1000s'). Colour is the claimant; a hollow mark is a
report that questions the figure, a cross one that denies it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from kg.errors import KGError
from kg.figures import add_title_caption, caption_height, data_date, fit, save, style
from kg.namespaces import CKG
from kg.questions import run
from kg.store import KGStore
from kg.views import node_info

TOLERANCE = 0.25   # the band drawn around an approximate figure: ±25 %
PALETTE = ("#1f77b4", "#d95f02", "#2ca02c", "#7570b3", "#e7298a", "#8c564b", "#17becf",
           "#bcbd22")


@dataclass
class Report:
    """One claim about a number."""

    post: int
    day: str
    claimant: str
    stance: str
    value: float | None
    low: float | None
    high: float | None
    approximate: bool
    share: bool
    status: str
    as_of_hours: float | None
    via: str | None = None  # the number this bound is implied by: '89 escapees recaptured'

    def text(self) -> str:
        """The figure as stated: '~20', '≥100', '100–9,999', '25 %'."""
        unit = " %" if self.share else ""
        tilde = "~" if self.approximate else ""
        if self.value is not None:
            text = f"{tilde}{self.value:,.0f}{unit}"
        elif self.low is not None and self.high is not None:
            text = f"{tilde}{self.low:,.0f}–{self.high:,.0f}{unit}"
        elif self.low is not None:
            text = f"≥{tilde}{self.low:,.0f}{unit}"
        else:
            text = f"≤{tilde}{self.high:,.0f}{unit}"
        if self.as_of_hours is not None:
            text += f" at {self.as_of_hours:g} h"
        if self.via:
            text += f"\n(from {self.via})"
        return text

    def level(self) -> float:
        return next(v for v in (self.value, self.low, self.high) if v is not None)


def _number(row: dict, key: str) -> float | None:
    return float(row[key].toPython()) if key in row else None


def reports(store: KGStore, subject: str | None = None, quantity: str | None = None,
            min_confidence: float | None = None, status: str | None = None
            ) -> dict[tuple[str, str], list[Report]]:
    """Reports of each number, keyed by (subject label, quantity name), in post order."""
    params = {k: v for k, v in (("subject", subject), ("quantity", quantity)) if v}
    _, rows = run(store, "quantity-history", params, min_confidence, status)
    if not rows:
        what = " ".join(f"{k} {v!r}" for k, v in params.items()) or "any number"
        raise KGError(f"no reported numbers for {what}; the quantities are named like "
                      f"'escapees', 'killed', 'detainee count' (kg ask quantity-history)")
    names = node_info(store, sorted({str(r[k]) for r in rows for k in ("subject", "claimant")}))
    out: dict[tuple[str, str], list[Report]] = {}
    for r in rows:
        share = _number(r, "share")
        out.setdefault((names[str(r["subject"])]["label"], str(r["measure"])), []).append(Report(
            post=int(r["post"]), day=str(r.get("postDate", ""))[:10],
            claimant=names[str(r["claimant"])]["label"],
            stance=str(r["stance"]).removeprefix(str(CKG)).lower(),
            value=share if share is not None else _number(r, "value"),
            low=_number(r, "minValue"), high=_number(r, "maxValue"),
            approximate=bool(r["approximate"].toPython()) if "approximate" in r else False,
            share=share is not None,
            status=str(r["propositionStatus"]).removeprefix(str(CKG)).lower(),
            as_of_hours=_number(r, "asOfHours"),
            via=str(r["via"]) if "via" in r else None))
    return dict(sorted(out.items()))


def _draw_report(ax, x: float, report: Report, color: str, log: bool, top: float) -> None:
    hollow = report.stance == "questions"
    face = "white" if hollow else color
    y = report.level()
    if report.stance == "denies":
        ax.plot([x], [y], marker="X", markersize=9, color=color, zorder=4, linestyle="none")
    elif report.value is None and report.low is not None and report.high is not None:
        ax.plot([x, x], [report.low, report.high], color=color, linewidth=3, zorder=3,
                solid_capstyle="butt")
        for end in (report.low, report.high):
            ax.plot([x - 0.08, x + 0.08], [end, end], color=color, linewidth=1.6, zorder=3)
    else:
        ax.plot([x], [y], marker="o", markersize=8, markerfacecolor=face,
                markeredgecolor=color, markeredgewidth=1.8, zorder=4, linestyle="none")
    if report.value is not None and report.approximate:
        ax.fill_between([x - 0.13, x + 0.13], y * (1 - TOLERANCE), y * (1 + TOLERANCE),
                        color=color, alpha=0.18, linewidth=0, zorder=2)
    if report.value is None and (report.low is None) != (report.high is None):
        up = report.high is None
        end = min(y * 3.5, top) if log else min(y + top * 0.28, top)
        end = end if up else (y / 3.5 if log else max(y - top * 0.28, 0))
        ax.annotate("", xy=(x, end), xytext=(x, y),
                    arrowprops={"arrowstyle": "-|>", "color": color, "linewidth": 2.2,
                                "mutation_scale": 14, "shrinkA": 4, "shrinkB": 0}, zorder=3)
    lines = [report.text()] + ([] if report.status == "reported" else [report.status]) + (
        ["questioned"] if hollow else [])
    bound = report.value is None
    above = y * (1 + TOLERANCE) if report.approximate and not bound else y
    ax.annotate("\n".join(lines), (x, above), xytext=(9, 0) if bound else (0, 8),
                textcoords="offset points", fontsize=8, va="center" if bound else "bottom",
                ha="left" if bound else "center", zorder=5, linespacing=1.1,
                color="#d62728" if report.status in ("disputed", "refuted") else "#222222",
                bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none",
                      "alpha": 0.8})


def _panel(ax, items: list[Report], colors: dict[str, str], title: str | None,
           measure: str) -> None:
    posts = sorted({(r.day, r.post) for r in items})
    at = {p: i for i, p in enumerate(posts)}
    levels = [v for r in items for v in (r.value, r.low, r.high) if v is not None]
    log = max(levels) / max(min(levels), 1e-9) > 50
    top = max(levels) * (12 if log else 1.5)
    if log:
        ax.set_yscale("log")
        ax.set_ylim(min(levels) / 3, top)
    else:
        ax.set_ylim(0, top)
    by_post: dict[tuple[str, int], list[str]] = {}
    for r in items:
        by_post.setdefault((r.day, r.post), [])
        if r.claimant not in by_post[(r.day, r.post)]:
            by_post[(r.day, r.post)].append(r.claimant)
    for r in items:
        who = by_post[(r.day, r.post)]
        x = at[(r.day, r.post)] + (who.index(r.claimant) - (len(who) - 1) / 2) * 0.22
        _draw_report(ax, x, r, colors[r.claimant], log, top)
    ax.set_xlim(-0.6, len(posts) - 0.4 + 0.9)
    ax.set_xticks(range(len(posts)), [f"post {p}\n{_short(d)}" for d, p in posts], fontsize=8)
    ax.tick_params(axis="y", labelsize=8)
    if title:
        width = ax.get_position().width * ax.figure.get_size_inches()[0]
        ax.set_title(fit(title, 10, width, bold=True), fontsize=10, loc="left",
                     fontweight="bold")
    ax.grid(axis="y", color="#e6e6e6", linewidth=0.7)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_ylabel(f"{measure} (%)" if any(r.share for r in items) else measure, fontsize=8.5)


def _short(day: str) -> str:
    if not day:
        return "undated"
    from datetime import date

    d = date.fromisoformat(day)
    return f"{d.day} {d.strftime('%b %Y')}"


def draw_quantity(groups: dict[tuple[str, str], list[Report]], title: str, caption: str
                  ) -> Figure:
    """One panel per number, two across when there are several; legend on top."""
    claimants = list(dict.fromkeys(r.claimant for items in groups.values() for r in items))
    colors = {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(claimants)}
    cols = 1 if len(groups) == 1 else 2
    rows = math.ceil(len(groups) / cols)
    panel_w, panel_h = (7.5, 3.6) if cols == 1 else (5.6, 2.9)
    width = cols * panel_w + 0.6
    legend_h = 0.3 + 0.22 * math.ceil((len(claimants) + 4) / 3)
    top = 0.55 + legend_h
    bottom = caption_height(caption, width) + 0.1
    height = top + rows * (panel_h + 0.75) + bottom
    with style():
        fig = Figure(figsize=(width, height))
        for i, ((subject, measure), items) in enumerate(groups.items()):
            row, col = divmod(i, cols)
            ax = fig.add_axes(((0.7 + col * panel_w) / width,
                               (bottom + (rows - row - 1) * (panel_h + 0.75) + 0.55) / height,
                               (panel_w - 0.9) / width, panel_h / height))
            _panel(ax, items, colors, f"{measure} — {subject}" if len(groups) > 1 else None,
                   measure)
        handles = [Line2D([], [], marker="o", linestyle="none", markersize=8, color=colors[c],
                          label=c) for c in claimants]
        handles += [
            Line2D([], [], marker="o", linestyle="none", markersize=8, markerfacecolor="white",
                   markeredgecolor="#555555", markeredgewidth=1.8, label="hollow: questioned"),
            Patch(facecolor="#555555", alpha=0.25, label=f"band: approximate (±{TOLERANCE:.0%})"),
            Line2D([], [], color="#555555", marker="^", linewidth=2,
                   label="arrow: only a bound (≥ up, ≤ down)"),
            Line2D([], [], color="#555555", linewidth=3, label="bar: a range"),
        ]
        fig.legend(handles=handles, loc="upper left", ncol=3, frameon=False, fontsize=8,
                   bbox_to_anchor=(0.2 / width, 1 - 0.5 / height), title="Claimant (colour)",
                   title_fontsize=8.5, alignment="left", columnspacing=1.5)
        add_title_caption(fig, title, caption, top, bottom)
    return fig


def render_quantity(store: KGStore, path: Path, subject: str | None = None,
                    quantity: str | None = None, min_confidence: float | None = None,
                    status: str | None = None, filters: str = "") -> int:
    """Draw the reports of the chosen numbers to ``path``; how many reports it shows."""
    groups = reports(store, subject, quantity, min_confidence, status)
    items = [r for group in groups.values() for r in group]
    if len(groups) == 1:
        (subject_label, measure), = groups
        title = f"{measure.capitalize()} — {subject_label}: as reported over time"
    else:
        title = f"Reported numbers over time ({len(groups)} quantities)"
    claimants = len({r.claimant for r in items})
    posts = len({r.post for r in items})
    caption = (f"Each mark is one claim about the number: its claimant (colour), the post it "
               f"was made in (across, in post order) and the figure as stated — a dot for an "
               f"exact figure, a dot with a band (±{TOLERANCE:.0%}) for an approximate one "
               f"('~20'), an arrow from a lower or upper bound ('≥100' for '100s'), a bar for "
               f"a range; hollow when the claimant questions it, a cross when denied. The "
               f"status of the proposition follows the figure unless it is 'reported'. "
               f"{len(items)} claims by {claimants} claimants in {posts} posts. {filters} "
               f"Data: {data_date(store)}.")
    save(draw_quantity(groups, title, caption), path)
    return len(items)
