"""A synthetic conflict-kg graph of about N triples, in the project's own ontology, the same for
the same seed: the input of the benchmark (``benchmarks/run.py``).

    python benchmarks/generate.py --triples 1000000 --seed 7 --out .kg/bench/1M

The folder it writes is a data folder like ``data/`` (``kg build`` reads it with ``--data``,
``build_graph(data=[DIR])``) and passes every check of the build:

``corpus/bench.txt``      the posts, one a line; each claim's quote is a verbatim part of its post
``corpus/corpus.ttl``     the ckg:Corpus node the build turns into ckg:Post nodes
``entities.nt``           places (countries → regions → cities → districts, ckg:locatedIn),
                          facilities, equipment, actors (organisations, persons, unnamed sources)
``grading.nt``            source reliability (A–E) of most named actors; the rest are F
``operations.nt``         operations with ACLED-like type mix, ckg:time TimeSpecs and ckg:partOf
``claims.nt``             propositions and 1–5 claims each, some denied, questioned or relayed,
                          with conflicting and evolving numbers
``posts.nt``              threads, and each post's thread and date
``manifest.json``         seed, triple counts and sample IRIs for parameterised questions

The shape: actors are picked with power-law (Zipf) weights, so a few groups do most of the
fighting and most of the talking; operation types follow the ACLED event-type mix (battles,
explosions/remote violence, violence against civilians, riots, strategic developments).
``N`` counts the triples the build sees before deriving anything (the data files plus the posts
it makes from the corpus file); the ontology (~2.6 k triples) and the derived layers (~+35 %)
come on top. Generation stops at the first operation that reaches ``N``.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.corpus import handles, hashtags  # noqa: E402
from kg.namespaces import CKG, ID, PROV  # noqa: E402

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD = "http://www.w3.org/2001/XMLSchema#"
ACLED = "https://w3id.org/conflict-kg/acled#"
SLUG = "bench"

#: ACLED-like mix of operation classes (weights sum to 100): battles; explosions and remote
#: violence; violence against civilians; riots; strategic developments.
OPERATION_MIX = {
    "Clash": 26, "Battle": 2,
    "Airstrike": 12, "Bombing": 4, "IEDAttack": 6, "VBIEDAttack": 2, "SVBIEDAttack": 1,
    "Attack": 9, "Assault": 8,
    "Riot": 6,
    "Capture": 5, "Transfer": 2, "Repatriation": 1, "Deployment": 4, "Takeover": 2,
    "Withdrawal": 2, "Evacuation": 1, "SupportProgram": 2, "PrisonBreak": 1, "Plot": 2,
    "Agreement": 1, "Campaign": 1,
}
VIOLENT = {"Clash", "Battle", "Airstrike", "Bombing", "IEDAttack", "VBIEDAttack",
           "SVBIEDAttack", "Attack", "Assault", "Riot"}
EXPLOSIVE = {"Bombing", "IEDAttack", "VBIEDAttack", "SVBIEDAttack", "Airstrike"}
CONTAINERS = ("Battle", "Campaign")
ACTOR_KINDS = {"ArmedGroup": (45, "inter2"), "StateForce": (15, "inter1"),
               "Government": (8, "inter1"), "Agency": (5, "inter1"),
               "MediaOutlet": (7, None), "PopulationGroup": (8, "inter7"), "Person": (12, None)}
ORGANISATIONS = ("ArmedGroup", "StateForce", "Government", "Agency", "MediaOutlet")
FACILITY_KINDS = {"Prison": 15, "MilitaryBase": 35, "EnergyFacility": 20, "Building": 30}
SUPPORT = ("supports", "arms", "trains", "advises", "equips", "providesResources",
           "providesAirSupport", "providesGroundSupport", "providesIntelligence",
           "cooperatesWith")
HOSTILE = ("fights", "opposes", "attacked")
EQUIPMENT = ("VBIED", "IED", "drone", "attack helicopter", "mortar", "rocket launcher",
             "artillery", "sniper rifle", "armoured vehicle", "anti-tank missile")
RELIABILITY = {"A": 3, "B": 20, "C": 35, "D": 25, "E": 7}
CREDIBILITY = (1, 2, 3, 4, 5, 6)
CREDIBILITY_WEIGHTS = (4, 30, 40, 15, 4, 7)
HEDGE = {1: "confirmed:", 2: "", 3: "reportedly", 4: "allegedly", 5: "implausibly,", 6: "unclear:"}
SYLLABLES = ("al", "ba", "dar", "el", "far", "gha", "har", "id", "jab", "kar", "lat", "mar",
             "nah", "qas", "ra", "sal", "tal", "um", "wad", "zar", "shu", "khi", "rum", "yaz")
PLACE_FANOUT = (6, 6, 3)  # regions per country, cities per region, districts per city
VERSION = 2  # of the generator's output: a cached graph of another version is made again


def nt_iri(iri: str) -> str:
    return f"<{iri}>"


def nt_string(text: str) -> str:
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\r", "\\r"))
    return f'"{escaped}"'


def nt_typed(value: object, datatype: str) -> str:
    return f'"{value}"^^<{XSD}{datatype}>'


def ckg(name: str) -> str:
    return f"<{CKG}{name}>"


TYPE, LABEL = nt_iri(RDF_TYPE), nt_iri(RDFS_LABEL)


class Triples:
    """N-Triples files in one folder, each line counted."""

    def __init__(self, folder: Path):
        self.folder, self.files, self.count = folder, {}, 0

    def write(self, name: str, s: str, p: str, o: str) -> None:
        if name not in self.files:
            self.files[name] = (self.folder / name).open("w", encoding="utf-8")
        self.files[name].write(f"{s} {p} {o} .\n")
        self.count += 1

    def close(self) -> None:
        for handle in self.files.values():
            handle.close()


class Zipf:
    """Draw items with weight 1/rank^s: a few very active, a long tail of rare ones."""

    def __init__(self, items: Sequence[str], rng: random.Random, s: float = 1.1):
        self.items, self.rng = list(items), rng
        self.cumulative = list(itertools.accumulate(1 / (r + 1) ** s for r in range(len(items))))

    def draw(self) -> str:
        return self.items[bisect.bisect(self.cumulative, self.rng.random() * self.cumulative[-1])]

    def pair(self) -> tuple[str, str]:
        first = self.draw()
        second = self.draw()
        while second == first:
            second = self.draw()
        return first, second


@dataclass
class Entity:
    iri: str
    label: str
    kind: str
    hashtag: str | None = None


@dataclass
class World:
    """The entities operations and claims are about."""

    places: list[Entity] = field(default_factory=list)
    leaves: list[Entity] = field(default_factory=list)  # cities and districts
    facilities: list[Entity] = field(default_factory=list)
    equipment: list[Entity] = field(default_factory=list)
    actors: list[Entity] = field(default_factory=list)  # named actors, by activity rank
    by_iri: dict[str, Entity] = field(default_factory=dict)


@dataclass
class Claim:
    proposition: str
    claimant: str
    stance: str
    credibility: int
    sentence: str
    relayed: bool = False


@dataclass
class Post:
    position: int
    thread: str
    day: date
    sentences: list[str] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


class Generator:
    """Writes one synthetic graph; see the module doc."""

    def __init__(self, triples: int, seed: int, out: Path):
        self.target, self.rng, self.out = triples, random.Random(seed), out
        self.seed = seed
        self.names: set[str] = set()
        self.world = World()
        out.mkdir(parents=True, exist_ok=True)
        (out / "corpus").mkdir(exist_ok=True)
        self.nt = Triples(out)
        self.corpus_text = (out / "corpus" / f"{SLUG}.txt").open("w", encoding="utf-8")
        self.post_triples = 1  # the corpus's ckg:sha256
        self.position = 0
        self.unnamed = 0
        self.operations: list[tuple[str, str, date]] = []  # iri, class, day
        self.containers: list[str] = []
        self.propositions = 0
        self.claims = 0
        self.author = f"{ID}actor/bench-author"
        self.corpus_iri = f"{ID}corpus/{SLUG}"
        self.samples: dict[str, str] = {}

    # -- names -------------------------------------------------------------------------------

    def name(self, words: int = 2) -> str:
        """A fresh pronounceable name ("Kar-Talum"), unique in this graph."""
        for _ in range(1000):
            parts = ["".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(2, 3)))
                     for _ in range(words)]
            candidate = "-".join(p.capitalize() for p in parts)
            if candidate not in self.names:
                self.names.add(candidate)
                return candidate
        candidate = f"{candidate}{len(self.names)}"
        self.names.add(candidate)
        return candidate

    def entity(self, file: str, kind: str, cls: str, label: str, tag: bool = False,
               slug: str | None = None) -> Entity:
        slug = slug or label.lower().replace(" ", "-").replace(".", "")
        iri = f"{ID}{kind}/{slug}"
        hashtag = label.replace("-", "").replace(" ", "") if tag else None
        entity = Entity(iri, label, cls, hashtag)
        self.world.by_iri[iri] = entity
        s = nt_iri(iri)
        self.nt.write(file, s, TYPE, ckg(cls))
        self.nt.write(file, s, LABEL, nt_string(label))
        if hashtag:
            self.nt.write(file, s, ckg("hashtag"), nt_string(hashtag))
        return entity

    # -- entities ----------------------------------------------------------------------------

    def places(self, countries: int) -> None:
        def children(parent: Entity | None, depth: int) -> None:
            kinds = ("Country", "Region", "City", "District")
            count = countries if parent is None else PLACE_FANOUT[depth - 1]
            for _ in range(count):
                label = self.name(1 if depth != 1 else 2)
                place = self.entity("entities.nt", "place", kinds[depth], label, tag=depth < 3)
                self.world.places.append(place)
                if parent is not None:
                    self.nt.write("entities.nt", nt_iri(place.iri), ckg("locatedIn"),
                                  nt_iri(parent.iri))
                if depth >= 2:
                    self.world.leaves.append(place)
                if depth < 3:
                    children(place, depth + 1)
        children(None, 0)
        self.samples["place"] = self.world.places[0].iri  # a country: everything in it
        self.samples["place_mid"] = self.world.leaves[len(self.world.leaves) // 2].iri

    def facilities(self, count: int) -> None:
        kinds, weights = zip(*FACILITY_KINDS.items(), strict=True)
        words = {"Prison": "prison", "MilitaryBase": "base", "EnergyFacility": "oil field",
                 "Building": "building"}
        for _ in range(count):
            kind = self.rng.choices(kinds, weights)[0]
            label = f"{self.name(1)} {words[kind]}"
            facility = self.entity("entities.nt", "facility", kind, label)
            where = self.rng.choice(self.world.leaves)
            self.nt.write("entities.nt", nt_iri(facility.iri), ckg("locatedIn"),
                          nt_iri(where.iri))
            self.world.facilities.append(facility)
        self.samples["facility"] = self.world.facilities[0].iri

    def equipment(self) -> None:
        for label in EQUIPMENT:
            self.world.equipment.append(self.entity("entities.nt", "equipment", "Equipment",
                                                    label))

    def actors(self, count: int) -> None:
        author = self.entity("entities.nt", "actor", "Analyst", "bench author",
                             slug="bench-author")
        self.nt.write("grading.nt", nt_iri(author.iri), ckg("reliability"), ckg("ReliabilityB"))
        kinds = list(ACTOR_KINDS)
        weights = [ACTOR_KINDS[k][0] for k in kinds]
        organisations: list[Entity] = []
        suffix = {"ArmedGroup": "Brigade", "StateForce": "Army", "Government": "Government",
                  "Agency": "Security Service", "MediaOutlet": "News",
                  "PopulationGroup": "detainees", "Person": ""}
        for _ in range(count):
            kind = self.rng.choices(kinds, weights)[0]
            label = f"{self.name(1 if kind != 'Person' else 2)} {suffix[kind]}".strip()
            actor = self.entity("entities.nt", "actor", kind, label,
                                tag=kind in ORGANISATIONS and self.rng.random() < 0.7)
            s = nt_iri(actor.iri)
            inter = ACTOR_KINDS[kind][1]
            if inter:
                self.nt.write("entities.nt", s, ckg("acledActorType"), nt_iri(ACLED + inter))
            if self.rng.random() < 0.3:
                self.nt.write("entities.nt", s, ckg("alias"), nt_string(self.name(1)))
            if organisations and kind in ORGANISATIONS and self.rng.random() < 0.15:
                self.nt.write("entities.nt", s, ckg("partOf"),
                              nt_iri(self.rng.choice(organisations).iri))
            if kind == "Person" and organisations:
                relation = "leaderOf" if self.rng.random() < 0.3 else "memberOf"
                self.nt.write("entities.nt", s, ckg(relation),
                              nt_iri(self.rng.choice(organisations).iri))
            if self.rng.random() < 0.3:
                self.nt.write("entities.nt", s, ckg("basedIn"),
                              nt_iri(self.rng.choice(self.world.places).iri))
            if kind in ORGANISATIONS:
                organisations.append(actor)
            if self.rng.random() < 0.75:
                grade = self.rng.choices(list(RELIABILITY), list(RELIABILITY.values()))[0]
                self.nt.write("grading.nt", s, ckg("reliability"), ckg(f"Reliability{grade}"))
                self.nt.write("grading.nt", s, ckg("reliabilityNote"),
                              nt_string(f"Synthetic grade {grade}."))
            self.world.actors.append(actor)
        self.pick = Zipf([a.iri for a in self.world.actors], self.rng)
        self.pick_facility = Zipf([f.iri for f in self.world.facilities], self.rng, 0.8)
        self.pick_place = Zipf([p.iri for p in self.world.leaves], self.rng, 0.8)
        self.samples["actor"] = self.world.actors[0].iri  # the busiest (power law: the head)
        self.samples["actor_mid"] = self.world.actors[len(self.world.actors) // 2].iri

    def corpus(self, threads: int) -> None:
        (self.out / "corpus" / "corpus.ttl").write_text(
            f"@prefix ckg: <{CKG}> .\n"
            f"@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n\n"
            f"<{self.corpus_iri}> a ckg:Corpus ;\n"
            f'    rdfs:label "Synthetic benchmark posts (seed {self.seed})" ;\n'
            f'    ckg:sourceFile "{SLUG}.txt" ;\n'
            f"    ckg:author <{self.author}> .\n", encoding="utf-8")
        self.threads = []
        for number in range(threads):
            thread = f"{ID}thread/{SLUG}-{number}"
            self.nt.write("posts.nt", nt_iri(thread), TYPE, ckg("Thread"))
            self.nt.write("posts.nt", nt_iri(thread), LABEL, nt_string(f"thread {number}"))
            self.nt.write("posts.nt", nt_iri(thread), ckg("inCorpus"), nt_iri(self.corpus_iri))
            self.threads.append(thread)

    # -- operations, propositions, claims and posts -------------------------------------------

    def timespec(self, file: str, node: str, day: date, basis: str = "Stated") -> None:
        """A blank-node TimeSpec: one day, a few days or a month, as the sources allow."""
        roll = self.rng.random()
        if roll < 0.6:
            earliest, latest, precision = day, day, "DayPrecision"
        elif roll < 0.85:
            earliest, latest = day, day + timedelta(days=self.rng.randint(1, 4))
            precision = "DaysPrecision"
        else:
            earliest = day.replace(day=1)
            latest = (earliest + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            precision = "MonthPrecision"
        b = f"_:{node}"
        self.nt.write(file, b, TYPE, ckg("TimeSpec"))
        self.nt.write(file, b, ckg("earliest"), nt_typed(earliest.isoformat(), "date"))
        self.nt.write(file, b, ckg("latest"), nt_typed(latest.isoformat(), "date"))
        self.nt.write(file, b, ckg("precision"), ckg(precision))
        self.nt.write(file, b, ckg("dateBasis"), ckg(basis))
        self.nt.write(file, b, ckg("dateNote"), nt_string(f"Synthetic date ({precision})."))

    def operation(self, number: int) -> tuple[str, str, date]:
        cls = self.rng.choices(list(OPERATION_MIX), list(OPERATION_MIX.values()))[0]
        day = date(2015, 1, 1) + timedelta(days=self.rng.randrange(3650))
        iri = f"{ID}operation/{day.isoformat()}-{SLUG}-{number}"
        s = nt_iri(iri)
        self.nt.write("operations.nt", s, TYPE, ckg(cls))
        self.nt.write("operations.nt", s, LABEL, nt_string(f"{cls} {number} of {day:%B %Y}"))
        self.nt.write("operations.nt", s, ckg("time"), f"_:t{number}")
        self.timespec("operations.nt", f"t{number}", day)
        if self.containers and cls not in CONTAINERS and self.rng.random() < 0.15:
            self.nt.write("operations.nt", s, ckg("partOf"),
                          nt_iri(self.rng.choice(self.containers[-50:])))
        if cls in CONTAINERS:
            self.containers.append(iri)
        self.samples.setdefault("operation", iri)
        return iri, cls, day

    def label(self, iri: str) -> str:
        entity = self.world.by_iri.get(iri)
        return entity.label if entity else iri.rsplit("/", 1)[-1]

    def proposition(self, slug: str, subject: str, predicate: str, obj: str | None = None,
                    value: str | None = None, extra: Sequence[tuple[str, str]] = ()) -> str:
        iri = f"{ID}proposition/{slug}"
        s = nt_iri(iri)
        self.nt.write("claims.nt", s, TYPE, ckg("Proposition"))
        self.nt.write("claims.nt", s, ckg("subject"), nt_iri(subject))
        self.nt.write("claims.nt", s, ckg("predicate"), ckg(predicate))
        if obj is not None:
            self.nt.write("claims.nt", s, ckg("object"), nt_iri(obj))
        if value is not None:
            self.nt.write("claims.nt", s, ckg("value"), value)
        for p, o in extra:
            self.nt.write("claims.nt", s, ckg(p), o)
        self.propositions += 1
        self.samples.setdefault("proposition", iri)
        return iri

    def claimant(self) -> tuple[str, bool]:
        """A claimant: a named actor (power law), the author, or a relayed unnamed source."""
        roll = self.rng.random()
        if roll < 0.6:
            return self.pick.draw(), self.rng.random() < 0.3
        if roll < 0.9:
            return self.author, False
        self.unnamed += 1
        iri = f"{ID}actor/unnamed-{SLUG}-{self.unnamed}"
        self.nt.write("entities.nt", nt_iri(iri), TYPE, ckg("UnnamedSource"))
        self.nt.write("entities.nt", nt_iri(iri), LABEL,
                      nt_string(f"unnamed local sources ({self.unnamed})"))
        return iri, True

    def claims_about(self, proposition: str, sentence: str, posts: list[Post],
                     deniable: bool = True) -> None:
        """1–5 claims (mostly one or two) about a proposition, spread over the posts."""
        count = self.rng.choices((1, 2, 3, 4, 5), (45, 28, 14, 8, 5))[0]
        denied = deniable and self.rng.random() < 0.08
        for index in range(count):
            who, relayed = self.claimant()
            if who == self.author:
                relayed = False
            credibility = self.rng.choices(CREDIBILITY, CREDIBILITY_WEIGHTS)[0]
            stance, words = "Asserts", f"{HEDGE[credibility]} {sentence}".strip()
            if denied and index == count - 1 and count > 1:
                stance, words = "Denies", f"it is false that {sentence}"
            elif index > 0 and self.rng.random() < 0.03:
                stance, words = "Questions", f"not confirmed that {sentence}"
            post = self.rng.choice(posts)
            post.claims.append(Claim(proposition, who, stance, credibility, words, relayed))
            post.sentences.append(words)

    def cluster(self, number: int) -> None:
        """One operation with what is claimed about it, in a few posts of one thread."""
        operation, cls, day = self.operation(number)
        thread = self.threads[number % len(self.threads)]
        posts = [Post(0, thread, day + timedelta(days=k)) for k in range(self.rng.randint(1, 4))]
        name = f"{cls} {number}"
        slug = f"{SLUG}-{number}"
        perpetrator, other = self.pick.pair()
        self.claims_about(self.proposition(f"{slug}-perpetrator", operation, "perpetrator",
                                           perpetrator),
                          f"{self.label(perpetrator)} carried out the {name}", posts)
        if self.rng.random() < 0.15:  # a contested attribution
            self.claims_about(self.proposition(f"{slug}-perpetrator-alt", operation,
                                               "perpetrator", other),
                              f"{self.label(other)} was behind the {name}", posts)
        if cls in VIOLENT or cls in ("Capture", "PrisonBreak", "Plot", "Takeover"):
            roll = self.rng.random()
            target = (self.pick_facility.draw() if roll < 0.35 else other if roll < 0.8
                      else self.pick_place.draw())
            self.claims_about(self.proposition(f"{slug}-target", operation, "target", target),
                              f"the {name} hit {self.label(target)}", posts)
        where = self.pick_place.draw()
        self.claims_about(self.proposition(f"{slug}-place", operation, "place", where),
                          f"the {name} took place in {self.label(where)}", posts, False)
        if cls in EXPLOSIVE:
            weapon = self.rng.choice(self.world.equipment)
            self.claims_about(self.proposition(f"{slug}-weapon", operation, "weapon",
                                               weapon.iri),
                              f"a {weapon.label} was used in the {name}", posts)
        if cls in VIOLENT and self.rng.random() < 0.6:
            self.numbers(operation, slug, name, posts)
        if cls == "Plot":
            outcome = self.rng.choice(("Foiled", "Succeeded", "Failed"))
            self.claims_about(self.proposition(f"{slug}-outcome", operation, "outcome",
                                               f"{CKG}{outcome}"),
                              f"the {name} was {outcome.lower()}", posts)
        if self.rng.random() < 0.5:
            self.relation(slug, posts)
        self.write_posts(posts)

    def numbers(self, operation: str, slug: str, name: str, posts: list[Post]) -> None:
        """How many were killed: one report, or several that agree, conflict or evolve."""
        base = max(1, int(self.rng.paretovariate(1.3) * 3))
        reports = [(base, False, None)]
        if self.rng.random() < 0.35:
            roll = self.rng.random()
            if roll < 0.4:  # incompatible numbers at the same time
                reports.append((base * self.rng.randint(3, 6) + 5, False, None))
            elif roll < 0.7:  # approximately the same
                reports.append((base + 1, True, None))
            else:  # a toll that rises over time
                reports = [(base, False, 6), (base * 2 + 3, False, 48)]
        for value, approximate, hours in reports:
            extra = [("approximate", nt_typed("true", "boolean"))] if approximate else []
            if hours is not None:
                extra.append(("asOfHours", nt_typed(hours, "integer")))
            suffix = f"{value}" + (f"-at-{hours}h" if hours is not None else "")
            proposition = self.proposition(f"{slug}-killed-{suffix}", operation, "killed",
                                           value=nt_typed(value, "integer"), extra=extra)
            words = f"{'about ' if approximate else ''}{value} killed in the {name}"
            if hours is not None:
                words += f" after {hours} hours"
            self.claims_about(proposition, words, posts)

    def relation(self, slug: str, posts: list[Post]) -> None:
        """A relation between actors, or an actor's control of a facility."""
        roll = self.rng.random()
        first, second = self.pick.pair()
        if roll < 0.55:
            predicate = self.rng.choice(SUPPORT)
            words = f"{self.label(first)} {predicate} {self.label(second)}"
            proposition = self.proposition(f"{slug}-{predicate}", first, predicate, second)
        elif roll < 0.85:
            predicate = self.rng.choice(HOSTILE)
            words = f"{self.label(first)} {predicate} {self.label(second)}"
            proposition = self.proposition(f"{slug}-{predicate}", first, predicate, second)
        else:
            facility = self.pick_facility.draw()
            share = self.rng.choice((None, 25, 50, 75))
            extra = [("share", nt_typed(share, "integer"))] if share else []
            words = f"{self.label(first)} controls {share or 'all'}% of {self.label(facility)}"
            proposition = self.proposition(f"{slug}-controls", first, "controls", facility,
                                           extra=extra)
        self.claims_about(proposition, words, posts)

    def write_posts(self, posts: list[Post]) -> None:
        for post in posts:
            if not post.claims:
                continue
            self.position += 1
            post.position = self.position
            tags = {self.world.by_iri[c.claimant].hashtag for c in post.claims
                    if c.claimant in self.world.by_iri} - {None}
            text = ". ".join(post.sentences) + "." + "".join(f" #{t}" for t in sorted(tags))
            if post.position % 7 == 0:
                text += " via @benchwire"
            self.corpus_text.write(text + "\n")
            self.post_triples += (5 + len(dict.fromkeys(hashtags(text)))
                                  + len(dict.fromkeys(handles(text))))
            iri = f"{ID}post/{SLUG}-{post.position:03d}"
            self.nt.write("posts.nt", nt_iri(iri), ckg("inThread"), nt_iri(post.thread))
            self.nt.write("posts.nt", nt_iri(iri), ckg("time"), f"_:p{post.position}")
            self.timespec("posts.nt", f"p{post.position}", post.day, "ThreadOrder")
            for index, claim in enumerate(post.claims, start=1):
                self.claim(iri, post.position, index, claim)

    def claim(self, post: str, position: int, index: int, claim: Claim) -> None:
        iri = f"{ID}claim/{SLUG}-{position:03d}-{index}"
        s = nt_iri(iri)
        write = self.nt.write
        write("claims.nt", s, TYPE, ckg("Claim"))
        write("claims.nt", s, ckg("proposition"), nt_iri(claim.proposition))
        write("claims.nt", s, ckg("claimant"), nt_iri(claim.claimant))
        if claim.relayed:
            write("claims.nt", s, ckg("relayedBy"), nt_iri(self.author))
        write("claims.nt", s, ckg("stance"), ckg(claim.stance))
        write("claims.nt", s, nt_iri(f"{PROV}wasDerivedFrom"), nt_iri(post))
        write("claims.nt", s, ckg("quote"), nt_string(claim.sentence))
        write("claims.nt", s, ckg("credibility"), nt_typed(claim.credibility, "integer"))
        self.claims += 1

    # -- the whole graph ------------------------------------------------------------------------

    def total(self) -> int:
        return self.nt.count + self.post_triples

    def run(self) -> dict[str, object]:
        operations = max(20, self.target // 150)
        self.places(max(1, min(60, self.target // 50_000)))
        self.facilities(max(10, operations // 6))
        self.equipment()
        self.actors(max(20, operations // 8))
        self.corpus(max(2, operations // 8))
        number = 0
        while self.total() < self.target:
            number += 1
            self.cluster(number)
        self.nt.close()
        self.corpus_text.close()
        manifest = {
            "version": VERSION, "seed": self.seed, "requested": self.target,
            "triples": self.total(),
            "file_triples": self.nt.count, "post_triples": self.post_triples,
            "operations": number, "propositions": self.propositions, "claims": self.claims,
            "posts": self.position, "actors": len(self.world.actors) + self.unnamed + 1,
            "places": len(self.world.places), "facilities": len(self.world.facilities),
            "samples": self.samples,
        }
        (self.out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n",
                                                encoding="utf-8")
        return manifest


def generate(triples: int, seed: int, out: Path) -> dict[str, object]:
    """Write a graph of about ``triples`` triples to ``out``; return its manifest."""
    return Generator(triples, seed, out).run()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=10_000, help="about how many triples")
    parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same graph)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write")
    args = parser.parse_args(argv)
    manifest = generate(args.triples, args.seed, args.out)
    print(json.dumps({k: v for k, v in manifest.items() if k != "samples"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
