"""SELECT results as plain strings, for code that reads thousands of rows (the derived layers):
straight from Oxigraph when the store is embedded — an rdflib term per cell costs about 10 µs,
a plain string well under one — and through :meth:`KGStore.select` otherwise.

Each value is the term's lexical form: an IRI's string, a literal's value (``"3"``, ``"true"``).
Unbound variables are left out of their row, as in :meth:`KGStore.select`.
"""

from __future__ import annotations

from kg.namespaces import PREFIXES
from kg.store import KGStore


def plain_rows(store: KGStore, sparql: str) -> list[dict[str, str]]:
    """Rows of a SELECT (with the project's prefixes) as dicts of variable name to string."""
    if store.ox is None:
        return [{name: str(value) for name, value in row.items()}
                for row in store.select(sparql)]
    solutions = store.ox.query(sparql, prefixes=PREFIXES)
    names = [variable.value for variable in solutions.variables]
    rows = []
    for solution in solutions:
        row = {}
        for name in names:
            term = solution[name]
            if term is not None:
                row[name] = term.value
        rows.append(row)
    return rows


def is_true(value: str | None) -> bool:
    """An xsd:boolean's lexical form read as a truth value ("true" or "1")."""
    return value in ("true", "1")
