"""SELECT results for code that reads many rows, or reads them on worker threads: straight from
Oxigraph when the store is embedded, through :meth:`KGStore.select` otherwise.

:func:`plain_rows` gives each value as a string (an IRI's string, a literal's lexical form:
``"3"``, ``"true"``) — an rdflib term per cell costs about 10 µs, a string well under one.
:func:`term_rows` gives rdflib terms, as :meth:`KGStore.select` does, but consumes and drops
Oxigraph's result in the calling thread (Oxigraph's results must not be dropped by another
thread, which rdflib's result objects, freed later by the garbage collector, may do).
Unbound variables are left out of their row. :func:`plain_tuples` gives the strings as tuples
(None where unbound), for the largest reads. :func:`gc_paused` pauses Python's garbage
collector while many rows are made.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pyoxigraph as ox
import rdflib
from rdflib.term import Node

from kg.errors import KGError
from kg.namespaces import PREFIXES
from kg.store import KGStore

_DATATYPES: dict[str, rdflib.URIRef] = {}


def rdflib_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    """An Oxigraph term as rdflib's, exactly as oxrdflib converts it."""
    if isinstance(term, ox.NamedNode):
        # rdflib.URIRef(value) without the validity check (which only logs): the store's IRIs
        # are valid, and at thousands of rows the check costs as much as the query
        return str.__new__(rdflib.URIRef, term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    if datatype not in _DATATYPES:
        _DATATYPES[datatype] = rdflib.URIRef(datatype)
    return rdflib.Literal(term.value, datatype=_DATATYPES[datatype])


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused for the block (or the decorated function).

    Rows, their dicts and a view's edges are made by the tens of thousands and none is in a
    cycle, yet each few hundred made trigger a collection, and now and then one over every
    older object: about a tenth of a question's or a view's time at a million triples. Paused
    blocks nest; the collector runs again as before once the outermost ends.

    >>> with gc_paused():
    ...     gc.isenabled()
    False
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _solutions(store: KGStore, sparql: str) -> ox.QuerySolutions:
    try:
        return store.ox.query(sparql, prefixes=PREFIXES)
    except SyntaxError as error:
        raise KGError(f"SPARQL error: {str(error).splitlines()[0][:300]}") from None


@gc_paused()
def _rows(store: KGStore, sparql: str, convert: Callable[[object], object]) -> list[dict]:
    solutions = _solutions(store, sparql)
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


@gc_paused()
def plain_tuples(store: KGStore, sparql: str) -> list[tuple[str | None, ...]]:
    """Rows of a SELECT as tuples of strings in the order of its variables, None where one is
    unbound: for tens of thousands of rows read once, a tenth faster than :func:`plain_rows`.
    """
    if store.ox is None:
        return [tuple(None if term is None else str(term) for term in row)
                for row in store.query(sparql)]
    solutions = _solutions(store, sparql)
    rows = [tuple([None if term is None else term.value for term in solution])
            for solution in solutions]
    del solutions
    return rows


def term_rows(store: KGStore, sparql: str) -> list[dict[str, Node]]:
    """Rows of a SELECT (with the project's prefixes) as dicts of variable name to rdflib term."""
    if store.ox is None:
        return store.select(sparql)
    return _rows(store, sparql, rdflib_term)


def is_true(value: str | None) -> bool:
    """An xsd:boolean's lexical form read as a truth value ("true" or "1")."""
    return value in ("true", "1")
