"""Build the knowledge graph: parse, check, derive, and publish atomically.

    parse every file ─▶ stage in memory ─▶ posts from corpus files ─▶ reference and quote
    checks ─▶ SHACL ─▶ derived layers ─▶ publish (persistent stores only)

Nothing is written until every check has passed; ``kg validate`` runs the same steps and stops
before publishing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg import checks
from kg.corpus import Corpus, post_ntriples
from kg.derive import derive
from kg.errors import KGError, Problem
from kg.remote import connect, is_remote, replace_graph
from kg.sources import FORMATS, SourceFile, locate, read_sources, syntax_problem
from kg.store import KGStore, new_store, publish, store_path

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology"
DATA = ROOT / "data"
SHAPES = ONTOLOGY / "shapes.ttl"

CORPORA = """
SELECT ?corpus ?file ?author WHERE {
  ?corpus a ckg:Corpus ; ckg:sourceFile ?file . OPTIONAL { ?corpus ckg:author ?author }
}
"""


@dataclass
class BuildResult:
    """A checked graph, what went into it, and how long each step took."""

    store: KGStore
    sources: list[SourceFile]
    posts_without_claims: list[int] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


class _Timer:
    def __init__(self, timings: dict[str, float], progress: Callable[[str], None]):
        self.timings, self.progress = timings, progress

    def step(self, name: str, work: Callable[[], object]) -> object:
        self.progress(f"{name}…")
        start = time.perf_counter()
        value = work()
        self.timings[name] = time.perf_counter() - start
        return value


def _corpus_posts(store: KGStore, sources: list[SourceFile]) -> str:
    """N-Triples of the post nodes of every declared corpus; a curated file may not define a
    post itself."""
    posts, texts = [], []
    for row in store.select(CORPORA):
        declared_in, line = locate(sources, str(row["corpus"]))
        folder = declared_in.parent if declared_in else DATA / "corpus"
        corpus = Corpus(str(row["corpus"]), folder / str(row["file"]),
                        str(row["author"]) if "author" in row else None)
        iris, text = post_ntriples(corpus)
        if iris and not _is_iri(iris[0]):
            raise KGError([Problem(f"{corpus.path.name!r} cannot name posts ({iris[0]} is not "
                                   f"an IRI): rename the corpus file", declared_in, line)])
        posts += iris
        texts.append(text)
    clashes = sorted(set(posts) & {iri for s in sources for iri in s.defined})
    if clashes:
        raise KGError([Problem(f"{iri} is defined twice: in a data file and as a post of its "
                               f"corpus file (posts are made from the corpus file)",
                               *locate(sources, iri)) for iri in clashes])
    return "".join(texts)


def _is_iri(text: str) -> bool:
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


def load_source(store: KGStore, source: SourceFile) -> None:
    """Add one file to the store: its parsed quads, or, for a bulk file, the file itself (read
    by Oxigraph's loader, no Python objects per triple)."""
    if not source.bulk:
        store.add(source.quads)
        return
    kind = FORMATS[source.path.suffix.lower()]
    try:
        if store.ox is not None:
            store.ox.load(path=str(source.path), format=kind)
        else:
            store.add(ox.parse(path=str(source.path), format=kind))
    except SyntaxError as error:
        raise KGError([syntax_problem(source.path, error)]) from None


def _load(store: KGStore, sources: list[SourceFile]) -> None:
    """Load every source; meanwhile scan the bulk files for the reference check (Oxigraph
    releases the GIL while it loads, so the scan costs no time on a second core)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        loading = pool.submit(lambda: [load_source(store, source) for source in sources])
        for source in sources:
            if source.bulk:
                source.own_terms()
        loading.result()


def build_graph(data: list[Path] | None = None, backend: str = "oxigraph",
                shapes: Path = SHAPES, progress: Callable[[str], None] = lambda _: None
                ) -> BuildResult:
    """Parse, check and derive the whole graph in memory; raise KGError on any problem."""
    timings: dict[str, float] = {}
    timer = _Timer(timings, progress)
    sources = timer.step("parse", lambda: read_sources([ONTOLOGY, *(data or [DATA])]))
    store = new_store(backend)
    timer.step("load", lambda: _load(store, sources))
    timer.step("posts", lambda: store.add_ntriples(_corpus_posts(store, sources)))
    problems = timer.step("check references and quotes", lambda: (
        checks.undefined_references(store, sources) + checks.misplaced_quotes(store, sources)))
    if problems:
        raise KGError(problems)
    problems = timer.step("SHACL", lambda: checks.shacl_problems(store, shapes, sources))
    if problems:
        raise KGError(problems)
    timer.step("derive", lambda: derive(store))
    return BuildResult(store, sources, checks.posts_without_claims(store), timings)


def build(spec: str | None = None, data: list[Path] | None = None,
          progress: Callable[[str], None] = lambda _: None) -> BuildResult:
    """Build and, for a persistent spec, publish atomically; the previous store survives any
    failure. A SPARQL endpoint's graph is replaced in one update (see kg.remote)."""
    backend = "rdflib" if spec == "rdflib" else "oxigraph"
    result = build_graph(data, backend=backend, progress=progress)
    path = store_path(spec)
    if path is not None:
        start = time.perf_counter()
        progress(f"publish to {path}…")
        publish(path, result.store)
        result.timings["publish"] = time.perf_counter() - start
    elif is_remote(spec):
        start = time.perf_counter()
        progress("upload to the SPARQL endpoint…")
        replace_graph(connect(spec), result.store)
        result.timings["publish"] = time.perf_counter() - start
    return result
