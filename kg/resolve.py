"""Find the entity a user means: by IRI, prefixed name, label, alias, hashtag or handle.

>>> # resolve(store, "#ISIS"), resolve(store, "Islamic State") and resolve(store, "actor:isis")
>>> # all give https://w3id.org/conflict-kg/id/actor/isis
"""

from __future__ import annotations

import difflib
import re
import weakref

import rdflib

from kg.errors import KGError
from kg.namespaces import ID, PREFIXES
from kg.rows import plain_rows
from kg.sparql import sparql_term
from kg.store import KGStore

NAMES = """
SELECT ?entity ?name ?kind WHERE {
  { ?entity rdfs:label ?name BIND("label" AS ?kind) }
  UNION { ?entity skos:prefLabel ?name BIND("label" AS ?kind) }
  UNION { ?entity ckg:alias ?name BIND("alias" AS ?kind) }
  UNION { ?entity ckg:hashtag ?tag BIND(CONCAT("#", ?tag) AS ?name) BIND("hashtag" AS ?kind) }
  UNION { ?entity ckg:handle ?h BIND(CONCAT("@", ?h) AS ?name) BIND("handle" AS ?kind) }
  FILTER(STRSTARTS(STR(?entity), "{id}") && !STRSTARTS(STR(?entity), "{id}post/"))
}
""".replace("{id}", str(ID))

#: The entities named exactly so (an index lookup per kind of name, where NAMES reads every
#: name of the graph: 0.6 s at a million triples in memory, more on disk).
EXACT = """
SELECT DISTINCT ?entity WHERE {
  VALUES (?property ?name) { %s }
  ?entity ?property ?name .
  FILTER(STRSTARTS(STR(?entity), "{id}") && !STRSTARTS(STR(?entity), "{id}post/"))
}
""".replace("{id}", str(ID))

_cache: weakref.WeakKeyDictionary[KGStore, dict[str, tuple[str, set[str]]]] = (
    weakref.WeakKeyDictionary())


def _key(name: str) -> str:
    return re.sub(r"\s+", " ", name.strip().lower())


def names(store: KGStore) -> dict[str, tuple[str, set[str]]]:
    """Normalised name → (name as written, entities carrying it): labels, aliases, #hashtags
    and @handles (also without their sign)."""
    cached = _cache.get(store)
    if cached is None:
        cached = {}
        for row in plain_rows(store, NAMES):
            written = row["name"]
            spellings = [written]
            if row["kind"] in ("hashtag", "handle"):
                spellings.append(written[1:])
            for spelling in spellings:
                cached.setdefault(_key(spelling), (spelling, set()))[1].add(row["entity"])
        _cache[store] = cached
    return cached


def _exactly_named(store: KGStore, text: str) -> set[str]:
    """The entities with ``text`` as written for a label or alias, or (without its # or @)
    for a hashtag or handle."""
    name, bare = sparql_term(rdflib.Literal(text)), sparql_term(rdflib.Literal(text.lstrip("#@")))
    pairs = (f"(rdfs:label {name}) (skos:prefLabel {name}) (ckg:alias {name}) "
             f"(ckg:hashtag {bare}) (ckg:handle {bare})")
    return {row["entity"] for row in plain_rows(store, EXACT % pairs)}


def resolve(store: KGStore, text: str, prefer: str | None = None) -> rdflib.URIRef:
    """The one entity ``text`` names; a clear error with suggestions otherwise.

    ``prefer`` ("actor", "place", …) settles a name shared by kinds: Turkey the actor or the
    country. A name written exactly as one entity's is that entity, even where another's
    differs only in case.
    """
    text = text.strip()
    if text.startswith(("http://", "https://")):
        return rdflib.URIRef(text)
    prefix, _, local = text.partition(":")
    if local and prefix in PREFIXES and " " not in text:
        return rdflib.URIRef(PREFIXES[prefix] + local)
    exact = _exactly_named(store, text)
    if len(exact) == 1:  # the name as written: no need to read every name of the graph
        return rdflib.URIRef(exact.pop())
    table = names(store)
    entry = table.get(_key(text)) or table.get(_key(text.lstrip("#@")))
    found = entry[1] if entry else set()
    preferred = {iri for iri in found if prefer and iri.startswith(f"{ID}{prefer}/")}
    if len(found) > 1 and len(preferred) == 1:
        found = preferred
    if len(found) == 1:
        return rdflib.URIRef(next(iter(found)))
    if found:
        listed = ", ".join(sorted(found))
        raise KGError(f"{text!r} names several entities: {listed}; give the IRI or a "
                      f"prefixed name (e.g. actor:isis)")
    close = difflib.get_close_matches(_key(text), list(table), n=3, cutoff=0.6)
    hint = (f" — did you mean {' or '.join(repr(table[c][0]) for c in close)}?"
            if close else "")
    raise KGError(f"no entity is called {text!r}{hint}")
