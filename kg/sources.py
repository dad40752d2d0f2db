"""Read the curated source files: find them, parse them with Oxigraph's parsers, and know
where each thing is defined (file and line), so every later problem can point at it.

N-Triples files (``.nt``: generated, exported or ingested bulk) are read in *bulk*: they are not
parsed into Python quads here — the build has the store load them straight from the file (see
:func:`kg.build.load_source`), and the things they define are found by a scan of their lines,
which is exact for N-Triples (one statement a line) and cheap at millions of lines. A syntax
error in one is reported by the load step, with the same message, file and line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.errors import KGError, Problem
from kg.namespaces import ID, OWN_NAMESPACES

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

#: File suffixes read as RDF, and the parser of each. RDF/XML is refused: its entity expansion
#: ("billion laughs") takes parsers to gigabytes or kills the process, and nobody here needs it.
FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
}
REFUSED = {".rdf", ".owl", ".xml"}


@dataclass
class SourceFile:
    """One parsed file: its quads, its prefixes, and the IRIs it defines (with ``a``).

    A bulk file (N-Triples) has no quads and no text in memory: the store loads it from
    ``path``, and its text is read again only to locate a problem.
    """

    path: Path
    quads: list[ox.Quad]
    prefixes: dict[str, str]
    text: str
    defined: dict[str, int] = field(default_factory=dict)  # IRI -> line of its defining block
    bulk: bool = False
    _starts: dict[str, int] | None = field(default=None, init=False, repr=False, compare=False)
    _terms: tuple[set[str], set[str]] | None = field(default=None, init=False, repr=False,
                                                     compare=False)

    def own_terms(self) -> tuple[set[str], set[str]]:
        """(IRIs in the project's namespaces used anywhere in the file, those of them given a
        type here): what the reference check needs, from the quads or, for a bulk file, from a
        scan of its lines (kept after the first call)."""
        if self._terms is None:
            self._terms = _ntriples_terms(self.path) if self.bulk else _quad_terms(self.quads)
        return self._terms

    def content(self) -> str:
        """The file's text (read from disk, once, for a bulk file)."""
        if self.bulk and not self.text:
            self.text = self.path.read_text(encoding="utf-8")
        return self.text

    def line_of(self, iri: str) -> int | None:
        """The first line where ``iri`` starts a statement (or appears at all), 1-based."""
        if self._starts is None:
            self._starts = self._statement_starts()
        if iri in self._starts:
            return self._starts[iri]
        spellings = [re.escape(f"<{iri}>")]
        for name, ns in self.prefixes.items():
            if iri.startswith(ns) and iri != ns:
                spellings.append(re.escape(f"{name}:{iri[len(ns):]}") + r"(?![\w\-.:/])")
        anywhere = re.search("|".join(spellings), self.content())
        return self.content().count("\n", 0, anywhere.start()) + 1 if anywhere else None

    def _statement_starts(self) -> dict[str, int]:
        """IRI -> first line that starts with it (as ``<iri>`` or a prefixed name), in one pass
        over the text: looking each IRI up with a regex over the whole file is quadratic."""
        starts: dict[str, int] = {}
        text, line, last = self.content(), 1, 0
        for match in _STATEMENT_START.finditer(text):
            line += text.count("\n", last, match.start())
            last = match.start()
            iri, prefix, local = match.groups()
            if iri is None:
                ns = self.prefixes.get(prefix or "")
                if ns is None or not local:
                    continue
                iri = ns + local
            starts.setdefault(iri, line)
        return starts


#: The first term of a line: an IRI in angle brackets, or a prefixed name (its local part as
#: far as the characters a prefixed name may continue with).
_STATEMENT_START = re.compile(r"^(?:<([^>\n]*)>|([A-Za-z][\w\-.]*)?:([\w\-.:/]*))", re.MULTILINE)


def discover(paths: Iterable[Path]) -> list[Path]:
    """Every RDF file under the given files or folders, sorted, refusing RDF/XML."""
    found: list[Path] = []
    for root in paths:
        if not root.exists():
            raise KGError([Problem("no such file or folder", root)])
        candidates = sorted(root.rglob("*")) if root.is_dir() else [root]
        for path in candidates:
            suffix = path.suffix.lower()
            if suffix in REFUSED:
                raise KGError([Problem(
                    "RDF/XML is not accepted (entity expansion can exhaust memory); "
                    "convert the file to Turtle", path)])
            if suffix in FORMATS and path.is_file():
                found.append(path)
            elif not root.is_dir() and path.is_file():
                raise KGError([Problem(
                    f"unknown RDF file type {suffix!r}; use one of {', '.join(FORMATS)}", path)])
    return found


def syntax_problem(path: Path, error: SyntaxError) -> Problem:
    """A parser's syntax error as a located problem."""
    message = re.sub(r"\s*\([^()]*, line \d+\)$", "", str(error))
    return Problem(f"syntax error: {message}", path, error.lineno)


def parse_file(path: Path) -> SourceFile:
    """Parse one file (or scan it, for N-Triples); a syntax error becomes a Problem with its
    line."""
    if path.suffix.lower() == ".nt":
        return scan_ntriples(path)
    text = path.read_text(encoding="utf-8")
    parser_format = FORMATS[path.suffix.lower()]
    parser = ox.parse(input=text.encode("utf-8"), format=parser_format,
                      base_iri=path.resolve().as_uri())
    try:
        quads = list(parser)
    except SyntaxError as error:
        raise KGError([syntax_problem(path, error)]) from None
    if parser_format.supports_datasets:  # the graph is one graph: named graphs are merged
        quads = [ox.Quad(q.subject, q.predicate, q.object) for q in quads]
    source = SourceFile(path, quads, dict(parser.prefixes), text)
    _index_definitions(source)
    return source


_NT_TYPE = b"<" + RDF_TYPE.value.encode() + b">"
_NT_TYPED_SUBJECT = re.compile(rb"<([^>]*)>[ \t]+" + re.escape(_NT_TYPE) + rb"[ \t]")


def scan_ntriples(path: Path) -> SourceFile:
    """A bulk N-Triples file: the IRIs under ``id/`` it types, each with the line where its
    defining block starts (a block: consecutive lines with one subject, blank-node lines
    between them aside). Nothing is parsed into Python; the store loads the file itself."""
    data = path.read_bytes()
    source = SourceFile(path, [], {}, "", bulk=True)
    own = str(ID).encode()
    block_end: dict[bytes, int] = {}  # subject -> end of its last typing line
    problems, line, counted, hit = [], 1, 0, data.find(_NT_TYPE)
    while hit >= 0:
        start = data.rfind(b"\n", 0, hit) + 1
        end = data.find(b"\n", hit)
        end = len(data) if end < 0 else end
        match = _NT_TYPED_SUBJECT.match(data, start, end + 1)
        hit = data.find(_NT_TYPE, end)
        if not match or not match.group(1).startswith(own):
            continue
        line += data.count(b"\n", counted, start)
        counted = start
        subject = match.group(1)
        if subject in block_end:
            if _other_subject_between(data, subject, block_end[subject], start):
                iri = subject.decode()
                problems.append(Problem(f"{_short(source, iri)} is defined twice in this file "
                                        f"(two blocks with 'a …')", path, source.defined[iri]))
        else:
            source.defined[subject.decode()] = line - _lines_above_in_block(data, subject, start)
        block_end[subject] = end
    if problems:
        raise KGError(problems)
    return source


def _quad_terms(quads: list[ox.Quad]) -> tuple[set[str], set[str]]:
    used, typed = set(), set()
    for quad in quads:
        for term in (quad.subject, quad.predicate, quad.object):
            if isinstance(term, ox.NamedNode) and term.value.startswith(OWN_NAMESPACES):
                used.add(term.value)
        if quad.predicate == RDF_TYPE and isinstance(quad.subject, ox.NamedNode):
            typed.add(quad.subject.value)
    return used, typed & used


_NT_TERMS = re.compile(rb"^(?:<([^>]*)>|_:\S+)[ \t]+<([^>]*)>[ \t]+(?:<([^>]*)>)?", re.MULTILINE)


def _ntriples_terms(path: Path) -> tuple[set[str], set[str]]:
    rdf_type = RDF_TYPE.value.encode()
    used: set[bytes] = set()
    typed: set[bytes] = set()
    for match in _NT_TERMS.finditer(path.read_bytes()):  # no list of every line's terms
        subject, predicate, obj = match.groups(b"")
        used.update((subject, predicate, obj))
        if predicate == rdf_type:
            typed.add(subject)
    own = tuple(ns.encode() for ns in OWN_NAMESPACES)
    used = {iri for iri in used if iri.startswith(own)}
    return ({iri.decode(errors="replace") for iri in used},
            {iri.decode(errors="replace") for iri in typed & used})


def _other_subject_between(data: bytes, subject: bytes, start: int, end: int) -> bool:
    """Whether a line between ``start`` and ``end`` has a named subject other than
    ``subject``."""
    other = rb"^(?!<" + re.escape(subject) + rb">|_:|[ \t]*(?:#|$))"
    return re.search(other, data[start:end], re.MULTILINE) is not None


def _lines_above_in_block(data: bytes, subject: bytes, start: int) -> int:
    """How many lines right above ``start`` have the same subject."""
    count, spelled = 0, b"<" + subject + b">"
    while start > 0:
        above = data.rfind(b"\n", 0, start - 1) + 1
        if not data.startswith(spelled, above):
            return count
        count, start = count + 1, above
    return count


def _index_definitions(source: SourceFile) -> None:
    """Record the things (IRIs under ``id/``) this file defines; a second defining block is a
    problem. Vocabulary terms may be typed in several files (a class is punned as a SKOS
    concept in ontology/operation-types.ttl)."""
    block_subject, block_defines, seen_blocks = None, False, []
    for quad in source.quads:
        subject = quad.subject
        if not isinstance(subject, ox.NamedNode):
            continue
        if subject != block_subject:
            if block_subject is not None:
                seen_blocks.append((block_subject.value, block_defines))
            block_subject, block_defines = subject, False
        if quad.predicate == RDF_TYPE:
            block_defines = True
    if block_subject is not None:
        seen_blocks.append((block_subject.value, block_defines))
    problems = []
    for iri, defines in seen_blocks:
        if not defines or not iri.startswith(str(ID)):
            continue
        if iri in source.defined:
            problems.append(Problem(f"{_short(source, iri)} is defined twice in this file "
                                    f"(two blocks with 'a …')", source.path, source.line_of(iri)))
        source.defined[iri] = source.line_of(iri) or 0
    if problems:
        raise KGError(problems)


def _short(source: SourceFile, iri: str) -> str:
    for name, ns in source.prefixes.items():
        if iri.startswith(ns) and iri != ns:
            return f"{name}:{iri[len(ns):]}"
    return f"<{iri}>"


def read_sources(paths: Iterable[Path]) -> list[SourceFile]:
    """Parse every file under ``paths``; report all syntax errors and cross-file redefinitions."""
    sources, problems = [], []
    for path in discover(paths):
        try:
            sources.append(parse_file(path))
        except KGError as error:
            problems.extend(error.problems)
    first_definition: dict[str, SourceFile] = {}
    for source in sources:
        for iri in source.defined:
            other = first_definition.setdefault(iri, source)
            if other is not source:
                problems.append(Problem(
                    f"{_short(source, iri)} is defined twice: here and in "
                    f"{other.path}:{other.defined[iri]}", source.path, source.defined[iri]))
    if problems:
        raise KGError(problems)
    return sources


def locate(sources: list[SourceFile], iri: str) -> tuple[Path | None, int | None]:
    """Where ``iri`` is defined, else where it is first mentioned, else (None, None)."""
    for source in sources:
        if iri in source.defined:
            return source.path, source.defined[iri]
    for source in sources:
        line = source.line_of(iri)
        if line:
            return source.path, line
    return None, None
