"""Status and confidence rules, case by case (see kg.claims)."""

from __future__ import annotations

import pytest

from kg.claims import GradedClaim, claim_confidence, derive_status, independent

AUTHOR = "author"


def claim(claimant, stance="Asserts", credibility=3, relayed_by=None, unnamed=False, grade="C"):
    return GradedClaim(claim=f"{claimant}-{stance}", claimant=claimant, claimant_label=claimant,
                       stance=stance, credibility=credibility,
                       confidence=claim_confidence(grade, credibility), post_position=1,
                       relayed_by=relayed_by, unnamed=unnamed)


def test_confidence_table():
    assert claim_confidence("A", 1) == 90
    assert claim_confidence("B", 2) == 63
    assert claim_confidence("F", 6) == 21
    with pytest.raises(KeyError):
        claim_confidence("G", 1)


def test_a_relayed_claim_is_not_independent_of_its_relayer():
    sdf = claim("sdf", relayed_by=AUTHOR)
    assert not independent(sdf, claim(AUTHOR))
    assert independent(sdf, claim("reuters", relayed_by=AUTHOR))
    assert not independent(claim("local-1", relayed_by=AUTHOR, unnamed=True),
                           claim("local-2", relayed_by=AUTHOR, unnamed=True))


@pytest.mark.parametrize(("claims", "expected"), [
    ([claim("a", credibility=1)], "Confirmed"),
    ([claim("a"), claim("b")], "Corroborated"),
    ([claim("sdf", relayed_by=AUTHOR), claim(AUTHOR)], "Reported"),
    ([claim("a", credibility=2)], "Reported"),
    ([claim("a", credibility=4)], "Alleged"),
    ([claim("a", stance="Questions", credibility=6)], "Unverified"),
    ([claim("a", credibility=3), claim("b", stance="Questions", credibility=6)], "Unverified"),
    ([claim("a", credibility=2), claim("b", stance="Questions", credibility=6)], "Reported"),
    ([claim("a", credibility=3), claim("b", stance="Denies", credibility=2)], "Disputed"),
    ([claim("a", credibility=5), claim("b", stance="Denies", credibility=2)], "Refuted"),
    ([claim("b", stance="Denies", credibility=2)], "Refuted"),
])
def test_status_rules(claims, expected):
    status, confidence, reason = derive_status(claims)
    assert status == expected, reason
    assert 0 <= confidence <= 100
    assert reason


def test_denials_lower_confidence_and_corroboration_raises_it():
    alone = derive_status([claim("a")])[1]
    assert derive_status([claim("a"), claim("b")])[1] > alone
    assert derive_status([claim("a"), claim("b", stance="Denies")])[1] < alone
