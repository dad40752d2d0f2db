"""The rules of extraction as word lists, turned into spaCy Matcher patterns: event words and
the kind of operation each names, outcomes, attribution (who says so), hedges, doubt and
denial. Words are matched case-insensitively on spaCy tokens."""

from __future__ import annotations

from spacy.language import Language
from spacy.matcher import Matcher

#: Event words → the class of operation they name (the most specific wins when they overlap).
EVENTS: dict[str, list[str]] = {
    "SVBIEDAttack": ["svbied", "svbieds", "suicide car bomb", "suicide truck bomb",
                     "suicide vbied"],
    "VBIEDAttack": ["truck bomb", "car bomb", "vehicle bomb", "vbied", "vbieds",
                    "car bombing", "truck bombing", "vehicle-borne ied"],
    "IEDAttack": ["ied", "ieds", "roadside bomb", "improvised explosive device"],
    "Bombing": ["bombing", "bombings", "explosion", "blast", "detonated", "detonation",
                "suicide bombing", "suicide attack"],
    "Airstrike": ["airstrike", "airstrikes", "air strike", "air strikes", "drone strike",
                  "drone strikes", "strike", "strikes", "air raid", "air raids", "fired on",
                  "bombarded"],
    "Assault": ["assault", "assaults", "stormed", "storming", "raid", "raids", "offensive",
                "incursion"],
    "Attack": ["attack", "attacks", "attacked", "attacking", "shelling", "shelled", "ambush",
               "ambushed"],
    "Clash": ["clash", "clashes", "clashed", "fighting", "firefight", "gunfight", "fought",
              "battles", "skirmish", "skirmishes"],
    "Battle": ["battle"],
    "PrisonBreak": ["escaped", "escape", "escapees", "escapes", "jailbreak", "prison break",
                    "breakout", "freeing", "freed", "broke out"],
    "Plot": ["plot", "plots", "plotted"],
    "Capture": ["captured", "caught", "arrested", "capture", "arrest", "detained",
                "apprehended"],
    "Transfer": ["handed over", "handover", "hand over", "transferred", "deported",
                 "deportation", "extradited", "extradition"],
    "Repatriation": ["repatriation", "repatriate", "repatriated", "repatriating",
                     "repatriations"],
    "Deployment": ["deployed", "deployment", "deploying", "deploys", "reinforcements"],
    "Evacuation": ["evacuated", "evacuation", "evacuating", "evacuate", "evacuations"],
    "Withdrawal": ["withdrawal", "withdrew", "withdrawn", "pulled out", "pull out",
                   "pullout", "withdraw"],
    "Takeover": ["took over", "taking over", "takeover", "take over", "seized control"],
    "Riot": ["riot", "riots", "uprising", "mutiny"],
    "SupportProgram": ["program", "programme", "programs", "programmes", "advising"],
    "Campaign": ["campaign", "campaigns"],
    "Agreement": ["deal", "agreement", "ceasefire", "truce", "accord"],
}

#: Every event word, for telling the name of an operation from the name of a thing.
EVENT_WORDS = {word for words in EVENTS.values() for word in words}

OUTCOMES = {
    "Foiled": ["foiled", "thwarted", "prevented", "averted", "repelled", "repulsed"],
    "Ongoing": ["ongoing", "continue", "continues", "continuing", "still"],
    "Failed": ["failed"],
    "Succeeded": ["succeeded"],
}

KILLED = ["killed", "dead", "died", "deaths", "fatalities", "bodies", "death toll"]

SAY_VERBS = ["say", "says", "said", "saying", "claim", "claims", "claimed", "claiming", "told",
             "tells", "report", "reports", "reported", "announced", "announces",
             "stated", "states", "confirmed", "confirms", "denied", "denies", "deny", "alleged",
             "alleges", "insisted", "insists", "warned", "warns", "estimated", "estimates",
             "added", "noted", "wrote", "writes", "tweeted", "posted", "acknowledged",
             "admitted", "responded", "accused", "accuses", "believe", "believes", "think",
             "thinks", "assess", "assesses", "put", "puts", "counted", "counts"]
DENY_VERBS = {"denied", "denies", "deny", "rejected", "rejects", "reject", "refuted",
              "dismissed", "disputed"}
PREFIX_ATTRIBUTION = [["per"], ["according", "to"], ["citing"], ["via"], ["says"]]

#: Words for sources that are not named; the phrase becomes an unnamed source of its post.
UNNAMED_NOUNS = ["sources", "source", "officials", "official", "reports", "report",
                 "residents", "witnesses", "activists", "monitors", "observers", "claims",
                 "allegations", "rumours", "rumors", "footage", "video", "media", "spokesman",
                 "spokesperson", "spokeswoman", "commander", "commanders", "analysts", "locals",
                 "correspondents", "journalists", "medics", "doctors", "diplomats", "officers"]
UNNAMED_MODIFIERS = ["local", "some", "several", "many", "multiple", "security", "medical",
                     "military", "unnamed", "anonymous", "informed", "credible", "initial",
                     "other", "western", "european", "iraqi", "syrian", "kurdish", "us", "u.s.",
                     "american", "turkish", "senior", "government", "opposition", "early",
                     "media", "news", "unconfirmed", "first", "conflicting", "independent",
                     "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                     "a", "an", "the", "this", "these", "one", "officials'"]

HEDGES = {"reportedly": 3, "possibly": 3, "suspected": 3, "apparently": 3, "presumably": 3,
          "likely": 3, "may": 3, "might": 3, "could": 3, "seems": 3, "appears": 3,
          "perhaps": 3, "probably": 3, "purportedly": 3, "believed": 3, "allegedly": 4,
          "alleged": 4, "rumoured": 4, "rumored": 4, "unverified": 4}
HEDGE_PHRASES = [["credible", "claims"], ["it", "appears"], ["not", "clear"]]
QUESTION_PHRASES = [["unclear", "if"], ["unclear", "whether"], ["not", "confirmed"],
                    ["unconfirmed"], ["not", "clear", "if"], ["not", "clear", "whether"],
                    ["unknown", "whether"], ["unknown", "if"], ["raise", "qs"],
                    ["questions", "about", "whether"], ["whether", "or", "not"],
                    ["yet", "to", "be", "confirmed"], ["cannot", "be", "verified"],
                    ["could", "not", "be", "verified"]]
DENIAL_WORDS = ["absurd", "false", "untrue", "baseless", "fabricated", "nonsense", "far from",
                "not true"]
EVALUATIVE = ["concerning", "clear", "clearest", "big", "bigger", "biggest", "massive",
              "serious", "major", "significant", "failure", "flawed", "warning", "worst",
              "heaviest", "strange", "viable", "success", "simplification", "irrelevant",
              "stuck", "ticking", "threat", "complex", "sustained", "deal", "important",
              "unprecedented", "largest", "deadliest", "critical", "dangerous", "problem",
              "insufficient", "covert", "limited", "intense", "far", "reminder", "opening"]
QUOTES_OPEN = {"\"", "“", "‘", "«", "'"}
QUOTES_CLOSE = {"\"", "”", "’", "»", "'"}
CLAUSE_BREAKS = {"--", "—", "–", ";", "…", "|"}
CLAUSE_STARTS = {"but", "though", "although", "however", "whereas", "yet", "while"}


def phrase(words: str) -> list[dict]:
    """A token pattern for words separated by spaces (case-insensitive)."""
    return [{"LOWER": w} for w in words.split()]


def matcher(nlp: Language) -> Matcher:
    """One Matcher for every rule; a match's name is ``KIND`` or ``KIND:detail``."""
    rules = Matcher(nlp.vocab)
    for cls, words in EVENTS.items():
        rules.add(f"EVENT:{cls}", [_tokens(nlp, w) for w in words])
    for outcome, words in OUTCOMES.items():
        rules.add(f"OUTCOME:{outcome}", [phrase(w) for w in words])
    rules.add("KILLED", [phrase(w) for w in KILLED])
    rules.add("SAY", [[{"LOWER": {"IN": SAY_VERBS}}]])
    rules.add("DENY", [[{"LOWER": {"IN": sorted(DENY_VERBS)}}]]
              + [_loose(w) for w in DENIAL_WORDS])
    rules.add("PREFIX", [[{"LOWER": w} for w in p] for p in PREFIX_ATTRIBUTION])
    rules.add("UNNAMED", [[{"LOWER": {"IN": UNNAMED_MODIFIERS}, "OP": "*"},
                           {"LIKE_NUM": True, "OP": "?"},
                           {"LOWER": {"IN": UNNAMED_MODIFIERS}, "OP": "*"},
                           {"LOWER": {"IN": UNNAMED_NOUNS}}]])
    rules.add("HEDGE", [[{"LOWER": {"IN": sorted(HEDGES)}}], *HEDGE_PHRASES_PATTERNS])
    rules.add("QUESTION", [[{"LOWER": w} for w in p] for p in QUESTION_PHRASES])
    rules.add("EVALUATIVE", [[{"LOWER": {"IN": EVALUATIVE}}]])
    return rules


HEDGE_PHRASES_PATTERNS = [[{"LOWER": w} for w in p] for p in HEDGE_PHRASES]


def _loose(words: str) -> list[dict]:
    """Like ``phrase``, but emphasis may stand between the words: "*far* from"."""
    pattern: list[dict] = []
    for word in words.split():
        if pattern:
            pattern.append({"ORTH": "*", "OP": "?"})
        pattern.append({"LOWER": word})
    return pattern


def _tokens(nlp: Language, words: str) -> list[dict]:
    return [{"LOWER": t.lower_} for t in nlp.make_doc(words)]
