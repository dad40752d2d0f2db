"""Quantities in a post: counts, approximations, bounds, ranges and percentages ("~80",
"100s", "10,000+", "100-1000s", "25%", "at least 120", "about 18,000"), found token by token on
the spaCy doc, with the word they count.

>>> from kg.ingest.pipeline import blank
>>> nlp = blank()
>>> for q in find_quantities(nlp("~80 men, 100s of prisoners, 10,000+ fighters, 100-1000s, 25%")):
...     print(q.text, q.value, q.minimum, q.maximum, q.approximate)
~80 80.0 None None True
100s None 100.0 None True
10,000+ None 10000.0 None False
100-1000s None 100.0 9999.0 False
25% 25.0 None None False
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Token

WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
         "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15,
         "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100,
         "thousand": 1000}
PLURAL_WORDS = {"hundreds": 100, "thousands": 1000, "tens": 10}
APPROXIMATE = {"~", "about", "around", "nearly", "almost", "approximately", "roughly",
               "some", "estimated", "approx", "approx.", "c.", "circa"}
AT_LEAST = {("at", "least"), ("more", "than"), ("over",), ("above",), ("upwards", "of"),
            ("no", "fewer", "than"), ("no", "less", "than")}
AT_MOST = {("up", "to"), ("at", "most"), ("fewer", "than"), ("less", "than"), ("under",),
           ("no", "more", "than")}
TIME_UNITS = {"hr", "hrs", "hour", "hours", "h", "day", "days", "week", "weeks", "month",
              "months", "year", "years", "yr", "yrs", "minute", "minutes", "min", "mins", "am",
              "pm", "th", "st", "nd", "rd", "night", "nights", "decade", "decades"}
MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december", "jan", "feb", "mar", "apr", "jun",
          "jul", "aug", "sep", "sept", "oct", "nov", "dec"}
SKIP_BEFORE_NOUN = {"#", "of", "the", "its", "their", "his", "her", "our", "them", "these",
                    "those", "more", "other", "armed", "male", "female", "foreign", "local",
                    "battle", "-", "hardened", "civilian", "senior", "additional", "further"}


@dataclass(frozen=True)
class Quantity:
    """A number as written, read as a value or bounds, and the word it counts."""

    text: str
    start: int  # character offsets, 0-based, end exclusive
    end: int
    first: int  # token indexes, end exclusive
    last: int
    value: float | None = None
    minimum: float | None = None
    maximum: float | None = None
    approximate: bool = False
    percent: bool = False
    counted: int | None = None  # token index of the counted word

    @property
    def numbers(self) -> tuple[float | None, float | None, float | None]:
        """(value, minimum, maximum), the identity of a quantity when scoring."""
        return self.value, self.minimum, self.maximum


def parse_number(word: str) -> tuple[float, bool] | None:
    """A number and whether it is a plural of tens ("100s", "1,000s", "hundreds").

    >>> parse_number("10,000"), parse_number("1,000s"), parse_number("eleven"), parse_number("T50")
    ((10000.0, False), (1000.0, True), (11.0, False), None)
    """
    lower = word.lower()
    if lower in WORDS:
        return float(WORDS[lower]), False
    if lower in PLURAL_WORDS:
        return float(PLURAL_WORDS[lower]), True
    plural = lower.endswith("s") and len(lower) > 1
    digits = lower[:-1] if plural else lower
    groups = digits.split(",")
    if not digits or not all(g.replace(".", "", 1).isdigit() for g in groups):
        return None
    if len(groups) > 1 and not all(len(g) == 3 for g in groups[1:]):
        return None
    try:
        return float(digits.replace(",", "")), plural
    except ValueError:
        return None


def _is_year(token: Token, number: float) -> bool:
    if "," in token.text or not token.text.isdigit() or not 1900 <= number <= 2100:
        return False
    doc = token.doc
    prev = doc[token.i - 1].lower_ if token.i > 0 else ""
    nxt = doc[token.i + 1].lower_ if token.i + 1 < len(doc) else ""
    return prev in {"in", "since", "by", "until", "of", "from", "to", "before", "after",
                    "early", "late", "mid", ","} | MONTHS or nxt in {",", ".", ")", "-"} \
        or not doc[token.i + 1:token.i + 2].text.isalpha()


def _words_before(doc: Doc, i: int, n: int) -> tuple[str, ...]:
    return tuple(t.lower_ for t in doc[max(0, i - n):i])


def _counted(doc: Doc, i: int) -> int | None:
    """The first word after token ``i`` that is not a hashtag, name or filler: the thing
    counted."""
    j, steps = i, 0
    while j < len(doc) and steps < 8:
        token = doc[j]
        if token.is_punct and token.text not in {"#", "-"}:
            return None
        if token.lower_ in SKIP_BEFORE_NOUN or token.ent_type_ or (
                j > 0 and doc[j - 1].text == "#"):
            j, steps = j + 1, steps + 1
            continue
        return j if token.is_alpha else None
    return None


def find_quantities(doc: Doc) -> list[Quantity]:
    """Every quantity in the doc, in order."""
    found: list[Quantity] = []
    i = 0
    while i < len(doc):
        token = doc[i]
        parsed = parse_number(token.text)
        prev = doc[i - 1].text if i > 0 else ""
        if parsed is None or prev in {"#", "@"} or token.ent_type_ or token.like_url:
            i += 1
            continue
        number, plural = parsed
        if not plural and _is_year(token, number):
            i += 1
            continue
        first, last = i, i + 1
        value: float | None = number
        minimum = maximum = None
        approximate = plural
        # a range: "100-1000s", "20-30"
        if last + 1 < len(doc) and doc[last].text in {"-", "–", "to"}:
            upper = parse_number(doc[last + 1].text)
            if upper is not None:
                top = upper[0] * 10 - 1 if upper[1] else upper[0]
                value, minimum, maximum, approximate = None, number, top, False
                last += 2
        if value is not None and plural:
            value, minimum = None, number
        nxt = doc[last].lower_ if last < len(doc) else ""
        if nxt in TIME_UNITS:
            i = last
            continue
        percent = nxt in {"%", "percent"}
        if percent:
            last += 1
        elif nxt == "+":
            value, minimum, last = None, number, last + 1
        before = _words_before(doc, first, 3)
        if before and before[-1] in APPROXIMATE:
            approximate, first = True, first - 1
        for n in (3, 2, 1):
            if len(before) >= n and before[-n:] in AT_LEAST and value is not None:
                value, minimum, first = None, number, first - n
                break
            if len(before) >= n and before[-n:] in AT_MOST and value is not None:
                value, maximum, first = None, number, first - n
                break
        man = last + 1 < len(doc) and doc[last].text == "-" and doc[last + 1].lower_ in {
            "man", "men", "strong", "member"}
        counted = last + 1 if man else _counted(doc, last)
        if man and last + 2 < len(doc) and doc[last + 2].text == "+" and value is not None:
            value, minimum = None, number
        span = doc[first:last]
        found.append(Quantity(span.text, span.start_char, span.end_char, first, last, value,
                              minimum, maximum, approximate, percent, counted))
        i = last
    return found
