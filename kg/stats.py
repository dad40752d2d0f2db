"""Counts of a built graph, per kind of thing, for `kg build` and `kg stats`."""

from __future__ import annotations

from kg.store import KGStore

#: Summary lines: label and the class counted (instances of its subclasses included).
KINDS = [
    ("posts", "ckg:Post"),
    ("threads", "ckg:Thread"),
    ("actors", "ckg:Actor"),
    ("unnamed sources", "ckg:UnnamedSource"),
    ("places", "ckg:Place"),
    ("facilities", "ckg:Facility"),
    ("operations", "ckg:Operation"),
    ("propositions", "ckg:Proposition"),
    ("claims", "ckg:Claim"),
]

COUNTS = """
SELECT ?kind (COUNT(DISTINCT ?x) AS ?n) WHERE {
  VALUES ?kind { %s }
  ?x a ?type . ?type rdfs:subClassOf* ?kind .
} GROUP BY ?kind
"""

BY_STATUS = """
SELECT ?status (COUNT(?p) AS ?n) WHERE { ?p a ckg:Proposition ; ckg:status ?s .
  ?s rdfs:label ?status } GROUP BY ?status ORDER BY DESC(?n)
"""


def counts(store: KGStore) -> dict[str, int]:
    """Label → count, in the order of KINDS, plus triples and propositions per status."""
    rows = store.select(COUNTS % " ".join(kind for _, kind in KINDS))
    by_kind = {str(row["kind"]).split("#")[-1]: int(row["n"]) for row in rows}
    result = {label: by_kind.get(kind.split(":")[1], 0) for label, kind in KINDS}
    result["triples"] = len(store)
    for row in store.select(BY_STATUS):
        result[f"  {row['status']}"] = int(row["n"])
    return result


def format_counts(values: dict[str, int]) -> str:
    """Aligned 'label  count' lines."""
    width = max(len(label) for label in values)
    return "\n".join(f"{label:<{width}}  {value:>7,}" for label, value in values.items())
