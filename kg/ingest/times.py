"""Times in a post, found with spaCy's Matcher and resolved with dateparser against the date
of the post, each with its precision: "in November 2021" (month, stated), "today" (day,
offset), "48hrs ago", "overnight" (a window of days), "since 2019" (a bound only). Without a
post date a relative time is found but not resolved: no date is ever invented."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from dateparser.date import DateDataParser
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

from kg.ingest.numbers import MONTHS

DAY = {"IS_DIGIT": True, "LENGTH": {"<=": 2}}
ORDINAL_DAY = {"LOWER": {"REGEX": r"^\d{1,2}(st|nd|rd|th)$"}}
YEAR = {"SHAPE": "dddd"}
MONTH = {"LOWER": {"IN": sorted(MONTHS)}}
UNIT = {"LOWER": {"IN": ["hrs", "hr", "hours", "hour", "h", "days", "day", "weeks", "week",
                         "months", "month", "years", "yrs", "year"]}}
NUMBER_UNIT = {"LOWER": {"REGEX": r"^\d+(\.\d+)?(hrs?|h|hours?|days?|weeks?|months?|yrs?|years?)$"}}
NUMBER = {"LIKE_NUM": True}
WEEKDAY = {"LOWER": {"IN": ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                            "sunday"]}}
APPROX = {"LOWER": {"IN": ["nearly", "about", "around", "~", "almost", "some", "over"]},
          "OP": "?"}

PATTERNS: dict[str, list[list[dict]]] = {
    "DATE": [
        [MONTH, DAY, {"ORTH": ",", "OP": "?"}, YEAR], [MONTH, ORDINAL_DAY, YEAR],
        [DAY, MONTH, YEAR], [ORDINAL_DAY, MONTH, YEAR],
        [YEAR, {"ORTH": "-"}, {"SHAPE": "dd"}, {"ORTH": "-"}, {"SHAPE": "dd"}],
        [MONTH, DAY], [DAY, MONTH], [MONTH, ORDINAL_DAY], [ORDINAL_DAY, MONTH]],
    "MONTH": [[MONTH, YEAR], [{"LOWER": "in"}, MONTH, YEAR], [{"LOWER": "in"}, MONTH]],
    "YEAR": [[{"LOWER": {"IN": ["in", "of", "during"]}}, YEAR]],
    "SINCE": [[{"LOWER": {"IN": ["since", "after"]}}, MONTH, YEAR],
              [{"LOWER": {"IN": ["since", "after"]}}, YEAR]],
    "BEFORE": [[{"LOWER": {"IN": ["before", "until", "by"]}}, MONTH, YEAR],
               [{"LOWER": {"IN": ["before", "until"]}}, YEAR]],
    "TODAY": [[{"LOWER": {"IN": ["today", "tonight", "now", "currently", "dawn"]}}],
              [{"LOWER": "this"}, {"LOWER": {"IN": ["morning", "afternoon", "evening"]}}],
              [{"LOWER": "within"}, {"LOWER": "the"}, {"LOWER": "last"}, {"LOWER": "hour"}],
              [APPROX, NUMBER, UNIT, {"LOWER": "later"}],
              [APPROX, NUMBER_UNIT, {"LOWER": "later"}]],
    "YESTERDAY": [[{"LOWER": "yesterday"}], [{"LOWER": "last"}, {"LOWER": "night"}]],
    "WEEKDAY": [[{"LOWER": {"IN": ["on", "last", "this"]}, "OP": "?"}, WEEKDAY]],
    "OVERNIGHT": [[{"LOWER": "overnight"}]],
    "AGO": [[APPROX, NUMBER, UNIT, {"LOWER": "ago"}], [APPROX, NUMBER_UNIT, {"LOWER": "ago"}],
            [{"LOWER": {"IN": ["last", "this"]}}, {"LOWER": {"IN": ["week", "month", "year"]}}]],
    "HOURS_SINCE": [[APPROX, NUMBER_UNIT, {"LOWER": {"IN": ["since", "after", "into"]}}],
                    [APPROX, NUMBER, UNIT, {"LOWER": {"IN": ["since", "after", "into"]}}],
                    [{"LOWER": "extends"}, {"LOWER": "to"}, APPROX, NUMBER_UNIT]],
}
PRIORITY = ["DATE", "SINCE", "BEFORE", "MONTH", "YEAR", "AGO", "HOURS_SINCE", "YESTERDAY",
            "WEEKDAY", "OVERNIGHT", "TODAY"]


@dataclass(frozen=True)
class TimeSpec:
    """A window of dates with its precision and basis, as ckg:TimeSpec has them."""

    earliest: dt.date | None
    latest: dt.date | None
    precision: str  # DayPrecision | DaysPrecision | MonthPrecision | YearPrecision | BoundOnly
    basis: str  # Stated | Offset
    note: str


@dataclass(frozen=True)
class TimeMention:
    """A time expression in a post, with its resolution (None when nothing fixes it)."""

    text: str
    start: int
    end: int
    first: int
    last: int
    kind: str
    spec: TimeSpec | None
    hours: float | None = None  # "30hrs since the initial attack"


def matcher(nlp: Language) -> Matcher:
    """The Matcher of time expressions."""
    found = Matcher(nlp.vocab)
    for kind, patterns in PATTERNS.items():
        found.add(kind, patterns)
    return found


@lru_cache(maxsize=4)
def _parser(base: dt.date | None) -> DateDataParser:
    settings = {"PREFER_DAY_OF_MONTH": "first", "PREFER_DATES_FROM": "past",
                "RETURN_TIME_AS_PERIOD": True}
    if base is not None:
        settings["RELATIVE_BASE"] = dt.datetime(base.year, base.month, base.day, 12)
    return DateDataParser(languages=["en"], settings=settings)


def parse_date(text: str) -> TimeSpec | None:
    """An absolute date as written ("2022-01-20", "20 January 2022", "January 2022", "2021"):
    a window of dates and its precision, or None when it is not one."""
    if not any(c.isdigit() for c in text):
        return None
    data = _parser(None).get_date_data(text)
    if data.date_obj is None:
        return None
    return _window(data.date_obj.date(), data.period, f"stated as {text!r}", "Stated")


def _window(day: dt.date, period: str | None, note: str, basis: str) -> TimeSpec:
    if period == "month":
        last = calendar.monthrange(day.year, day.month)[1]
        return TimeSpec(day.replace(day=1), day.replace(day=last), "MonthPrecision", basis, note)
    if period == "year":
        return TimeSpec(dt.date(day.year, 1, 1), dt.date(day.year, 12, 31), "YearPrecision",
                        basis, note)
    if period == "week":
        monday = day - dt.timedelta(days=day.weekday())
        return TimeSpec(monday, monday + dt.timedelta(days=6), "DaysPrecision", basis, note)
    return TimeSpec(day, day, "DayPrecision", basis, note)


def _digits(text: str) -> float | None:
    number = "".join(c for c in text if c.isdigit() or c == ".")
    try:
        return float(number) if number else None
    except ValueError:
        return None


def _resolve(kind: str, text: str, base: dt.date | None) -> TimeSpec | None:
    words = text.lower()
    if kind in {"DATE", "MONTH", "YEAR", "SINCE", "BEFORE"}:
        core = " ".join(w for w in text.split() if w.lower() not in {
            "in", "of", "during", "since", "after", "before", "until", "by"})
        if base is None and not any(len(w) == 4 and w.isdigit() for w in core.split()):
            return None  # no year written and no post date: nothing fixes it
        data = _parser(base).get_date_data(core)
        if data.date_obj is None:
            return None
        spec = _window(data.date_obj.date(), data.period, f"stated: {text!r}", "Stated")
        if kind == "SINCE":
            return TimeSpec(spec.earliest, None, "BoundOnly", "Stated", f"stated: {text!r}")
        if kind == "BEFORE":
            return TimeSpec(None, spec.latest, "BoundOnly", "Stated", f"stated: {text!r}")
        return spec
    if base is None:
        return None
    note = f"{text!r} in a post of {base.isoformat()}"
    if kind == "TODAY":
        return TimeSpec(base, base, "DayPrecision", "Offset", note)
    if kind == "YESTERDAY":
        day = base - dt.timedelta(days=1)
        return TimeSpec(day, day, "DayPrecision", "Offset", note)
    if kind == "WEEKDAY":
        # the last such day on or before the post: "on Sunday" in a post of a Sunday is that day
        days = WEEKDAY["LOWER"]["IN"]
        wanted = next(w for w in words.split() if w in days)
        back = (base.weekday() - days.index(wanted)) % 7
        if back == 0 and words.startswith("last"):
            back = 7
        day = base - dt.timedelta(days=back)
        return TimeSpec(day, day, "DayPrecision", "Offset", note)
    if kind == "OVERNIGHT":
        return TimeSpec(base - dt.timedelta(days=1), base, "DaysPrecision", "Offset", note)
    if kind == "AGO":
        hours = _digits(text) if any(u in words for u in ("hr", "hour", " h")) else None
        if hours is not None:
            # the hour of the post is unknown: the event lies in a window of days
            latest = base - dt.timedelta(days=int(hours // 24))
            earliest = base - dt.timedelta(days=int(-(-hours // 24)))
            precision = "DayPrecision" if latest == earliest else "DaysPrecision"
            return TimeSpec(earliest, latest, precision, "Offset", note)
        data = _parser(base).get_date_data(text)
        if data.date_obj is None:
            return None
        return _window(data.date_obj.date(), data.period, note, "Offset")
    return None


def find_times(doc: Doc, times: Matcher, base: dt.date | None) -> list[TimeMention]:
    """Time expressions of the doc, longest first where they overlap, resolved against
    ``base`` (the post's date)."""
    matches = sorted(times(doc), key=lambda m: (-(m[2] - m[1]),
                                                PRIORITY.index(doc.vocab.strings[m[0]])))
    taken: set[int] = set()
    found = []
    for match_id, first, last in matches:
        if taken & set(range(first, last)):
            continue
        kind = doc.vocab.strings[match_id]
        span = doc[first:last]
        taken |= set(range(first, last))
        if kind == "HOURS_SINCE":
            found.append(TimeMention(span.text, span.start_char, span.end_char, first, last,
                                     kind, None, _digits(span.text)))
            continue
        found.append(TimeMention(span.text, span.start_char, span.end_char, first, last, kind,
                                 _resolve(kind, span.text, base)))
    return sorted(found, key=lambda t: t.start)


def post_date(text: str) -> dt.date:
    """The date of a post as given with it (ISO or written out); ValueError if unreadable."""
    spec = parse_date(text.strip())
    if spec is None or spec.earliest is None:
        raise ValueError(f"cannot read the date {text!r} (write it as 2022-01-22)")
    return spec.earliest
