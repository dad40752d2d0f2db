"""SELECT results for code that reads many rows, or reads them on worker threads: straight from
Oxigraph when the store is embedded, through :meth:`KGStore.select` otherwise.

:func:`plain_rows` gives each value as a string (an IRI's string, a literal's lexical form:
``"3"``, ``"true"``) — an rdflib term per cell costs about 10 µs, a string well under one.
:func:`term_rows` gives rdflib terms, as :meth:`KGStore.select` does, but consumes and drops
Oxigraph's result in the calling thread (Oxigraph's results must not be dropped by another
thread, which rdflib's result objects, freed later by the garbage collector, may do).
Unbound variables are left out of their row.
"""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox
import rdflib
from rdflib.term import Node

from kg.errors import KGError
from kg.namespaces import PREFIXES
from kg.store import KGStore


def _term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def _rows(store: KGStore, sparql: str, convert: Callable[[object], object]) -> list[dict]:
    try:
        solutions = store.ox.query(sparql, prefixes=PREFIXES)
    except SyntaxError as error:
        raise KGError(f"SPARQL error: {str(error).splitlines()[0][:300]}") from None
    names = [variable.value for variable in solutions.variables]
    rows = []
    for solution in solutions:  # values by position: twice as fast as by name
        rows.append({name: convert(term) for name, term in zip(names, solution, strict=True)
                     if term is not None})
    del solutions
    return rows


def plain_rows(store: KGStore, sparql: str) -> list[dict[str, str]]:
    """Rows of a SELECT (with the project's prefixes) as dicts of variable name to string."""
    if store.ox is None:
        return [{name: str(value) for name, value in row.items()}
                for row in store.select(sparql)]
    return _rows(store, sparql, lambda term: term.value)


def term_rows(store: KGStore, sparql: str) -> list[dict[str, Node]]:
    """Rows of a SELECT (with the project's prefixes) as dicts of variable name to rdflib term."""
    if store.ox is None:
        return store.select(sparql)
    return _rows(store, sparql, _term)


def is_true(value: str | None) -> bool:
    """An xsd:boolean's lexical form read as a truth value ("true" or "1")."""
    return value in ("true", "1")
