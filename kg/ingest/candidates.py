"""The named graph of candidates: the review file's triples, the posts they rest on, and what
only a candidate has (``ckg:Candidate``, ``ckg:extractionConfidence``, the offsets of each
finding), in a graph of its own (``id/candidates/NAME``), never the curated default graph.
Terms: ontology/ingest.ttl."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg.errors import KGError, Problem
from kg.ingest.run import Batch
from kg.namespaces import CKG, ID, PREFIXES
from kg.store import KGStore

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD = "http://www.w3.org/2001/XMLSchema#"


def graph_name(review: Path) -> ox.NamedNode:
    """The name of the candidates graph of a review file."""
    return ox.NamedNode(f"{ID}candidates/{review.stem}")


def _decimal(value: float) -> ox.Literal:
    return ox.Literal(f"{value:.2f}", datatype=ox.NamedNode(f"{XSD}decimal"))


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(f"{XSD}integer"))


def candidate_quads(batch: Batch, review_text: str, review: Path,
                    confidences: dict[str, float]) -> list[ox.Quad]:
    """Every quad of the candidates graph: the review's triples, the posts, the metadata."""
    graph = graph_name(review)
    node = ox.NamedNode
    triples = list(ox.parse(review_text.encode("utf-8"), format=ox.RdfFormat.TURTLE))
    for corpus in batch.corpora:
        for post in corpus.posts:
            iri = node(corpus.post_iri(post.position))
            triples += [ox.Quad(iri, RDF_TYPE, node(CKG.Post)),
                        ox.Quad(iri, node(CKG.text), ox.Literal(post.record.text)),
                        ox.Quad(iri, node(CKG.position), _integer(post.position)),
                        ox.Quad(iri, node(CKG.inCorpus), node(corpus.iri)),
                        ox.Quad(iri, node(CKG.author), node(corpus.author))]
    quads = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]
    for iri, confidence in confidences.items():
        quads += [ox.Quad(node(iri), RDF_TYPE, node(CKG.Candidate), graph),
                  ox.Quad(node(iri), node(CKG.extractionConfidence), _decimal(confidence),
                          graph)]
    for corpus in batch.corpora:
        for post in corpus.posts:
            post_node = node(corpus.post_iri(post.position))
            found = post.findings
            findings = [("entity", m.start, m.end, m.iri, m.confidence) for m in found.mentions]
            findings += [("operation", o.start, o.end, o.iri, o.confidence)
                         for o in found.operations]
            findings += [("quantity", q.start, q.end, None, 0.7) for q, _ in found.quantities]
            findings += [("time", t.start, t.end, None, 0.8) for t in found.times]
            for number, claim in enumerate(found.claims, start=1):
                claim_iri = node(f"{ID}claim/{corpus.stem}-{post.position:03d}-{number}")
                quads += [ox.Quad(claim_iri, node(CKG.quoteStart), _integer(claim.start), graph),
                          ox.Quad(claim_iri, node(CKG.quoteEnd), _integer(claim.end), graph)]
            for kind, start, end, iri, confidence in findings:
                finding = ox.BlankNode()
                quads += [
                    ox.Quad(finding, RDF_TYPE, node(CKG.Extraction), graph),
                    ox.Quad(finding, node(CKG.extractionKind), ox.Literal(kind), graph),
                    ox.Quad(finding, node(CKG.foundIn), post_node, graph),
                    ox.Quad(finding, node(CKG.offsetStart), _integer(start), graph),
                    ox.Quad(finding, node(CKG.offsetEnd), _integer(end), graph),
                    ox.Quad(finding, node(CKG.extractedText),
                            ox.Literal(found.text[start:end]), graph),
                    ox.Quad(finding, node(CKG.extractionConfidence), _decimal(confidence),
                            graph)]
                if iri:
                    quads.append(ox.Quad(finding, node(CKG.proposes), node(iri), graph))
    return quads


def write(quads: list[ox.Quad], path: Path) -> None:
    """Write the candidates graph as TriG."""
    path.write_bytes(ox.serialize(quads, format=ox.RdfFormat.TRIG,
                                  prefixes=dict(PREFIXES)))


def load(store: KGStore, path: Path) -> ox.NamedNode:
    """Load a candidates TriG file into its named graph of ``store``; the default (curated)
    graph is not touched. Returns the graph's name."""
    try:
        quads = list(ox.parse(path=str(path), format=ox.RdfFormat.TRIG))
    except (OSError, SyntaxError) as error:
        raise KGError([Problem(f"cannot read the candidates graph: {error}", path)]) from None
    names = {q.graph_name for q in quads}
    if any(isinstance(n, ox.DefaultGraph) for n in names):
        raise KGError([Problem("a candidates file may only hold named graphs", path)])
    if store.ox is not None:
        store.ox.extend(quads)
    else:
        from kg.store import _to_rdflib

        for q in quads:
            graph = store.dataset.graph(_to_rdflib(q.graph_name))
            graph.add((_to_rdflib(q.subject), _to_rdflib(q.predicate), _to_rdflib(q.object)))
    return next(iter(names))
