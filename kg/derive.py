"""Derived layers, recomputed by every build from the curated graph (never typed by hand):
quote offsets, claim confidence, proposition status and confidence with a summary of the
claims, the truthy layer of direct triples, post mentions, contradictions and evolutions. A
layer that needs no Python is a SPARQL update the store runs itself (nothing crosses into Python
per triple: at a million triples that is most of the cost); the others read the graph with
SPARQL, as plain strings (:mod:`kg.rows`), and add quads. On Oxigraph the layers run in two
chains at once (:data:`CHAINS`)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import pyoxigraph as ox
import rdflib

from kg.claims import (
    CREDIBILITY_SCORE,
    DEFAULT_RELIABILITY,
    RELIABILITY_FACTOR,
    STATUSES,
    GradedClaim,
    claim_confidence,
    derive_status,
    explain_claim_confidence,
)
from kg.contradictions import Quantity, as_range, describe, find
from kg.namespaces import CKG, ID, PREFIXES
from kg.rows import is_true, plain_rows
from kg.sparql import sparql_term
from kg.store import KGStore

XSD = "http://www.w3.org/2001/XMLSchema#"

#: What the status of a proposition needs of each claim about it …
CLAIMS = """
SELECT ?claim ?prop ?claimant ?stance ?credibility ?relayer ?position ?quote WHERE {
  ?claim a ckg:Claim ; ckg:proposition ?prop ; ckg:claimant ?claimant ; ckg:stance ?stance ;
         ckg:credibility ?credibility ; prov:wasDerivedFrom ?post .
  OPTIONAL { ?post ckg:position ?position }
  OPTIONAL { ?claim ckg:quote ?quote }
  OPTIONAL { ?claim ckg:relayedBy ?relayer }
}
"""

#: … and of each claimant (read once per claimant, not once per claim).
CLAIMANTS = """
SELECT ?claimant ?claimantLabel ?grade ?unnamed WHERE {
  { SELECT DISTINCT ?claimant WHERE { ?claim a ckg:Claim ; ckg:claimant ?claimant } }
  OPTIONAL { ?claimant rdfs:label ?claimantLabel }
  OPTIONAL { ?claimant ckg:reliability/skos:notation ?grade }
  BIND(EXISTS { ?claimant a ckg:UnnamedSource } AS ?unnamed)
}
"""

#: The word of each stance, as a claimant list gives it ("SDF asserts").
STANCE_LABELS = "SELECT ?stance ?label WHERE { ?stance a ckg:Stance ; rdfs:label ?label }"

#: Quote offsets: 0-based, end exclusive (STRLEN counts characters, as Python does).
QUOTE_OFFSETS = """
INSERT { ?claim ckg:quoteStart ?start ; ckg:quoteEnd ?end } WHERE {
  ?claim a ckg:Claim ; ckg:quote ?quote ; prov:wasDerivedFrom ?post .
  ?post ckg:text ?text .
  BIND(IF(CONTAINS(?text, ?quote), STRLEN(STRBEFORE(?text, ?quote)), ?unbound) AS ?start)
  BIND(?start + STRLEN(?quote) AS ?end)
}
"""

#: Each claim's confidence with the sentence explaining it. The table of confidences is made
#: from kg.claims, where the rules are (:func:`claim_scores`).
CLAIM_CONFIDENCE = """
INSERT { ?claim ckg:confidence ?confidence ; ckg:confidenceNote ?note } WHERE {
  ?claim a ckg:Claim ; ckg:claimant ?claimant ; ckg:credibility ?credibility .
  OPTIONAL { ?claimant ckg:reliability/skos:notation ?grade }
  BIND(STR(COALESCE(?grade, "%s")) AS ?reliability)
  BIND(!BOUND(?grade) AS ?ungraded)
  BIND(xsd:integer(?credibility) AS ?score)
  VALUES (?reliability ?score ?ungraded ?confidence ?note) { %s }
}
"""

#: The direct triple of each proposition that is not refuted: one update per kind of object
#: (a UNION in one update is evaluated badly by rdflib: minutes at 100 k triples).
TRUTHY = tuple(f"""
INSERT {{ ?s ?p ?o }} WHERE {{
  ?prop a ckg:Proposition ; ckg:subject ?s ; ckg:predicate ?p ; ckg:status ?status ;
        {kind} ?o .
  FILTER(?status != ckg:Refuted)
}}
""" for kind in ("ckg:object", "ckg:value"))

#: Mentions by the entities and claimants of a post's claims (by the store, one update each) …
MENTIONS = (*(f"""
INSERT {{ ?post ckg:mentions ?entity }} WHERE {{
  ?claim prov:wasDerivedFrom ?post ; ckg:proposition ?prop . ?prop {role} ?entity .
  FILTER NOT EXISTS {{ ?entity a ckg:Outcome }}
}}
""" for role in ("ckg:subject", "ckg:object")), """
INSERT { ?post ckg:mentions ?entity } WHERE {
  ?claim prov:wasDerivedFrom ?post ; ckg:claimant ?entity
}
""")

#: … and by hashtag or handle, matched regardless of case in Python: as a SPARQL join on
#: LCASE(…) the store compares every post's tag with every entity's (minutes at 1 M triples).
TAGS = """
SELECT ?node ?property ?tag ?post WHERE {
  VALUES ?property { ckg:hashtag ckg:handle }
  ?node ?property ?tag . FILTER(isIRI(?node))
  BIND(EXISTS { ?node a ckg:Post } AS ?post)
}
"""


QUANTITY_PREDICATES = "SELECT ?predicate WHERE { ?predicate a ckg:QuantityProperty }"

#: The two ways a proposition states a number: by a quantity property (its predicates given as
#: VALUES: Oxigraph starts a join from a VALUES block, where it joins a type pattern, or a
#: UNION, with every claim of the graph first: 0.13 s against 0.86 s at 1 M triples) or by a
#: share.
QUANTITY_STARTS = ("VALUES ?predicate { %s } ?prop ckg:predicate ?predicate .",
                   "?prop ckg:share ?share ; ckg:predicate ?predicate .")

#: Every number reported for a quantity …
QUANTITIES = """
SELECT ?prop ?subject ?predicate ?object ?label ?value ?min ?max ?approximate ?share ?hours
       ?earliest ?latest WHERE {
  %s
  ?prop a ckg:Proposition ; ckg:subject ?subject .
  OPTIONAL { ?prop ckg:share ?share }
  OPTIONAL { ?predicate rdfs:label ?label }
  OPTIONAL { ?prop ckg:object ?object } OPTIONAL { ?prop ckg:value ?value }
  OPTIONAL { ?prop ckg:minValue ?min } OPTIONAL { ?prop ckg:maxValue ?max }
  OPTIONAL { ?prop ckg:approximate ?approximate } OPTIONAL { ?prop ckg:asOfHours ?hours }
  OPTIONAL { ?prop ckg:asOf ?t . OPTIONAL { ?t ckg:earliest ?earliest }
             OPTIONAL { ?t ckg:latest ?latest } }
}
"""

#: … and who asserted it (read apart: joined with the claims, the query above takes the store
#: several times as long).
ASSERTERS = """
SELECT ?prop ?name ?position WHERE {
  %s
  ?claim ckg:proposition ?prop ; ckg:stance ckg:Asserts ; ckg:claimant/rdfs:label ?name ;
         prov:wasDerivedFrom/ckg:position ?position .
}
"""

IMPLICATIONS = """
SELECT ?predicate ?implied ?label WHERE {
  ?predicate ckg:impliesLowerBoundOf ?implied . OPTIONAL { ?implied rdfs:label ?label }
}
"""

#: Claims of propositions both asserted and denied, found from the denials in one basic graph
#: pattern (a FILTER EXISTS per claim, or a subquery joined afterwards, has the store evaluate
#: the pattern for every claim first).
ASSERTED_AND_DENIED = """
SELECT DISTINCT ?prop ?claim ?stance ?name ?position ?says WHERE {
  ?no ckg:stance ckg:Denies ; ckg:proposition ?prop .
  ?yes ckg:proposition ?prop ; ckg:stance ckg:Asserts .
  ?claim ckg:proposition ?prop ; ckg:stance ?stance ; ckg:claimant ?claimant ;
         prov:wasDerivedFrom ?post .
  ?claimant rdfs:label ?name . ?post ckg:position ?position .
  ?prop ckg:subject ?subject ; ckg:predicate ?predicate .
  ?subject rdfs:label ?s . ?predicate rdfs:label ?p .
  OPTIONAL { ?prop ckg:object/rdfs:label ?o } OPTIONAL { ?prop ckg:value ?v }
  BIND(CONCAT(?s, " — ", ?p, " — ", COALESCE(?o, STR(?v), "?")) AS ?says)
  FILTER(?stance IN (ckg:Asserts, ckg:Denies))
} ORDER BY ?prop ?position ?claim
"""


def _iri(value: str | rdflib.URIRef) -> ox.NamedNode:
    return ox.NamedNode(str(value))


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(f"{XSD}integer"))


STATUS, CONFIDENCE, STATUS_REASON = _iri(CKG.status), _iri(CKG.confidence), _iri(CKG.statusReason)
CLAIM_COUNT, CLAIMANT_LIST = _iri(CKG.claimCount), _iri(CKG.claimantList)
POST_LIST, QUOTE_LIST = _iri(CKG.postList), _iri(CKG.quoteList)


def _update(store: KGStore, sparql: str) -> None:
    """Run a SPARQL update (with the project's prefixes) on the store itself."""
    if store.ox is not None:
        store.ox.update(sparql, prefixes=PREFIXES)
    else:
        store.dataset.update(sparql, initNs=PREFIXES)


def claim_scores(store: KGStore) -> list[ox.Quad]:
    """Quote offsets and confidence (with its explanation) of each claim, by the store."""
    table = []
    for grade in RELIABILITY_FACTOR:
        for credibility in CREDIBILITY_SCORE:
            for ungraded in ((False, True) if grade == DEFAULT_RELIABILITY else (False,)):
                note = explain_claim_confidence(grade, credibility, ungraded)
                table.append(f'("{grade}" {credibility} {str(ungraded).lower()} '
                             f"{claim_confidence(grade, credibility)} "
                             f"{sparql_term(rdflib.Literal(note))})")
    _update(store, QUOTE_OFFSETS)
    _update(store, CLAIM_CONFIDENCE % (DEFAULT_RELIABILITY, " ".join(table)))
    return []


def status_layer(store: KGStore) -> list[ox.Quad]:
    """Status and confidence of each proposition, from all the claims about it, and the
    summary of those claims (:func:`_evidence_summary`), read with them."""
    quads, by_proposition = [], defaultdict(list)
    evidence: dict[str, list[tuple[str, str, str, str]]] = defaultdict(list)
    ckg = str(CKG)
    claimants = {row["claimant"]: row for row in plain_rows(store, CLAIMANTS)}
    stances = {row["stance"]: row["label"] for row in plain_rows(store, STANCE_LABELS)}
    for row in plain_rows(store, CLAIMS):
        who = claimants.get(row["claimant"], {})
        grade = who.get("grade", DEFAULT_RELIABILITY)
        credibility = int(row["credibility"])
        by_proposition[row["prop"]].append(GradedClaim(
            claim=row["claim"], claimant=row["claimant"],
            claimant_label=who.get("claimantLabel", row["claimant"]),
            stance=row["stance"].removeprefix(ckg), credibility=credibility,
            confidence=claim_confidence(grade, credibility),
            post_position=int(row.get("position", 0)), relayed_by=row.get("relayer"),
            unnamed=is_true(who.get("unnamed"))))
        said = (who.get("claimantLabel"), stances.get(row["stance"]), row.get("position"),
                row.get("quote"))
        if all(said):
            evidence[row["prop"]].append((row["claim"], f"{said[0]} {said[1]}", *said[2:]))
    statuses = {name: _iri(CKG[name]) for name in STATUSES}
    scores = [_int(score) for score in range(101)]
    for prop, claims in by_proposition.items():
        status, confidence, reason = derive_status(claims)
        node = ox.NamedNode(prop)
        quads += [ox.Quad(node, STATUS, statuses[status]),
                  ox.Quad(node, CONFIDENCE, scores[confidence]),
                  ox.Quad(node, STATUS_REASON, ox.Literal(reason))]
    for prop, said in evidence.items():
        quads += _evidence_summary(ox.NamedNode(prop), said)
    return quads


def _evidence_summary(node: ox.NamedNode, said: list[tuple[str, str, str, str]]
                      ) -> list[ox.Quad]:
    """How many claims a proposition has, and their claimants (name and stance), posts and
    quotes, each list joined with " | " (a claim counts with its claimant's name, its post's
    position and its quote). Views and the `relations` question read these instead of joining
    every claim: 0.75 s against 1.85 s for the 29k relations of 1M triples."""
    claims, who, posts, quotes = (set(column) for column in zip(*said, strict=True))
    return [ox.Quad(node, CLAIM_COUNT, _int(len(claims))),
            ox.Quad(node, CLAIMANT_LIST, ox.Literal(" | ".join(sorted(who)))),
            ox.Quad(node, POST_LIST, ox.Literal(" | ".join(sorted(posts, key=int)))),
            ox.Quad(node, QUOTE_LIST, ox.Literal(" | ".join(sorted(quotes))))]


def truthy_layer(store: KGStore) -> list[ox.Quad]:
    """The direct triple of every proposition that is not refuted, by the store."""
    for update in TRUTHY:
        _update(store, update)
    return []


def claim_mentions(store: KGStore) -> list[ox.Quad]:
    """ckg:mentions of the entities and claimants of a post's claims, by the store."""
    for update in MENTIONS:
        _update(store, update)
    return []


def tag_mentions(store: KGStore) -> list[ox.Quad]:
    """ckg:mentions of the entities whose hashtag or handle a post uses."""
    posts, entities = defaultdict(set), defaultdict(set)
    for row in plain_rows(store, TAGS):
        key = (row["property"], row["tag"].lower())
        (posts if is_true(row["post"]) else entities)[key].add(row["node"])
    mentions = _iri(CKG.mentions)
    return [ox.Quad(ox.NamedNode(post), mentions, ox.NamedNode(entity))
            for key in sorted(posts.keys() & entities.keys())
            for post in sorted(posts[key]) for entity in sorted(entities[key])]


def _number(row: dict[str, str], key: str) -> float | None:
    return float(row[key]) if key in row else None


def _quantity(row: dict[str, str], claimants: set[str]) -> Quantity:
    value, low, high = _number(row, "value"), _number(row, "min"), _number(row, "max")
    share = "share" in row
    approximate = is_true(row.get("approximate"))
    if share:
        value = float(row["share"])
    label = str(row.get("label", row["predicate"]))
    subject = str(row["subject"]) + (f" {row['object']}" if share else "")
    what = f"({label})" if share else label
    who = ", ".join(sorted(claimants))  # stable on every engine
    text = f"{describe(value, low, high, approximate, share)} {what} per {who}"
    return Quantity(
        proposition=str(row["prop"]), subject=subject, predicate=str(row["predicate"]),
        low=as_range(value, low, high, approximate)[0],
        high=as_range(value, low, high, approximate)[1], text=text, label=label,
        hours=_number(row, "hours"),
        window=(str(row["earliest"]) if "earliest" in row else None,
                str(row["latest"]) if "latest" in row else None))


def quantities(store: KGStore) -> list[Quantity]:
    """Every number asserted for a quantity, with its claimants ("SDF (post 8)") in its text."""
    predicates = " ".join(f"<{row['predicate']}>"
                          for row in plain_rows(store, QUANTITY_PREDICATES))
    starts = (QUANTITY_STARTS[0] % predicates, QUANTITY_STARTS[1])
    claimants: dict[str, set[str]] = defaultdict(set)
    for start in starts:
        for row in plain_rows(store, ASSERTERS % start):
            name = row["name"]
            claimants[row["prop"]].add(name if "(post" in name
                                       else f"{name} (post {row['position']})")
    rows = {row["prop"]: row for start in starts for row in plain_rows(store, QUANTITIES % start)}
    return [_quantity(row, claimants[prop]) for prop, row in rows.items() if prop in claimants]


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


def _who(claims: list[dict[str, str]]) -> str:
    """'SDF (post 8); corpus author (posts 8, 15)' — claimants with their posts."""
    posts: dict[str, list[int]] = defaultdict(list)
    for row in claims:
        posts[str(row["name"])].append(int(row["position"]))
    return "; ".join(f"{name} (post{'s' if len(p) > 1 else ''} "
                     f"{', '.join(map(str, sorted(set(p))))})" for name, p in posts.items())


def contradictions_layer(store: KGStore) -> list[ox.Quad]:
    """Contradictions (asserted and denied; incompatible or implied numbers) and evolutions."""
    quads = []
    sides: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in plain_rows(store, ASSERTED_AND_DENIED):
        sides[row["prop"]].append(row)
    for prop, claims in sides.items():
        node = _finding_node(prop)
        said = {stance: _who([r for r in claims if r["stance"] == str(CKG[stance])])
                for stance in ("Asserts", "Denies")}
        reason = (f"“{claims[0]['says']}” is asserted by {said['Asserts']} and denied by "
                  f"{said['Denies']}")
        quads += _finding_quads(node, "AssertedAndDenied", reason)
        quads += [ox.Quad(node, _iri(CKG.between), _iri(r["claim"])) for r in claims]
        quads.append(ox.Quad(node, _iri(CKG.concerns), _iri(prop)))
    implications = {r["predicate"]: (r["implied"], r.get("label", r["implied"]))
                    for r in plain_rows(store, IMPLICATIONS)}
    for finding in find(quantities(store), implications):
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


#: The layers in two chains, each in dependency order (truthy needs status). Neither chain
#: reads what the other writes, so on Oxigraph they run at once, on two threads, balanced by
#: time: the first is SPARQL updates, which the store runs without holding Python's lock, then
#: the contradictions and tag mentions (most of their time is the store's too); the second is
#: the status layer, whose time is Python's, and the truthy update that needs it. At 1M
#: triples: 3.6–3.8 s, where with the contradictions and tags after the truthy layer on the
#: second chain it was 4.4 s (the first chain then sat idle from 2.4 s).
CHAINS = ((claim_scores, claim_mentions, contradictions_layer, tag_mentions),
          (status_layer, truthy_layer))


def _size(store: KGStore) -> int:
    return len(store.ox) if store.ox is not None else len(store)


def _run_chain(store: KGStore, chain: tuple) -> None:
    for layer in chain:
        quads = layer(store)
        if quads:
            store.add(quads)


def derive(store: KGStore) -> int:
    """Add every derived layer to ``store``; return the quads added."""
    before = _size(store)
    if store.ox is None:  # rdflib's store is not safe for concurrent writes
        for chain in CHAINS:
            _run_chain(store, chain)
    else:
        with ThreadPoolExecutor(max_workers=1) as pool:
            other = pool.submit(_run_chain, store, CHAINS[0])
            _run_chain(store, CHAINS[1])
            other.result()
    return _size(store) - before
