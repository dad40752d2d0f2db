"""Bind RDF terms into SPARQL safely, the same way on every backend.

Values go into a ``VALUES`` block at the top of the query's outermost ``WHERE``: every FILTER of
that group sees them, and an unbound one is ``UNDEF``. Terms are serialised here, escaping
literals and refusing malformed IRIs, so a value can never become query text.
"""

from __future__ import annotations

import re

import rdflib
from rdflib.term import Node

from kg.errors import KGError

XSD = "http://www.w3.org/2001/XMLSchema#"


def sparql_term(term: Node | None) -> str:
    """A term as SPARQL text, safely: literals escaped, IRIs checked, None as UNDEF.

    >>> print(sparql_term(rdflib.Literal('x" } ; DROP ALL #')))
    "x\\" } ; DROP ALL #"^^<http://www.w3.org/2001/XMLSchema#string>
    """
    if term is None:
        return "UNDEF"
    if isinstance(term, rdflib.URIRef):
        if re.search(r'[\x00-\x20<>"{}|^`\\]', str(term)):
            raise KGError(f"not a valid IRI: {str(term)!r}")
        return f"<{term}>"
    if isinstance(term, rdflib.Literal):
        escaped = (str(term).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
                   .replace("\r", "\\r").replace("\t", "\\t"))
        if term.language:
            return f'"{escaped}"@{term.language}'
        datatype = term.datatype or rdflib.URIRef(f"{XSD}string")
        return f'"{escaped}"^^{sparql_term(datatype)}'
    raise KGError(f"cannot bind {term!r}")


def with_values(sparql: str, bindings: dict[str, Node | None]) -> str:
    """The query with ``VALUES`` for ``bindings`` at the top of its outermost WHERE."""
    if not bindings:
        return sparql
    names = sorted(bindings)
    return with_table(sparql, names, [[bindings[n] for n in names]])


def with_table(sparql: str, names: list[str], rows: list[list[Node | None]]) -> str:
    """The query with a ``VALUES`` table (one row per entry of ``rows``, a value or None for
    each of ``names``) at the top of its outermost WHERE: the query runs for each row.

    >>> print(with_table("SELECT * WHERE { ?s ?p ?o }", ["s"],
    ...                  [[rdflib.URIRef("http://x/a")], [None]]))
    SELECT * WHERE {
      VALUES (?s) { (<http://x/a>) (UNDEF) }
     ?s ?p ?o }
    """
    table = " ".join(f"({' '.join(sparql_term(term) for term in row)})" for row in rows)
    block = f"VALUES ({' '.join('?' + n for n in names)}) {{ {table} }}"
    match = re.search(r"\bWHERE\s*\{", sparql, re.IGNORECASE)
    if not match:
        raise KGError("a named question needs a WHERE { … } to bind parameters into")
    return f"{sparql[:match.end()]}\n  {block}\n{sparql[match.end():]}"
