"""One ingest run: read the records, skip duplicates, give each author's posts a corpus of their
own (a corpus file has one author), and extract the findings of every post."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import KGError, Problem
from kg.ingest.extract import C, Extractor, NewThing, PostFindings, slug
from kg.ingest.gazetteer import Gazetteer, text_key
from kg.ingest.records import Record
from kg.ingest.times import post_date
from kg.namespaces import ID


@dataclass
class IngestedPost:
    """A post taken in: its line in the new corpus file and what was found in it."""

    position: int
    record: Record
    findings: PostFindings


@dataclass
class Duplicate:
    """A record left out because its text is already in the graph or earlier in the input."""

    record: Record
    of: str  # the IRI of the post it repeats, or "input line N"


@dataclass
class CorpusBatch:
    """The posts of one author in one input: one new corpus file."""

    stem: str
    author: str
    posts: list[IngestedPost] = field(default_factory=list)

    @property
    def file_name(self) -> str:
        """The corpus file, one post a line."""
        return f"{self.stem}.txt"

    @property
    def iri(self) -> str:
        """The corpus node."""
        return f"{ID}corpus/{self.stem}"

    def post_iri(self, position: int) -> str:
        """A post of this corpus, by line number (as the build names it)."""
        return f"{ID}post/{self.stem}-{position:03d}"


@dataclass
class Batch:
    """Everything one `kg ingest` found, ready to be written for review."""

    source: Path
    gazetteer: Gazetteer
    corpora: list[CorpusBatch]
    duplicates: list[Duplicate]
    new: dict[str, NewThing]
    authors: dict[str, NewThing]
    created: str


def resolve_author(name: str | None, gazetteer: Gazetteer, stem: str, source: Path
                   ) -> tuple[str, NewThing | None]:
    """The actor who wrote the posts: an IRI as given, an entity the graph names so, or a new
    actor proposed for review."""
    if name and name.startswith(("http://", "https://")):
        return name, None
    if name:
        wanted = text_key(name.lstrip("@"))
        for entity in gazetteer.entities.values():
            if entity.kind == "Actor" and any(text_key(n.text) == wanted for n in entity.names):
                return entity.iri, None
        handle = name[1:] if name.startswith("@") else None
        person = handle is None and len(name.split()) >= 2 and all(
            w[:1].isupper() for w in name.split())
        cls = C + ("Person" if person else "Actor")
        iri = f"{ID}actor/{slug(name)}"
        if iri in gazetteer.entities:
            iri = f"{ID}actor/{slug(name)}-author"
        return iri, NewThing(iri, cls, "Actor", name, 0.9, "the author given with the posts", 0,
                             handle=handle)
    iri = f"{ID}actor/author-of-{stem}"
    return iri, NewThing(iri, C + "Actor", "Actor", f"author of {source.name}", 1.0,
                         "no author was given; name them if known", 0)


def _date(record: Record, default: str | None, source: Path) -> dt.date | None:
    text = record.date or default
    if not text:
        return None
    try:
        return post_date(text)
    except ValueError as error:
        raise KGError([Problem(str(error), source, record.line)]) from None


def ingest(records: list[Record], source: Path, gazetteer: Gazetteer,
           author: str | None = None, date: str | None = None,
           check_duplicates: bool = True, stem: str | None = None) -> Batch:
    """Find candidates in ``records`` (read from ``source``) against ``gazetteer``."""
    digest = hashlib.sha256("\n".join(r.text for r in records).encode("utf-8")).hexdigest()
    base = stem or f"{slug(source.stem, 40)}-{digest[:10]}"
    dates = {id(r): _date(r, date, source) for r in records}
    groups: dict[str | None, list[Record]] = {}
    for record in records:
        groups.setdefault(record.author or author, []).append(record)
    seen: dict[str, str] = {}
    duplicates: list[Duplicate] = []
    corpora: list[CorpusBatch] = []
    authors: dict[str, NewThing] = {}
    extractor: Extractor | None = None
    for name, group in groups.items():
        corpus_stem = base if len(groups) == 1 else f"{base}-{slug(name or 'unknown', 24)}"
        iri, proposed = resolve_author(name, gazetteer, corpus_stem, source)
        if proposed is not None:
            authors.setdefault(iri, proposed)
        corpus = CorpusBatch(corpus_stem, iri)
        if extractor is None:
            extractor = Extractor(gazetteer, iri, corpus_stem)
        extractor.author, extractor.stem = iri, corpus_stem
        for record in group:
            key = text_key(record.text)
            if check_duplicates and key in gazetteer.posts:
                duplicates.append(Duplicate(record, gazetteer.posts[key]))
                continue
            if check_duplicates and key in seen:
                duplicates.append(Duplicate(record, seen[key]))
                continue
            seen[key] = f"input line {record.line}"
            position = len(corpus.posts) + 1
            findings = extractor.post(position, record.text, dates[id(record)])
            corpus.posts.append(IngestedPost(position, record, findings))
        if corpus.posts:
            corpora.append(corpus)
    return Batch(source, gazetteer, corpora, duplicates, dict(extractor.new) if extractor else {},
                 authors, dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"))
