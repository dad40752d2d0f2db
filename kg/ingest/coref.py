"""Descriptions resolved to entities: "the prison", "the biggest prison" and "Area …" to what was
last named of that kind; "prisoners", "detainees" (and "militants" held somewhere) to the group
the graph says the facility most recently named holds; "a military base in Diyala" or "makeshift
prisons" to the one facility of the graph that the description fits (by class and place, or by
the words of its label). Everything comes from the graph (classes, ckg:holds, ckg:locatedIn,
labels); the word lists below are ordinary English nouns for kinds of things."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from spacy.language import Language
from spacy.tokens import Doc, Token

from kg.ingest.findings import Mention, NewThing, slug
from kg.ingest.gazetteer import Gazetteer
from kg.namespaces import CKG

C = str(CKG)

#: Head nouns of descriptions → the class (local name) of what they can refer to.
HEADS = {"prison": "DetentionFacility", "prisons": "DetentionFacility",
         "jail": "DetentionFacility", "camp": "DetentionFacility",
         "base": "MilitaryBase", "airbase": "MilitaryBase", "facility": "Facility",
         "facilities": "Facility", "compound": "Facility", "airport": "Facility",
         "building": "Building", "city": "City", "town": "City", "village": "Place",
         "area": "Place", "district": "Place", "neighbourhood": "Place",
         "neighborhood": "Place", "region": "Region", "province": "Region",
         "governorate": "Region", "country": "Country", "group": "ArmedGroup",
         "militants": "ArmedGroup", "jihadists": "ArmedGroup", "insurgents": "ArmedGroup",
         "organisation": "Organization", "organization": "Organization",
         "wing": "FacilityPart"}
DETERMINERS = {"the", "this", "that", "these", "those", "its", "their"}
#: Nouns that always name people held somewhere.
DETAINEES = {"prisoners", "prisoner", "detainees", "detainee", "escapees", "inmates",
             "captives"}
#: Nouns that name people held somewhere when the words around them say so.
HELD_PEOPLE = {"militants", "fighters", "jihadists", "commanders", "men", "members",
               "suspects", "leaders", "operatives"}
HOLD_VERBS = {"holds", "hold", "holding", "held", "houses", "housing", "housed", "detains",
              "detaining", "jails", "jailing"}
#: Parts of a facility, and the compass words that tell one from another.
PART_NOUNS = {"wing", "block", "section", "ward", "annex", "annexe", "building", "gate"}
COMPASS = {"north": "north", "northern": "north", "south": "south", "southern": "south",
           "east": "east", "eastern": "east", "west": "west", "western": "west",
           "central": "central", "main": "main", "inner": "inner", "outer": "outer"}
IN_WORDS = {"in", "inside", "within", "at"}
LOCATION_WORDS = {"in", "near", "inside", "at", "outside"}
LABEL_BREAKS = {"in", "near", "of", "at", "on", "for", "outside", "inside", "by", "from"}
SKIP = {"#", "-", "*"}

Propose = Callable[..., NewThing]


def _modifier(token: Token) -> bool:
    return (token.is_alpha and token.is_lower and not token.is_stop) or token.text == "-"


class Resolver:
    """Resolves the descriptions of one post against the graph and the discourse memory."""

    def __init__(self, nlp: Language, g: Gazetteer, is_a: Callable[[str, str], bool],
                 propose: Propose, label: Callable[[str], str],
                 place_of: Callable[[str], str | None]):
        self.g = g
        self.label_of = label
        self.place_of = place_of
        self.is_a = is_a
        self.propose = propose
        self.tails = self._label_tails(nlp)

    # ------------------------------------------------------------------ set up

    def _label_tails(self, nlp: Language) -> dict[tuple[str, ...], set[str]]:
        """The last two or more words before any preposition of each facility's multiword
        label or alias ("makeshift prisons", "SDF prison"), with the head's other number."""
        tails: dict[tuple[str, ...], set[str]] = {}
        for entity in self.g.entities.values():
            if entity.kind != "Facility":
                continue
            for name in entity.names:
                if name.how not in ("label", "alias"):
                    continue
                words = [t.lower_ for t in nlp.make_doc(name.text) if t.text not in SKIP]
                core = []
                for word in words:
                    if word in LABEL_BREAKS:
                        break
                    core.append(word)
                for k in range(2, len(core) + 1):
                    tail = tuple(core[-k:])
                    head = tail[-1]
                    other = head[:-1] if head.endswith("s") else head + "s"
                    for variant in (tail, (*tail[:-1], other)):
                        tails.setdefault(variant, set()).add(entity.iri)
        return tails

    def where(self, iri: str) -> set[str]:
        """Every place ``iri`` is in, transitively."""
        seen: set[str] = set()
        todo = list(self.g.located.get(iri, set()))
        while todo:
            place = todo.pop()
            if place not in seen:
                seen.add(place)
                todo += self.g.located.get(place, set())
        return seen

    # ------------------------------------------------------------------ the post

    def resolve(self, doc: Doc, found: list[Mention], recent: list[Mention],
                position: int) -> list[Mention]:
        """Mentions for the descriptions of ``doc`` (``found`` holds its names)."""
        result = self.described(doc, found, recent)
        result += self.parts(doc, found + result, recent, position)
        result += self.detainees(doc, found + result, recent, position)
        result += self.definite(doc, found + result, recent)
        return result

    @staticmethod
    def _taken(mentions: Iterable[Mention]) -> set[int]:
        return {i for m in mentions for i in range(m.first, m.last)}

    def _mention(self, doc: Doc, first: int, last: int, iri: str, how: str,
                 confidence: float, cls: str | None = None, kind: str | None = None
                 ) -> Mention:
        span = doc[first:last]
        entity = self.g.entities.get(iri)
        return Mention(span.text, span.start_char, span.end_char, first, last, iri,
                       kind or (entity.kind if entity else "Actor"),
                       cls or (entity.cls if entity else C + "Actor"), how, confidence)

    # ------------------------------------------------------------------ rules

    def described(self, doc: Doc, found: list[Mention], recent: list[Mention]
                  ) -> list[Mention]:
        """"a military base in Diyala": the one facility of that class the graph locates in
        that place; "a multi-storey building": the one facility whose label ends so (and is
        in a place named here or lately)."""
        taken = self._taken(found)
        named = {m.iri for m in found}
        places = {m.iri for m in [*found, *recent] if m.kind in ("Place", "Facility")}
        result: list[Mention] = []
        for token in doc:
            if token.i in taken or (token.lower_ not in HEADS and not self._tail_head(token)):
                continue
            hit = self._by_place(doc, token, found) or self._by_label(doc, token, places)
            if hit is None or hit[0] in named:
                continue
            iri, first, confidence = hit
            result.append(self._mention(doc, first, token.i + 1, iri, "description",
                                        confidence))
            named.add(iri)
            taken |= set(range(first, token.i + 1))
        return result

    def _tail_head(self, token: Token) -> bool:
        return any(tail[-1] == token.lower_ for tail in self.tails)

    def _by_place(self, doc: Doc, head: Token, found: list[Mention]
                  ) -> tuple[str, int, float] | None:
        cls = HEADS.get(head.lower_)
        if cls is None or not self.is_a(C + cls, C + "Facility"):
            return None
        narrower = HEADS.get(doc[head.i - 1].lower_) if head.i > 0 else None
        if narrower and self.is_a(C + narrower, C + cls):
            cls = narrower  # "the prison facility": a detention facility
        sentence_end = head.sent.end
        for i in range(head.i + 1, min(head.i + 4, sentence_end)):
            if doc[i].lower_ not in LOCATION_WORDS:
                continue
            j = i + 1
            while j < sentence_end and doc[j].text in SKIP | {"the"}:
                j += 1
            place = next((m for m in found if m.first <= j < m.last and m.kind == "Place"),
                         None)  # "in #Diyala": the hashtag's mention starts at its '#'
            if place is None:
                return None
            fits = [e.iri for e in self.g.entities.values() if e.kind == "Facility"
                    and self.is_a(e.cls, C + cls) and place.iri in self.g.located.get(e.iri, ())]
            if len(fits) == 1:
                return fits[0], self._start(doc, head.i), 0.5
            return None
        return None

    def _by_label(self, doc: Doc, head: Token, places: set[str]
                  ) -> tuple[str, int, float] | None:
        words: list[Token] = []
        i = head.i
        while i >= head.sent.start and len(words) < 6:
            if doc[i].text not in SKIP:
                words.insert(0, doc[i])
            i -= 1
        for k in range(len(words), 1, -1):
            tail = tuple(t.lower_ for t in words[-k:])
            fits = [iri for iri in self.tails.get(tail, set())
                    if not self.where(iri) or self.where(iri) & places]
            if len(fits) == 1:
                return fits[0], words[-k].i, 0.5
        return None

    @staticmethod
    def _start(doc: Doc, head: int) -> int:
        """The first modifier before a head noun ("poorly-managed prison facilities")."""
        first = head
        while first > 0 and head - first < 6 and (_modifier(doc[first - 1])
                                                  or doc[first - 1].text == ","):
            first -= 1
        while first < head and not doc[first].is_alpha:
            first += 1
        return first

    def parts(self, doc: Doc, found: list[Mention], recent: list[Mention], position: int
              ) -> list[Mention]:
        """"the northern wing" of a facility the graph knows no such part of: a new part,
        labelled by its whole ("<facility> north wing"), so that every later mention of it is
        the same proposal."""
        taken = self._taken(found)
        facilities = [m for m in found if m.kind == "Facility"]
        result = []
        for token in doc[1:]:
            side = COMPASS.get(doc[token.i - 1].lower_)
            if token.lower_ not in PART_NOUNS or side is None or {token.i - 1, token.i} & taken:
                continue
            whole = self._nearest(token.i, facilities, recent, C + "Facility")
            if whole is None:
                continue
            label = f"{self._label(whole)} {side} {token.lower_}"
            thing = self.propose(f"part:{whole.iri}:{side}:{token.lower_}", "facility",
                                 slug(label), C + "FacilityPart", "Facility", label, 0.4,
                                 f"a part of {whole.text!r}", position,
                                 located_in=self.place_of(whole.iri), part_of=whole.iri)
            result.append(self._mention(doc, token.i - 1, token.i + 1, thing.iri, "anaphora",
                                        0.4, thing.cls, thing.kind))
        return result

    def _label(self, m: Mention) -> str:
        return self.label_of(m.iri)

    def detainees(self, doc: Doc, found: list[Mention], recent: list[Mention],
                  position: int) -> list[Mention]:
        """"prisoners", "#ISIS detainees", "5,000 militants" held by a prison: the group the
        graph says the facility holds; a detention facility the graph knows no group of gets
        one proposed ("<facility> detainees")."""
        taken = self._taken(found)
        facilities = [m for m in found if m.kind == "Facility"]
        result = []
        for token in doc:
            if token.i in taken:
                continue
            inside = self._held_in(doc, token, facilities)
            if token.lower_ not in DETAINEES and not (token.lower_ in HELD_PEOPLE and (
                    inside or self._after_hold_verb(doc, token))):
                continue
            if inside is None and self._unknown_prison_before(doc, token, taken):
                continue  # "a prison (holding commanders)" that nothing resolved: not ours
            facility = inside or self._nearest(token.i, facilities, recent)
            if facility is None:
                continue
            group = self._group(facility, position)
            if group is not None:
                iri, cls, confidence = group
                result.append(self._mention(doc, token.i, token.i + 1, iri, "anaphora",
                                            confidence, cls=cls, kind="Actor"))
        return result

    @staticmethod
    def _unknown_prison_before(doc: Doc, token: Token, taken: set[int]) -> bool:
        """Whether the sentence introduces a detention facility before ``token`` ("an SDF
        prison") that no name or description resolved: the people are held there."""
        for head in doc[token.sent.start:token.i]:
            if head.i in taken or HEADS.get(head.lower_) != "DetentionFacility":
                continue
            before = doc[max(token.sent.start, head.i - 3):head.i]
            if any(t.lower_ in ("a", "an", "another") for t in before):
                return True
        return False

    @staticmethod
    def _after_hold_verb(doc: Doc, token: Token) -> bool:
        window = doc[max(token.sent.start, token.i - 5):token.i]
        return any(t.lower_ in HOLD_VERBS for t in window)

    def _held_in(self, doc: Doc, token: Token, facilities: list[Mention]) -> Mention | None:
        """The facility in "militants remain in <facility>", "fighters inside <facility>"."""
        end = token.sent.end
        for i in range(token.i + 1, min(token.i + 4, end)):
            if doc[i].lower_ in IN_WORDS:
                return next((m for m in facilities if i < m.first <= i + 7), None)
        return None

    def _nearest(self, at: int, facilities: list[Mention], recent: list[Mention],
                 cls: str = C + "DetentionFacility") -> Mention | None:
        before = [m for m in facilities if m.last <= at][::-1]
        after = [m for m in facilities if m.first > at]
        earlier = [m for m in reversed(recent) if m.kind == "Facility"]
        for m in [*before, *after, *earlier]:
            if self.is_a(m.cls, cls) and not self.is_a(m.cls, C + "FacilityPart"):
                return m
        return None

    def _group(self, facility: Mention, position: int) -> tuple[str, str, float] | None:
        groups = {g for g in self.g.held.get(facility.iri, set()) if g in self.g.entities}
        if len(groups) == 1:
            group = next(iter(groups))
            return group, self.g.entities[group].cls, 0.5
        if groups:
            return None
        label = f"{self._label(facility)} detainees"
        thing = self.propose(f"detainees:{facility.iri}", "actor", slug(label),
                             C + "PopulationGroup", "Actor", label, 0.4,
                             f"the people held in {facility.text!r} (the graph knows no group "
                             f"it holds): add ckg:holds if kept", position)
        return thing.iri, thing.cls, 0.4

    def definite(self, doc: Doc, found: list[Mention], recent: list[Mention]
                 ) -> list[Mention]:
        """"the prison", "the biggest prison", "this group" — and a post that begins with a
        bare head noun ("Area being evacuated") — resolved to the last thing named of that
        kind, in this post or an earlier one."""
        taken = self._taken(found)
        result = []
        for token in doc:
            head = HEADS.get(token.lower_)
            if head is None or token.i in taken:
                continue
            first = token.i - 1
            while first >= 0 and token.i - first <= 3 and _modifier(doc[first]) \
                    and doc[first].lower_ not in DETERMINERS:
                first -= 1
            definite = first >= 0 and doc[first].lower_ in DETERMINERS
            # a bare singular head opening a post ("Area being evacuated"); a bare plural
            # ("Militants fired rockets") is indefinite
            opening = all(t.is_punct for t in doc[:token.i]) and token.text[:1].isupper() \
                and not token.lower_.endswith("s") \
                and token.i + 1 < len(doc) and doc[token.i + 1].is_lower
            if not (definite or opening) or set(range(max(first, 0), token.i)) & taken:
                continue
            earlier = [m for m in found if m.last <= token.i][::-1] + list(reversed(recent))
            for m in earlier:
                if self.is_a(m.cls, C + head):
                    start = first if definite else token.i
                    result.append(self._mention(doc, start, token.i + 1, m.iri, "anaphora",
                                                0.5 if definite else 0.4, m.cls, m.kind))
                    break
        return result
