"""Decide whether a SPARQL request may reach the server: refuse what could make it connect out.

Oxigraph (like every off-the-shelf engine) follows ``SERVICE <url>`` and ``LOAD <url>`` to any
address a query names. This module refuses them — and the dataset clauses ``FROM``,
``FROM NAMED`` and ``USING``, which some engines fetch too — by a *lexical* scan that follows
SPARQL's terminals: strings, IRIs and comments are blanked, and every remaining occurrence of a
fetching keyword is refused unless it sits inside a variable, a prefixed name or a language tag.
No other production of the grammar contains those words, so the scan is exact for valid
queries, and it errs only towards refusing (``ASKFROM<x>``, which Oxigraph's parser splits
into two keywords, is refused too). It costs microseconds, where parsing with rdflib costs
tens of milliseconds per query.

An operator may allow-list SERVICE endpoints; a query with SERVICE is then parsed with rdflib,
and every SERVICE must name an allow-listed IRI (as many as the scan found).

>>> fetching_keywords("SELECT * { ?s prov:wasDerivedFrom ?from . FILTER(?s != 'SERVICE') }")
[]
>>> fetching_keywords("ASK { 1SERVICE<http://127.0.0.1:9/> {} }")
['SERVICE']
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Collection

from kg.namespaces import PREFIXES

FETCHING = ("SERVICE", "LOAD", "FROM", "USING")

_TERMINALS = re.compile(r"""
      (?P<blank>
          '''(?:(?:'|'')?(?:[^'\\]|\\[\s\S]))*'''
        | \"\"\"(?:(?:"|"")?(?:[^"\\]|\\[\s\S]))*\"\"\"
        | '(?:[^'\\\n\r]|\\[^\n\r])*'
        | "(?:[^"\\\n\r]|\\[^\n\r])*"
        | <[^<>"{}|^`\\\x00-\x20]*>
        | \#[^\n\r\x0b\x0c\x85\u2028\u2029]*
      )
    | (?P<escape>\\[\s\S])
    | (?P<code>[^'"<\#\\]+|[\s\S])
""", re.VERBOSE)

_KEYWORD = re.compile("|".join(FETCHING), re.IGNORECASE)
# Runs of the characters of variables, prefixed names and language tags.
_NAME_RUN = re.compile(r"(?:[\w.\-:%\u00B7\u0300-\u036F\u203F\u2040]|\\[\s\S])+")
_COLON = re.compile(":")
_NOT_VAR = re.compile(r"[^\w\u00B7\u0300-\u036F\u203F\u2040]")
_NOT_LANG = re.compile(r"[^A-Za-z0-9-]")
_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_PREFIX_USED = re.compile(r"(?<![\w?$@:.\-\\%])([A-Za-z][\w.\-]*)?:")
_PREFIX_DECLARED = re.compile(r"\bPREFIX\s+([A-Za-z][\w.\-]*)?:", re.IGNORECASE)


def code_only(text: str) -> str:
    """The query with strings, IRIs and comments replaced by spaces (same length)."""
    parts = []
    for match in _TERMINALS.finditer(text):
        if match.lastgroup == "blank":
            parts.append(" " * len(match[0]))
        else:
            parts.append(match[0])
    return "".join(parts)


def _first(pattern: re.Pattern[str], code: str, start: int, end: int) -> int:
    match = pattern.search(code, start, end)
    return match.start() if match else end


def _keywords_in(code: str) -> list[str]:
    """The fetching keywords of a blanked text, skipping those inside a variable, prefixed name
    or language tag (whose tokens are read greedily, so a keyword is part of them)."""
    runs = []  # start, end, first ':', first non-variable character, first non-language-tag one
    for run in _NAME_RUN.finditer(code):
        start, end = run.span()
        runs.append((start, end, _first(_COLON, code, start, end),
                     _first(_NOT_VAR, code, start, end), _first(_NOT_LANG, code, start, end)))
    starts = [run[0] for run in runs]
    words = []
    for match in _KEYWORD.finditer(code):
        at = match.start()
        start, _, colon, not_var, not_lang = runs[bisect_right(starts, at) - 1]
        opener = code[start - 1] if start else None
        if colon < at:
            continue  # in a prefixed name or blank node label: prov:wasDerivedFrom
        if opener in ("?", "$") and not_var >= at:
            continue  # in a variable: ?from
        if opener == "@" and not_lang >= at:
            continue  # in a language tag
        words.append(match[0].upper())
    return words


def fetching_keywords(text: str) -> list[str]:
    """Every SERVICE, LOAD, FROM or USING keyword of the query, upper-cased, in order.

    The text is scanned as sent and with ``\\u`` escapes decoded (the SPARQL spec decodes them
    before parsing; Oxigraph does not): a keyword found either way counts.
    """
    found: list[str] = []
    decoded = _UNICODE_ESCAPE.sub(lambda m: chr(int(m[1] or m[2], 16)), text)
    for variant in dict.fromkeys((text, decoded)):
        words = _keywords_in(code_only(variant))
        if len(words) > len(found):
            found = words
    return found


def service_iris(text: str, update: bool) -> list[str] | None:
    """The IRI of every SERVICE of a query or update, parsed with rdflib; None for a variable
    endpoint or a text rdflib cannot parse."""
    from rdflib.plugins.sparql import algebra, parser
    from rdflib.term import URIRef

    try:
        if update:
            tree = algebra.translateUpdate(parser.parseUpdate(text), initNs=PREFIXES)
        else:
            tree = algebra.translateQuery(parser.parseQuery(text), initNs=PREFIXES)
    except Exception:  # pyparsing errors and rdflib's own: either way, not verifiable
        return None
    iris: list[str] = []
    pending: list[object] = [tree]
    seen: set[int] = set()
    while pending:
        node = pending.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if getattr(node, "name", None) == "ServiceGraphPattern":
            term = node.get("term")
            if not isinstance(term, URIRef):
                return None
            iris.append(str(term))
        if isinstance(node, dict):
            pending.extend(node.values())
        elif isinstance(node, list | tuple):
            pending.extend(node)
        elif hasattr(node, "algebra"):
            pending.append(node.algebra)
    return iris


def refusal(text: str, update: bool = False, allow_service: Collection[str] = ()) -> str | None:
    """Why this query (or update) must not run, or None if it may."""
    words = fetching_keywords(text)
    if "LOAD" in words:
        return ("LOAD is refused: it makes the server fetch a URL. Load data with `kg build` "
                "instead.")
    for word in ("FROM", "USING"):
        if word in words:
            return (f"{word} (a dataset clause) is refused: it may make a server fetch a URL, "
                    f"and this endpoint serves one graph; use GRAPH <iri> {{ … }} for named "
                    f"graphs. (Variables, strings, IRIs and prefixed names holding the word "
                    f"are fine; a prefix named '{word.lower()}:' is not.)")
    count = words.count("SERVICE")
    if not count:
        return None
    if not allow_service:
        return ("SERVICE is refused: it makes the server connect to the address the query "
                "names. The operator can allow-list endpoints with `kg serve --allow-service "
                "IRI`.")
    iris = service_iris(text, update)
    if iris is None or len(iris) != count:
        return ("SERVICE is refused: its endpoint could not be verified against the allow-list "
                "(a variable endpoint, or a query rdflib cannot parse).")
    denied = sorted(set(iris) - set(allow_service))
    if denied:
        return (f"SERVICE <{denied[0]}> is refused: not on this endpoint's allow-list "
                f"({', '.join(sorted(allow_service))}).")
    return None


def dataset_parameters(params: Collection[str]) -> list[str]:
    """The SPARQL Protocol parameters of a request that name graphs (refused, like FROM)."""
    names = ("default-graph-uri", "named-graph-uri", "using-graph-uri", "using-named-graph-uri")
    return [p for p in params if p in names]


def with_known_prefixes(text: str) -> tuple[str, int]:
    """The query with PREFIX declarations for the project's prefixes it uses without
    declaring (see :data:`kg.namespaces.PREFIXES`), on one added first line; and the number
    of lines added (0 or 1)."""
    code = code_only(text)
    declared = {m[1] or "" for m in _PREFIX_DECLARED.finditer(code)}
    used = {m[1] or "" for m in _PREFIX_USED.finditer(code)}
    missing = [name for name in PREFIXES if name in used and name not in declared]
    if not missing:
        return text, 0
    prologue = " ".join(f"PREFIX {name}: <{PREFIXES[name]}>" for name in missing)
    return f"{prologue}\n{text}", 1
