"""`kg eval`: run ingest on the posts of the curated corpus and compare what it proposes with
what curators wrote, per post: the entities mentioned, the operations referred to, the
claimants, and the quantities; and, per curated claim, whether the proposed claim that covers
its quote has the same claimant.

Gold, per post (from data/): entities are the subjects and objects of the propositions claimed
in the post, its named claimants, and the entities whose hashtag or handle the post uses
(actors, places, facilities, equipment; not the author and not unnamed sources); operations are
the operations among those subjects and objects; claimants are the claimants of its claims, the
author as AUTHOR and every unnamed source as UNNAMED; quantities are the numbers
(value, minimum, maximum, share) of the propositions claimed in it.

Two scores. In-sample: the gazetteer is the whole graph. Leave-one-thread-out: for each
thread, the entities and operations that only that thread's posts refer to are removed from the
gazetteer, and the facts its claims state are not used to link operations; the thread is then
scored. A held-out entity that ingest proposes as new, under one of its names, counts as found
(an entity outside the knowledge base correctly found: the NIL convention of entity-linking
evaluations); a held-out operation counts as found when ingest proposes a new operation of a
compatible class in that post. The strict score gives no such credit.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kg.ingest.extract import C, PostFindings
from kg.ingest.gazetteer import Gazetteer, from_store, load_graph, text_key
from kg.ingest.records import Record
from kg.ingest.run import ingest
from kg.namespaces import ID, shorten
from kg.store import KGStore

DEFAULT_CORPUS = f"{ID}corpus/000_dd67e9743226e335"
ASPECTS = ("entities", "operations", "claimants", "quantities")

POSTS = """
SELECT ?post ?position ?text ?thread ?earliest ?latest ?author WHERE {
  ?post a ckg:Post ; ckg:inCorpus ?corpus ; ckg:position ?position ; ckg:text ?text .
  OPTIONAL { ?corpus ckg:author ?author }
  OPTIONAL { ?post ckg:inThread ?thread }
  OPTIONAL { ?post ckg:time ?t . OPTIONAL { ?t ckg:earliest ?earliest }
             OPTIONAL { ?t ckg:latest ?latest } }
} ORDER BY ?position
"""

CLAIMS = """
SELECT ?post ?claim ?claimant ?unnamed ?subject ?object ?value ?min ?max ?share ?start ?end
WHERE {
  ?claim a ckg:Claim ; prov:wasDerivedFrom ?post ; ckg:claimant ?claimant ;
         ckg:proposition ?prop .
  ?post ckg:inCorpus ?corpus .
  ?prop ckg:subject ?subject .
  OPTIONAL { ?prop ckg:object ?object }
  OPTIONAL { ?prop ckg:value ?value FILTER(isNumeric(?value)) }
  OPTIONAL { ?prop ckg:minValue ?min } OPTIONAL { ?prop ckg:maxValue ?max }
  OPTIONAL { ?prop ckg:share ?share }
  OPTIONAL { ?claim ckg:quoteStart ?start ; ckg:quoteEnd ?end }
  BIND(EXISTS { ?claimant a ckg:UnnamedSource } AS ?unnamed)
}
"""

TAGS = """
SELECT ?post ?entity WHERE {
  ?post ckg:inCorpus ?corpus .
  { ?post ckg:hashtag ?tag . ?entity ckg:hashtag ?name } UNION
  { ?post ckg:handle ?tag . ?entity ckg:handle ?name }
  FILTER(LCASE(STR(?tag)) = LCASE(STR(?name)) && ?entity != ?post)
  FILTER NOT EXISTS { ?entity a ckg:Post }
}
"""


@dataclass
class GoldPost:
    """What the curators recorded for one post."""

    iri: str
    position: int
    text: str
    thread: str
    date: str | None
    entities: set[str] = field(default_factory=set)
    operations: set[str] = field(default_factory=set)
    claimants: set[str] = field(default_factory=set)
    quantities: set[tuple] = field(default_factory=set)
    claims: list[tuple[int, int, str]] = field(default_factory=list)  # start, end, claimant


@dataclass
class Counts:
    """True positives, false positives, false negatives."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, tp: int, predicted: int, gold: int) -> None:
        """Count one post."""
        self.tp += tp
        self.fp += predicted - tp
        self.fn += gold - tp

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Score:
    """One evaluation setting: counts per aspect, strict counts, and claim attribution."""

    counts: dict[str, Counts] = field(default_factory=lambda: {a: Counts() for a in ASPECTS})
    strict: dict[str, Counts] = field(default_factory=lambda: {a: Counts() for a in ASPECTS})
    attributed: int = 0
    aligned: int = 0
    gold_claims: int = 0
    named_gold: int = 0  # gold entities named in their post by a name the graph has
    named_found: int = 0  # … of which found
    unannotated: int = 0  # linked entities named verbatim in their post but not in its gold

    def add(self, other: Score) -> None:
        """Add another score's counts to this one."""
        for mine, theirs in ((self.counts, other.counts), (self.strict, other.strict)):
            for name in ASPECTS:
                mine[name].tp += theirs[name].tp
                mine[name].fp += theirs[name].fp
                mine[name].fn += theirs[name].fn
        for name in ("attributed", "aligned", "gold_claims", "named_gold", "named_found",
                     "unannotated"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def lenient(self) -> Counts:
        """Entity counts that do not hold against ingest a verbatim name the curators left
        out of the post's claims (neither a true nor a false positive)."""
        c = self.counts["entities"]
        return Counts(c.tp, c.fp - self.unannotated, c.fn)


@dataclass
class Report:
    """Both scores, and what they were measured on."""

    posts: int
    threads: int
    corpus: str
    in_sample: Score
    held_out: Score
    per_thread: dict[str, Score]


def _norm(value: object) -> float | None:
    return None if value is None else float(str(value))


def gold(store: KGStore, gazetteer: Gazetteer, corpus: str = DEFAULT_CORPUS
         ) -> tuple[list[GoldPost], str]:
    """The curated annotations of every post of ``corpus``, and the corpus author."""
    from rdflib import URIRef

    bind = {"corpus": URIRef(corpus)}
    posts: dict[str, GoldPost] = {}
    author = ""
    for row in store.select(POSTS, bind):
        date = row.get("latest") or row.get("earliest")
        posts[str(row["post"])] = GoldPost(str(row["post"]), int(row["position"]),
                                           str(row["text"]), str(row.get("thread", "")),
                                           str(date)[:10] if date else None)
        author = str(row.get("author", author))

    def kind(iri: str) -> str | None:
        entity = gazetteer.entities.get(iri)
        return entity.kind if entity else None

    for row in store.select(CLAIMS, bind):
        post = posts.get(str(row["post"]))
        if post is None:
            continue
        claimant = str(row["claimant"])
        unnamed = str(row["unnamed"]).lower() == "true"
        label = "AUTHOR" if claimant == author else "UNNAMED" if unnamed else claimant
        post.claimants.add(label)
        if "start" in row:
            post.claims.append((int(row["start"]), int(row["end"]), label))
        if label == claimant and kind(claimant) == "Actor":
            post.entities.add(claimant)
        for key in ("subject", "object"):
            if key in row:
                iri = str(row[key])
                if kind(iri) == "Operation":
                    post.operations.add(iri)
                elif kind(iri) and iri != author and not _unnamed(gazetteer, iri):
                    post.entities.add(iri)
        numbers = tuple(_norm(row.get(k)) for k in ("value", "min", "max"))
        if any(n is not None for n in numbers):
            post.quantities.add(numbers)
        if "share" in row:
            post.quantities.add((_norm(row["share"]), None, None))
    for row in store.select(TAGS, bind):
        post = posts.get(str(row["post"]))
        iri = str(row["entity"])
        if post is not None and kind(iri) not in (None, "Operation"):
            post.entities.add(iri)
    return sorted(posts.values(), key=lambda p: p.position), author


def _unnamed(gazetteer: Gazetteer, iri: str) -> bool:
    entity = gazetteer.entities.get(iri)
    return entity is not None and gazetteer.is_a(entity.cls, C + "UnnamedSource")


@dataclass
class _Predicted:
    entities: set[str]
    new_names: list[str]
    operations: set[str]
    new_ops: list[str]
    claimants: set[str]
    quantities: set[tuple]
    claims: list[tuple[int, int, str]]


def _predicted(found: PostFindings, author: str, new_labels: dict[str, set[str]],
               new_classes: dict[str, str], gazetteer: Gazetteer | None = None) -> _Predicted:
    """What ingest proposes for one post, counted like the gold: the entities it mentions,
    its named claimants and (given the gazetteer) the subjects and objects of its claims."""
    # a mention of a proposed entity (named, or resolved from "the prison") is new, whatever
    # its IRI: a fresh slug may equal a held-out entity's IRI without being linked to it
    entities = {m.iri for m in found.mentions if m.how != "new" and m.iri not in new_classes}
    new_names = sorted({k for m in found.mentions if m.how == "new" or m.iri in new_classes
                        for k in new_labels.get(m.iri, set())})
    operations = {o.iri for o in found.operations if not o.new}
    new_ops = [new_classes[o.iri] for o in found.operations if o.new]
    claimants: set[str] = set()
    claims = []
    quantities = set()
    for claim in found.claims:
        label = _claimant_label(claim.claimant, author, new_labels, new_classes)
        claimants.add(label)
        claims.append((claim.start, claim.end, label))
        prop = claim.prop
        if claim.claimant in new_labels:
            new_names = sorted(set(new_names) | new_labels[claim.claimant])
        elif claim.claimant not in new_classes and label not in ("AUTHOR", "UNNAMED"):
            entities.add(claim.claimant)
        for iri in (prop.subject, prop.obj):
            if iri and iri in new_classes and new_classes[iri] != "entity":
                new_ops.append(new_classes[iri])
            elif iri in new_labels:
                new_names = sorted(set(new_names) | new_labels[iri])
            elif gazetteer is not None and _claimed_entity(gazetteer, iri, author):
                entities.add(iri)
        numbers = (prop.value if not isinstance(prop.value, str) else None, prop.minimum,
                   prop.maximum)
        if any(n is not None for n in numbers):
            quantities.add(tuple(_norm(n) for n in numbers))
        if prop.share is not None:
            quantities.add((_norm(prop.share), None, None))
    new_ops = list(dict.fromkeys(new_ops))
    return _Predicted(entities, new_names, operations, new_ops, claimants, quantities, claims)


def _claimed_entity(gazetteer: Gazetteer, iri: str | None, author: str) -> bool:
    """Whether a subject or object counts as an entity, as the gold counts it."""
    entity = gazetteer.entities.get(iri or "")
    return entity is not None and entity.kind != "Operation" and iri != author \
        and not _unnamed(gazetteer, entity.iri)


def _claimant_label(iri: str, author: str, new_labels: dict[str, set[str]],
                    new_classes: dict[str, str]) -> str:
    if iri == author:
        return "AUTHOR"
    if new_classes.get(iri) == C + "UnnamedSource":
        return "UNNAMED"
    if iri in new_labels:
        return "NEW:" + sorted(new_labels[iri])[0]
    return iri


def name_key(text: str) -> str:
    """A name compared for the NIL credit: case-folded, without '@' or a possessive 's."""
    key = text_key(text.lstrip("@#"))
    for ending in ("'s", "’s"):
        key = key.removesuffix(ending)
    return key


def _named_in(gazetteer: Gazetteer, iri: str, text: str) -> bool:
    """Whether ``text`` names ``iri`` by one of the graph's names for it (case-folded, '#' and
    '@' ignored, whole words): what name-based linking can find at best."""
    entity = gazetteer.entities.get(iri)
    if entity is None:
        return False
    plain = " ".join(text.replace("#", " ").replace("@", " ").split())
    for name in entity.names:
        if not name.text.strip():
            continue
        acronym = name.text.isupper() and len(name.text) <= 5  # "IS" is not "is"
        key = name.text if acronym else text_key(name.text)
        if re.search(rf"(?<!\w){re.escape(key)}(?!\w)", plain if acronym else text_key(plain)):
            return True
    return False


def _names(gazetteer: Gazetteer, iri: str) -> set[str]:
    entity = gazetteer.entities.get(iri)
    return {name_key(n.text) for n in entity.names} if entity else set()


def _score_post(score: Score, post: GoldPost, pred: _Predicted, full: Gazetteer,
                held: set[str]) -> None:
    gold_entities = post.entities
    tp = len(pred.entities & gold_entities)
    score.strict["entities"].add(tp, len(pred.entities) + len(pred.new_names),
                                 len(gold_entities))
    unused = list(pred.new_names)
    found_new = set()
    for iri in sorted((gold_entities & held) - pred.entities):
        hit = next((k for k in unused if k in _names(full, iri)), None)
        if hit:
            unused.remove(hit)
            found_new.add(iri)
            tp += 1
    score.counts["entities"].add(tp, len(pred.entities) + len(pred.new_names),
                                 len(gold_entities))
    credited = (pred.entities & gold_entities) | found_new
    named = {iri for iri in gold_entities if _named_in(full, iri, post.text)}
    score.named_gold += len(named)
    score.named_found += len(named & credited)
    score.unannotated += sum(1 for iri in pred.entities - gold_entities
                             if _named_in(full, iri, post.text))

    tp = len(pred.operations & post.operations)
    predicted = len(pred.operations) + len(pred.new_ops)
    score.strict["operations"].add(tp, predicted, len(post.operations))
    classes = list(pred.new_ops)
    for iri in sorted((post.operations & held) - pred.operations):
        cls = full.entities[iri].cls
        hit = next((c for c in classes if full.compatible(c, cls)), None)
        if hit:
            classes.remove(hit)
            tp += 1
    score.counts["operations"].add(tp, predicted, len(post.operations))

    def same(predicted: str, gold_label: str) -> bool:
        if predicted == gold_label:
            return True
        return (predicted.startswith("NEW:") and gold_label in held
                and predicted[4:] in _names(full, gold_label))

    strict_tp = len(pred.claimants & post.claimants)
    tp = sum(1 for g in post.claimants if any(same(p, g) for p in pred.claimants))
    score.strict["claimants"].add(strict_tp, len(pred.claimants), len(post.claimants))
    score.counts["claimants"].add(tp, len(pred.claimants), len(post.claimants))

    tp = len(pred.quantities & post.quantities)
    for counts in (score.counts, score.strict):
        counts["quantities"].add(tp, len(pred.quantities), len(post.quantities))

    for start, end, label in post.claims:
        score.gold_claims += 1
        overlaps = [(min(end, e) - max(start, s), p) for s, e, p in pred.claims
                    if min(end, e) > max(start, s)]
        if overlaps:
            score.aligned += 1
            best = max(overlaps)[0]
            if any(same(p, label) for o, p in overlaps if o == best):
                score.attributed += 1


def _run(posts: list[GoldPost], gazetteer: Gazetteer, author: str, full: Gazetteer,
         held: set[str], score: Score) -> None:
    records = [Record(p.text, p.position, author, p.date) for p in posts]
    batch = ingest(records, Path("corpus.txt"), gazetteer, author=author,
                   check_duplicates=False, stem="eval")
    found = [post.findings for corpus in batch.corpora for post in corpus.posts]
    new_labels: dict[str, set[str]] = defaultdict(set)
    new_classes: dict[str, str] = {}
    for iri, thing in batch.new.items():
        new_classes[iri] = thing.cls if thing.kind == "Operation" or thing.cls == (
            C + "UnnamedSource") else "entity"
        if new_classes[iri] == "entity":
            new_labels[iri].add(name_key(thing.label))
            for extra in (thing.hashtag, thing.handle):
                if extra:
                    new_labels[iri].add(name_key(extra))
    for post, findings in zip(posts, found, strict=True):
        predicted = _predicted(findings, author, new_labels, new_classes, gazetteer)
        _score_post(score, post, predicted, full, held)


def evaluate(data: Path, corpus: str = DEFAULT_CORPUS,
             progress: Callable[[str], None] = lambda _: None) -> Report:
    """Score ingest on ``corpus`` in ``data``, in-sample and leave-one-thread-out."""
    progress("loading the graph…")
    store = load_graph([data])
    full = from_store(store)
    posts, author = gold(store, full, corpus)
    progress(f"in-sample: {len(posts)} posts…")
    in_sample = Score()
    _run(posts, full, author, full, set(), in_sample)
    threads: dict[str, list[GoldPost]] = defaultdict(list)
    for post in posts:
        threads[post.thread].append(post)
    referred: dict[str, set[str]] = defaultdict(set)
    for post in posts:
        named = {c for c in post.claimants if c not in ("AUTHOR", "UNNAMED")}
        referred[post.thread] |= post.entities | post.operations | named
    held_out = Score()
    per_thread = {}
    for thread, members in threads.items():
        progress(f"leave out {shorten(thread)} ({len(members)} posts)…")
        elsewhere = set().union(*(v for k, v in referred.items() if k != thread))
        held = referred[thread] - elsewhere
        gazetteer = from_store(store, ignore_posts={p.iri for p in members}).without(held)
        score = Score()
        _run(members, gazetteer, author, full, held, score)
        per_thread[thread] = score
        held_out.add(score)
    return Report(len(posts), len(threads), corpus, in_sample, held_out, per_thread)


def format_report(report: Report) -> str:
    """The scores as a table."""
    lines = [f"kg eval: ingest against the curated annotations of {report.posts} posts of "
             f"{shorten(report.corpus)} ({report.threads} threads)", "",
             f"{'':14}{'in-sample':^24}  {'leave-one-thread-out':^24}  {'LOTO strict':>11}",
             f"{'':14}{'P':>8}{'R':>8}{'F1':>8}  {'P':>8}{'R':>8}{'F1':>8}  {'F1':>11}"]
    for name in ASPECTS:
        a, b, s = (report.in_sample.counts[name], report.held_out.counts[name],
                   report.held_out.strict[name])
        lines.append(f"{name:14}{a.precision:8.2f}{a.recall:8.2f}{a.f1:8.2f}  "
                     f"{b.precision:8.2f}{b.recall:8.2f}{b.f1:8.2f}  {s.f1:11.2f}")
    lines.append("")
    for title, score in (("in-sample", report.in_sample),
                         ("leave-one-thread-out", report.held_out)):
        accuracy = score.attributed / score.gold_claims if score.gold_claims else 0.0
        aligned = score.attributed / score.aligned if score.aligned else 0.0
        lines.append(f"claimant attribution, {title}: {accuracy:.2f} of {score.gold_claims} "
                     f"curated claims ({score.attributed}); {aligned:.2f} of the "
                     f"{score.aligned} that a proposed claim covers")
    for title, score in (("in-sample", report.in_sample),
                         ("leave-one-thread-out", report.held_out)):
        gold_total = score.counts["entities"].tp + score.counts["entities"].fn
        lenient = score.lenient()
        lines.append(
            f"entities, {title}: {score.named_gold} of {gold_total} gold entities are named in "
            f"their post by a graph name (the rest are implied; name-based recall ceiling "
            f"{score.named_gold / gold_total if gold_total else 0:.2f}), recall on the named "
            f"{score.named_found / score.named_gold if score.named_gold else 0:.2f}; "
            f"{score.unannotated} linked entities named verbatim but in no curated claim of "
            f"their post count as false positives — without them P {lenient.precision:.2f} "
            f"R {lenient.recall:.2f} F1 {lenient.f1:.2f}")
    lines += ["", "leave-one-thread-out, entity F1 and claimant-attribution accuracy per "
              "thread:"]
    for thread, score in report.per_thread.items():
        accuracy = score.attributed / score.gold_claims if score.gold_claims else 0.0
        lines.append(f"  {shorten(thread):34} entities {score.counts['entities'].f1:.2f}  "
                     f"attribution {accuracy:.2f} ({score.gold_claims} claims)")
    lines += ["", "Gold: per post, the entities, operations, claimants and numbers of the "
              "curated claims (and hashtag/handle mentions);", "LOTO: names and facts known "
              "only from the held-out thread are removed; a held-out entity or operation "
              "proposed as new", "under its name (operations: a compatible class) counts as "
              "found (NIL convention); 'LOTO strict' gives no such credit."]
    return "\n".join(lines)
