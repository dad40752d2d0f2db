"""The checks a build runs on the staged graph, each giving located, readable problems:
references to things defined nowhere, quotes that are not in their post, and SHACL shapes."""

from __future__ import annotations

from pathlib import Path

import rdflib

from kg import shacl
from kg.errors import Problem
from kg.namespaces import OWN_NAMESPACES, shorten
from kg.sources import SourceFile, locate
from kg.store import KGStore

_OWN_FILTER = " || ".join(f'STRSTARTS(STR(?x), "{ns}")' for ns in OWN_NAMESPACES)

UNDEFINED = f"""
SELECT DISTINCT ?x ?where WHERE {{
  {{ ?where ?p ?x }} UNION {{ ?x ?p ?o BIND(?x AS ?where) }} UNION {{ ?where ?x ?o }}
  FILTER(isIRI(?x) && ({_OWN_FILTER}))
  FILTER NOT EXISTS {{ ?x a ?type }}
}} ORDER BY ?x ?where
"""

QUOTES_NOT_IN_POST = """
SELECT ?claim ?quote ?post ?text WHERE {
  ?claim a ckg:Claim ; ckg:quote ?quote ; prov:wasDerivedFrom ?post .
  OPTIONAL { ?post ckg:text ?text }
  FILTER(!BOUND(?text) || !CONTAINS(?text, ?quote))
} ORDER BY ?claim
"""

POSTS_WITHOUT_CLAIMS = """
SELECT ?post ?position WHERE {
  ?post a ckg:Post ; ckg:position ?position .
  FILTER NOT EXISTS { ?claim prov:wasDerivedFrom ?post }
  FILTER NOT EXISTS { ?post ckg:noClaimReason ?why }
} ORDER BY ?position
"""


def _located(sources: list[SourceFile], iri: str, message: str) -> Problem:
    path, line = locate(sources, iri)
    return Problem(message, path, line)


def undefined_references(store: KGStore, sources: list[SourceFile]) -> list[Problem]:
    """IRIs in the project's namespaces that are used but never given a type."""
    problems, seen = [], set()
    for row in store.select(UNDEFINED):
        name = str(row["x"])
        if name in seen:
            continue
        seen.add(name)
        user = str(row["where"])
        path, line = locate(sources, user)
        spot = f" (used by {shorten(user)})" if user != name else ""
        problems.append(Problem(f"{shorten(name)} is defined nowhere{spot}: define it with "
                                f"'a <Class>' or fix the spelling", path, line))
    return problems


def misplaced_quotes(store: KGStore, sources: list[SourceFile]) -> list[Problem]:
    """Claims whose quote is not a verbatim part of their post's text."""
    problems = []
    for row in store.select(QUOTES_NOT_IN_POST):
        claim, post = str(row["claim"]), shorten(str(row["post"]))
        if "text" not in row:
            message = f"{shorten(claim)} cites {post}, which has no text (no such post?)"
        else:
            message = (f"{shorten(claim)}: quote {str(row['quote'])!r} is not in the text of "
                       f"{post} ({str(row['text'])!r}); quotes must be verbatim")
        problems.append(_located(sources, claim, message))
    return problems


def posts_without_claims(store: KGStore) -> list[int]:
    """Positions of posts that are the source of no claim and not marked as commentary."""
    return [int(row["position"]) for row in store.select(POSTS_WITHOUT_CLAIMS)]


def shacl_problems(store: KGStore, shapes: Path, sources: list[SourceFile]) -> list[Problem]:
    """SHACL violations, one problem per result: which node, which rule, what was found."""
    if not shapes.exists():
        return [Problem("the SHACL shapes file is missing", shapes)]
    data = store.to_rdflib_graph()
    shapes_graph = rdflib.Graph().parse(shapes, format="turtle")
    problems = []
    for violation in shacl.validate(store, data, shapes_graph):
        focus = violation.focus
        owner = focus
        while isinstance(owner, rdflib.BNode):  # a TimeSpec and the like: name its owner
            owner = next(data.subjects(None, owner), None)
        focus_name = shorten(str(focus)) if owner is focus else f"a node of {shorten(str(owner))}"
        text = f"SHACL: {focus_name}"
        if violation.path is not None:
            text += f" {shorten(str(violation.path))}"
        text += f": {violation.message}"
        if violation.value is not None:
            text += f" (found {shorten(str(violation.value))})"
        where = str(owner) if isinstance(owner, rdflib.URIRef) else ""
        problems.append(_located(sources, where, text) if where else Problem(text))
    return sorted(set(problems), key=str)
