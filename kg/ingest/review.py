"""Write a batch as a review file in the authoring format of data/ (see data/README.md): the
corpus and its thread, per post its date and the entities it mentions, new entities and
operations, and propositions with the claims about them. Offsets, confidences and the reasons
for each proposal are comments, for the reviewer; only the triples are accepted."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from kg.ingest.extract import C, ClaimFinding, NewThing, OpRef, Prop
from kg.ingest.gazetteer import PropKey
from kg.ingest.run import Batch, CorpusBatch, IngestedPost
from kg.ingest.times import TimeSpec
from kg.namespaces import ID, PREFIXES

_LOCAL = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?$")
HEADER = """\
# Review file written by `kg ingest` from {source} on {created}.
# {summary}
#
# Everything below is a PROPOSAL. Check it against the posts, then edit freely: fix or delete
# propositions and claims, correct claimants, stances and grades, rename new entities and
# operations, or link them to existing ones. Comments give, for every finding, its character
# offsets into the post ([start–end), 0-based, end exclusive) and the extractor's confidence
# (0–1); they are for you and are not accepted as data.
# When done: `kg ingest --accept {review}` validates it like `kg build` and adds it to data/.
# The posts are in {files}, beside this file.
"""


#: The project's prefixes a review file declares; ``claim`` is declared per corpus instead.
DECLARED = {k: v for k, v in PREFIXES.items() if k not in ("claim", "p")}


def term(iri: str) -> str:
    """An IRI as Turtle: a prefixed name where one reads well, else <IRI>."""
    best = None
    for name, ns in DECLARED.items():
        local = iri[len(ns):]
        if iri.startswith(ns) and _LOCAL.match(local) and (best is None or len(local) < len(
                best[1])):
            best = (name, local)
    return f"{best[0]}:{best[1]}" if best else f"<{iri}>"


def literal(text: str) -> str:
    """A Turtle string literal (JSON's escapes are Turtle's)."""
    return json.dumps(text, ensure_ascii=False)


def number(value: float) -> str:
    """An integer or decimal literal."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def comment(text: str, limit: int = 300) -> str:
    """Text made safe for a one-line comment."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + "…"


def timespec(spec: TimeSpec, indent: str = "        ") -> str:
    """A ckg:TimeSpec as a blank node."""
    parts = ["a ckg:TimeSpec"]
    if spec.earliest:
        parts.append(f'ckg:earliest "{spec.earliest.isoformat()}"^^xsd:date')
    if spec.latest:
        parts.append(f'ckg:latest "{spec.latest.isoformat()}"^^xsd:date')
    parts.append(f"ckg:precision ckg:{spec.precision}")
    if spec.basis:
        parts.append(f"ckg:dateBasis ckg:{spec.basis}")
    parts.append(f"ckg:dateNote {literal(spec.note)}")
    return "[ " + (" ;\n" + indent).join(parts) + " ]"


class Review:
    """The review file of a batch; ``confidences`` collects, for the candidates graph, the
    extraction confidence of every new thing, proposition and claim written."""

    def __init__(self, batch: Batch, review_name: str):
        self.batch = batch
        self.review_name = review_name
        self.lines: list[str] = []
        self.defined_props: dict[PropKey, str] = {}
        self.prop_ids: set[str] = set()
        self.confidences: dict[str, float] = {}

    def add(self, *lines: str) -> None:
        """Append lines."""
        self.lines.extend(lines)

    def text(self) -> str:
        """The whole file."""
        if self.lines:
            return "\n".join(self.lines).rstrip() + "\n"
        batch = self.batch
        posts = sum(len(c.posts) for c in batch.corpora)
        summary = (f"{posts} post(s) taken in, {len(batch.duplicates)} duplicate(s) left out, "
                   f"{sum(len(p.findings.claims) for c in batch.corpora for p in c.posts)} "
                   f"claim(s) proposed.")
        files = ", ".join(c.file_name for c in batch.corpora) or "(no posts: nothing to add)"
        self.add(HEADER.format(source=batch.source.name, created=batch.created, summary=summary,
                               review=self.review_name, files=files))
        for name, iri in DECLARED.items():
            self.add(f"@prefix {name}: <{iri}> .")
        for index, corpus in enumerate(batch.corpora):
            self.add(f"@prefix {self._p(index)}: <{ID}post/{corpus.stem}-> .",
                     f"@prefix {self._claim(index)}: <{ID}claim/{corpus.stem}-> .")
        self.add("")
        self._duplicates()
        for thing in self.batch.authors.values():
            self._new_entity(thing, header=f"the author of the posts ({thing.note})")
        for index, corpus in enumerate(batch.corpora):
            self._corpus(index, corpus)
        return "\n".join(self.lines).rstrip() + "\n"

    def _p(self, index: int) -> str:
        return "p" if index == 0 else f"p{index + 1}"

    def _claim(self, index: int) -> str:
        return "claim" if index == 0 else f"claim{index + 1}"

    def _duplicates(self) -> None:
        if not self.batch.duplicates:
            return
        self.add("## Duplicates, left out --------------------------------------------------------",
                 "")
        for dup in self.batch.duplicates:
            where = dup.of if dup.of.startswith("input") else term(dup.of)
            self.add(f"# input line {dup.record.line} repeats {where}: "
                     f"{comment(dup.record.text, 120)!s}")
        self.add("")

    def _corpus(self, index: int, corpus: CorpusBatch) -> None:
        source = self.batch.source.name
        self.add(f"## Corpus {corpus.stem} ({len(corpus.posts)} posts) ------------------------",
                 "",
                 f"{term(corpus.iri)} a ckg:Corpus ;",
                 "    rdfs:label "
                 f"{literal(f'Ingested from {source} ({len(corpus.posts)} posts)')} ;",
                 f"    ckg:sourceFile {literal(corpus.file_name)} ;",
                 f"    ckg:author {term(corpus.author)} .",
                 "",
                 f"{term(f'{ID}thread/{corpus.stem}')} a ckg:Thread ;",
                 f"    rdfs:label {literal(f'Posts ingested from {source}')} ;",
                 f"    ckg:inCorpus {term(corpus.iri)} .",
                 "")
        for post in corpus.posts:
            self._post(index, corpus, post)

    def _post(self, index: int, corpus: CorpusBatch, post: IngestedPost) -> None:
        found, record = post.findings, post.record
        p = f"{self._p(index)}:{post.position:03d}"
        self.add(f"## Post {post.position:03d} (input line {record.line}) "
                 + "-" * 60, f"# {comment(found.text, 400)}")
        for m in found.mentions:
            self.add(f"# entity   [{m.start}–{m.end}) {comment(m.text, 60)!r} → {term(m.iri)}"
                     f" ({m.how}, {m.confidence:.2f})")
        for op in self._unique_ops(found.operations):
            words = comment(found.text[op.start:op.end], 60)
            self.add(f"# event    [{op.start}–{op.end}) {words!r}"
                     f" → {term(op.iri)} ({self._op_how(op)}, {op.confidence:.2f})")
        for q, predicate in found.quantities:
            reading = ", ".join(f"{k} {number(v)}" for k, v in (
                ("value", q.value), ("min", q.minimum), ("max", q.maximum)) if v is not None)
            flags = " approximate" if q.approximate else ""
            flags += " percent" if q.percent else ""
            counts = found.text[q.start:q.end]
            self.add(f"# quantity [{q.start}–{q.end}) {counts!r}: {reading}{flags} → "
                     + (f"ckg:{predicate}" if predicate else "not tied to a counted thing"))
        for t in found.times:
            if t.hours is not None:
                reading = f"{number(t.hours)} hours after an operation began"
            elif t.spec is None:
                reading = "not resolved (no post date or no year)"
            else:
                reading = (f"{t.spec.earliest or '…'} to {t.spec.latest or '…'}, "
                           f"{t.spec.precision}, {t.spec.basis or 'no basis'}")
            self.add(f"# time     [{t.start}–{t.end}) {t.text!r}: {reading}")
        statements = [f"{p} ckg:inThread {term(f'{ID}thread/{corpus.stem}')}"]
        if found.date:
            spec = TimeSpec(found.date, found.date, "DayPrecision", "Stated",
                            "the date given with the post")
            statements.append(f"ckg:time {timespec(spec)}")
        if record.url:
            statements.append(f"schema:url {literal(record.url)}")
        mentioned = list(dict.fromkeys(m.iri for m in found.mentions))
        if mentioned:
            statements.append("ckg:mentions " + ", ".join(term(i) for i in mentioned))
        self.add(" ;\n    ".join(statements) + " .", "")
        for iri in found.new:
            thing = self.batch.new[iri]
            if thing.kind == "Operation":
                self._new_operation(thing)
            else:
                self._new_entity(thing)
        if not found.claims:
            self.add("# no claim proposed for this post", "")
        for number_, claim in enumerate(found.claims, start=1):
            prop_iri = self._proposition(post, claim.prop)
            self._claim_block(index, post, number_, claim, prop_iri)

    @staticmethod
    def _unique_ops(ops: Iterable[OpRef]) -> list[OpRef]:
        seen, result = set(), []
        for op in ops:
            if (op.iri, op.start) not in seen:
                seen.add((op.iri, op.start))
                result.append(op)
        return result

    @staticmethod
    def _op_how(op: OpRef) -> str:
        return {"name": "linked by its name", "facts": "linked by what the graph says of it",
                "discourse": "the one named before in this input",
                "new": "new"}.get(op.how, op.how)

    def _new_entity(self, thing: NewThing, header: str | None = None) -> None:
        self.confidences[thing.iri] = thing.confidence
        self.add(f"# NEW ({thing.confidence:.2f}): {header or thing.note}")
        lines = [f"{term(thing.iri)} a {term(thing.cls)}",
                 f"rdfs:label {literal(thing.label)}"]
        if thing.hashtag:
            lines.append(f"ckg:hashtag {literal(thing.hashtag)}")
        if thing.handle:
            lines.append(f"ckg:handle {literal(thing.handle)}")
        if thing.located_in:
            lines.append(f"ckg:locatedIn {term(thing.located_in)}")
        if thing.part_of:
            lines.append(f"ckg:partOf {term(thing.part_of)}")
        self.add(" ;\n    ".join(lines) + " .", "")

    def _new_operation(self, thing: NewThing) -> None:
        self.confidences[thing.iri] = thing.confidence
        self.add(f"# NEW operation ({thing.confidence:.2f}): {thing.note}")
        lines = [f"{term(thing.iri)} a {term(thing.cls)}",
                 f"rdfs:label {literal(thing.label)}"]
        if thing.time is not None:
            lines.append(f"ckg:time {timespec(thing.time)}")
        self.add(" ;\n    ".join(lines) + " .", "")

    def _proposition(self, post: IngestedPost, prop: Prop) -> str:
        key = prop.key()
        existing = self.batch.gazetteer.propositions.get(key)
        if existing:
            self.add(f"# {prop.evidence}: already in the graph as {term(existing)}")
            return existing
        if key in self.defined_props:
            return self.defined_props[key]
        name = "-".join(part for part in (
            post.position and f"{post.position:03d}", prop.predicate.removeprefix(C),
            (prop.obj or "").rsplit("/", 1)[-1].rsplit("#", 1)[-1][:40]) if part)
        base = f"{ID}proposition/{self._stem_of(post)}-{name}".rstrip("-")
        iri, n = base, 2
        while iri in self.prop_ids:
            iri, n = f"{base}-{n}", n + 1
        self.prop_ids.add(iri)
        self.defined_props[key] = iri
        self.confidences[iri] = prop.confidence
        lines = [f"{term(iri)} a ckg:Proposition",
                 f"ckg:subject {term(prop.subject)}",
                 f"ckg:predicate {term(prop.predicate)}"]
        if prop.obj:
            lines.append(f"ckg:object {term(prop.obj)}")
        if isinstance(prop.value, str):
            lines.append(f"ckg:value {literal(prop.value)}")
        elif prop.value is not None:
            lines.append(f"ckg:value {number(prop.value)}")
        if prop.minimum is not None:
            lines.append(f"ckg:minValue {number(prop.minimum)}")
        if prop.maximum is not None:
            lines.append(f"ckg:maxValue {number(prop.maximum)}")
        if prop.approximate:
            lines.append("ckg:approximate true")
        if prop.share is not None:
            lines.append(f"ckg:share {number(prop.share)}")
        if prop.as_of_hours is not None:
            lines.append(f"ckg:asOfHours {number(prop.as_of_hours)}")
        if prop.as_of is not None:
            lines.append(f"ckg:asOf {timespec(prop.as_of)}")
        self.add(f"# {comment(prop.evidence, 120)} (confidence {prop.confidence:.2f})",
                 " ;\n    ".join(lines) + " .", "")
        return iri

    def _stem_of(self, post: IngestedPost) -> str:
        for corpus in self.batch.corpora:
            if any(p is post for p in corpus.posts):
                return corpus.stem
        return "ingest"

    def _claim_block(self, index: int, post: IngestedPost, number_: int, claim: ClaimFinding,
                     prop_iri: str) -> None:
        p = f"{self._p(index)}:{post.position:03d}"
        stem = self.batch.corpora[index].stem
        self.confidences[f"{ID}claim/{stem}-{post.position:03d}-{number_}"] = claim.confidence
        lines = [f"{self._claim(index)}:{post.position:03d}-{number_} a ckg:Claim",
                 f"ckg:proposition {term(prop_iri)}",
                 f"ckg:claimant {term(claim.claimant)}"]
        if claim.relayed_by:
            lines.append(f"ckg:relayedBy {term(claim.relayed_by)}")
        lines += [f"ckg:stance ckg:{claim.stance}", f"prov:wasDerivedFrom {p}",
                  f"ckg:quote {literal(claim.quote)}", f"ckg:credibility {claim.credibility}"]
        self.add(f"# quote [{claim.start}–{claim.end}), confidence {claim.confidence:.2f}: "
                 f"{claim.why}", " ;\n    ".join(lines) + " .", "")


def render(batch: Batch, review_name: str) -> str:
    """The review file's text."""
    return Review(batch, review_name).text()
