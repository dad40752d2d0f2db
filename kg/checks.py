"""The checks a build runs on the staged graph, each giving located, readable problems:
references to things defined nowhere, quotes that are not in their post, and SHACL shapes."""

from __future__ import annotations

import functools
from pathlib import Path

import pyoxigraph as ox
import rdflib

from kg import shacl
from kg.errors import Problem
from kg.namespaces import OWN_NAMESPACES, shorten
from kg.sources import SourceFile, locate
from kg.sparql import sparql_term
from kg.store import KGStore

_OWN_FILTER = " || ".join(f'STRSTARTS(STR(?x), "{ns}")' for ns in OWN_NAMESPACES)

UNDEFINED = f"""
SELECT DISTINCT ?x ?where WHERE {{
  {{ ?where ?p ?x }} UNION {{ ?x ?p ?o BIND(?x AS ?where) }} UNION {{ ?where ?x ?o }}
  FILTER(isIRI(?x) && ({_OWN_FILTER}))
  FILTER NOT EXISTS {{ ?x a ?type }}
}} ORDER BY ?x ?where
"""

#: The predicates of the posts the build makes from corpus files: besides the source files, the
#: only place IRIs come from.
POST_VOCABULARY = """
SELECT DISTINCT ?x WHERE { { ?post a ckg:Post ; ?x ?o } UNION { BIND(ckg:Post AS ?x) } }
"""

UNTYPED = "SELECT ?x WHERE {{ VALUES ?x {{ {} }} FILTER NOT EXISTS {{ ?x a ?type }} }}"

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


def _may_have_undefined(store: KGStore, sources: list[SourceFile]) -> bool:
    """A cheap screen for :data:`UNDEFINED` (which scans every triple three times): the IRIs
    of the project's namespaces used in the sources (a bulk file's are found by scanning its
    lines) and in the posts; only those that no source types are looked up in the store."""
    used: set[str] = set()
    typed: set[str] = set()
    for source in sources:
        in_file, typed_in_file = source.own_terms()
        used |= in_file
        typed |= typed_in_file
    used |= {str(row["x"]) for row in store.select(POST_VOCABULARY)
             if str(row["x"]).startswith(OWN_NAMESPACES)}
    candidates = sorted(used - typed)
    for start in range(0, len(candidates), 5000):
        chunk = " ".join(sparql_term(rdflib.URIRef(iri)) for iri in candidates[start:start + 5000])
        if store.select(UNTYPED.format(chunk)):
            return True
    return False


def undefined_references(store: KGStore, sources: list[SourceFile]) -> list[Problem]:
    """IRIs in the project's namespaces that are used but never given a type."""
    if not _may_have_undefined(store, sources):
        return []
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


def _subject_pointing_at(store: KGStore, node: rdflib.term.Node) -> rdflib.term.Node | None:
    """Some subject with ``node`` as its object, straight from the store."""
    if store.ox is None:
        return next(store.dataset.default_graph.subjects(None, node), None)
    for quad in store.ox.quads_for_pattern(None, None, ox.BlankNode(str(node)),
                                           ox.DefaultGraph()):
        subject = quad.subject
        return (rdflib.URIRef(subject.value) if isinstance(subject, ox.NamedNode)
                else rdflib.BNode(subject.value))
    return None


def shacl_problems(store: KGStore, shapes: Path, sources: list[SourceFile]) -> list[Problem]:
    """SHACL violations, one problem per result: which node, which rule, what was found. The
    engine (pySHACL, or the same rules as SPARQL on the store) depends on the graph's size; see
    :mod:`kg.shacl`."""
    if not shapes.exists():
        return [Problem("the SHACL shapes file is missing", shapes)]
    shapes_graph = rdflib.Graph().parse(shapes, format="turtle")
    if shacl.engine(store, shapes_graph) == "sparql":
        violations = shacl.validate_on_store(store, shapes_graph)
        owner_of = functools.partial(_subject_pointing_at, store)
    else:
        data = store.to_rdflib_graph()
        violations = shacl.validate(store, data, shapes_graph)
        owner_of = functools.partial(lambda graph, node: next(graph.subjects(None, node), None),
                                     data)
    problems = []
    for violation in violations:
        focus = violation.focus
        owner = focus
        while isinstance(owner, rdflib.BNode):  # a TimeSpec and the like: name its owner
            owner = owner_of(owner)
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
