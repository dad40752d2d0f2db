"""Derived layers, recomputed by every build from the curated graph (never typed by hand):
quote offsets, claim confidence, proposition status and confidence, the truthy layer of direct
triples, and post mentions. Each layer reads the graph with SPARQL and adds quads."""

from __future__ import annotations

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
from kg.namespaces import CKG
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
  { ?post ckg:hashtag ?tag . ?entity ckg:hashtag ?name
    FILTER(LCASE(STR(?tag)) = LCASE(STR(?name)) && ?entity != ?post) }
  UNION
  { ?post ckg:handle ?tag . ?entity ckg:handle ?name
    FILTER(LCASE(STR(?tag)) = LCASE(STR(?name)) && ?entity != ?post) }
  UNION
  { ?claim prov:wasDerivedFrom ?post ; ckg:proposition ?prop .
    { ?prop ckg:subject ?entity } UNION { ?prop ckg:object ?entity }
    FILTER NOT EXISTS { ?entity a ckg:Outcome } }
  UNION
  { ?claim prov:wasDerivedFrom ?post ; ckg:claimant ?entity }
}
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


def derive(store: KGStore) -> int:
    """Add every derived layer to ``store``, in dependency order; return the quads added."""
    added = 0
    for layer in (claims_layer, truthy_layer, mentions_layer):
        quads = layer(store)
        store.add(quads)
        added += len(quads)
    return added
