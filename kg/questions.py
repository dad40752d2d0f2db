"""Named questions: SPARQL files in kg/queries/, each with a header, run with bound parameters.

A question file starts with comment lines (``# uses: NAME`` takes the SPARQL of another
question; ``# postprocess: FUNCTION`` hands the question and its parameters to
``kg.postprocess.FUNCTION``, which runs the SPARQL itself on the part of the graph it needs;
``# lists:`` names aggregated columns; ``# table:`` the columns a terminal table shows;
``# example:`` KEY=VALUE parameters that show it at work)::

    # title: Who supported whom
    # description: Every kind of support between actors, alleged and disputed ones included.
    # param: actor entity optional  Only support given or received by this actor.

Parameters are bound as RDF terms in a ``VALUES`` block placed at the top of the query's
``WHERE`` (see :mod:`kg.sparql`) — every parameter, given or not (``UNDEF``), so a query tests
``BOUND(?actor)``. A value is always data, never query text. Two filters are offered by every
question: ``?minConfidence`` (0–100) and ``?onlyStatus`` (a ckg:Status).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.term import Node

from kg.claims import STATUSES
from kg.errors import KGError
from kg.namespaces import CKG, PREFIXES
from kg.resolve import resolve
from kg.rows import gc_paused, rdflib_term
from kg.sparql import with_table
from kg.store import KGStore

QUERIES = Path(__file__).resolve().parent / "queries"
KINDS = ("entity", "actor", "place", "string", "date", "number")
XSD = "http://www.w3.org/2001/XMLSchema#"


@dataclass(frozen=True)
class Param:
    """A parameter of a question."""

    name: str
    kind: str
    required: bool
    description: str


@dataclass
class Question:
    """A named question: its SPARQL and what it takes."""

    name: str
    title: str
    description: str
    sparql: str
    params: list[Param] = field(default_factory=list)
    postprocess: str | None = None
    lists: tuple[str, ...] = ()  # GROUP_CONCAT columns (" | "), sorted for stable output
    table: tuple[str, ...] = ()  # the columns a terminal table shows unless asked for all
    example: dict[str, str] = field(default_factory=dict)  # parameters that show it at work


def _parse(path: Path) -> Question:
    text = path.read_text(encoding="utf-8")
    header: dict[str, list[str]] = {}
    for line in text.splitlines():
        match = re.match(r"#\s*(\w+):\s*(.*)", line)
        if not line.startswith("#"):
            break
        if match:
            header.setdefault(match[1], []).append(match[2].strip())
    params = []
    for spec in header.get("param", []):
        name, kind, need, *rest = spec.split(maxsplit=3)
        if kind not in KINDS or need not in ("required", "optional"):
            raise KGError(f"{path}: bad param line {spec!r}: NAME KIND required|optional TEXT")
        params.append(Param(name, kind, need == "required", " ".join(rest)))
    if "title" not in header:
        raise KGError(f"{path}: a question needs a '# title:' line")
    uses = (header.get("uses") or [None])[0]
    question = Question(path.stem, header["title"][0], " ".join(header.get("description", [])),
                        text, params, (header.get("postprocess") or [None])[0],
                        tuple(" ".join(header.get("lists", [])).split()),
                        tuple(" ".join(header.get("table", [])).split()),
                        dict(pair.split("=", 1) for pair in " ".join(header.get("example", []))
                             .split()))
    if uses:  # the SPARQL of another question, with this one's parameters
        base = _parse(path.with_name(f"{uses}.rq"))
        question.sparql, question.lists = base.sparql, base.lists
        question.table = question.table or base.table
    return question


_parsed: dict[tuple, dict[str, Question]] = {}


def questions() -> dict[str, Question]:
    """Every named question, by name (the files are parsed again only when one changes)."""
    paths = sorted(QUERIES.glob("*.rq"))
    key = tuple((path, path.stat().st_mtime_ns, path.stat().st_size) for path in paths)
    if key not in _parsed:
        _parsed.clear()
        _parsed[key] = {q.name: q for q in map(_parse, paths)}
    return _parsed[key]


def get(name: str) -> Question:
    """One question; an unknown name lists the known ones."""
    known = questions()
    if name not in known:
        raise KGError(f"no question named {name!r}; known questions: {', '.join(known)}")
    return known[name]


def _term(store: KGStore, param: Param, raw: str) -> Node:
    if param.kind in ("entity", "actor", "place"):
        return resolve(store, raw, prefer=None if param.kind == "entity" else param.kind)
    if param.kind == "date":
        try:
            return rdflib.Literal(date.fromisoformat(raw))
        except ValueError:
            raise KGError(f"--param {param.name}: {raw!r} is not a date (YYYY-MM-DD)") from None
    if param.kind == "number":
        try:
            value = float(raw)
        except ValueError:
            raise KGError(f"--param {param.name}: {raw!r} is not a number") from None
        if not math.isfinite(value):
            raise KGError(f"--param {param.name}: {raw!r} is not a finite number")
        return rdflib.Literal(value)
    return rdflib.Literal(raw)


def status_term(name: str | None) -> rdflib.URIRef | None:
    """The ckg:Status a user names ('disputed', 'Disputed'), or None."""
    if name is None:
        return None
    for status in STATUSES:
        if status.lower() == name.strip().lower():
            return CKG[status]
    raise KGError(f"no status {name!r}; use one of {', '.join(s.lower() for s in STATUSES)}")


def bind(store: KGStore, question: Question, raw: dict[str, str],
         min_confidence: float | None = None, status: str | None = None
         ) -> dict[str, Node | None]:
    """Check and convert raw parameter values to RDF terms (entities resolved by name)."""
    known = {p.name: p for p in question.params}
    unknown = sorted(set(raw) - set(known))
    if unknown:
        allowed = ", ".join(known) or "none"
        raise KGError(f"{question.name} has no parameter {unknown[0]!r} (parameters: {allowed})")
    missing = [p.name for p in question.params if p.required and p.name not in raw]
    if missing:
        raise KGError(f"{question.name} needs {missing[0]}=… (kg ask {question.name} "
                      f"--help-question lists its parameters)")
    bindings: dict[str, Node | None] = {
        p.name: _term(store, p, raw[p.name]) if p.name in raw else None for p in question.params}
    if min_confidence is not None and not 0 <= min_confidence <= 100:
        raise KGError("--min-confidence takes a number from 0 to 100")
    bindings["minConfidence"] = None if min_confidence is None else rdflib.Literal(min_confidence)
    bindings["onlyStatus"] = status_term(status)
    return bindings


_DIGITS = re.compile(r"(\d+)")


def _natural(part: str) -> tuple:
    """A sort key that orders numbers by value: "post 9" before "post 10".

    >>> sorted(["10", "9", "b2", "b10"], key=_natural)
    ['9', '10', 'b2', 'b10']
    """
    if part.isdecimal():  # a post number, most list items: no regular expression
        return ("", int(part), "")
    return tuple(int(x) if x.isdecimal() else x for x in _DIGITS.split(part))


def _sorted_text(text: str) -> str:
    """A ' | '-joined list in a stable (natural) order, whatever order the engine gave."""
    if " | " not in text:
        return text
    return " | ".join(sorted(text.split(" | "), key=_natural))


def _sorted_list(value: Node | str) -> Node:
    return rdflib.Literal(_sorted_text(str(value)))


def _sorted_list_term(term: ox.Literal) -> Node:
    return _sorted_list(term.value)


def _sorted_list_value(term: ox.Literal) -> str:
    return _sorted_text(term.value)


def python_value(term: Node) -> object:
    """An rdflib term as a plain value: an IRI's or blank node's string, a literal's value.

    >>> python_value(rdflib.Literal(75))
    75
    """
    return term.toPython() if isinstance(term, rdflib.Literal) else str(term)


_XSD_STRING, _XSD_INTEGER = str(rdflib.XSD.string), str(rdflib.XSD.integer)


def _python_value_of(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> object:
    """An Oxigraph term as :func:`python_value` gives it (strings and integers without an
    rdflib term)."""
    if not isinstance(term, ox.Literal) or term.language:
        return term.value
    datatype = term.datatype.value
    if datatype == _XSD_STRING:
        return term.value
    if datatype == _XSD_INTEGER and term.value.lstrip("+-").isdigit():
        return int(term.value)
    return python_value(rdflib_term(term))


def select(store: KGStore, question: Question, bindings: dict[str, Node | None] | None = None,
           table: tuple[list[str], list[list[Node | None]]] | None = None,
           values: bool = False) -> tuple[list[str], list[dict]]:
    """Columns and rows of the question's SPARQL, list columns sorted, for ``bindings`` (or for
    each row of a VALUES ``table``: names and rows of terms, None for UNDEF). With ``values``,
    each cell is a plain value (:func:`python_value`), not an rdflib term.

    On Oxigraph the solutions are read from the store directly, each distinct term of a column
    converted once: at thousands of rows, building rdflib terms one by one through a generic
    result costs more than the query (and a view, which needs plain values, needs none).
    """
    if table is None:
        names = sorted(bindings or {})
        table = (names, [[(bindings or {})[n] for n in names]])
    sparql = with_table(question.sparql, *table) if table[0] else question.sparql
    if store.ox is None:
        result = store.query(sparql)
        columns = [str(v) for v in result.vars or []]
        rows = [{c: _sorted_list(row[i]) if c in question.lists else row[i]
                 for i, c in enumerate(columns) if row[i] is not None} for row in result]
        return columns, [_values(row) for row in rows] if values else rows
    try:
        solutions = store.ox.query(sparql, prefixes=PREFIXES)
    except SyntaxError as error:
        raise KGError(f"{question.name}: {error}") from None
    columns = [v.value for v in solutions.variables]
    as_list, as_term = ((_sorted_list_value, _python_value_of) if values
                        else (_sorted_list_term, rdflib_term))
    converters = [as_list if c in question.lists else as_term for c in columns]
    caches: list[dict] = [{} for _ in columns]
    # as a plain value an IRI is its string, read without a cache lookup (at thousands of
    # rows, half the time this loop takes)
    plain_iri = ox.NamedNode if values else None
    rows = []
    for solution in solutions:
        row = {}
        for column, cache, convert, term in zip(columns, caches, converters, solution,
                                                strict=True):
            if term is None:
                continue
            if type(term) is plain_iri:
                row[column] = term.value
                continue
            node = cache.get(term)
            if node is None:
                node = cache[term] = convert(term)
            row[column] = node
        rows.append(row)
    return columns, rows


def _values(row: dict[str, Node]) -> dict[str, object]:
    return {column: python_value(term) for column, term in row.items()}


@gc_paused()
def run(store: KGStore, name: str, params: dict[str, str] | None = None,
        min_confidence: float | None = None, status: str | None = None, values: bool = False
        ) -> tuple[list[str], list[dict]]:
    """Columns and rows of a named question (with ``values``, plain values: see :func:`select`).

    >>> # run(store, "who-supported-whom", {"actor": "SDF"}, min_confidence=30)
    """
    question = get(name)
    bindings = bind(store, question, params or {}, min_confidence, status)
    if question.postprocess:
        from kg import postprocess  # late: postprocess imports this module

        columns, rows = getattr(postprocess, question.postprocess)(store, question, bindings)
        return columns, [_values(row) for row in rows] if values else rows
    return select(store, question, bindings, values=values)
