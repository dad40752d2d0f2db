"""Contradictions and evolutions between claims and between numbers.

Three kinds of contradiction:

* **asserted and denied**: one claimant asserts a proposition, another denies it;
* **incompatible values**: two numbers for the same quantity (subject and predicate) at the
  same time whose ranges do not overlap;
* **implied bound violated**: a number implied by another (``ckg:impliesLowerBoundOf``:
  89 escapees *recaptured* means at least 89 *escaped*) does not fit a number reported for the
  implied quantity.

Each number is read as a range: ``ckg:value`` v is [v, v]; ``ckg:minValue`` m is [m, ∞);
``ckg:maxValue`` M is (−∞, M]; an approximate number ("~20", "100s") is widened by
``APPROXIMATION`` (±25 %: "~20" is [15, 25], "100s" is [75, ∞)). Two numbers are at *different
times* when both carry ``ckg:asOfHours`` and these differ, or both carry ``ckg:asOf`` windows
that do not overlap; then a change between them is an **evolution**, not a contradiction
(25 % of the prison held at 30 hours, ~30 % at 48 hours).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

APPROXIMATION = 0.25


@dataclass(frozen=True)
class Quantity:
    """One numeric proposition, as a range with its time."""

    proposition: str
    subject: str
    predicate: str
    low: float
    high: float
    text: str
    label: str = ""  # what is counted, in words: "escapees"
    hours: float | None = None
    window: tuple[str | None, str | None] = (None, None)
    implied_from: str | None = None  # the proposition whose value implies this bound


@dataclass(frozen=True)
class Finding:
    """A contradiction or an evolution between two quantities, with its reason in words."""

    kind: str  # "IncompatibleValues" | "ImpliedBoundViolated" | "Evolution"
    first: str
    second: str
    reason: str


def as_range(value: float | None, minimum: float | None, maximum: float | None,
             approximate: bool) -> tuple[float, float]:
    """The range a reported number stands for.

    >>> as_range(20, None, None, True)
    (15.0, 25.0)
    >>> as_range(None, 100, None, False)
    (100, inf)
    """
    low = value if value is not None else minimum if minimum is not None else -math.inf
    high = value if value is not None else maximum if maximum is not None else math.inf
    if approximate:
        low = low * (1 - APPROXIMATION) if math.isfinite(low) else low
        high = high * (1 + APPROXIMATION) if math.isfinite(high) else high
    return low, high


def describe(value: float | None, minimum: float | None, maximum: float | None,
             approximate: bool, share: bool = False) -> str:
    """How a number was reported, for reasons: '~20', '100+', '100–9999', '25%'."""
    def fmt(x: float) -> str:
        return f"{x:,.0f}" + ("%" if share else "")
    tilde = "~" if approximate else ""
    if value is not None:
        return f"{tilde}{fmt(value)}"
    if minimum is not None and maximum is not None:
        return f"{tilde}{fmt(minimum)}–{fmt(maximum)}"
    if minimum is not None:
        return f"{tilde}{fmt(minimum)}+"
    return f"{tilde}≤{fmt(maximum)}" if maximum is not None else "?"


def _different_times(a: Quantity, b: Quantity) -> bool:
    if a.hours is not None and b.hours is not None:
        return a.hours != b.hours
    (a_from, a_to), (b_from, b_to) = a.window, b.window
    if None in (a_from, b_from):
        return False
    return bool((a_to and b_from > a_to) or (b_to and a_from > b_to))


def _overlap(a: Quantity, b: Quantity) -> bool:
    return a.low <= b.high and b.low <= a.high


def _when(q: Quantity) -> str:
    if q.hours is not None:
        return f"at {q.hours:g} hours"
    return f"as of {q.window[0]}" if q.window[0] else "undated"


def compare(a: Quantity, b: Quantity) -> Finding | None:
    """A contradiction or an evolution between two quantities of one subject and predicate."""
    if _different_times(a, b):
        if a.low == b.low and a.high == b.high:
            return None
        first, second = sorted((a, b), key=lambda q: (q.hours or 0, q.window[0] or ""))
        return Finding("Evolution", first.proposition, second.proposition,
                       f"{first.text} {_when(first)}, then {second.text} {_when(second)}: "
                       f"a change over time, not a contradiction")
    if _overlap(a, b):
        return None
    implied = a if a.implied_from else b if b.implied_from else None
    if implied is not None:
        other = b if implied is a else a
        return Finding("ImpliedBoundViolated", implied.implied_from or "", other.proposition,
                       f"{implied.text} implies at least {implied.low:,.0f} {implied.label}, "
                       f"which {other.text} contradicts")
    return Finding("IncompatibleValues", a.proposition, b.proposition,
                   f"{a.text} and {b.text} cannot both hold for the same quantity at the same "
                   f"time (ranges {_range(a)} and {_range(b)} do not overlap)")


def _range(q: Quantity) -> str:
    def fmt(x: float) -> str:
        return "∞" if math.isinf(x) else f"{x:,.0f}"
    return f"[{fmt(q.low)}, {fmt(q.high)}]"


Implications = dict[str, tuple[str, str]]  # predicate -> (implied predicate, its label)


def implied_bounds(quantities: list[Quantity], implications: Implications) -> list[Quantity]:
    """Lower bounds on implied quantities: 89 recaptured → escapees ≥ 89."""
    return [replace(q, predicate=implications[q.predicate][0],
                    label=implications[q.predicate][1], high=math.inf,
                    implied_from=q.proposition, proposition=f"{q.proposition}#implied")
            for q in quantities if q.predicate in implications and math.isfinite(q.low)]


def find(quantities: list[Quantity], implications: Implications) -> list[Finding]:
    """Every contradiction and evolution among the quantities, in a stable order."""
    groups: dict[tuple[str, str], list[Quantity]] = {}
    for q in quantities + implied_bounds(quantities, implications):
        groups.setdefault((q.subject, q.predicate), []).append(q)
    findings = []
    for group in groups.values():
        ordered = sorted(group, key=lambda q: q.proposition)
        for i, first in enumerate(ordered):
            for second in ordered[i + 1:]:
                if first.implied_from and second.implied_from:
                    continue
                finding = compare(first, second)
                if finding:
                    findings.append(finding)
    return sorted(set(findings), key=lambda f: (f.kind, f.first, f.second))
