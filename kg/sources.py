"""Read the curated source files: find them, parse them with Oxigraph's parsers, and know
where each thing is defined (file and line), so every later problem can point at it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.errors import KGError, Problem
from kg.namespaces import ID

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
    """One parsed file: its quads, its prefixes, and the IRIs it defines (with ``a``)."""

    path: Path
    quads: list[ox.Quad]
    prefixes: dict[str, str]
    text: str
    defined: dict[str, int] = field(default_factory=dict)  # IRI -> line of its defining block

    def line_of(self, iri: str) -> int | None:
        """The first line where ``iri`` starts a statement (or appears at all), 1-based."""
        spellings = [re.escape(f"<{iri}>")]
        for name, ns in self.prefixes.items():
            if iri.startswith(ns) and iri != ns:
                spellings.append(re.escape(f"{name}:{iri[len(ns):]}") + r"(?![\w\-.:/])")
        pattern = "|".join(spellings)
        starting = re.search(rf"^(?:{pattern})", self.text, re.MULTILINE)
        anywhere = starting or re.search(pattern, self.text)
        return self.text.count("\n", 0, anywhere.start()) + 1 if anywhere else None


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


def parse_file(path: Path) -> SourceFile:
    """Parse one file; a syntax error becomes a Problem with its line."""
    text = path.read_text(encoding="utf-8")
    parser = ox.parse(input=text.encode("utf-8"), format=FORMATS[path.suffix.lower()],
                      base_iri=path.resolve().as_uri())
    try:
        quads = list(parser)
    except SyntaxError as error:
        message = re.sub(r"\s*\([^()]*, line \d+\)$", "", str(error))
        raise KGError([Problem(f"syntax error: {message}", path, error.lineno)]) from None
    source = SourceFile(path, quads, dict(parser.prefixes), text)
    _index_definitions(source)
    return source


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
