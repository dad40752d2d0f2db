"""Findings of one post: entities linked to the gazetteer (or proposed as new), operations
(linked or new) with perpetrator, target, place, weapon and time, quantities tied to what they
count, and claims with claimant, stance, credibility and a verbatim quote. Every finding keeps
its character offsets into the post and an extraction confidence (0–1).

The extractor keeps a short memory of what earlier posts of the same input named, so that "the
prison" or "the attack" can be resolved to what was last named of that kind.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from spacy.tokens import Doc, Span

from kg.ingest import coref, pipeline, rules, times
from kg.ingest.findings import ClaimFinding, Mention, NewThing, OpRef, PostFindings, Prop, slug
from kg.ingest.gazetteer import Gazetteer, Name, text_key
from kg.ingest.numbers import MONTHS, Quantity, find_quantities
from kg.ingest.times import TimeSpec
from kg.namespaces import CKG, ID

C = str(CKG)
PLACE_PREPS = {"in", "into", "across", "near", "from", "onto", "to", "at", "outside", "inside",
               "around", "toward", "towards", "throughout", "within"}
#: Prepositions that put a place at either end of a movement, not where the event happened.
DIRECTION_PREPS = {"to", "from", "toward", "towards"}
TARGET_PREPS = {"on", "against", "targeting", "at", "of", "into"}
GAP_OK = {"'s", "’s", "#", "*", "-", "dawn", "deadly", "major", "new", "latest", "failed",
          "massive", "suspected", "full", "first", "1st", "initial", "multi", "axis", "complex",
          "coordinated", "large", "big", "also", "apparent", "reported", "u.s.", "us", "air",
          "militants", "fighters", "forces", "units", "soldiers", "troops", "gunmen", "cells"}
AGENT_VERBS = {"launched", "launch", "launches", "carried", "conducted", "staged", "began",
               "mounted", "fired", "deployed", "has", "have", "is", "are", "was", "were",
               "engaged", "now", "still", "also", "continue", "continues", "out", "a", "an",
               "the", "in", "its", "their", "had", "been", "made", "make", "chose", "to",
               "hit", "brought"}
HEADS = {"prison": "DetentionFacility", "jail": "DetentionFacility", "base": "MilitaryBase",
         "facility": "Facility", "building": "Building", "city": "City", "town": "City",
         "area": "Place", "region": "Region", "country": "Country", "group": "ArmedGroup",
         "wing": "FacilityPart", "camp": "DetentionFacility"}
DETERMINERS = {"the", "this", "that", "these", "those", "its", "their"}
#: What may stand between a verb and its object: "attacked an SDF checkpoint".
BEFORE_OBJECT = {"a", "an", "the", "its", "their"}
PEOPLE = {"militants", "fighters", "jihadists", "prisoners", "detainees", "inmates", "men",
          "soldiers", "troops", "people", "civilians", "families", "women", "children",
          "contractors", "members", "attackers", "gunmen", "personnel", "refugees",
          "residents", "escapees", "kids", "commanders", "police", "policemen", "guards",
          "officers", "persons", "individuals", "captives", "hostages", "combatants"}
KILLED_WORDS = {"killed", "dead", "died", "deaths", "fatalities", "bodies", "death", "toll"}
ESCAPE_WORDS = {"escaped", "escape", "escapees", "freed", "freeing", "broke", "fled"}
RECAPTURE_WORDS = {"caught", "recaptured", "captured", "re-arrested", "rearrested", "arrested"}
ATTACK_WORDS = {"launched", "stormed", "attacked", "assault", "attack", "raid", "storming"}
MOVE_WORDS = {"moved", "evacuated", "displaced", "fled", "took", "pulled", "withdrew",
              "deployed", "sent", "evacuation", "relocated", "out", "repatriated", "returned"}
HOLD_WORDS = {"holds", "hold", "held", "holding", "remain", "remains", "prison", "prisons",
              "detained", "jailed", "camp", "camps", "detention", "facilities", "jail"}
CONTROL_WORDS = {"control", "controls", "controlled", "controlling"}
DESTROY_WORDS = {"rubble", "destroyed", "damaged", "flattened", "demolished"}
ORG_WORDS = {
    "MediaOutlet": {"news", "times", "post", "press", "tv", "radio", "media", "channel",
                    "television", "daily", "herald", "tribune", "gazette", "agency"},
    "ResearchOrganization": {"institute", "institution", "review", "journal", "center",
                             "centre", "university", "foundation", "tank"},
    "ArmedGroup": {"army", "forces", "brigade", "brigades", "battalion", "units", "militia",
                   "militias", "front", "guard", "guards", "mobilization", "mobilisation",
                   "hashd", "legion", "jaish", "liwa", "kataib", "rebels"},
    "Government": {"government", "ministry", "administration", "authority", "authorities",
                   "parliament", "presidency", "cabinet"},
    "Agency": {"service", "services", "office", "directorate", "intelligence", "department"},
    "Organization": {"observatory", "council", "committee", "network", "organization",
                     "organisation", "party", "movement", "coalition", "commission", "group",
                     "watch", "union", "association", "society", "crescent", "cross",
                     "company", "corporation", "nations", "un"},
}
PERSON_CUES = {"mr", "mr.", "ms", "ms.", "dr", "dr.", "sheikh", "general", "gen.", "col.",
               "colonel", "leader", "commander", "spokesman", "spokesperson", "minister",
               "president", "emir", "prince", "king", "journalist", "analyst", "official",
               "lt.", "captain", "sgt.", "major"}
FACILITY_WORDS = {"prison": "Prison", "jail": "Prison", "base": "MilitaryBase",
                  "airport": "Facility", "camp": "DetentionFacility", "field": "EnergyFacility",
                  "hospital": "Building", "dam": "Facility", "airbase": "MilitaryBase"}
NAME_PARTICLES = {"al", "el", "ad", "as", "ar", "an", "ash", "bin", "ibn", "abu", "bint", "of",
                  "for", "ez", "es", "de", "du", "da", "la", "le", "von", "van", "-", "&", "and",
                  "'", "’", "the"}
NOT_NAMES = {"breaking", "new", "update", "very", "meanwhile", "increasingly", "unclear",
             "green", "civilian", "putting", "having", "area", "one",
             "per", "local", "some", "while", "why", "what", "how", "but", "and", "not",
             "this", "that", "the", "it", "its", "there", "where", "when", "as", "so", "if",
             "i", "we", "he", "she", "they", "video", "reports", "nearly", "qs", "with", "for",
             "in", "on", "at", "by", "to", "from", "western", "european",
             "north", "south", "east", "west", "northern", "southern", "eastern", "central",
             "today", "tonight", "yesterday", "overnight", "now", "later", "ago"}
WEEKDAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
ATTACK_LIKE = ("Attack", "Plot", "Battle", "Clash")
DEFAULT_OPS = {"killed": "Attack", "escapees": "PrisonBreak", "escapeesRecaptured": "PrisonBreak",
               "attackerCount": "Assault", "peopleMoved": "Evacuation",
               "destroyedShare": "Airstrike"}
QUANTITY_OPS = {"escapees": ("PrisonBreak",), "escapeesRecaptured": ("PrisonBreak",),
                "attackerCount": ("Attack", "Plot"),
                "peopleMoved": ("Evacuation", "Withdrawal", "Deployment", "Transfer"),
                "destroyedShare": ("Attack",), "killed": (*ATTACK_LIKE, "Operation")}
MEMORY = 40  # how many earlier mentions the discourse memory keeps
MILITARY_NOUNS = {"aircraft", "airstrike", "airstrikes", "strike", "strikes", "helicopters",
                  "helos", "helicopter", "jets", "drones", "drone", "forces", "troops",
                  "soldiers", "military", "army", "personnel", "advisers", "advisors", "units",
                  "apache", "bradley", "bradleys", "warplanes", "planes", "artillery"}
DETAINEE_NOUNS = {"prisoners", "prisoner", "detainees", "detainee", "escapees", "inmates"}
NAME_HEADS = {"prison", "prisons", "base", "camp", "airport", "field", "facility", "wing",
              "area", "city", "town", "district", "region", "province", "governorate",
              "government", "governments", "govt", "govts", "govt's", "forces", "military",
              "army", "administration", "soil", "program", "programme", "campaign", "paper",
              "prison's", "university", "ministry", "militia", "brigade", "front", "council",
              "coalition", "observatory"}
COMPASS = {"n", "s", "e", "w", "ne", "nw", "se", "sw", "north", "south", "east", "west",
           "northern", "southern", "eastern", "western", "north-east", "north-west",
           "south-east", "south-west", "northeast", "northwest", "southeast", "southwest",
           "northeastern", "northwestern", "southeastern", "southwestern", "central", "upper",
           "lower"}
EQUIPMENT_WORDS = {"helicopters", "helicopter", "helos", "drones", "drone", "aircraft", "jets",
                   "warplanes", "artillery", "tanks", "mortars", "rockets", "missiles",
                   "rifles", "vbied", "vbieds", "svbied", "ied", "ieds", "car bomb",
                   "truck bomb", "vehicle bomb", "roadside bomb", "suicide vest", "mortar",
                   "rocket", "missile", "tank"}
#: Nouns that end the name of a kind of weapon: "Apache helos", "Bradley Fighting Vehicles".
WEAPON_HEADS = {w for w in EQUIPMENT_WORDS if " " not in w} | {"vehicle", "vehicles"}
#: The last word of a new name that makes it a place, and the class it gives.
PLACE_HEADS = {"area": "District", "district": "District", "neighbourhood": "District",
               "neighborhood": "District", "city": "City", "town": "City", "village": "City",
               "region": "Region", "province": "Region", "governorate": "Region"}
HEDGE_ADVERBS = {"allegedly", "reportedly", "possibly", "apparently", "presumably",
                 "reported", "alleged", "likely", "probably"}
FIRST_PERSON = {"i", "me", "my", "we", "our", "us", "i'm", "i've"}


@dataclass
class _Event:
    cls: str
    first: int
    last: int
    op: OpRef | None = None


@dataclass
class _Attribution:
    claimant: str
    how: str
    confidence: float
    stance: str = "Asserts"
    first: int = 0
    last: int = 0


def initials(name: str) -> set[str]:
    """The acronyms a name may be shortened to: the initials of all its words, or of its words
    but particles ("of", "al", "ez").

    >>> sorted(initials("Deir ez-Zour")), sorted(initials("Islamic State of Iraq and Syria"))
    (['DEZ', 'DZ'], ['ISIS', 'ISOIAS'])
    """
    words = [w for w in name.replace("-", " ").replace("#", " ").split() if w[:1].isalpha()]
    if len(words) < 2:
        return set()
    every = "".join(w[0] for w in words).upper()
    named = "".join(w[0] for w in words if w.lower() not in NAME_PARTICLES).upper()
    return {every, named} - {""}


def _nearest(mention: Mention, events: list[_Event]) -> _Event | None:
    """The event word closest to a mention ("captured in A, brought to B & handed over in C":
    A is where the capture was); on a tie, the one before it."""
    def distance(event: _Event) -> tuple[int, int]:
        if event.last <= mention.first:
            return mention.first - event.last, 0
        return max(0, event.first - mention.last), 1
    return min(events, key=distance, default=None)


class Extractor:
    """Finds candidates in posts against one gazetteer; one instance per input, so that new
    entities and operations are proposed once and reused by later posts."""

    def __init__(self, gazetteer: Gazetteer, author: str, stem: str):
        self.g = gazetteer
        self.author = author
        self.stem = stem
        self.nlp, self.candidates = pipeline.build(gazetteer)
        self.coref = coref.Resolver(self.nlp, gazetteer, self.g.is_a, self._propose,
                                    self._label, self._place_of)
        self.rules = rules.matcher(self.nlp)
        self.time_rules = times.matcher(self.nlp)
        self.new: dict[str, NewThing] = {}
        self._new_by_key: dict[str, str] = {}
        self.recent: list[Mention] = []
        self.recent_ops: list[OpRef] = []
        self._taken = set(gazetteer.entities)
        self.previous_claims: list[ClaimFinding] = []

    # ------------------------------------------------------------------ identifiers and memory

    def _fresh(self, namespace: str, name: str) -> str:
        base = f"{ID}{namespace}/{name}"
        iri, n = base, 2
        while iri in self._taken:
            iri, n = f"{base}-{n}", n + 1
        self._taken.add(iri)
        return iri

    def _propose(self, key: str, namespace: str, name: str, cls: str, kind: str, label: str,
                 confidence: float, note: str, position: int, **extra: object) -> NewThing:
        if key in self._new_by_key:
            return self.new[self._new_by_key[key]]
        thing = NewThing(self._fresh(namespace, name), cls, kind, label, confidence, note,
                         position, key=key, **extra)  # type: ignore[arg-type]
        self.new[thing.iri] = thing
        self._new_by_key[key] = thing.iri
        return thing

    def _kind(self, iri: str) -> str:
        if iri in self.g.entities:
            return self.g.entities[iri].kind
        return self.new[iri].kind if iri in self.new else "Actor"

    def is_a(self, cls: str, ancestor: str) -> bool:
        """Whether class ``cls`` is ``ancestor`` (a local name or IRI) or below it."""
        ancestor = ancestor if ancestor.startswith("http") else C + ancestor
        return self.g.is_a(cls, ancestor)

    # ------------------------------------------------------------------ entities

    def _link(self, doc: Doc, position: int, matches: list[tuple[str, int, int]]
              ) -> list[Mention]:
        mentions: list[Mention] = []
        for ent in doc.ents:
            names = self._names_for(ent)
            if not names:
                continue
            name = self._disambiguate(doc, ent, names)
            entity = self.g.entities[name.iri]
            confidence = {"label": 0.95, "hashtag": 0.95, "handle": 0.95}.get(name.how, 0.85)
            if len({n.iri for n in names}) > 1:
                confidence = 0.6
            force = self._armed_part(doc, ent, name.iri)
            if force is not None:
                entity, confidence = self.g.entities[force], 0.7
            mentions.append(Mention(ent.text, ent.start_char, ent.end_char, ent.start, ent.end,
                                    entity.iri, entity.kind, entity.cls, name.how, confidence))
            # a hashtag inside a longer name still names its own entity: "NE #Syria"
            for token in ent[:-1]:
                if token.text == "#":
                    tag = doc[token.i + 1]
                    for other in self.candidates.get("#" + text_key(tag.text), []):
                        if other.iri != name.iri:
                            sub = self.g.entities[other.iri]
                            mentions.append(Mention(f"#{tag.text}", token.idx,
                                                    tag.idx + len(tag.text), token.i, tag.i + 1,
                                                    other.iri, sub.kind, sub.cls, "hashtag",
                                                    0.9))
        mentions += self._new_names(doc, mentions, position)
        mentions += self.coref.resolve(doc, mentions, self.recent, position)
        fights = {doc[start].sent.start for name, start, _ in matches
                  if name.startswith("EVENT:")
                  and any(self.is_a(C + name[6:], k) for k in ATTACK_LIKE)}
        mentions += self._equipment(doc, mentions, position, fights)
        return sorted(mentions, key=lambda m: (m.start, -m.end))

    def _equipment(self, doc: Doc, found: list[Mention], position: int, fights: set[int]
                   ) -> list[Mention]:
        """Weapons named by common words ("truck bomb", "helicopters") that the graph does not
        name, in a sentence about a fight (``fights``: where such sentences start): proposed
        as new kinds of equipment ("U.S. aircraft now overhead" proposes none)."""
        taken = {i for m in found for i in range(m.first, m.last)}
        result = []
        i = 0
        while i < len(doc):
            two = doc[i:i + 2].text.lower() if i + 1 < len(doc) else ""
            size = 2 if two in EQUIPMENT_WORDS else 1 if doc[i].lower_ in EQUIPMENT_WORDS else 0
            if size == 0 or taken & set(range(i, i + size)) or doc[i].sent.start not in fights:
                i += 1
                continue
            span = doc[i:i + size]
            label = span.text if span.text.isupper() else span.text.lower()
            thing = self._propose("equipment:" + text_key(label), "equipment", slug(label),
                                  C + "Equipment", "Equipment", label, 0.5,
                                  "a weapon the graph does not name", position)
            result.append(Mention(span.text, span.start_char, span.end_char, i, i + size,
                                  thing.iri, thing.kind, thing.cls, "new", 0.5))
            i += size
        return result

    def _armed_part(self, doc: Doc, ent: Span, iri: str) -> str | None:
        """"U.S. aircraft": a state named before a military word means its armed forces, when
        the graph has a state force that is part of it."""
        i = ent.end
        while i < len(doc) and doc[i].text in {"#", "-"}:
            i += 1
        if i >= len(doc) or doc[i].lower_ not in MILITARY_NOUNS:
            return None
        forces = sorted(p for p in self.g.parts.get(iri, set())
                        if p in self.g.entities and self.is_a(self.g.entities[p].cls,
                                                              "StateForce"))
        return forces[0] if len(forces) == 1 else None

    def _names_for(self, ent: Span) -> list[Name]:
        keys = [ent.ent_id_, text_key(ent.text.replace("#", "")), text_key(ent.text)]
        if ent.text.startswith("#"):
            keys.append("#" + text_key(ent.text[1:]))
        names: list[Name] = []
        for key in keys:
            for name in self.candidates.get(key, []):
                if name not in names and name.iri in self.g.entities:
                    names.append(name)
        return names

    def _disambiguate(self, doc: Doc, ent: Span, names: list[Name]) -> Name:
        iris = list(dict.fromkeys(n.iri for n in names))
        if len(iris) == 1:
            return names[0]
        i = ent.start - 1
        while i >= 0 and doc[i].text in {"#", "*", "the"}:
            i -= 1
        placey = i >= 0 and doc[i].lower_ in PLACE_PREPS
        recent = [m.iri for m in reversed(self.recent)]

        def score(name: Name) -> tuple[int, int, int]:
            kind = self.g.entities[name.iri].kind
            fits = kind in ("Place", "Facility") if placey else kind == "Actor"
            rank = recent.index(name.iri) if name.iri in recent else len(recent)
            return (0 if fits else 1, 0 if name.how in ("label", "hashtag", "handle") else 1,
                    rank)
        return min(names, key=score)

    def _new_names(self, doc: Doc, found: list[Mention], position: int) -> list[Mention]:
        taken = {i for m in found for i in range(m.first, m.last)}
        result: list[Mention] = []
        i = 0
        while i < len(doc):
            token = doc[i]
            if i in taken:
                i += 1
                continue
            nxt = doc[i + 1] if i + 1 < len(doc) else None
            if token.text in {"#", "@"} and nxt is not None and i + 1 not in taken \
                    and not nxt.is_punct and not nxt.is_space:
                handle = token.text == "@"
                label = f"@{nxt.text}" if handle else nxt.text
                mention = None if handle else self._abbreviation(doc, i, i + 2,
                                                                 found + result)
                mention = mention or self._new_mention(doc, i, i + 2, label, position,
                                                       handle=nxt.text if handle else None,
                                                       hashtag=None if handle else nxt.text)
                if mention:
                    result.append(mention)
                i += 2
                continue
            region = self._compass_region(doc, i, found, position)
            if region is not None:
                result.append(region)
                i = region.last
                continue
            end = self._name_run(doc, i, taken)
            if end > i:
                mention = self._abbreviation(doc, i, end, found + result) \
                    or self._new_mention(doc, i, end, doc[i:end].text, position)
                if mention:
                    result.append(mention)
                i = end
                continue
            i += 1
        return result

    def _abbreviation(self, doc: Doc, first: int, last: int, found: list[Mention]
                      ) -> Mention | None:
        """An acronym made of the initials of a name used just before, in this post or a
        recent one: "General Security Service (GSS)", "Deir ez Zour … in DZ"."""
        span = doc[first:last]
        words = [t for t in span if t.text != "#"]
        if len(words) != 1 or not pipeline.is_acronym(words[0].text):
            return None
        earlier = [m for m in found if m.last <= first][::-1] + self.recent[::-1]
        for m in earlier:
            if m.kind != "Operation" and words[0].text in (
                    initials(m.text) | initials(self._label(m.iri))):
                return Mention(span.text, span.start_char, span.end_char, first, last, m.iri,
                               m.kind, m.cls, "acronym", 0.7)
        return None

    def _compass_region(self, doc: Doc, i: int, found: list[Mention], position: int
                        ) -> Mention | None:
        """"NW #Syria", "northwestern Syria" where the graph knows Syria but not its north-west:
        a new region (a lower-case compass word only as an adjective: "northern", "north-east")."""
        word = doc[i].lower_
        if word not in COMPASS or not (doc[i].text[:1].isupper() or word.endswith("ern")):
            return None
        place = next((m for m in found if m.first in (i + 1, i + 2) and m.kind == "Place"
                      and all(t.text == "#" for t in doc[i + 1:m.first])), None)
        if place is None:
            return None
        label = f"{doc[i].text} {place.text.lstrip('#')}"
        thing = self._propose("place:" + text_key(label), "place", slug(label),
                              C + "Region", "Place", label, 0.5,
                              f"a part of {self._label(place.iri)}", position,
                              located_in=place.iri)
        span = doc[i:place.last]
        return Mention(span.text, span.start_char, span.end_char, i, place.last, thing.iri,
                       thing.kind, thing.cls, "new", thing.confidence)

    @staticmethod
    def _namelike(token: object) -> bool:
        text = token.text  # type: ignore[attr-defined]
        if any("\u0600" <= c <= "\u06ff" for c in text):
            return True
        letters = [c for c in text if c.isalpha()]
        if not letters or text.lower() in NOT_NAMES or text.lower() in MONTHS \
                or text.lower() in WEEKDAYS:
            return False
        if token.is_upper and 2 <= len(letters) <= 6:  # type: ignore[attr-defined]
            return True
        return text[0].isupper() and not token.is_upper  # type: ignore[attr-defined]

    def _name_run(self, doc: Doc, i: int, taken: set[int]) -> int:
        """The end of a run of capitalised words (or Arabic script) starting at ``i``, with a
        following head noun ("al-Sina prison", "Western governments")."""
        start = i
        if doc[i].lower_ in {"al", "el", "abu"} and i + 2 < len(doc) and doc[i + 1].text == "-" \
                and self._namelike(doc[i + 2]):
            i += 2
        if i in taken or not (self._namelike(doc[i]) or (doc[i].lower_ in COMPASS
                              and doc[i].text[:1].isupper())):
            return start
        end = i + 1
        while end < len(doc) and end not in taken:
            if self._namelike(doc[end]):
                end += 1
            elif doc[end].lower_ in NAME_PARTICLES and end + 1 < len(doc) \
                    and end + 1 not in taken and self._namelike(doc[end + 1]):
                end += 2
            elif doc[end].lower_ in NAME_PARTICLES and end + 2 < len(doc) \
                    and doc[end + 1].text == "-" and end + 2 not in taken \
                    and self._namelike(doc[end + 2]):
                end += 3  # "Abu Khalid al-Tamimi"
            else:
                break
        end = self._listed_title(doc, end, taken)
        if end < len(doc) and end not in taken and doc[end].lower_ in NAME_HEADS | WEAPON_HEADS:
            end += 1
        return end

    def _listed_title(self, doc: Doc, end: int, taken: set[int]) -> int:
        """Where a name goes on when it is a list of capitalised words before a head noun
        ("Train, Advise, Assist & Equip program"); ``end`` when it does not."""
        i = end
        while i + 1 < len(doc) and doc[i].text in {",", "&", "and"} and i not in taken:
            j = i + 1
            while j < len(doc) and j not in taken and self._namelike(doc[j]):
                j += 1
            if j == i + 1:
                return end
            if j < len(doc) and j not in taken and doc[j].lower_ in NAME_HEADS:
                return j
            i = j
        return end

    def _new_mention(self, doc: Doc, first: int, last: int, label: str, position: int,
                     handle: str | None = None, hashtag: str | None = None) -> Mention | None:
        span = doc[first:last]
        tokens = [t for t in span if t.text not in {"#", "@"}]
        arabic = any("\u0600" <= c <= "\u06ff" for c in span.text)
        single = len([t for t in tokens if t.is_alpha or arabic]) <= 1
        prev = doc[first - 1].lower_ if first > 0 else ""
        nxt = doc[last].lower_ if last < len(doc) else ""
        said = nxt in rules.SAY_VERBS
        if arabic and len(span) > 4:
            return None  # a sentence in Arabic script, not a name
        if span[-1].lower_ in rules.EVENT_WORDS:
            return None  # "the Train & Equip program" names an operation (an event word)
        if handle is None and hashtag is None and not arabic:
            if all(t.lower_ in rules.EVALUATIVE or t.is_stop for t in tokens):
                return None
            if single:
                word = tokens[0] if tokens else span[0]
                acronym = word.is_upper and 2 <= len(word.text) <= 6 and word.is_alpha
                if span[0].is_sent_start or (prev in {":", "\"", "“", "(", "-", "--", "—"} \
                        and not (acronym or said)):
                    return None
                if acronym and word.lower_ in {"us", "ok", "tv", "pm", "am"}:
                    return None
            elif span[0].is_sent_start and span[0].is_stop:
                return None
        cls, kind, namespace, note = self._guess_type(doc, first, last, label, prev, said,
                                                      handle is not None)
        key = ("@" if handle else "#" if hashtag else "") + text_key(label)
        located = None
        if kind == "Facility":
            located = self._nearby_place(doc, first)
            if located is None:
                cls, kind, namespace = C + "Place", "Place", "place"
                note += "; named like a facility, but no place was found to locate it in: " \
                        "retype it (and add ckg:locatedIn) if it is one"
        thing = self._propose(key, namespace, slug(label), cls, kind, label, 0.5, note,
                              position, hashtag=hashtag, handle=handle, located_in=located)
        return Mention(span.text, span.start_char, span.end_char, first, last, thing.iri,
                       thing.kind, thing.cls, "new", thing.confidence)

    def _guess_type(self, doc: Doc, first: int, last: int, label: str, prev: str, said: bool,
                    handle: bool) -> tuple[str, str, str, str]:
        words = {t.lower_ for t in doc[first:last]}
        if handle:
            return C + "Actor", "Actor", "actor", "a handle the graph does not know"
        tail = doc[last - 1].lower_
        if tail in WEAPON_HEADS or text_key(label) in EQUIPMENT_WORDS:
            return C + "Equipment", "Equipment", "equipment", "named like a weapon"
        for cls, cues in ORG_WORDS.items():
            if words & cues:
                cue = ", ".join(sorted(words & cues))
                return C + cls, "Actor", "actor", f"named like a {cls} ({cue})"
        for word, cls in FACILITY_WORDS.items():
            if word in words:
                return C + cls, "Facility", "facility", f"named like a facility ({word})"
        if tail in PLACE_HEADS:
            return C + PLACE_HEADS[tail], "Place", "place", f"named like a place ({tail})"
        arabic = any("\u0600" <= c <= "\u06ff" for c in label)
        person_cue = prev in PERSON_CUES or said
        if arabic or (person_cue and len(label.split()) >= 2):
            return C + "Person", "Actor", "actor", "a personal name" + (
                " (Arabic script)" if arabic else "")
        if prev in PLACE_PREPS - DIRECTION_PREPS:
            return C + "Place", "Place", "place", f"named after {prev!r}: a place"
        if said or prev in {"per", "by", "according"}:
            return C + "Organization", "Actor", "actor", "speaks or acts: an actor (kind unknown)"
        return C + "Actor", "Actor", "actor", "an unknown name; kind not guessed"

    def _nearby_place(self, doc: Doc, first: int) -> str | None:
        for ent in doc.ents:
            for name in self._names_for(ent):
                if self.g.entities[name.iri].kind == "Place":
                    return name.iri
        for m in reversed(self.recent):
            if m.kind == "Place" and m.iri in self.g.entities:
                return m.iri
        return None

    # ------------------------------------------------------------------ clauses and rules

    @staticmethod
    def _clauses(doc: Doc) -> list[tuple[int, int, int]]:
        """(first token, last token, sentence number) of each clause."""
        clauses = []
        for number, sent in enumerate(doc.sents):
            start = sent.start
            for token in sent:
                split_before = token.lower_ in rules.CLAUSE_STARTS and token.i > start and (
                    doc[token.i - 1].text in {",", "--", "—"})
                if token.text in rules.CLAUSE_BREAKS or split_before:
                    if token.i > start:
                        clauses.append((start, token.i, number))
                    start = token.i if split_before else token.i + 1
            if start < sent.end:
                clauses.append((start, sent.end, number))
        return [c for c in clauses if any(not t.is_punct for t in doc[c[0]:c[1]])]

    def _matches(self, doc: Doc) -> list[tuple[str, int, int]]:
        found = [(self.nlp.vocab.strings[m], s, e) for m, s, e in self.rules(doc)]
        events = [f for f in found if f[0].startswith("EVENT:") and not (
            f[2] + 1 < len(doc) and doc[f[2]].text == "-" and doc[f[2]].whitespace_ == ""
            and doc[f[2] + 1].is_alpha) and not (
            f[0] == "EVENT:Agreement" and {t.lower_ for t in doc[max(0, f[1] - 2):f[1]]}
            & {"big", "great", "huge", "good", "real"})]
        order = list(rules.EVENTS)
        events.sort(key=lambda f: (-(f[2] - f[1]), order.index(f[0][6:])))
        kept: list[tuple[str, int, int]] = []
        for event in events:
            if not any(event[1] < k[2] and k[1] < event[2] for k in kept):
                kept.append(event)
        others = [f for f in found if not f[0].startswith("EVENT:")]
        return sorted(kept + others, key=lambda f: f[1])

    # ------------------------------------------------------------------ the post

    def post(self, position: int, text: str, date: dt.date | None) -> PostFindings:
        """Find everything in one post (its position in the corpus file being written)."""
        doc = self.nlp(text)
        found = PostFindings(position, text, date)
        known_new = set(self.new)
        matches = self._matches(doc)
        found.mentions = self._link(doc, position, matches)
        found.times = times.find_times(doc, self.time_rules, date)
        quantities = find_quantities(doc)
        quoted = self._quoted(doc)
        all_quoted = self._all_quoted(doc, quoted)
        carried: _Attribution | None = None  # "X say …" runs on in its sentence
        carried_in = -1
        sentence_attribution: dict[int, _Attribution] = {}
        for first, last, number in self._clauses(doc):
            in_clause = [m for m in matches if first <= m[1] and m[2] <= last]
            mentions = [m for m in found.mentions if first <= m.first and m.last <= last]
            own = self._attribution(doc, first, last, in_clause, mentions, position)
            speakers = self._speakers(doc, in_clause, mentions, position) if own else []
            # who says so is not a party to what is said: "according to X", "Y said"
            sources = [a for a in [own, *(a for _, a in speakers)] if a is not None]
            mentions = [m for m in mentions
                        if not any(a.first <= m.first < a.last for a in sources)]
            if own is not None and own.how == "parenthetical":
                sentence_attribution[number] = own
                own = None
            if carried_in != number:
                carried = None
            attribution = own
            if attribution is None:
                contrast = doc[first].lower_ in rules.CLAUSE_STARTS
                personal = any(t.lower_ in FIRST_PERSON for t in doc[first:last])
                if carried is not None and not contrast and not personal:
                    attribution = carried
                else:
                    attribution = sentence_attribution.get(number)
            if own is not None and own.how in ("say", "unnamed", "prefix", "reported"):
                carried, carried_in = own, number
            props = self._props(doc, first, last, in_clause, mentions, quantities, found)
            question = any(m[0] == "QUESTION" for m in in_clause)
            if question and not [p for p in props if p.predicate != C + "characterisedAs"]:
                props = [c.prop for c in self.previous_claims] or props
            if not props:
                continue
            if attribution is None and (all_quoted or set(range(first, last)) <= quoted):
                attribution = self._unnamed("speaker quoted", position, 0.6, "quotation")
            self._claims(doc, first, last, in_clause, props, attribution, found, speakers)
        self.previous_claims = [c for c in found.claims if c.claimant != self.author]
        self._remember(found)
        found.new = [iri for iri in self.new if iri not in known_new]
        return found

    def _remember(self, found: PostFindings) -> None:
        self.recent = (self.recent + found.mentions)[-MEMORY:]
        for op in found.operations:
            self.recent_ops = [o for o in self.recent_ops if o.iri != op.iri] + [op]
        self.recent_ops = self.recent_ops[-MEMORY:]

    @staticmethod
    def _quoted(doc: Doc) -> set[int]:
        inside: set[int] = set()
        opening: int | None = None
        for token in doc:
            if token.text in rules.QUOTES_OPEN and opening is None and token.text != "'":
                opening = token.i
            elif token.text in rules.QUOTES_CLOSE and opening is not None and token.text != "'":
                if token.i - opening > 5:
                    inside |= set(range(opening, token.i + 1))
                opening = None
        return inside

    @staticmethod
    def _all_quoted(doc: Doc, quoted: set[int]) -> bool:
        words = [t.i for t in doc if not t.is_punct and t.text not in {"@"}
                 and not (t.i > 0 and doc[t.i - 1].text == "@")]
        return bool(words) and sum(i in quoted for i in words) / len(words) > 0.6

    # ------------------------------------------------------------------ attribution

    def _unnamed(self, phrase: str, position: int, confidence: float, how: str) -> _Attribution:
        label = f"{phrase} (post {position:03d} of {self.stem})"
        thing = self._propose(f"unnamed:{position}:{text_key(phrase)}", "actor",
                              f"unnamed-{slug(phrase, 32)}-{self.stem}-{position:03d}",
                              C + "UnnamedSource", "Actor", label, confidence,
                              f"an unnamed source: {phrase!r}", position)
        return _Attribution(thing.iri, how, confidence)

    def _speakers(self, doc: Doc, matches: list[tuple[str, int, int]], mentions: list[Mention],
                  position: int) -> list[tuple[int, _Attribution]]:
        """Each "X said" of a clause with where it stands, when a clause has several: a number
        after "the SDF said" is the SDF's, one after "the Observatory says" the Observatory's."""
        says = [m for m in matches if m[0] == "SAY"]
        if len(says) < 2:
            return []
        found = []
        for _name, start, end in says:
            one = self._attribution(doc, max(0, start - 6), end, [
                m for m in matches if m[0] in ("SAY", "UNNAMED") and m[1] <= start
                and m[2] <= end and m[1] >= start - 6],
                [m for m in mentions if start - 6 <= m.first and m.last <= start], position)
            if one is not None:
                found.append((start, one))
        return found

    def _attribution(self, doc: Doc, first: int, last: int, matches: list[tuple[str, int, int]],
                     mentions: list[Mention], position: int) -> _Attribution | None:
        actors = [m for m in mentions if m.kind == "Actor"]
        unnamed = [m for m in matches if m[0] == "UNNAMED"]
        for name, start, end in matches:
            if name == "PREFIX":
                after = [m for m in actors if end <= m.first <= end + 3]
                spot = [u for u in unnamed if end <= u[1] <= end + 1]
                inside_parens = any(doc[i].text == "(" for i in range(max(first, start - 2),
                                                                      start))
                how = "parenthetical" if inside_parens else "prefix"
                if spot and (not after or spot[0][1] < after[0].first):
                    phrase = max(spot, key=lambda u: u[2] - u[1])
                    found = self._unnamed(doc[phrase[1]:phrase[2]].text, position, 0.8, how)
                    found.first, found.last = start, phrase[2]
                    return found
                if after:
                    return _Attribution(after[0].iri, how, 0.85, first=start, last=after[0].last)
        for name, start, _end in matches:
            if name != "SAY":
                continue
            stance = "Denies" if doc[start].lower_ in rules.DENY_VERBS else "Asserts"
            before = [m for m in actors if m.last <= start and start - m.last <= 4]
            spot = [u for u in unnamed if u[2] <= start and start - u[2] <= 4]
            # "the SDF's media office said": the office speaks for the SDF; "an SDF
            # commander, Mazloum Abdi, said": the commander is named
            owner = bool(before) and doc[before[-1].last].lower_ in ("'s", "’s")
            named = bool(before and spot) and before[-1].first >= spot[-1][2]
            if spot and not owner and not named and (
                    not before or spot[-1][2] >= before[-1].last - 3):
                phrase = max(spot, key=lambda u: u[2] - u[1])
                found = self._unnamed(doc[phrase[1]:phrase[2]].text, position, 0.8, "say")
                found.stance, found.first, found.last = stance, phrase[1], start + 1
                return found
            if before:
                return _Attribution(before[-1].iri, "say", 0.8, stance, before[-1].first,
                                    start + 1)
            if doc[start].lower_ in {"reported", "alleged"} and start + 1 < last \
                    and doc[start + 1].is_alpha and doc[start + 1].lower_ != "that":
                words = "reports" if doc[start].lower_ == "reported" else "allegations"
                return self._unnamed(words, position, 0.6, "reported")
        if unnamed:
            phrase = max(unnamed, key=lambda u: u[2] - u[1])
            words = doc[phrase[1]:phrase[2]].text
            if doc[phrase[2] - 1].lower_ in {"video", "footage", "media"} and not any(
                    m[0] == "HEDGE" for m in matches):
                return None
            return self._unnamed(words, position, 0.7, "unnamed")
        for name, start, _end in matches:
            if name == "HEDGE" and doc[start].lower_ == "reportedly":
                return self._unnamed("reports", position, 0.6, "reportedly")
            if name == "HEDGE" and doc[start].lower_ in {"allegedly", "alleged"}:
                return self._unnamed("allegations", position, 0.6, "allegedly")
        return None

    # ------------------------------------------------------------------ propositions

    def _props(self, doc: Doc, first: int, last: int, matches: list[tuple[str, int, int]],
               mentions: list[Mention], quantities: list[Quantity], found: PostFindings
               ) -> list[Prop]:
        props: list[Prop] = []
        events = self._events(doc, first, last, matches, mentions, found)
        for event in events:
            props += self._event_props(doc, event, events, matches, mentions, found)
        props += self._quantity_props(doc, first, last, events, mentions, quantities, found)
        props += self._control_props(doc, first, last, mentions)
        if not props:
            props += self._assessment(doc, first, last, matches, mentions, events)
        return props

    def _events(self, doc: Doc, first: int, last: int, matches: list[tuple[str, int, int]],
                mentions: list[Mention], found: PostFindings) -> list[_Event]:
        events: list[_Event] = []
        for span in doc.spans.get("operations", []):
            if first <= span.start and span.end <= last:
                names = self.candidates.get(span.id_, [])
                iris = [n.iri for n in names if n.iri in self.g.entities]
                if iris:
                    cls = self.g.entities[iris[0]].cls
                    ref = OpRef(iris[0], cls, "name", 0.9, span.start, span.end,
                                span.start_char, span.end_char)
                    events.append(_Event(cls, span.start, span.end, ref))
        for name, start, end in matches:
            if not name.startswith("EVENT:") or any(e.first <= start < e.last for e in events):
                continue
            cls = C + name[6:]
            if start >= 2 and doc[start - 1].lower_ == "to" and any(
                    e.last == start - 1 and self.is_a(e.cls, "Plot") for e in events):
                continue  # "plot to attack": the attack is what was plotted
            merged = False
            for event in events:
                if event.op is None and self.g.compatible(cls, event.cls):
                    if self.is_a(cls, event.cls):
                        event.cls = cls
                    # "handed over to ISF for deportation": one event, but its span does
                    # not swallow the arguments between its words
                    gap = range(min(event.last, end), max(event.first, start))
                    if not any(m.first in gap for m in mentions):
                        event.first, event.last = min(event.first, start), max(event.last, end)
                    merged = True
                    break
            if not merged:
                events.append(_Event(cls, start, end))
        # "the attack" with no event word of its own in a clause that has a named op
        return events

    def _args(self, doc: Doc, event: _Event, events: list[_Event], mentions: list[Mention]
              ) -> list[tuple[str, Mention]]:
        """The roles that the mentions of a clause play in one of its events."""
        args: list[tuple[str, Mention]] = []
        used: set[int] = set()
        actors = [m for m in mentions if m.kind == "Actor"]
        after = [m for m in mentions if m.first >= event.last]
        # perpetrator: right before the event word, or "by X" after it
        equipment = {i for m in mentions if m.kind == "Equipment" for i in range(m.first, m.last)}
        for m in reversed([m for m in actors if m.last <= event.first]):
            gap = [t.lower_ for t in doc[m.last:event.first] if t.i not in equipment]
            if all(w in GAP_OK | HEDGE_ADVERBS for w in gap) or (
                    len(gap) <= 6 and all(w in AGENT_VERBS | GAP_OK | HEDGE_ADVERBS
                                          for w in gap)):
                role = "participant" if self.is_a(event.cls, "Clash") else "perpetrator"
                if self.is_a(event.cls, "Capture") or self.is_a(event.cls, "Transfer"):
                    role = "target" if any(w in {"was", "were", "been"} for w in gap) else role
                args.append((role, m))
                used.add(id(m))
                break
        for m in after:
            gap = [t.lower_ for t in doc[event.last:m.first]]
            if len(gap) > 7 or id(m) in used:
                continue
            if "by" in gap[:2] and m.kind == "Actor" and not any(
                    r == "perpetrator" for r, _ in args):
                args.append(("perpetrator", m))
                used.add(id(m))
        for m in after:
            if id(m) in used:
                continue
            gap = [t.lower_ for t in doc[event.last:m.first]]
            if len(gap) > 6:
                break
            handed = self.is_a(event.cls, "Transfer") and "to" in gap and m.kind == "Actor"
            if handed or any(w in TARGET_PREPS for w in gap) or set(gap) <= BEFORE_OBJECT or (
                    self.is_a(event.cls, "Capture") and m.kind == "Actor" and len(gap) <= 2):
                if handed:
                    args.append(("beneficiary", m))
                elif m.kind in ("Actor", "Facility", "Place") and not (
                        m.kind == "Place" and any(w in PLACE_PREPS - {"at", "into"}
                                                  for w in gap)):
                    args.append(("target", m))
                else:
                    continue
                used.add(id(m))
                break
        places = [m for m in mentions if id(m) not in used and m.kind in ("Place", "Facility")
                  and self._located(doc, m)]
        # a place goes with the event word nearest to it; an event with none near it takes
        # the clause's ("a bomb went off outside the prison & militants launched an assault")
        own = [m for m in places if _nearest(m, events) is event]
        for m in own or places:
            args.append(("place", m))
            used.add(id(m))
        attack_like = any(self.is_a(event.cls, k) for k in ATTACK_LIKE)
        for m in mentions:
            if m.kind == "Equipment" and attack_like and id(m) not in used:
                args.append(("weapon", m))
        if self.is_a(event.cls, "Clash") or self.is_a(event.cls, "Battle"):
            for m in actors:
                if id(m) not in used:
                    args.append(("participant", m))
        return args

    @staticmethod
    def _located(doc: Doc, m: Mention) -> bool:
        """Whether a mention says where something happened: "in X", "outside the X" (not
        "to X" or "from X")."""
        before = [t.lower_ for t in doc[max(0, m.first - 2):m.first]]
        if before[-1:] == ["the"]:
            before = before[:-1]
        return bool(before) and before[-1] in PLACE_PREPS - DIRECTION_PREPS

    def _link_op(self, event: _Event, args: list[tuple[str, Mention]], doc: Doc,
                 found: PostFindings, definite: bool) -> OpRef:
        if event.op is not None:
            return event.op
        facts = {(role, m.iri) for role, m in args}
        objects = {m.iri for _, m in args}
        if definite and not args:  # "the fighting", right after this post named one
            op = self._discourse(event, facts, objects, found.operations, doc)
            if op is not None:
                return op
        best, best_score = None, 0.0
        in_window: list[str] = []
        for iri, entity in self.g.entities.items():
            if entity.kind != "Operation" or not self.g.compatible(event.cls, entity.cls):
                continue
            earliest, latest = self.g.op_times.get(iri, (None, None))
            if found.date and earliest and earliest[:10] > found.date.isoformat():
                continue
            if found.date and earliest and latest and entity.cls == event.cls:
                low = dt.date.fromisoformat(earliest[:10]) - dt.timedelta(days=1)
                high = dt.date.fromisoformat(latest[:10]) + dt.timedelta(days=2)
                if low <= found.date <= high:
                    in_window.append(iri)
            known = self.g.op_facts.get(iri, set())
            if self._conflicts(facts, known):
                continue
            score = 2.0 * len(facts & known) + 1.0 * len(objects & {o for _, o in known})
            if score == 0:
                continue
            score += 0.5 if entity.cls == event.cls else 0
            score += 0.25 if any(o.iri == iri for o in self.recent_ops) else 0
            if score > best_score:
                best, best_score = iri, score
        same = [iri for iri, e in self.g.entities.items() if e.kind == "Operation"
                and e.cls == event.cls]
        if best is None and not args and len(in_window) == 1:
            # a bare event word, and one operation of its kind under way when it was posted
            best, best_score = in_window[0], 2.0
        elif best is None and not args and len(same) == 1 and not any(
                self.g.op_times.get(same[0], (None, None))):
            best, best_score = same[0], 1.5  # the one operation of its kind, undated
        span = doc[event.first:event.last]
        if best is not None and best_score >= 1.5:
            return OpRef(best, self.g.entities[best].cls, "facts", min(0.9, 0.4 + best_score / 10),
                         event.first, event.last, span.start_char, span.end_char)
        return self._discourse(event, facts, objects, self.recent_ops + found.operations,
                               doc) or self._new_op(event, args, doc, found)

    def _discourse(self, event: _Event, facts: set[tuple[str, str]], objects: set[str],
                   ops: list[OpRef], doc: Doc) -> OpRef | None:
        """The latest of ``ops`` (the same kind first) that the event can be: compatible, and
        sharing a fact or an entity with it, or the event has none."""
        earlier = list(reversed(ops))
        earlier.sort(key=lambda o: o.cls != event.cls)  # the same kind first, then the latest
        span = doc[event.first:event.last]
        for op in earlier:
            if not self.g.compatible(event.cls, op.cls):
                continue
            known = self._op_args(op.iri)
            if facts & known or (not facts) or (objects and objects & {
                    o for _, o in known} and op.new):
                return OpRef(op.iri, op.cls, "discourse", 0.5, event.first, event.last,
                             span.start_char, span.end_char, op.new)
        return None

    def _conflicts(self, facts: set[tuple[str, str]], known: set[tuple[str, str]]) -> bool:
        """Whether an event's target, place or perpetrator rules an operation out: the
        operation has one of that role, and none is the event's, contains it or lies in it,
        or is part of it ("an attack on a base in Diyala" is not the attack on a prison in
        Hasakah; an ISIS attack near Ghweiran is not the U.S. fire on Ghweiran)."""
        def related(a: str, b: str) -> bool:
            return a == b or b in self.coref.where(a) or a in self.coref.where(b) \
                or b in self.g.parts.get(a, ()) or a in self.g.parts.get(b, ())
        for role in ("target", "place", "perpetrator"):
            mine = {o for r, o in facts if r == role}
            theirs = {o for r, o in known if r == role}
            if mine and theirs and not any(related(a, b) for a in mine for b in theirs):
                return True
        return False

    def _op_args(self, iri: str) -> set[tuple[str, str]]:
        if iri in self.new:
            return self.new[iri].args
        return self.g.op_facts.get(iri, set())

    def _new_op(self, event: _Event, args: list[tuple[str, Mention]], doc: Doc,
                found: PostFindings) -> OpRef:
        local = event.cls.removeprefix(C)
        words = doc[event.first:event.last].text.lower()
        target = next((m for r, m in args if r == "target"), None)
        place = next((m for r, m in args if r == "place"), None)
        label = words
        if target:
            label += f" on {self._label(target.iri)}"
        if place:
            label += f" in {self._label(place.iri)}"
        when = self._time_for(doc, event.first, found)
        stamp = (when.earliest.isoformat() if when and when.earliest
                 else found.date.isoformat() if found.date else "undated")
        key = f"op:{local}:{sorted((r, m.iri) for r, m in args if r in ('target', 'place'))}"
        if not target and not place:
            key += f":{found.position}:{event.first}"
        thing = self._propose(key, "operation", f"{stamp}-{slug(label, 40)}", event.cls,
                              "Operation", label, 0.5,
                              f"proposed from the words {doc[event.first:event.last].text!r}",
                              found.position, time=when)
        thing.args |= {(r, m.iri) for r, m in args}
        span = doc[event.first:event.last]
        return OpRef(thing.iri, thing.cls, "new", 0.5, event.first, event.last,
                     span.start_char, span.end_char, new=True)

    def _place_of(self, iri: str) -> str | None:
        """Where a known or proposed thing is (one place; the first in IRI order)."""
        if iri in self.new:
            return self.new[iri].located_in
        return min(self.g.located.get(iri, set()), default=None)

    def _label(self, iri: str) -> str:
        if iri in self.g.entities:
            return self.g.entities[iri].label
        return self.new[iri].label if iri in self.new else iri.rsplit("/", 1)[-1]

    def _time_for(self, doc: Doc, first: int, found: PostFindings) -> TimeSpec:
        sentence = doc[first].sent
        for mention in found.times:
            if mention.spec and sentence.start <= mention.first < sentence.end:
                return mention.spec
        if found.date:
            return TimeSpec(None, found.date, "BoundOnly", "",
                            f"reported in a post of {found.date.isoformat()}: on or before "
                            f"that day")
        return TimeSpec(None, None, "UnknownPrecision", "",
                        "the post has no date and names no time")

    def _event_props(self, doc: Doc, event: _Event, events: list[_Event],
                     matches: list[tuple[str, int, int]], mentions: list[Mention],
                     found: PostFindings) -> list[Prop]:
        args = self._args(doc, event, events, mentions)
        definite = event.first > 0 and doc[event.first - 1].lower_ in DETERMINERS
        op = self._link_op(event, args, doc, found, definite)
        event.op = op
        if all(o.iri != op.iri or o.first != op.first for o in found.operations):
            found.operations.append(op)
        if op.new:
            self.new[op.iri].args |= {(r, m.iri) for r, m in args}
        props = []
        for role, m in args:
            lo, hi = min(m.first, event.first), max(m.last, event.last)
            props.append(Prop(op.iri, C + role, obj=m.iri, first=lo, last=hi,
                              confidence=round(min(m.confidence, op.confidence + 0.2), 2),
                              evidence=f"{role} {m.text!r} of "
                                       f"{doc[event.first:event.last].text!r}"))
        for name, start, end in matches:
            if name.startswith("OUTCOME:"):
                outcome = name.split(":")[1]
                if outcome == "Ongoing" and not any(
                        self.is_a(event.cls, k) for k in ATTACK_LIKE):
                    continue
                lo, hi = min(start, event.first), max(end, event.last)
                props.append(Prop(op.iri, C + "outcome", obj=C + outcome, first=lo, last=hi,
                                  confidence=0.6,
                                  evidence=f"outcome {doc[start:end].text!r}"))
        return props

    def _quantity_predicate(self, doc: Doc, q: Quantity, first: int, last: int) -> str | None:
        clause = {t.lower_ for t in doc[first:last]}
        end = max(q.last, (q.counted or 0) + 1)
        near = {t.lower_ for t in doc[max(first, q.first - 3):min(last, end + 5)]}
        noun = doc[q.counted].lower_ if q.counted is not None else ""
        if q.percent:
            if clause & CONTROL_WORDS:
                return "share"
            if clause & DESTROY_WORDS:
                return "destroyedShare"
            return None
        if noun in {"man", "men", "strong", "member"} and q.counted == q.last + 1:
            return "attackerCount"
        if noun in KILLED_WORDS or near & KILLED_WORDS:
            return "killed"
        if noun in ESCAPE_WORDS or near & ESCAPE_WORDS:
            return "escapeesRecaptured" if near & RECAPTURE_WORDS else "escapees"
        if noun in PEOPLE or noun in MOVE_WORDS:
            if near & ATTACK_WORDS and noun in {"militants", "fighters", "men", "attackers",
                                                "gunmen", "jihadists"}:
                return "attackerCount"
            if noun in MOVE_WORDS or near & MOVE_WORDS:
                return "peopleMoved"
            if near & HOLD_WORDS:
                return "detaineeCount"
            if clause & KILLED_WORDS:
                return "killed"
        return None

    def _quantity_props(self, doc: Doc, first: int, last: int, events: list[_Event],
                        mentions: list[Mention], quantities: list[Quantity],
                        found: PostFindings) -> list[Prop]:
        props = []
        hours = next((t.hours for t in found.times if t.hours is not None
                      and doc[t.first].sent.start == doc[first].sent.start), None)
        in_times = {i for t in found.times for i in range(t.first, t.last)}
        for q in quantities:
            if not (first <= q.first and q.last <= last) or q.first in in_times:
                continue
            predicate = self._quantity_predicate(doc, q, first, last)
            found.quantities.append((q, predicate))
            if predicate is None or predicate == "share":
                continue
            subject = self._quantity_subject(doc, predicate, q, events, mentions, found)
            if subject is None:
                continue
            lo, hi = min(q.first, q.counted or q.first), max(q.last, (q.counted or 0) + 1)
            props.append(Prop(subject, C + predicate, value=q.value, minimum=q.minimum,
                              maximum=q.maximum, approximate=q.approximate,
                              as_of_hours=hours if predicate != "detaineeCount" else None,
                              first=lo, last=hi, confidence=0.7 if q.counted else 0.5,
                              evidence=f"quantity {q.text!r} ({predicate})"))
            if predicate == "killed":
                victims = [m for m in mentions if m.kind == "Actor" and q.last <= m.first
                           and m.first - q.last <= 2]
                op = subject if subject in self.new or self._kind(subject) == "Operation" else None
                if victims and op:
                    props.append(Prop(op, C + "victim", obj=victims[0].iri, first=q.first,
                                      last=victims[0].last, confidence=0.5,
                                      evidence=f"victims {victims[0].text!r}"))
        return props

    def _quantity_subject(self, doc: Doc, predicate: str, q: Quantity, events: list[_Event],
                          mentions: list[Mention], found: PostFindings) -> str | None:
        if predicate == "detaineeCount":
            for kind in ("Actor", "Facility", "Place"):
                for m in mentions:
                    if m.kind == kind and (kind != "Actor" or self.is_a(m.cls,
                                                                          "PopulationGroup")):
                        return m.iri
            return None
        wanted = QUANTITY_OPS[predicate]
        pool = [e.op for e in events if e.op] + list(reversed(found.operations)) \
            + list(reversed(self.recent_ops))
        for op in pool:
            if op and any(self.is_a(op.cls, k) for k in wanted):
                return op.iri
        event = _Event(C + DEFAULT_OPS[predicate], q.first, q.last)
        op = self._new_op(event, [], doc, found)
        found.operations.append(op)
        return op.iri

    def _control_props(self, doc: Doc, first: int, last: int,
                       mentions: list[Mention]) -> list[Prop]:
        props = []
        for token in doc[first:last]:
            if token.lower_ not in CONTROL_WORDS:
                continue
            before = [m for m in mentions if m.last <= token.i]
            after = [m for m in mentions if m.first > token.i and m.kind in ("Facility", "Place")]
            window = doc[max(first, token.i - 4):token.i]
            under = any(t.lower_ == "under" for t in window)
            if under:
                actor = next((m for m in reversed(before) if m.kind == "Actor"), None)
                place = next((m for m in reversed(before) if m.kind in ("Facility", "Place")
                              and (actor is None or m.last <= actor.first)), None)
            else:
                actor = next((m for m in reversed(before) if m.kind == "Actor"
                              and token.i - m.last <= 5), None)
                place = after[0] if after and after[0].first - token.i <= 6 else None
            if actor is None or place is None:
                continue
            share = None
            for q in find_quantities(doc[token.i:place.first].as_doc()):
                if q.percent:
                    share = q.value
            lo, hi = min(actor.first, place.first, token.i), max(actor.last, place.last)
            props.append(Prop(actor.iri, C + "controls", obj=place.iri, share=share,
                              first=lo, last=hi, confidence=0.6,
                              evidence=f"{actor.text!r} controls {place.text!r}"))
        return props

    def _assessment(self, doc: Doc, first: int, last: int, matches: list[tuple[str, int, int]],
                    mentions: list[Mention], events: list[_Event]) -> list[Prop]:
        """What a clause says of the operation or entity it names, in its own words, when
        nothing more precise was found: a ckg:characterisedAs for the reviewer to keep or
        drop."""
        subject = next((e.op.iri for e in events if e.op), None)
        if subject is None:
            subject = next((m.iri for m in mentions if m.kind in (
                "Actor", "Facility", "Place", "Operation")), None)
        if subject is None:
            return []
        span = self._trim(doc, first, last)
        words = span.text if len(span.text) <= 300 else span.text[:300].rsplit(" ", 1)[0] + " …"
        evaluative = any(m[0] == "EVALUATIVE" for m in matches)
        return [Prop(subject, C + "characterisedAs", value=words, first=span.start,
                     last=span.end, confidence=0.4 if evaluative else 0.3,
                     evidence="an assessment in words")]

    # ------------------------------------------------------------------ claims

    @staticmethod
    def _trim(doc: Doc, first: int, last: int) -> Span:
        while first < last and (doc[first].is_punct or doc[first].is_space) and \
                doc[first].text not in rules.QUOTES_OPEN | {"#", "@", "~", "("}:
            first += 1
        while last > first and (doc[last - 1].is_punct or doc[last - 1].is_space) and \
                doc[last - 1].text not in rules.QUOTES_CLOSE | {"%", "+", ")", "?"}:
            last -= 1
        return doc[first:last]

    def _quote(self, doc: Doc, first: int, last: int, prop: Prop) -> Span:
        span = self._trim(doc, first, last)
        if len(span.text) <= 300:
            return span
        lo = max(first, prop.first - 8)
        hi = min(last, prop.last + 8)
        return self._trim(doc, lo, hi)

    @staticmethod
    def _segments(doc: Doc, speakers: list[tuple[int, _Attribution]], first: int, last: int
                  ) -> list[tuple[int, _Attribution, int, int]]:
        """Each speaker of a clause with the words that are theirs: from who speaks to the next
        speaker ("an official said 5 died, | the SDF said 2 were killed")."""
        starts = []
        for n, (at, a) in enumerate(speakers):
            start = a.first if a.last > a.first else at
            bound = speakers[n - 1][0] + 1 if n else first
            while start > bound and not doc[start - 1].is_punct and (
                    doc[start - 1].lower_ not in rules.CLAUSE_STARTS | {"and"}):
                start -= 1  # the words of who speaks: "the SDF said", "A Red Crescent official"
            starts.append(start)
        segments = []
        for n, (at, attribution) in enumerate(speakers):
            end = starts[n + 1] if n + 1 < len(speakers) else last
            while end > starts[n] + 1 and (doc[end - 1].is_punct
                                           or doc[end - 1].lower_ in rules.CLAUSE_STARTS
                                           or doc[end - 1].lower_ == "and"):
                end -= 1
            segments.append((at, attribution, starts[n], end))
        return segments

    def _claims(self, doc: Doc, first: int, last: int, matches: list[tuple[str, int, int]],
                props: list[Prop], attribution: _Attribution | None, found: PostFindings,
                speakers: list[tuple[int, _Attribution]] | None = None) -> None:
        question = any(m[0] == "QUESTION" for m in matches) or (
            doc[last - 1].text == "?" or (last < len(doc) and doc[last].text == "?"))
        denial = any(m[0] == "DENY" and doc[m[1]].lower_ not in rules.DENY_VERBS
                     for m in matches)
        hedge = max((rules.HEDGES.get(doc[m[1]].lower_, 3) for m in matches
                     if m[0] == "HEDGE"), default=None)
        seen = {(c.prop.key(), c.claimant, c.stance) for c in found.claims}
        segments = self._segments(doc, speakers or [], first, last)
        for prop in props:
            lo, hi = first, last
            nearest = [(a, start, end) for at, a, start, end in segments if at <= prop.first]
            if nearest:
                attribution, lo, hi = nearest[-1]
                hi = max(hi, prop.last)
            if question:
                claimant, stance, credibility = self.author, "Questions", 6
                why, confidence = "doubt ('unclear', 'not confirmed', a question)", 0.6
            elif attribution is not None:
                claimant, stance = attribution.claimant, attribution.stance
                credibility = 3 if claimant != self.author else 2
                why, confidence = f"attribution ({attribution.how})", attribution.confidence
            else:
                claimant, stance, credibility = self.author, "Asserts", 2
                why, confidence = "the author's own words", 0.6
            if denial and claimant == self.author and stance == "Asserts":
                stance, why = "Denies", "the author rejects it ('absurd', 'far from', …)"
            if hedge is not None and stance != "Questions":
                credibility = max(credibility, hedge)
            key = (prop.key(), claimant, stance)
            if key in seen:
                continue
            seen.add(key)
            span = self._quote(doc, lo, hi, prop)
            found.claims.append(ClaimFinding(
                prop, claimant, self.author if claimant != self.author else None, stance,
                credibility, span.text, span.start_char, span.end_char,
                round(min(confidence, max(prop.confidence, 0.3) + 0.3), 2), why))
