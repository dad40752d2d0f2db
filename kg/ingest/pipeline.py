"""The spaCy pipeline: a blank English tokenizer (taught that handles run together, "@a@b", and
that "~80" is an approximation), a sentencizer, an EntityRuler whose patterns are the names in
the gazetteer, and a SpanRuler for the names of operations. No statistical model is loaded."""

from __future__ import annotations

import spacy
from spacy.language import Language
from spacy.util import compile_infix_regex, compile_prefix_regex

from kg.ingest.gazetteer import Gazetteer, Name, text_key

#: Tokens that may stand before a word of a name without changing it: "NE #Syria".
OPTIONAL_HASH = {"ORTH": "#", "OP": "?"}
#: Arabic articles that names may carry or drop: "al-Hasakah", "Hasakah".
ARTICLES = {"al", "el"}


def blank() -> Language:
    """A blank English pipeline with the tokenizer adjusted for posts, and a sentencizer."""
    nlp = spacy.blank("en")
    nlp.max_length = 5_000_000
    prefixes = [*nlp.Defaults.prefixes, "@", "~", r"\*"]
    infixes = [*nlp.Defaults.infixes, r"(?<=\w)@(?=\w)", r"(?<=[\w\-])#(?=\w)", r"(?<=\w)-(?=#)",
               r"(?<=[0-9])-(?=[0-9a-zA-Z])"]
    nlp.tokenizer.prefix_search = compile_prefix_regex(prefixes).search
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    nlp.add_pipe("sentencizer", config={"punct_chars": [".", "!", "?", "。", "؟", "…"]})
    return nlp


def is_acronym(word: str) -> bool:
    """Whether a word is an acronym: up to five letters, all capitals, dots allowed ("U.S.")."""
    letters = [c for c in word if c.isalpha()]
    return bool(letters) and len(letters) <= 5 and all(c.isupper() for c in letters)


def acronym_forms(word: str) -> list[str]:
    """The spellings of an acronym with and without its dots: "U.S." ↔ "U.S" ↔ "US".

    >>> acronym_forms("U.S."), acronym_forms("UK"), acronym_forms("ISIS")
    (['U.S.', 'U.S', 'US'], ['UK', 'U.K.', 'U.K'], ['ISIS'])
    """
    letters = word.replace(".", "")
    if not (letters.isalpha() and letters.isupper()) or len(letters) > 3 or (
            "." not in word and len(letters) < 2):
        return [word]
    dotted = ".".join(letters) + "."
    return list(dict.fromkeys([word, dotted, dotted[:-1], letters]))


def name_pattern(nlp: Language, name: Name) -> list[dict] | None:
    """The token pattern of one name: hashtags need '#', handles '@'; acronyms ("IS", "US")
    match in their case only, with or without dots ("U.S military"), other words in any case;
    any word may carry a '#'; a hyphen of the name may be left out ("Deir ez Zor") and a
    leading Arabic article "al-" may be missing ("Hasakah")."""
    if name.how == "hashtag":
        return [{"ORTH": "#"}, {"LOWER": name.text.lower()}]
    if name.how == "handle":
        return [{"ORTH": "@"}, {"LOWER": name.text.lower()}]
    words = [t.text for t in nlp.make_doc(name.text)]
    if not words:
        return None
    pattern: list[dict] = []
    article = len(words) > 2 and words[0].lower() in ARTICLES and words[1] == "-"
    for n, word in enumerate(words):
        optional = {"OP": "?"} if article and n < 2 else {}
        if word == "-" and 0 < n < len(words) - 1:
            pattern.append({"ORTH": "-", "OP": "?"})
            continue
        if any(c.isalnum() for c in word):
            pattern.append(OPTIONAL_HASH)
        if is_acronym(word):
            forms = acronym_forms(word)
            pattern.append({"ORTH": forms[0] if len(forms) == 1 else {"IN": forms}, **optional})
        else:
            pattern.append({"LOWER": word.lower(), **optional})
    return pattern


def camel_hashtag(nlp: Language, name: Name) -> list[dict] | None:
    """The pattern of a name of several words written as one hashtag: "#IslamicState",
    "#DeirEzZor" for "Deir ez-Zor"."""
    words = [t.text for t in nlp.make_doc(name.text) if any(c.isalnum() for c in t.text)]
    if name.how not in ("label", "alias") or len(words) < 2:
        return None
    return [{"ORTH": "#"}, {"LOWER": "".join(words).lower()}]


def _number_variant(pattern: list[dict]) -> list[dict]:
    """The pattern with its last word in the other number: "drones" → "drone"."""
    last = pattern[-1].get("LOWER")
    if not last or not last.isalpha() or len(last) < 4:
        return []
    other = last[:-1] if last.endswith("s") else last + "s"
    return [*pattern[:-1], {"LOWER": other}]


def surface_key(name: Name) -> str:
    """The key of a name as the rulers report it: several entities may share one."""
    prefix = {"hashtag": "#", "handle": "@"}.get(name.how, "")
    return prefix + text_key(name.text)


def build(gazetteer: Gazetteer) -> tuple[Language, dict[str, list[Name]]]:
    """The pipeline for a gazetteer, and what each ruler key may stand for."""
    nlp = blank()
    candidates: dict[str, list[Name]] = {}
    entity_patterns, operation_patterns = [], []
    for name in gazetteer.names():
        pattern = name_pattern(nlp, name)
        if pattern is None:
            continue
        key = surface_key(name)
        candidates.setdefault(key, [])
        if name not in candidates[key]:
            candidates[key].append(name)
        kind = gazetteer.entities[name.iri].kind
        target = operation_patterns if kind == "Operation" else entity_patterns
        variants = [pattern, camel_hashtag(nlp, name) or []]
        if kind == "Equipment" and name.how in ("label", "alias"):
            variants.append(_number_variant(pattern))
        for variant in variants:
            entry = {"label": kind, "pattern": variant, "id": key}
            if variant and entry not in target:
                target.append(entry)
    ruler = nlp.add_pipe("entity_ruler", config={"overwrite_ents": True})
    ruler.add_patterns(entity_patterns)
    spans = nlp.add_pipe("span_ruler", name="operation_ruler",
                         config={"spans_key": "operations", "overwrite": True})
    spans.add_patterns(operation_patterns)
    return nlp, candidates
