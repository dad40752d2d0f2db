"""Open the knowledge graph on a backend named by a spec, and query it the same way on all.

Specs:
  ``PATH`` or ``oxigraph:PATH``  embedded Oxigraph persisted in a folder (default ``.kg/store``,
                                 or ``$KG_STORE``), as published by ``kg build``
  ``memory``                     embedded Oxigraph in memory, built from the data on opening
  ``rdflib``                     rdflib's Memory store, the reference backend, built likewise
  ``sparql+QUERY_URL[#…]``       a SPARQL 1.1 endpoint (Oxigraph, Fuseki, Virtuoso, GraphDB,
                                 QLever…): see :mod:`kg.remote`; ``kg build`` replaces its graph

Every local backend is an rdflib ``Dataset`` (Oxigraph through oxrdflib); the remote one reads
its answers with rdflib's result parsers; so queries, bindings and results look the same
everywhere. Parameters are bound as RDF terms, never pasted into text.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

import pyoxigraph as ox
import rdflib
from oxrdflib import OxigraphStore
from rdflib.query import Result
from rdflib.term import Identifier, Node

from kg.errors import KGError
from kg.namespaces import CKG, PREFIXES
from kg.remote import SparqlClient, connect, is_remote
from kg.sparql import with_values

DEFAULT_STORE = Path(".kg/store")
IN_PROCESS = ("memory", "rdflib")


def default_store_path() -> Path:
    """Where ``kg build`` publishes and other commands read, unless told otherwise."""
    return Path(os.environ.get("KG_STORE", DEFAULT_STORE))


class KGStore:
    """A knowledge graph on one backend. Build it with ``add``; ask it with ``select``."""

    def __init__(self, backend: str, spec: str, ox_store: ox.Store | None = None,
                 remote: SparqlClient | None = None):
        self.backend = backend
        self.spec = spec
        self.ox = ox_store
        self.remote = remote  # the "sparql" backend: every question goes to the endpoint
        self._dataset: rdflib.Dataset | None = None
        if ox_store is not None:
            self._dataset = rdflib.Dataset(store=OxigraphStore(store=ox_store))
        elif remote is None:
            self._dataset = rdflib.Dataset()

    @property
    def dataset(self) -> rdflib.Dataset:
        """The graph as an rdflib Dataset; for the remote backend a local copy, fetched on first
        use (whole-graph exports read it; questions and views never do)."""
        if self._dataset is None:
            self._dataset = rdflib.Dataset()
            self._dataset.default_graph.parse(data=self.dump_ntriples(), format="nt")
        return self._dataset

    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Add Oxigraph quads, each in the default graph (as parsed by :mod:`kg.sources`)."""
        quads = list(quads)
        if self.remote is not None:
            self.add_ntriples("".join(f"{q.subject} {q.predicate} {q.object} .\n" for q in quads))
        elif self.ox is not None:
            self.ox.extend(quads)
        else:
            graph = self.dataset.default_graph
            for q in quads:
                graph.add((_to_rdflib(q.subject), _to_rdflib(q.predicate), _to_rdflib(q.object)))

    def add_ntriples(self, text: str) -> None:
        """Add N-Triples to the default graph (parsed by the store itself where it can)."""
        if self.remote is not None:
            self.remote.insert_ntriples(text)
            self._dataset = None
        elif self.ox is not None:
            self.ox.load(input=text.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
        else:
            self.dataset.default_graph.parse(data=text, format="nt")

    def query(self, sparql: str, bindings: Mapping[str, Identifier | None] | None = None
              ) -> Result:
        """Run a SPARQL query with the project's prefixes; ``bindings`` are RDF terms (or None
        for unbound), placed in a VALUES block by :func:`kg.sparql.with_values`."""
        if bindings:
            sparql = with_values(sparql, dict(bindings))
        if self.remote is not None:
            return self.remote.query(sparql)
        try:
            return self.dataset.query(sparql, initNs=PREFIXES)
        except (SyntaxError, ValueError) as error:
            raise KGError(_explain(str(error))) from None
        except Exception as error:  # rdflib's parser raises pyparsing's ParseException
            if type(error).__name__ == "ParseException":
                raise KGError(f"SPARQL syntax error: {error}") from None
            raise

    def select(self, sparql: str, bindings: Mapping[str, Identifier | None] | None = None
               ) -> list[dict[str, Node]]:
        """Rows of a SELECT as dicts of variable name to term (unbound variables left out)."""
        result = self.query(sparql, bindings)
        names = [str(v) for v in result.vars or []]
        return [{n: row[i] for i, n in enumerate(names) if row[i] is not None} for row in result]

    def count(self, sparql_where: str) -> int:
        """COUNT(*) of a WHERE body."""
        rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {sparql_where} }}")
        return int(rows[0]["n"])

    def __len__(self) -> int:
        return self.count("?s ?p ?o")

    def dump_ntriples(self) -> bytes:
        """The whole default graph as N-Triples."""
        if self.remote is not None:
            return self.remote.dump_ntriples()
        if self.ox is not None:
            return self.ox.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
        return self.dataset.default_graph.serialize(format="nt", encoding="utf-8")

    def to_rdflib_graph(self) -> rdflib.Graph:
        """A plain rdflib Graph copy (for pySHACL)."""
        if self.ox is None and self.remote is None:
            graph = rdflib.Graph()
            for triple in self.dataset.default_graph:
                graph.add(triple)
            return graph
        return rdflib.Graph().parse(data=self.dump_ntriples(), format="nt")


def _explain(message: str) -> str:
    """Oxigraph's parser lists every expected character; say what is wrong instead."""
    where = re.match(r"error at (\d+:\d+)", message)
    spot = f" at line:column {where[1]}" if where else ""
    if "Prefix not found" in message:
        return (f"SPARQL error{spot}: unknown prefix; known prefixes: "
                f"{', '.join(PREFIXES)} (or declare it with PREFIX)")
    first = message.splitlines()[0]
    return f"SPARQL error{spot}: {first[:300]}"


def _to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def new_store(backend: str) -> KGStore:
    """An empty in-memory store: ``oxigraph`` or ``rdflib``."""
    if backend == "oxigraph":
        return KGStore("oxigraph", "memory", ox.Store())
    if backend == "rdflib":
        return KGStore("rdflib", "rdflib")
    raise KGError(f"unknown backend {backend!r}: use oxigraph or rdflib")


def store_path(spec: str | None) -> Path | None:
    """The folder of a persistent spec, or None for an in-process or remote one."""
    if spec in IN_PROCESS or is_remote(spec):
        return None
    if spec is None:
        return default_store_path()
    return Path(spec.removeprefix("oxigraph:"))


def open_store(spec: str | None = None, data: list[Path] | None = None) -> KGStore:
    """Open the graph named by ``spec`` (see the module doc) for reading.

    ``memory`` and ``rdflib`` are built from ``data`` (default: the project's data) first.
    """
    if is_remote(spec):
        client = connect(spec)
        return KGStore("sparql", client.endpoint.query_url, remote=client)
    path = store_path(spec)
    if path is None:
        from kg.build import build_graph  # late import: build uses this module

        return build_graph(data, backend="oxigraph" if spec == "memory" else "rdflib").store
    if not path.exists():
        raise KGError(f"no knowledge graph at {path}: run `kg build` first "
                      f"(or pass --store memory to build one in memory)")
    try:
        store = ox.Store.read_only(str(path.resolve()))
    except OSError as error:
        raise KGError(f"cannot open the store at {path}: {error}") from None
    if _outdated(store):
        raise KGError(f"the store at {path} was built by an older kg: its propositions have no "
                      f"summary of their claims (ckg:claimCount), so the relation questions "
                      f"would find none. Run `kg build` again.")
    return KGStore("oxigraph", str(path), store)


def _outdated(store: ox.Store) -> bool:
    """Whether the build that made ``store`` derived statuses but not the summary of claims
    (two lookups of one triple each, whatever the size)."""
    def has(predicate: rdflib.URIRef) -> bool:
        return bool(store.query(f"ASK {{ ?s <{predicate}> ?o }}"))
    return has(CKG.status) and not has(CKG.claimCount)


def publish(path: Path, staged: KGStore) -> None:
    """Copy a staged (checked, in-memory Oxigraph) graph to a persistent store at ``path``,
    atomically.

    The copy goes to a fresh folder beside ``path``; only when it is complete is ``path`` (a
    symbolic link) switched to it, in one rename. On any failure the new folder is removed and
    the previous store is untouched; the previous folder is removed only after the switch.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and not path.is_symlink():
        raise KGError(f"{path} exists and was not made by `kg build`; move it away or pick "
                      f"another --store")
    stamp = f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"
    folder = path.parent / f"{path.name}-{stamp}"
    link = path.parent / f".{path.name}-link-{stamp}"
    try:
        target = ox.Store(str(folder))
        # quad by quad, no copy of the whole graph in memory
        target.bulk_extend(staged.ox.quads_for_pattern(None, None, None, ox.DefaultGraph()))
        # compacted once here: the store is opened read-only from now on, so never compacted
        # later, and a lookup in the uncompacted files of a bulk copy costs more (the busiest
        # questions: 10-30 % slower at 1M, 3-6x at 5M; compacting takes 1.5 s at 1M, 5-7 s
        # at 5M; see benchmarks/README.md)
        target.optimize()
        target.flush()
        del target
        link.symlink_to(folder.name)
        previous = path.resolve() if path.is_symlink() else None
        os.replace(link, path)
    except BaseException:
        link.unlink(missing_ok=True)
        shutil.rmtree(folder, ignore_errors=True)
        raise
    if previous is not None and previous != folder.resolve():
        shutil.rmtree(previous, ignore_errors=True)
