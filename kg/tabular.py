"""Query results as a table, CSV, JSON or a pandas DataFrame; IRIs shown by label (JSON keeps
IRI and label).

JSON output is a list of rows; an IRI is ``{"iri": …, "label": …}``, a literal its Python value.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import textwrap
from decimal import Decimal
from typing import TYPE_CHECKING

import rdflib
from rdflib.term import Node

from kg.namespaces import shorten
from kg.store import KGStore

if TYPE_CHECKING:
    import pandas as pd

FORMATS = ("table", "csv", "json")

LABELS = """
SELECT ?x (SAMPLE(?l) AS ?label) WHERE {
  VALUES ?x { %s } ?x rdfs:label|skos:prefLabel ?l .
} GROUP BY ?x
"""


def labels(store: KGStore, rows: list[dict[str, Node]]) -> dict[str, str]:
    """rdfs:label of every IRI in ``rows``, fetched in one query."""
    iris = sorted({str(v) for row in rows for v in row.values() if isinstance(v, rdflib.URIRef)})
    found: dict[str, str] = {}
    for start in range(0, len(iris), 500):
        chunk = " ".join(f"<{iri}>" for iri in iris[start:start + 500])
        for row in store.select(LABELS % chunk):
            found[str(row["x"])] = str(row["label"])
    return found


def _plain(value: Node | None, names: dict[str, str]) -> str:
    if value is None:
        return ""
    if isinstance(value, rdflib.URIRef):
        return names.get(str(value), shorten(str(value)))
    if str(value).startswith("http"):  # a list of IRIs aggregated as text
        return " | ".join(names.get(part, shorten(part)) for part in str(value).split(" | "))
    return str(value)


def _json_value(value: Node | None, names: dict[str, str]) -> object:
    if value is None:
        return None
    if isinstance(value, rdflib.URIRef):
        return {"iri": str(value), "label": names.get(str(value), shorten(str(value)))}
    if isinstance(value, rdflib.Literal):
        python = value.toPython()
        return python if isinstance(python, (int, float, bool, str)) else str(value)
    return str(value)


def _cell(value: Node | None, names: dict[str, str]) -> object:
    """A DataFrame cell: an IRI (or a list of IRIs) by label, a literal as its Python value."""
    if value is None:
        return None
    if isinstance(value, rdflib.URIRef) or str(value).startswith("http"):
        return _plain(value, names)
    python = value.toPython() if isinstance(value, rdflib.Literal) else str(value)
    return float(python) if isinstance(python, Decimal) else python


def to_dataframe(store: KGStore, columns: list[str], rows: list[dict[str, Node]]
                 ) -> pd.DataFrame:
    """Rows of a question (or of ``store.select``) as a pandas DataFrame, one column per name
    in ``columns``: IRIs shown by label, numbers, booleans and dates as Python values, unbound
    cells as None.

    >>> # columns, rows = run(store, "who-supported-whom"); to_dataframe(store, columns, rows)
    """
    import pandas as pd  # late: the command line does not need it

    names = labels(store, rows)
    return pd.DataFrame([[_cell(row.get(c), names) for c in columns] for row in rows],
                        columns=columns)


def render(rows: list[dict[str, Node]], columns: list[str], fmt: str, store: KGStore,
           width: int | None = None) -> str:
    """Rows in one of FORMATS."""
    names = labels(store, rows)
    if fmt == "json":
        data = [{c: _json_value(row.get(c), names) for c in columns} for row in rows]
        return json.dumps(data, indent=2, ensure_ascii=False)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([[_plain(row.get(c), names) for c in columns] for row in rows])
        return out.getvalue()
    return _table([[_plain(row.get(c), names) for c in columns] for row in rows], columns,
                  width or shutil.get_terminal_size((120, 20)).columns)


def _table(cells: list[list[str]], columns: list[str], width: int) -> str:
    """A plain-text table that wraps long cells to fit ``width``. Columns are split by " | ",
    so a cell's own list (posts "31 | 43") shows its items split by "; " (posts "31; 43").
    """
    cells = [[cell.replace(" | ", "; ") for cell in row] for row in cells]
    if not cells:
        return "(no rows)"
    natural = [max(len(columns[i]), *(len(r[i]) for r in cells)) for i in range(len(columns))]
    budget = max(width - 3 * (len(columns) - 1), 20)
    widths = natural[:]
    while sum(widths) > budget and max(widths) > 12:
        widest = widths.index(max(widths))
        widths[widest] -= 1
    lines = [" | ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)),
             "-+-".join("-" * w for w in widths)]
    for row in cells:
        wrapped = [textwrap.wrap(cell, w) or [""] for cell, w in zip(row, widths, strict=True)]
        for i in range(max(len(w) for w in wrapped)):
            lines.append(" | ".join((w[i] if i < len(w) else "").ljust(width)
                                    for w, width in zip(wrapped, widths, strict=True)).rstrip())
    lines.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(lines)
