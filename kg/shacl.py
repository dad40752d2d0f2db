"""SHACL validation: core constraints, then SPARQL-based constraints (``sh:sparql``) run by the
store itself, by one of two engines.

* **pySHACL** (the reference) checks the core constraints on an rdflib copy of the graph. It is
  used for graphs of up to ``PYSHACL_MAX_TRIPLES`` triples — the curated data (the corpus is
  about 10 k triples, about a second).
* **SPARQL** (:mod:`kg.shacl_core`) compiles the same shapes into SPARQL queries the store runs,
  several at a time: the fast path for generated or ingested bulk, where an rdflib copy alone
  would take minutes and gigabytes. Both engines report the same problems (tested on the corpus
  and on broken copies of it). If the shapes use a feature the compiler does not cover, pySHACL
  is used whatever the size: slow, but no rule is ever skipped. The compiled rules rely on
  Oxigraph's SPARQL (lexical checks by casts, anti-joins), so a graph on rdflib's Memory store
  is always checked by pySHACL.

``KG_SHACL=pyshacl`` or ``KG_SHACL=sparql`` forces an engine.

pySHACL evaluates each ``sh:SPARQLConstraint`` once per focus node with rdflib's engine — 18 s
for this corpus's 21 constraints, against under a second for everything else. Here each
constraint runs once, on the store (Oxigraph when it is the backend), with the shape's targets
put at the top of its ``WHERE`` so ``$this`` is bound exactly as pre-binding would bind it.
The results are the same; the cost grows with the data, not with data × constraints.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import rdflib
from pyshacl import validate as pyshacl_validate
from rdflib.namespace import SH

from kg.errors import KGError
from kg.namespaces import shorten
from kg.rows import term_rows
from kg.shacl_core import Compiler, CoreQuery, Unsupported, compile_shapes, profile_query
from kg.store import KGStore

#: Graphs up to this many triples are validated by pySHACL, bigger ones by the SPARQL engine.
PYSHACL_MAX_TRIPLES = 50_000
ENGINES = ("pyshacl", "sparql")


@dataclass(frozen=True)
class SparqlConstraint:
    """One ``sh:sparql`` constraint with the targets of its shape."""

    shape: str
    targets: str  # a SPARQL group pattern binding ?this
    select: str
    message: str


@dataclass(frozen=True)
class Violation:
    """A focus node that breaks a constraint; ``path`` and ``value`` where known."""

    focus: rdflib.term.Node
    message: str
    path: rdflib.term.Node | None = None
    value: rdflib.term.Node | None = None


def _targets(shapes: rdflib.Graph, shape: rdflib.term.Node) -> str:
    targets = Compiler(shapes).targets(shape)
    if not targets:
        raise KGError(f"shape {shorten(str(shape))}: an sh:sparql constraint needs a target")
    return targets


def split(shapes: rdflib.Graph) -> tuple[rdflib.Graph, list[SparqlConstraint]]:
    """The shapes without their SPARQL constraints, and those constraints."""
    core = rdflib.Graph()
    for triple in shapes:
        if triple[1] != SH.sparql:
            core.add(triple)
    constraints = []
    for shape, constraint in shapes.subject_objects(SH.sparql):
        if (shape, SH.path, None) in shapes:
            raise KGError(f"shape {shorten(str(shape))}: sh:sparql on a property shape is not "
                          f"supported; put it on the node shape")
        select = str(shapes.value(constraint, SH.select))
        message = str(shapes.value(constraint, SH.message) or "violates a SPARQL constraint")
        constraints.append(SparqlConstraint(str(shape), _targets(shapes, shape),
                                            select.replace("$this", "?this"), message))
    return core, sorted(constraints, key=lambda c: (c.shape, c.select))


def _parallel(store: KGStore, work: Callable[[object], list], items: Iterable) -> list:
    """Run ``work`` on every item, two at a time on Oxigraph (which releases the GIL while it
    evaluates a query), in order; flatten the results."""
    items = list(items)
    if store.ox is None or len(items) < 2:
        return [found for item in items for found in work(item)]
    with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        return [found for chunk in pool.map(work, items) for found in chunk]


def _sparql_constraint_violations(store: KGStore, constraint: SparqlConstraint
                                  ) -> list[Violation]:
    match = re.search(r"\bWHERE\s*\{", constraint.select, re.IGNORECASE)
    if not match:
        raise KGError(f"shape {shorten(constraint.shape)}: sh:select needs a WHERE {{ … }}")
    at = match.end()
    query = f"{constraint.select[:at]} {constraint.targets} {constraint.select[at:]}"
    found = []
    for row in term_rows(store, query):
        value = row.get("value")
        message = (constraint.message.replace("{$this}", shorten(str(row["this"])))
                   .replace("{?value}", shorten(str(value)) if value is not None else ""))
        found.append(Violation(row["this"], message, row.get("path"), value))
    return found


def run_sparql_constraints(store: KGStore, constraints: list[SparqlConstraint]
                           ) -> list[Violation]:
    """Every violation of the SPARQL constraints, each query run once over all targets."""
    return _parallel(store, lambda c: _sparql_constraint_violations(store, c), constraints)


def _core_violations(store: KGStore, query: CoreQuery) -> list[Violation]:
    return [Violation(row["this"], query.message, query.path,
                      row["this"] if query.node_level else row.get("value"))
            for row in term_rows(store, query.sparql)]


def _profile(store: KGStore, targets: str) -> tuple[int, dict[str, tuple[int, int]]]:
    total, stats = 0, {}
    for row in term_rows(store, profile_query(targets)):
        if "total" in row:
            total = int(row["total"])
        else:
            stats[str(row["p"])] = (int(row["n"]), int(row["d"]))
    return total, stats


def run_core_queries(store: KGStore, queries: list[CoreQuery]) -> list[Violation]:
    """Every violation of the compiled core constraints, in two rounds: first a profile of
    each set of targets and every distinct screen (a property shape shared by several node
    shapes is screened once); then only the queries these do not clear."""
    targets = sorted({q.counts.targets for q in queries if q.counts is not None})
    screens = sorted({q.screen for q in queries if q.screen is not None})
    first = _parallel(store, lambda job: [job()], [
        *(functools.partial(_profile, store, t) for t in targets),
        *(functools.partial(lambda text: bool(term_rows(store, text)), s) for s in screens)])
    profiles = dict(zip(targets, first[:len(targets)], strict=True))
    flagged = dict(zip(screens, first[len(targets):], strict=True))
    needed = [q for q in queries
              if not (q.counts is not None and q.counts.satisfied(*profiles[q.counts.targets]))
              and (q.screen is None or flagged[q.screen])]
    return _parallel(store, lambda q: _core_violations(store, q), needed)


def engine(store: KGStore, shapes: rdflib.Graph) -> str:
    """``pyshacl`` or ``sparql``: which engine validates this graph (see the module doc)."""
    forced = os.environ.get("KG_SHACL", "").strip().lower()
    if forced and forced not in ENGINES:
        raise KGError(f"KG_SHACL={forced!r}: use one of {', '.join(ENGINES)}")
    if store.ox is None:  # the compiled rules rely on Oxigraph's SPARQL (casts, anti-joins)
        if forced == "sparql":
            raise KGError("KG_SHACL=sparql needs the embedded Oxigraph store")
        return "pyshacl"
    if forced:
        return forced
    try:
        compile_shapes(split(shapes)[0])
    except Unsupported:
        return "pyshacl"
    big = store.count(f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {PYSHACL_MAX_TRIPLES + 1}")
    return "sparql" if big > PYSHACL_MAX_TRIPLES else "pyshacl"


def validate_on_store(store: KGStore, shapes: rdflib.Graph) -> list[Violation]:
    """All violations, core and SPARQL constraints alike, found by queries on ``store``."""
    core, constraints = split(shapes)
    try:
        queries = compile_shapes(core)
    except Unsupported as error:
        raise KGError(f"the SPARQL SHACL engine does not support {error}; "
                      f"use KG_SHACL=pyshacl") from None
    return run_core_queries(store, queries) + run_sparql_constraints(store, constraints)


def validate(store: KGStore, data: rdflib.Graph, shapes: rdflib.Graph) -> list[Violation]:
    """All violations: core constraints by pySHACL on ``data``, SPARQL ones on ``store``."""
    core, constraints = split(shapes)
    conforms, report, _ = pyshacl_validate(data, shacl_graph=core, inference="none",
                                           advanced=True, allow_warnings=True)
    found = []
    if not conforms:
        for result in report.subjects(rdflib.RDF.type, SH.ValidationResult):
            if report.value(result, SH.resultSeverity) == SH.Violation:
                found.append(Violation(report.value(result, SH.focusNode),
                                       str(report.value(result, SH.resultMessage)),
                                       report.value(result, SH.resultPath),
                                       report.value(result, SH.value)))
    return found + run_sparql_constraints(store, constraints)
