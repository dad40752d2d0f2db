"""Grading and status: how a claim's confidence and a proposition's status are reached.

Grades follow the Admiralty code (STANAG 2511). Reliability grades the *source* (A–F, set per
actor in ``data/grading.ttl``; an ungraded source is F, "cannot be judged"); credibility grades
the *information* in one claim (1–6, set on the claim). The two stay apart until they are
combined into a 0–100 confidence by the table below.

Claim confidence = CREDIBILITY_SCORE[credibility] × RELIABILITY_FACTOR[reliability], rounded.

==========  =====  ==============================================
credibility  score  meaning (scores follow STIX 2.1's mapping)
==========  =====  ==============================================
1            90     confirmed by other sources
2            70     probably true
3            50     possibly true
4            30     doubtful
5            10     improbable
6            30     cannot be judged (STIX gives no value; we treat it as doubtful)
==========  =====  ==============================================

===========  ======  =============================
reliability  factor  meaning
===========  ======  =============================
A            1.00    completely reliable
B            0.90    usually reliable
C            0.80    fairly reliable
D            0.60    not usually reliable
E            0.30    unreliable
F            0.70    cannot be judged (the default)
===========  ======  =============================

Proposition status, from its claims (first rule that applies):

1. *refuted*: denied, and no assertion is better than doubtful (all credibility ≥ 4).
2. *disputed*: asserted with credibility ≤ 3 and denied.
3. *unverified*: someone questions it ("not confirmed", "unclear if …") and no assertion is
   better than possibly true (credibility ≤ 2); or nobody asserts it.
4. *confirmed*: some assertion has credibility 1.
5. *corroborated*: two independent claimants assert it with credibility ≤ 3.
6. *reported*: asserted with credibility 2 or 3.
7. *alleged*: asserted only with credibility 4 to 6.

Two claims are *independent* when their claimants differ, neither claimant relayed the other's
claim (a claim relayed by an author is not independent of the author), and they are not both
unnamed sources relayed by the same author (who may be one source seen twice).

Proposition confidence = 100 × S × (1 − D), where S combines the best assertion of each
independent claimant as 1 − Π(1 − c) (noisy-OR), and D does the same for denials.
Questions add no weight.
"""

from __future__ import annotations

from dataclasses import dataclass

CREDIBILITY_SCORE = {1: 90, 2: 70, 3: 50, 4: 30, 5: 10, 6: 30}
RELIABILITY_FACTOR = {"A": 1.0, "B": 0.9, "C": 0.8, "D": 0.6, "E": 0.3, "F": 0.7}
DEFAULT_RELIABILITY = "F"

ASSERTS, DENIES, QUESTIONS = "Asserts", "Denies", "Questions"
STATUSES = ("Confirmed", "Corroborated", "Reported", "Alleged", "Unverified", "Disputed",
            "Refuted")


def claim_confidence(reliability: str, credibility: int) -> int:
    """0–100 confidence of one claim.

    >>> claim_confidence("C", 3)
    40
    """
    return round(CREDIBILITY_SCORE[credibility] * RELIABILITY_FACTOR[reliability])


def explain_claim_confidence(reliability: str, credibility: int, reliability_is_default: bool
                             ) -> str:
    """The sentence `kg ask evidence` shows for a claim's confidence."""
    source = f"source {reliability}" + (" (ungraded: default)" if reliability_is_default else "")
    return (f"credibility {credibility} → {CREDIBILITY_SCORE[credibility]} × {source} → "
            f"{RELIABILITY_FACTOR[reliability]:.2f} = {claim_confidence(reliability, credibility)}")


@dataclass(frozen=True)
class GradedClaim:
    """What status derivation needs to know of one claim."""

    claim: str
    claimant: str
    claimant_label: str
    stance: str
    credibility: int
    confidence: int
    post_position: int
    relayed_by: str | None = None
    unnamed: bool = False


def independent(a: GradedClaim, b: GradedClaim) -> bool:
    """Whether two claims count as independent evidence (see the module doc)."""
    if a.claimant == b.claimant:
        return False
    if a.claimant == b.relayed_by or b.claimant == a.relayed_by:
        return False
    return not (a.unnamed and b.unnamed and a.relayed_by == b.relayed_by)


def _noisy_or(claims: list[GradedClaim]) -> float:
    """Combine the best claim of each group of mutually dependent claims."""
    groups: list[list[GradedClaim]] = []
    for claim in sorted(claims, key=lambda c: -c.confidence):
        for group in groups:
            if not all(independent(claim, member) for member in group):
                group.append(claim)
                break
        else:
            groups.append([claim])
    miss = 1.0
    for group in groups:
        miss *= 1 - group[0].confidence / 100
    return 1 - miss


def _describe(claims: list[GradedClaim]) -> str:
    return ", ".join(f"{c.claimant_label} (post {c.post_position}, credibility {c.credibility})"
                     for c in sorted(claims, key=lambda c: (c.post_position, c.claim)))


def derive_status(claims: list[GradedClaim]) -> tuple[str, int, str]:
    """(status, confidence, reason) of a proposition from all claims about it."""
    claims = sorted(claims, key=lambda c: (c.post_position, c.claim))  # same on every engine
    asserts = [c for c in claims if c.stance == ASSERTS]
    denies = [c for c in claims if c.stance == DENIES]
    questions = [c for c in claims if c.stance == QUESTIONS]
    credible = [c for c in asserts if c.credibility <= 3]
    confidence = round(100 * _noisy_or(asserts) * (1 - _noisy_or(denies)))
    parts = []
    if asserts:
        parts.append(f"asserted by {_describe(asserts)}")
    if denies:
        parts.append(f"denied by {_describe(denies)}")
    if questions:
        parts.append(f"questioned by {_describe(questions)}")
    evidence = "; ".join(parts)

    if denies and not credible:
        return "Refuted", confidence, f"{evidence}: no assertion is better than doubtful"
    if denies:
        return "Disputed", confidence, f"{evidence}: asserted and denied"
    probable = [c for c in asserts if c.credibility <= 2]
    if not asserts or (questions and not probable):
        return ("Unverified", confidence,
                f"{evidence}: questioned, and no assertion better than possibly true")
    if any(c.credibility == 1 for c in asserts):
        return "Confirmed", confidence, f"{evidence}: confirmed by other sources (credibility 1)"
    for i, first in enumerate(credible):
        for second in credible[i + 1:]:
            if independent(first, second):
                return ("Corroborated", confidence,
                        f"{evidence}: {first.claimant_label} and {second.claimant_label} "
                        f"agree independently")
    if credible:
        return "Reported", confidence, f"{evidence}: one independent credible source"
    return "Alleged", confidence, f"{evidence}: only doubtful or ungradable assertions"
