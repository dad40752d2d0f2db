"""Turn a corpus file (one post a line) into ckg:Post nodes, text exactly as in the file.

>>> hashtags("Per #SDF, 89 #ISIS escapees; #ISIS’s attack")
['SDF', 'ISIS', 'ISIS']
>>> handles("@alhurranews@farhad_shami NEW -- mail me at a@b.org")
['alhurranews', 'farhad_shami']
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from kg.errors import KGError, Problem
from kg.namespaces import CKG, ID

_HASHTAG = re.compile(r"(?<![\w&])#(\w+)")
_HANDLE_RUN = re.compile(r"(?<![\w.])((?:@\w+)+)")  # "@a@b" is a run of two handles

XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


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


def _literal(text: str) -> str:
    """A string as an N-Triples literal (JSON's escapes are N-Triples escapes)."""
    return json.dumps(text, ensure_ascii=False)


def post_ntriples(corpus: Corpus) -> tuple[list[str], str]:
    """(IRIs, N-Triples) of the ckg:Post nodes of a corpus, plus its SHA-256. Text, not quad
    objects: the store parses it in native code, several times faster at many posts.

    >>> seed = Path(__file__).parent.parent / "data/corpus/000_dd67e9743226e335.txt"
    >>> iris, nt = post_ntriples(Corpus("https://example.org/c", seed, None))
    >>> len(iris), nt.count("ontology#Post> .")
    (60, 60)
    """
    ckg = {name: f"<{CKG[name]}>" for name in ("Post", "text", "position", "inCorpus",
                                                 "author", "hashtag", "handle", "sha256")}
    corpus_node = f"<{corpus.iri}>"
    author = f"{ckg['author']} <{corpus.author}> .\n" if corpus.author else ""
    digest = hashlib.sha256(corpus.path.read_bytes()).hexdigest()
    lines, iris = [f'{corpus_node} {ckg["sha256"]} "{digest}" .\n'], []
    for position, text in read_posts(corpus):
        iri = corpus.post_iri(position)
        iris.append(iri)
        post = f"<{iri}>"
        lines.append(f"{post} <{RDF_TYPE}> {ckg['Post']} .\n"
                     f"{post} {ckg['text']} {_literal(text)} .\n"
                     f'{post} {ckg["position"]} "{position}"^^<{XSD_INTEGER}> .\n'
                     f"{post} {ckg['inCorpus']} {corpus_node} .\n")
        if author:
            lines.append(f"{post} {author}")
        lines += [f"{post} {ckg[kind]} {_literal(value)} .\n"
                  for kind, values in (("hashtag", hashtags(text)), ("handle", handles(text)))
                  for value in dict.fromkeys(values)]
    return iris, "".join(lines)
