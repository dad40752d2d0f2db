"""The claims analysis on the corpus: the results issue 4 requires, with their reasons."""

from __future__ import annotations

import math

import pytest

from kg.contradictions import Quantity, as_range, compare, find
from kg.questions import run


def _contested(built):
    _, rows = run(built.store, "contested")
    return [(str(r["kind"]).rsplit("#", 1)[1], str(r["reason"]), str(r["propositions"]))
            for r in rows]


def test_the_thwarted_claim_is_disputed_by_the_author(built):
    found = [c for c in _contested(built) if "outcome-foiled" in c[2]]
    assert len(found) == 1
    kind, reason, _ = found[0]
    assert kind == "AssertedAndDenied"
    assert "asserted by SDF (post 8) and denied by corpus author (posts 8, 15)" in reason


def test_the_foreign_power_claim_is_rejected_by_the_author(built):
    found = [c for c in _contested(built) if "turkey-provides-resources" in c[2]]
    assert [f[0] for f in found] == ["AssertedAndDenied"]
    assert "Farhad Shami (post 30)" in found[0][1]


def test_the_escapee_numbers_conflict_and_the_reason_says_why(built):
    kinds = {c[0]: c for c in _contested(built) if "escapees" in c[2]}
    assert "89 escapees recaptured" in kinds["ImpliedBoundViolated"][1]
    assert "implies at least 89 escapees" in kinds["ImpliedBoundViolated"][1]
    assert "~20 escapees" in kinds["IncompatibleValues"][1]
    assert "100+" in kinds["IncompatibleValues"][1]


def test_the_share_of_the_prison_under_isis_control_evolves(built):
    assert not [c for c in _contested(built) if "controls" in c[2]]
    rows = built.store.select("SELECT ?reason WHERE { ?e a ckg:Evolution ; ckg:reason ?reason ; "
                              "ckg:earlier ?a ; ckg:later ?b . ?a ckg:share 25 . ?b ckg:share 30 }")
    assert len(rows) == 1
    assert "at 30 hours, then" in str(rows[0]["reason"])


def test_kg_ask_contested_lists_each_conflict_with_a_reason(built):
    found = _contested(built)
    assert len(found) == 4
    assert all(reason for _, reason, _ in found)


def q(name, low, high, hours=None, implied_from=None):
    return Quantity(name, "op", "escapees", low, high, name, "escapees", hours,
                    implied_from=implied_from)


@pytest.mark.parametrize(("a", "b", "kind"), [
    (q("~20", *as_range(20, None, None, True)), q("100s", *as_range(None, 100, None, True)),
     "IncompatibleValues"),
    (q("~80", *as_range(80, None, None, True)), q("80+", *as_range(None, 80, None, False)), None),
    (q("10,000+", 10000, math.inf), q("1,000s", 750, math.inf), None),
    (q("25%", 25, 25, hours=30), q("~30%", 22.5, 37.5, hours=48), "Evolution"),
    (q("20", 20, 20, hours=30), q("89", 89, 89, hours=30), "IncompatibleValues"),
])
def test_number_comparison(a, b, kind):
    finding = compare(a, b)
    assert (finding.kind if finding else None) == kind


def test_implied_bounds_are_checked():
    recaptured = Quantity("89", "op", "recaptured", 89, 89, "89 recaptured", "recaptured")
    escaped = q("~20", 15, 25)
    findings = find([recaptured, escaped], {"recaptured": ("escapees", "escapees")})
    assert [f.kind for f in findings] == ["ImpliedBoundViolated"]
    assert findings[0].first == "89" and findings[0].second == "~20"
