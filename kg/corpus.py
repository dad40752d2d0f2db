"""Turn a corpus file (one post a line) into ckg:Post nodes, text exactly as in the file.

>>> hashtags("Per #SDF, 89 #ISIS escapees; #ISIS’s attack")
['SDF', 'ISIS', 'ISIS']
>>> handles("@alhurranews@farhad_shami NEW -- mail me at a@b.org")
['alhurranews', 'farhad_shami']
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.errors import KGError, Problem
from kg.namespaces import CKG, ID

_HASHTAG = re.compile(r"(?<![\w&])#(\w+)")
_HANDLE_RUN = re.compile(r"(?<![\w.])((?:@\w+)+)")  # "@a@b" is a run of two handles

XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def hashtags(text: str) -> list[str]:
    """Hashtags in order of appearance, without '#'."""
    return _HASHTAG.findall(text)


def handles(text: str) -> list[str]:
    """Handles in order of appearance, without '@' ("@a@b" gives both a and b)."""
    return [h for run in _HANDLE_RUN.findall(text) for h in run.split("@") if h]


@dataclass(frozen=True)
class Corpus:
    """A corpus as declared in the data: its IRI, file and default author."""

    iri: str
    path: Path
    author: str | None

    @property
    def slug(self) -> str:
        return self.path.stem

    def post_iri(self, position: int) -> str:
        return f"{ID}post/{self.slug}-{position:03d}"


def read_posts(corpus: Corpus) -> list[tuple[int, str]]:
    """(line number, text) of every non-empty line; a missing file is a clear error."""
    try:
        raw = corpus.path.read_bytes()
    except FileNotFoundError:
        raise KGError([Problem(f"corpus file of {corpus.iri} not found", corpus.path)]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise KGError([Problem("corpus file is not UTF-8", corpus.path, line)]) from None
    return [(n, line) for n, line in enumerate(text.split("\n"), start=1) if line.strip()]


def post_quads(corpus: Corpus) -> list[ox.Quad]:
    """The ckg:Post nodes of a corpus, plus its SHA-256."""
    node = ox.NamedNode
    post_class, text_of, position_of, in_corpus, author_of, hashtag, handle = (
        node(term) for term in (CKG.Post, CKG.text, CKG.position, CKG.inCorpus, CKG.author,
                                CKG.hashtag, CKG.handle))
    corpus_node = node(corpus.iri)
    author = node(corpus.author) if corpus.author else None
    quads = [ox.Quad(corpus_node, node(CKG.sha256),
                     ox.Literal(hashlib.sha256(corpus.path.read_bytes()).hexdigest()))]
    for position, text in read_posts(corpus):
        post = node(corpus.post_iri(position))
        quads += [
            ox.Quad(post, RDF_TYPE, post_class),
            ox.Quad(post, text_of, ox.Literal(text)),
            ox.Quad(post, position_of, ox.Literal(str(position), datatype=XSD_INTEGER)),
            ox.Quad(post, in_corpus, corpus_node),
        ]
        if author is not None:
            quads.append(ox.Quad(post, author_of, author))
        for predicate, values in ((hashtag, hashtags(text)), (handle, handles(text))):
            quads += [ox.Quad(post, predicate, ox.Literal(v)) for v in dict.fromkeys(values)]
    return quads
