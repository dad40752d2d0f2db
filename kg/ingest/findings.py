"""What extraction finds, as plain records: entity mentions, proposed new things, operation
references, propositions, claims and the findings of one post; and the slugs of new IRIs."""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from dataclasses import dataclass, field

from kg.ingest.gazetteer import PropKey, prop_key
from kg.ingest.numbers import Quantity
from kg.ingest.times import TimeMention, TimeSpec


def slug(text: str, limit: int = 48) -> str:
    """A readable identifier part: ASCII letters, digits and hyphens; a digest when the text
    has no Latin letters (an Arabic name).

    >>> slug("Syrian Observatory for Human Rights"), slug("عبد الله")[:5]
    ('syrian-observatory-for-human-rights', 'name-')
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words, current = [], []
    for char in ascii_text.lower():
        if char.isalnum():
            current.append(char)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    result = "-".join(words)[:limit].strip("-")
    if not result:
        result = "name-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
    return result


@dataclass
class Mention:
    """An entity named in a post: linked to the graph, resolved from "the prison", or new."""

    text: str
    start: int
    end: int
    first: int
    last: int
    iri: str
    kind: str
    cls: str
    how: str  # label | alias | hashtag | handle | anaphora | new
    confidence: float


@dataclass
class NewThing:
    """An entity, unnamed source or operation the graph does not have yet, proposed for it."""

    iri: str
    cls: str
    kind: str
    label: str
    confidence: float
    note: str
    first_post: int
    hashtag: str | None = None
    handle: str | None = None
    located_in: str | None = None
    part_of: str | None = None
    time: TimeSpec | None = None
    key: str = ""
    args: set[tuple[str, str]] = field(default_factory=set)


@dataclass
class OpRef:
    """An operation referred to in a post: its IRI, class, and how it was found."""

    iri: str
    cls: str
    how: str  # name | facts | discourse | new
    confidence: float
    first: int
    last: int
    start: int
    end: int
    new: bool = False


@dataclass
class Prop:
    """A proposition found in a post (subject, predicate, object or value, qualifiers)."""

    subject: str
    predicate: str
    obj: str | None = None
    value: str | float | None = None
    minimum: float | None = None
    maximum: float | None = None
    approximate: bool = False
    share: float | None = None
    as_of: TimeSpec | None = None
    as_of_hours: float | None = None
    first: int = 0
    last: int = 0
    confidence: float = 0.5
    evidence: str = ""

    def key(self) -> PropKey:
        """The proposition's identity, to find it among those the graph already has."""
        def num(v: float | None) -> str | None:
            return None if v is None else str(v)
        value = self.value if isinstance(self.value, str) else num(self.value)
        if self.as_of is not None or self.as_of_hours is not None:
            return (self.subject, self.predicate, self.obj, value, num(self.minimum),
                    num(self.maximum), f"{num(self.share)}@{self.as_of}/{self.as_of_hours}")
        return prop_key(self.subject, self.predicate, self.obj, value, num(self.minimum),
                        num(self.maximum), num(self.share), self.approximate)


@dataclass
class ClaimFinding:
    """A claim about a proposition: who claims it, how, in which words."""

    prop: Prop
    claimant: str
    relayed_by: str | None
    stance: str  # Asserts | Denies | Questions
    credibility: int
    quote: str
    start: int
    end: int
    confidence: float
    why: str


@dataclass
class PostFindings:
    """Everything found in one post."""

    position: int
    text: str
    date: dt.date | None
    mentions: list[Mention] = field(default_factory=list)
    times: list[TimeMention] = field(default_factory=list)
    quantities: list[tuple[Quantity, str | None]] = field(default_factory=list)
    operations: list[OpRef] = field(default_factory=list)
    claims: list[ClaimFinding] = field(default_factory=list)
    new: list[str] = field(default_factory=list)  # IRIs of NewThings first proposed here
