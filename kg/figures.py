"""What every picture shares: status line styles, text measurement, title and caption, the date
of the data, and saving so that the same input gives the same bytes (no timestamps, fixed SVG
ids, text kept as text in SVG).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

from kg.claims import STATUSES
from kg.errors import KGError
from kg.store import KGStore

FONT = "DejaVu Sans"  # ships with matplotlib, so every machine measures and draws the same
FORMATS = ("png", "svg", "pdf")
DPI = 150
CAPTION_FONT = 8.5
RC = {
    "font.family": "sans-serif",
    "font.sans-serif": [FONT],
    "svg.fonttype": "none",          # text stays text: searchable, editable in a report
    "svg.hashsalt": "conflict-kg",   # fixed ids instead of random ones
    "pdf.fonttype": 42,
    "path.simplify": False,
}
METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"Creator": None, "Producer": None, "CreationDate": None},
}


@dataclass(frozen=True)
class StatusStyle:
    """How a relation of one status is drawn."""

    color: str
    linestyle: str | tuple
    meaning: str
    width: float = 1.3


STATUS_STYLES: dict[str, StatusStyle] = {
    "confirmed": StatusStyle("#1a1a1a", "-", "thick solid: confirmed", 2.0),
    "corroborated": StatusStyle("#1a1a1a", "-", "solid: corroborated"),
    "reported": StatusStyle("#3c3c3c", (0, (5, 3)), "dashed: reported"),
    "alleged": StatusStyle("#3c3c3c", (0, (2, 2)), "short dashes: alleged"),
    "unverified": StatusStyle("#9a9a9a", (0, (1, 2)), "grey dotted: unverified"),
    "disputed": StatusStyle("#d62728", (0, (5, 3)), "red dashed: disputed"),
    "refuted": StatusStyle("#d62728", (0, (1, 2)), "red dotted: refuted"),
}
STATUS_ORDER = tuple(s.lower() for s in STATUSES)
NO_STATUS = StatusStyle("#8a8a8a", "-", "thin grey: structural link (no status)", 0.7)


def status_style(status: object) -> StatusStyle:
    """The style of a status name (case-insensitive); structural links have none."""
    return STATUS_STYLES.get(str(status or "").lower(), NO_STATUS)


@lru_cache(maxsize=4096)
def text_size(text: str, size: float, bold: bool = False) -> tuple[float, float]:
    """Width and height in points of (possibly multi-line) ``text`` in the project's font."""
    prop = FontProperties(family=FONT, size=size, weight="bold" if bold else "normal")
    lines = text.split("\n")
    widths = [TextToPath().get_text_width_height_descent(line or " ", prop, ismath=False)[0]
              for line in lines]
    return max(widths), size * 1.2 * len(lines)


def fit(text: str, size: float, width: float, bold: bool = False) -> str:
    """``text`` cut (with '…') to fit ``width`` inches at font ``size``."""
    if text_size(text, size, bold)[0] <= width * 72:
        return text
    while text and text_size(text + "…", size, bold)[0] > width * 72:
        text = text[:-1]
    return text.rstrip() + "…"


def humanize(name: str) -> str:
    """Words of a camel-case name, acronyms kept.

    >>> humanize("providesAirSupport"), humanize("VBIEDAttack")
    ('provides air support', 'VBIED attack')
    """
    words, word = [], ""
    for i, ch in enumerate(name):
        following = name[i + 1] if i + 1 < len(name) else ""
        boundary = ch.isupper() and word and (not word[-1].isupper() or following.islower())
        if boundary:
            words.append(word)
            word = ""
        word += ch
    words.append(word)
    return " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in words if w)


def wrap(text: str, width: int) -> str:
    """Text broken into lines of at most ``width`` characters (long words kept whole)."""
    return "\n".join(textwrap.wrap(text, width, break_long_words=False,
                                   break_on_hyphens=False)) or text


DATA_DATE = """
SELECT ?latest ?posts WHERE {
  { SELECT (COUNT(?post) AS ?posts) WHERE { ?post a ckg:Post } }
  OPTIONAL { SELECT (MAX(STR(?date)) AS ?latest) WHERE {
    ?dated a ckg:Post ; ckg:time/ckg:earliest ?date } }
}
"""


def data_date(store: KGStore) -> str:
    """'60 posts, the latest of 2022-01-22': what the picture's data is as of."""
    rows = store.select(DATA_DATE)
    if not rows or "latest" not in rows[0]:
        return "no dated posts"
    posts = int(rows[0]["posts"])
    return f"{posts} posts, the latest of {str(rows[0]['latest'])[:10]}"


def add_title_caption(fig: Figure, title: str, caption: str, top: float, bottom: float) -> None:
    """Title in the ``top`` inches of ``fig``, caption in the ``bottom`` inches."""
    width, height = fig.get_size_inches()
    fig.text(0.25 / width, 1 - 0.22 / height, title, ha="left", va="top", fontsize=14,
             fontweight="bold")
    fig.text(0.25 / width, (bottom - 0.12) / height, _caption_lines(caption, width), ha="left",
             va="top", fontsize=CAPTION_FONT, color="#333333", linespacing=1.35)


def _caption_lines(caption: str, width: float) -> str:
    """The caption wrapped to a figure ``width`` inches wide (paragraphs kept)."""
    chars = max(int((width - 0.5) * 72 / (CAPTION_FONT * 0.56)), 40)
    return "\n".join(wrap(part, chars) for part in caption.split("\n"))


def caption_height(caption: str, width: float) -> float:
    """Inches the caption needs at figure width ``width`` inches."""
    lines = _caption_lines(caption, width).count("\n") + 1
    return 0.25 + lines * CAPTION_FONT * 1.35 / 72


def out_format(path: Path) -> str:
    """png, svg or pdf, from the file's suffix; a clear error otherwise."""
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise KGError(f"cannot write {path}: the suffix picks the format; use one of "
                      f"{', '.join('.' + f for f in FORMATS)} (or .html for a network view)")
    return fmt


@contextmanager
def style() -> Iterator[None]:
    """The project's matplotlib settings, for drawing and saving."""
    with matplotlib.rc_context(RC):
        yield


def save(fig: Figure, path: Path) -> Path:
    """Write ``fig`` to ``path`` (format by suffix) with no timestamps: same input, same file."""
    fmt = out_format(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with style():
        fig.savefig(path, format=fmt, dpi=DPI, metadata=METADATA[fmt], facecolor="white")
    return path
