"""Derived layers, recomputed by every build from the curated graph (never typed by hand):
quote offsets, claim confidence, proposition status and confidence, the truthy layer of direct
triples, and post mentions. Each layer reads the graph with SPARQL and adds quads."""

from __future__ import annotations

import hashlib
from collections import defaultdict

import pyoxigraph as ox
import rdflib

from kg.claims import (
    DEFAULT_RELIABILITY,
    GradedClaim,
    claim_confidence,
    derive_status,
    explain_claim_confidence,
)
from kg.contradictions import Quantity, as_range, describe, find
from kg.namespaces import CKG, ID
from kg.store import KGStore

XSD = "http://www.w3.org/2001/XMLSchema#"

CLAIMS = """
SELECT ?claim ?prop ?claimant ?claimantLabel ?stance ?credibility ?relayer ?unnamed ?grade
       ?position ?quote ?text WHERE {
  ?claim a ckg:Claim ; ckg:proposition ?prop ; ckg:claimant ?claimant ; ckg:stance ?stance ;
         ckg:credibility ?credibility ; ckg:quote ?quote ; prov:wasDerivedFrom ?post .
  ?post ckg:text ?text .
  OPTIONAL { ?post ckg:position ?position }
  OPTIONAL { ?claimant rdfs:label ?claimantLabel }
  OPTIONAL { ?claim ckg:relayedBy ?relayer }
  OPTIONAL { ?claimant ckg:reliability/skos:notation ?grade }
  BIND(EXISTS { ?claimant a ckg:UnnamedSource } AS ?unnamed)
}
"""

TRUTHY = """
SELECT ?s ?p ?o WHERE {
  ?prop a ckg:Proposition ; ckg:subject ?s ; ckg:predicate ?p ; ckg:status ?status .
  FILTER(?status != ckg:Refuted)
  { ?prop ckg:object ?o } UNION { ?prop ckg:value ?o }
}
"""

MENTIONS = """
SELECT DISTINCT ?post ?entity WHERE {
  { ?post a ckg:Post ; ckg:hashtag ?tag . ?entity ckg:hashtag ?name
    FILTER(LCASE(STR(?tag)) = LCASE(STR(?name)))
    FILTER NOT EXISTS { ?entity a ckg:Post } }
  UNION
  { ?post a ckg:Post ; ckg:handle ?tag . ?entity ckg:handle ?name
    FILTER(LCASE(STR(?tag)) = LCASE(STR(?name)))
    FILTER NOT EXISTS { ?entity a ckg:Post } }
  UNION
  { ?claim prov:wasDerivedFrom ?post ; ckg:proposition ?prop .
    { ?prop ckg:subject ?entity } UNION { ?prop ckg:object ?entity }
    FILTER NOT EXISTS { ?entity a ckg:Outcome } }
  UNION
  { ?claim prov:wasDerivedFrom ?post ; ckg:claimant ?entity }
}
"""


QUANTITIES = """
SELECT ?prop ?subject ?predicate ?object ?label ?value ?min ?max ?approximate ?share ?hours
       ?earliest ?latest (GROUP_CONCAT(DISTINCT ?who; separator="|") AS ?claimants) WHERE {
  ?prop a ckg:Proposition ; ckg:subject ?subject ; ckg:predicate ?predicate .
  { ?predicate a ckg:QuantityProperty } UNION { ?prop ckg:share ?share }
  OPTIONAL { ?predicate rdfs:label ?label }
  OPTIONAL { ?prop ckg:object ?object } OPTIONAL { ?prop ckg:value ?value }
  OPTIONAL { ?prop ckg:minValue ?min } OPTIONAL { ?prop ckg:maxValue ?max }
  OPTIONAL { ?prop ckg:approximate ?approximate } OPTIONAL { ?prop ckg:asOfHours ?hours }
  OPTIONAL { ?prop ckg:asOf ?t . OPTIONAL { ?t ckg:earliest ?earliest }
             OPTIONAL { ?t ckg:latest ?latest } }
  ?claim ckg:proposition ?prop ; ckg:stance ckg:Asserts ; ckg:claimant/rdfs:label ?name ;
         prov:wasDerivedFrom/ckg:position ?position .
  BIND(IF(CONTAINS(?name, "(post"), ?name, CONCAT(?name, " (post ", STR(?position), ")"))
       AS ?who)
} GROUP BY ?prop ?subject ?predicate ?object ?label ?value ?min ?max ?approximate ?share ?hours
           ?earliest ?latest
"""

IMPLICATIONS = """
SELECT ?predicate ?implied ?label WHERE {
  ?predicate ckg:impliesLowerBoundOf ?implied . OPTIONAL { ?implied rdfs:label ?label }
}
"""

ASSERTED_AND_DENIED = """
SELECT ?prop ?claim ?stance ?name ?position ?says WHERE {
  ?claim ckg:proposition ?prop ; ckg:stance ?stance ; ckg:claimant/rdfs:label ?name ;
         prov:wasDerivedFrom/ckg:position ?position .
  ?prop ckg:subject/rdfs:label ?s ; ckg:predicate/rdfs:label ?p .
  OPTIONAL { ?prop ckg:object/rdfs:label ?o } OPTIONAL { ?prop ckg:value ?v }
  BIND(CONCAT(?s, " — ", ?p, " — ", COALESCE(?o, STR(?v), "?")) AS ?says)
  FILTER(?stance IN (ckg:Asserts, ckg:Denies))
  FILTER EXISTS { ?yes ckg:proposition ?prop ; ckg:stance ckg:Asserts }
  FILTER EXISTS { ?no ckg:proposition ?prop ; ckg:stance ckg:Denies }
} ORDER BY ?prop ?position ?claim
"""


def _iri(value: str | rdflib.URIRef) -> ox.NamedNode:
    return ox.NamedNode(str(value))


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(f"{XSD}integer"))


def _to_ox(term: rdflib.term.Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    datatype = term.datatype or rdflib.URIRef(f"{XSD}string")
    return ox.Literal(str(term), datatype=ox.NamedNode(str(datatype)))


def claims_layer(store: KGStore) -> list[ox.Quad]:
    """Quote offsets and confidence of each claim; status and confidence of each proposition."""
    quads, by_proposition = [], defaultdict(list)
    for row in store.select(CLAIMS):
        claim, text, quote = row["claim"], str(row["text"]), str(row["quote"])
        start = text.find(quote)
        if start >= 0:
            quads += [ox.Quad(_iri(claim), _iri(CKG.quoteStart), _int(start)),
                      ox.Quad(_iri(claim), _iri(CKG.quoteEnd), _int(start + len(quote)))]
        grade = str(row.get("grade", DEFAULT_RELIABILITY))
        credibility = int(row["credibility"])
        confidence = claim_confidence(grade, credibility)
        note = explain_claim_confidence(grade, credibility, "grade" not in row)
        quads += [ox.Quad(_iri(claim), _iri(CKG.confidence), _int(confidence)),
                  ox.Quad(_iri(claim), _iri(CKG.confidenceNote), ox.Literal(note))]
        by_proposition[str(row["prop"])].append(GradedClaim(
            claim=str(claim), claimant=str(row["claimant"]),
            claimant_label=str(row.get("claimantLabel", row["claimant"])),
            stance=str(row["stance"]).removeprefix(str(CKG)), credibility=credibility,
            confidence=confidence, post_position=int(row.get("position", 0)),
            relayed_by=str(row["relayer"]) if "relayer" in row else None,
            unnamed=bool(row["unnamed"].toPython())))
    for prop, claims in by_proposition.items():
        status, confidence, reason = derive_status(claims)
        quads += [ox.Quad(_iri(prop), _iri(CKG.status), _iri(CKG[status])),
                  ox.Quad(_iri(prop), _iri(CKG.confidence), _int(confidence)),
                  ox.Quad(_iri(prop), _iri(CKG.statusReason), ox.Literal(reason))]
    return quads


def truthy_layer(store: KGStore) -> list[ox.Quad]:
    """The direct triple of every proposition that is not refuted."""
    return [ox.Quad(_to_ox(row["s"]), _to_ox(row["p"]), _to_ox(row["o"]))
            for row in store.select(TRUTHY)]


def mentions_layer(store: KGStore) -> list[ox.Quad]:
    """ckg:mentions from hashtags, handles, and the entities and claimants of a post's claims."""
    return [ox.Quad(_iri(row["post"]), _iri(CKG.mentions), _iri(row["entity"]))
            for row in store.select(MENTIONS)]


def _number(row: dict, key: str) -> float | None:
    return float(row[key]) if key in row else None


def _quantity(row: dict) -> Quantity:
    value, low, high = _number(row, "value"), _number(row, "min"), _number(row, "max")
    share = "share" in row
    approximate = "approximate" in row and row["approximate"].toPython() is True
    if share:
        value = float(row["share"])
    label = str(row.get("label", row["predicate"]))
    subject = str(row["subject"]) + (f" {row['object']}" if share else "")
    what = f"({label})" if share else label
    claimants = ", ".join(sorted(str(row["claimants"]).split("|")))  # stable on every engine
    text = f"{describe(value, low, high, approximate, share)} {what} per {claimants}"
    return Quantity(
        proposition=str(row["prop"]), subject=subject, predicate=str(row["predicate"]),
        low=as_range(value, low, high, approximate)[0],
        high=as_range(value, low, high, approximate)[1], text=text, label=label,
        hours=_number(row, "hours"),
        window=(str(row["earliest"]) if "earliest" in row else None,
                str(row["latest"]) if "latest" in row else None))


def _finding_node(*members: str) -> ox.NamedNode:
    digest = hashlib.sha1(" ".join(sorted(members)).encode()).hexdigest()[:12]
    return ox.NamedNode(f"{ID}finding/{digest}")


def _finding_quads(node: ox.NamedNode, kind: str, reason: str) -> list[ox.Quad]:
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    quads = [ox.Quad(node, _iri(CKG.reason), ox.Literal(reason))]
    if kind == "Evolution":
        return [ox.Quad(node, rdf_type, _iri(CKG.Evolution)), *quads]
    return [ox.Quad(node, rdf_type, _iri(CKG.Contradiction)),
            ox.Quad(node, _iri(CKG.contradictionKind), _iri(CKG[kind])), *quads]


def _who(claims: list[dict]) -> str:
    """'SDF (post 8); corpus author (posts 8, 15)' — claimants with their posts."""
    posts: dict[str, list[int]] = defaultdict(list)
    for row in claims:
        posts[str(row["name"])].append(int(row["position"]))
    return "; ".join(f"{name} (post{'s' if len(p) > 1 else ''} "
                     f"{', '.join(map(str, sorted(set(p))))})" for name, p in posts.items())


def contradictions_layer(store: KGStore) -> list[ox.Quad]:
    """Contradictions (asserted and denied; incompatible or implied numbers) and evolutions."""
    quads = []
    sides: dict[str, list[dict]] = defaultdict(list)
    for row in store.select(ASSERTED_AND_DENIED):
        sides[str(row["prop"])].append(row)
    for prop, claims in sides.items():
        node = _finding_node(prop)
        said = {stance: _who([r for r in claims if r["stance"] == CKG[stance]])
                for stance in ("Asserts", "Denies")}
        reason = (f"“{claims[0]['says']}” is asserted by {said['Asserts']} and denied by "
                  f"{said['Denies']}")
        quads += _finding_quads(node, "AssertedAndDenied", reason)
        quads += [ox.Quad(node, _iri(CKG.between), _iri(r["claim"])) for r in claims]
        quads.append(ox.Quad(node, _iri(CKG.concerns), _iri(prop)))
    implications = {str(r["predicate"]): (str(r["implied"]), str(r.get("label", r["implied"])))
                    for r in store.select(IMPLICATIONS)}
    quantities = [_quantity(row) for row in store.select(QUANTITIES)]
    for finding in find(quantities, implications):
        node = _finding_node(finding.first, finding.second)
        first, second = _iri(finding.first), _iri(finding.second)
        quads += _finding_quads(node, finding.kind, finding.reason)
        if finding.kind == "Evolution":
            quads += [ox.Quad(node, _iri(CKG.earlier), first),
                      ox.Quad(node, _iri(CKG.later), second)]
        else:
            quads += [ox.Quad(node, _iri(CKG.between), first),
                      ox.Quad(node, _iri(CKG.between), second),
                      ox.Quad(first, _iri(CKG.contradicts), second),
                      ox.Quad(second, _iri(CKG.contradicts), first)]
        quads += [ox.Quad(node, _iri(CKG.concerns), first),
                  ox.Quad(node, _iri(CKG.concerns), second)]
    return quads


def derive(store: KGStore) -> int:
    """Add every derived layer to ``store``, in dependency order; return the quads added."""
    added = 0
    for layer in (claims_layer, truthy_layer, mentions_layer, contradictions_layer):
        quads = layer(store)
        store.add(quads)
        added += len(quads)
    return added
