"""What the graph already knows, read with SPARQL: the names of entities and operations (label,
alias, hashtag, handle), their classes, the facts about operations, the propositions already
claimed and the texts of the posts already in it. Nothing here is a hand-written list."""

from __future__ import annotations

import tempfile
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

from kg.namespaces import CKG
from kg.store import KGStore

KINDS = ("Actor", "Place", "Facility", "Equipment", "Operation")
ROLES = ("perpetrator", "target", "place", "weapon", "victim", "participant", "beneficiary",
         "supporter")

ENTITIES = """
SELECT ?e ?cls ?kind ?label WHERE {
  VALUES ?kind { ckg:Actor ckg:Place ckg:Facility ckg:Equipment ckg:Operation }
  ?e a ?cls . ?cls rdfs:subClassOf* ?kind .
  OPTIONAL { ?e rdfs:label ?label }
  FILTER(STRSTARTS(STR(?e), STR(id:)))
}
"""

NAMES = """
SELECT ?e ?name ?how WHERE {
  { ?e rdfs:label ?name BIND("label" AS ?how) }
  UNION { ?e skos:prefLabel ?name BIND("label" AS ?how) }
  UNION { ?e ckg:alias ?name BIND("alias" AS ?how) }
  UNION { ?e ckg:hashtag ?name BIND("hashtag" AS ?how) }
  UNION { ?e ckg:handle ?name BIND("handle" AS ?how) }
  FILTER(STRSTARTS(STR(?e), STR(id:)))
}
"""

SUPERCLASSES = """
SELECT ?c ?super WHERE { ?c a owl:Class ; rdfs:subClassOf* ?super . FILTER(isIRI(?super)) }
"""

PROPOSITIONS = """
SELECT ?prop ?s ?p ?o ?v ?min ?max ?share ?approx ?post WHERE {
  ?prop a ckg:Proposition ; ckg:subject ?s ; ckg:predicate ?p .
  ?claim ckg:proposition ?prop ; prov:wasDerivedFrom ?post .
  OPTIONAL { ?prop ckg:object ?o } OPTIONAL { ?prop ckg:value ?v }
  OPTIONAL { ?prop ckg:minValue ?min } OPTIONAL { ?prop ckg:maxValue ?max }
  OPTIONAL { ?prop ckg:share ?share } OPTIONAL { ?prop ckg:approximate ?approx }
}
"""

TIMES = """
SELECT ?op ?earliest ?latest WHERE {
  ?op ckg:time ?t . OPTIONAL { ?t ckg:earliest ?earliest } OPTIONAL { ?t ckg:latest ?latest }
}
"""

LOCATED = """
SELECT ?x ?place WHERE { ?x ckg:locatedIn ?place . FILTER(STRSTARTS(STR(?x), STR(id:))) }
"""

POSTS = "SELECT ?post ?text WHERE { ?post a ckg:Post ; ckg:text ?text }"

PARTS = """
SELECT ?part ?whole WHERE {
  ?part ckg:partOf ?whole . ?part a ?cls . ?cls rdfs:subClassOf* ckg:Actor
}
"""


def text_key(text: str) -> str:
    """How two posts are compared for duplicates: NFKC, case-folded, spaces collapsed.

    >>> text_key("  Per #SDF,  89 escapees ") == text_key("per #sdf, 89 ESCAPEES")
    True
    """
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


@dataclass(frozen=True)
class Name:
    """One way the graph names a thing: a label, alias, hashtag (without '#') or handle."""

    text: str
    iri: str
    how: str


@dataclass
class Entity:
    """A thing the graph defines: its most specific class, its kind and its label."""

    iri: str
    kind: str
    cls: str
    label: str
    names: list[Name] = field(default_factory=list)


PropKey = tuple[str, str, str | None, str | None, str | None, str | None, str | None]


@dataclass
class Gazetteer:
    """Entities and operations by name, with what the graph says of them."""

    entities: dict[str, Entity]
    superclasses: dict[str, set[str]]
    propositions: dict[PropKey, str] = field(default_factory=dict)
    op_facts: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    op_times: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    posts: dict[str, str] = field(default_factory=dict)
    parts: dict[str, set[str]] = field(default_factory=dict)  # actor -> actors part of it
    held: dict[str, set[str]] = field(default_factory=dict)  # facility -> groups it holds
    located: dict[str, set[str]] = field(default_factory=dict)  # thing -> where it is

    def names(self, kinds: tuple[str, ...] = KINDS) -> list[Name]:
        """Every name of every entity of the given kinds."""
        return [n for e in self.entities.values() if e.kind in kinds for n in e.names]

    def is_a(self, cls: str, ancestor: str) -> bool:
        """Whether ``cls`` is ``ancestor`` or one of its subclasses."""
        return ancestor in self.superclasses.get(cls, {cls})

    def compatible(self, first: str, second: str) -> bool:
        """Whether one class is the other or a subclass of it."""
        return self.is_a(first, second) or self.is_a(second, first)

    def without(self, iris: set[str]) -> Gazetteer:
        """The same gazetteer with these entities and operations left out (for held-out
        scoring)."""
        return replace(
            self,
            entities={k: v for k, v in self.entities.items() if k not in iris},
            propositions={k: v for k, v in self.propositions.items()
                          if not ({k[0], k[2]} & iris)},
            op_facts={k: {f for f in v if f[1] not in iris}
                      for k, v in self.op_facts.items() if k not in iris},
            op_times={k: v for k, v in self.op_times.items() if k not in iris},
            parts={k: v - iris for k, v in self.parts.items() if k not in iris},
            held={k: v - iris for k, v in self.held.items() if k not in iris},
            located={k: v - iris for k, v in self.located.items() if k not in iris})


def _most_specific(classes: set[str], superclasses: dict[str, set[str]]) -> str:
    for cls in sorted(classes):
        if not any(other != cls and cls in superclasses.get(other, set()) for other in classes):
            return cls
    return sorted(classes)[0]


def from_store(store: KGStore, ignore_posts: set[str] | frozenset[str] = frozenset()
               ) -> Gazetteer:
    """Read the gazetteer from a graph. Claims taken from ``ignore_posts`` are not used (their
    propositions are not offered for reuse and their facts do not describe operations)."""
    superclasses: dict[str, set[str]] = defaultdict(set)
    for row in store.select(SUPERCLASSES):
        superclasses[str(row["c"])].add(str(row["super"]))
    classes: dict[str, set[str]] = defaultdict(set)
    kinds: dict[str, str] = {}
    labels: dict[str, str] = {}
    unnamed = str(CKG.UnnamedSource)
    for row in store.select(ENTITIES):
        iri = str(row["e"])
        classes[iri].add(str(row["cls"]))
        kind = str(row["kind"]).removeprefix(str(CKG))
        # a facility is also a place in schema.org terms; keep the narrower kind
        if kinds.get(iri) not in ("Facility", "Operation"):
            kinds[iri] = kind
        if "label" in row:
            labels[iri] = str(row["label"])
    entities = {iri: Entity(iri, kinds[iri], _most_specific(cls, superclasses),
                            labels.get(iri, iri.rsplit("/", 1)[-1]))
                for iri, cls in classes.items()}
    for row in store.select(NAMES):
        entity = entities.get(str(row["e"]))
        if entity is None or unnamed in classes[entity.iri] or str(row["name"]).strip() == "":
            continue
        name = Name(str(row["name"]), entity.iri, str(row["how"]))
        if name not in entity.names:
            entity.names.append(name)
    propositions: dict[PropKey, str] = {}
    op_facts: dict[str, set[tuple[str, str]]] = defaultdict(set)
    held: dict[str, set[str]] = defaultdict(set)
    for row in store.select(PROPOSITIONS):
        if str(row["post"]) in ignore_posts:
            continue
        key = prop_key(str(row["s"]), str(row["p"]),
                       *(str(row[k]) if k in row else None
                         for k in ("o", "v", "min", "max", "share")),
                       approximate=str(row.get("approx", "false")).lower() == "true")
        propositions.setdefault(key, str(row["prop"]))
        role = str(row["p"]).removeprefix(str(CKG))
        if role in ROLES and "o" in row:
            op_facts[str(row["s"])].add((role, str(row["o"])))
        if role == "holds" and "o" in row:
            held[str(row["s"])].add(str(row["o"]))
    op_times = {str(r["op"]): (str(r["earliest"]) if "earliest" in r else None,
                               str(r["latest"]) if "latest" in r else None)
                for r in store.select(TIMES) if str(r["op"]) in entities}
    posts = {text_key(str(r["text"])): str(r["post"]) for r in store.select(POSTS)}
    parts: dict[str, set[str]] = defaultdict(set)
    for row in store.select(PARTS):
        parts[str(row["whole"])].add(str(row["part"]))
    located: dict[str, set[str]] = defaultdict(set)
    for row in store.select(LOCATED):
        located[str(row["x"])].add(str(row["place"]))
    return Gazetteer(entities, dict(superclasses), propositions, dict(op_facts), op_times, posts,
                     dict(parts), dict(held), dict(located))


def prop_key(subject: str, predicate: str, obj: str | None = None, value: str | None = None,
             minimum: str | None = None, maximum: str | None = None,
             share: str | None = None, approximate: bool = False) -> PropKey:
    """A proposition's identity: numbers compared as numbers ("25" and "25.0" are equal), an
    approximate number differing from an exact one."""
    def num(v: str | None) -> str | None:
        if v is None:
            return None
        try:
            return repr(float(v))
        except ValueError:
            return v
    value = num(value)
    if approximate and value is not None:
        value = "~" + value
    return (subject, predicate, obj, value, num(minimum), num(maximum), num(share))


def load_graph(data: list[Path] | None = None) -> KGStore:
    """The curated graph, parsed, checked for references and derived, in memory: everything a
    build does but SHACL, which the gazetteer does not need (``kg ingest --accept`` runs it)."""
    from kg.build import build_graph  # late import: the build is heavy and imports much

    with tempfile.TemporaryDirectory() as folder:
        no_shapes = Path(folder) / "no-shapes.ttl"
        no_shapes.write_text("", encoding="utf-8")
        return build_graph(data, shapes=no_shapes).store
