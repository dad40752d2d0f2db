"""A SPARQL endpoint as the store: the spec, the client, and replacing the remote graph.

Spec: ``sparql+QUERY_URL[#update=UPDATE_URL&graph=GRAPH_IRI]``, e.g.
``sparql+http://127.0.0.1:7878/query``. The fragment (never sent to a server) holds options:

``update``  the SPARQL Update URL; default: QUERY_URL with a final ``/query`` made ``/update``
            (Oxigraph, Fuseki), ``/repositories/ID`` + ``/statements`` (GraphDB), else
            QUERY_URL itself (Virtuoso, QLever)
``graph``   keep the knowledge graph in this named graph instead of the default graph (queries
            then send it as ``default-graph-uri``)

Credentials come from the environment only, never from the command line: ``KG_SPARQL_USER``
and ``KG_SPARQL_PASSWORD`` (HTTP Basic, or Digest when the server asks for it) or
``KG_SPARQL_TOKEN`` (``Authorization: Bearer``). ``KG_SPARQL_TIMEOUT`` is the seconds to wait for
an answer (default 60). Queries and updates are sent by POST as forms, which every SPARQL 1.1
server accepts; results are read with rdflib's parsers, so rows look as on the embedded store.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from io import BytesIO
from typing import TYPE_CHECKING
from urllib.error import HTTPError, URLError
from urllib.parse import parse_qs, urldefrag, urlencode, urlsplit
from urllib.request import (
    HTTPBasicAuthHandler,
    HTTPDigestAuthHandler,
    HTTPPasswordMgrWithPriorAuth,
    OpenerDirector,
    Request,
    build_opener,
)

import rdflib
from rdflib.query import Result
from rdflib.term import Node

from kg.errors import KGError
from kg.sparql import sparql_term
from kg.sparqlguard import with_known_prefixes

if TYPE_CHECKING:
    from kg.store import KGStore

SCHEME = "sparql+"
ACCEPT = ("application/sparql-results+json, application/sparql-results+xml;q=0.9, "
          "application/n-triples;q=0.8, text/turtle;q=0.7")
XSD_STRING = rdflib.URIRef("http://www.w3.org/2001/XMLSchema#string")
RDF_TYPES = {"application/n-triples": "nt", "text/plain": "nt", "text/turtle": "turtle",
             "application/rdf+xml": "xml", "application/ld+json": "json-ld",
             "application/n-quads": "nquads"}


def spec_from_env(spec: str | None) -> str | None:
    """The spec itself, or ``$KG_STORE`` when none is given."""
    return spec if spec is not None else os.environ.get("KG_STORE")


def is_remote(spec: str | None) -> bool:
    """True if ``spec`` (or ``$KG_STORE`` when None) names a SPARQL endpoint."""
    chosen = spec_from_env(spec)
    return chosen is not None and chosen.startswith(SCHEME)


@dataclass(frozen=True)
class Endpoint:
    """Where a remote graph lives."""

    query_url: str
    update_url: str
    graph: str | None = None


def default_update_url(query_url: str) -> str:
    """The usual update URL beside a query URL (see the module doc)."""
    base = query_url.rstrip("/")
    if base.endswith("/query"):
        return base.removesuffix("/query") + "/update"
    if re.search(r"/repositories/[^/]+$", base):
        return base + "/statements"
    return query_url


def parse_spec(spec: str) -> Endpoint:
    """The endpoint a ``sparql+…`` spec names.

    >>> parse_spec("sparql+http://127.0.0.1:3030/kg/query").update_url
    'http://127.0.0.1:3030/kg/update'
    """
    url, fragment = urldefrag(spec.removeprefix(SCHEME))
    options = parse_qs(fragment, keep_blank_values=True)
    unknown = sorted(set(options) - {"update", "graph"})
    if unknown:
        raise KGError(f"unknown option {unknown[0]!r} in the store spec: use "
                      f"sparql+QUERY_URL#update=UPDATE_URL&graph=GRAPH_IRI")
    update = (options.get("update") or [default_update_url(url)])[0]
    for each in (url, update):
        parts = urlsplit(each)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise KGError(f"not an http(s) SPARQL endpoint URL: {each!r}")
        if parts.username or parts.password:
            raise KGError("credentials do not go in the store spec (it shows in process lists "
                          "and shell history): set KG_SPARQL_USER and KG_SPARQL_PASSWORD, or "
                          "KG_SPARQL_TOKEN")
    graph = (options.get("graph") or [None])[0]
    if graph is not None:
        sparql_term(rdflib.URIRef(graph))  # refuses a malformed IRI
    return Endpoint(url, update, graph)


class SparqlClient:
    """Queries and updates over the SPARQL 1.1 Protocol, with credentials from ``env``."""

    def __init__(self, endpoint: Endpoint, env: Mapping[str, str] | None = None):
        env = os.environ if env is None else env
        self.endpoint = endpoint
        self.timeout = float(env.get("KG_SPARQL_TIMEOUT", "60"))
        self.headers = {"User-Agent": "conflict-kg"}
        if env.get("KG_SPARQL_TOKEN"):
            self.headers["Authorization"] = f"Bearer {env['KG_SPARQL_TOKEN']}"
        handlers = []
        if env.get("KG_SPARQL_USER"):
            passwords = HTTPPasswordMgrWithPriorAuth()
            for url in {endpoint.query_url, endpoint.update_url}:
                passwords.add_password(None, url, env["KG_SPARQL_USER"],
                                       env.get("KG_SPARQL_PASSWORD", ""), is_authenticated=True)
            handlers = [HTTPBasicAuthHandler(passwords), HTTPDigestAuthHandler(passwords)]
        self.opener: OpenerDirector = build_opener(*handlers)

    def _post(self, url: str, form: dict[str, str], accept: str) -> tuple[str, bytes]:
        request = Request(url, data=urlencode(form).encode(), method="POST",
                          headers={**self.headers, "Accept": accept,
                                   "Content-Type": "application/x-www-form-urlencoded"})
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
                return kind, response.read()
        except HTTPError as error:
            detail = error.read().decode("utf-8", "replace").strip()[:500]
            raise KGError(f"the SPARQL endpoint {url} answered {error.code} {error.reason}"
                          + (f": {detail}" if detail else "")) from None
        except TimeoutError:
            raise KGError(f"the SPARQL endpoint {url} did not answer within {self.timeout:g} s "
                          f"(KG_SPARQL_TIMEOUT)") from None
        except URLError as error:
            raise KGError(f"cannot reach the SPARQL endpoint {url}: {error.reason}") from None

    def query(self, sparql: str) -> Result:
        """Run a query (the project's prefixes may be used undeclared)."""
        form = {"query": with_known_prefixes(sparql)[0]}
        if self.endpoint.graph:
            form["default-graph-uri"] = self.endpoint.graph
        kind, body = self._post(self.endpoint.query_url, form, ACCEPT)
        if kind in RDF_TYPES:
            result = Result("CONSTRUCT")
            result.graph = rdflib.Graph().parse(data=body, format=RDF_TYPES[kind])
            return result
        try:
            result = Result.parse(BytesIO(body), content_type=kind)
        except Exception as error:  # rdflib raises plugin and parser errors of many kinds
            raise KGError(f"cannot read the answer of {self.endpoint.query_url} "
                          f"({kind or 'no Content-Type'}): {error}") from None
        if result.type == "SELECT":
            result.bindings = [{name: _typed(term) for name, term in row.items()}
                               for row in result.bindings]
        return result

    def update(self, sparql: str) -> None:
        """Run an update."""
        self._post(self.endpoint.update_url, {"update": with_known_prefixes(sparql)[0]}, "*/*")

    def insert_ntriples(self, ntriples: str, replace: bool = False) -> None:
        """Add N-Triples to the graph — replacing its content if ``replace`` — in one update
        request (one transaction on Oxigraph, Fuseki and GraphDB)."""
        graph = self.endpoint.graph
        target = f"GRAPH <{graph}>" if graph else "DEFAULT"
        data = f"GRAPH <{graph}> {{\n{ntriples}}}" if graph else ntriples
        drop = f"DROP SILENT {target} ;\n" if replace else ""
        self.update(f"{drop}INSERT DATA {{\n{data}\n}}")

    def dump_ntriples(self) -> bytes:
        """Every triple of the graph as N-Triples."""
        result = self.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
        return result.graph.serialize(format="nt", encoding="utf-8")

    def count(self) -> int:
        """How many triples the graph holds."""
        rows = list(self.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))
        return int(rows[0][0])


def _typed(term: Node) -> Node:
    """A simple literal as the embedded store gives it (``xsd:string``: the same RDF term,
    which SPARQL result formats write without a datatype)."""
    if isinstance(term, rdflib.Literal) and term.datatype is None and not term.language:
        return rdflib.Literal(str(term), datatype=XSD_STRING)
    return term


def connect(spec: str | None) -> SparqlClient:
    """A client for the endpoint ``spec`` (or ``$KG_STORE``) names."""
    chosen = spec_from_env(spec)
    if chosen is None or not is_remote(chosen):
        raise KGError(f"not a SPARQL endpoint spec: {chosen!r} (sparql+http://HOST:PORT/PATH)")
    return SparqlClient(parse_spec(chosen))


def replace_graph(client: SparqlClient, staged: KGStore) -> int:
    """Make the remote graph exactly the staged (built, checked) one; return its size.

    One update request drops the old graph and inserts the new one, so on a transactional
    server (Oxigraph, Fuseki, GraphDB) readers see the old graph or the new one, never a mix;
    the remote count is then checked against the built graph.
    """
    expected = len(staged)
    client.insert_ntriples(staged.dump_ntriples().decode("utf-8"), replace=True)
    found = client.count()
    if found != expected:
        raise KGError(f"the SPARQL endpoint {client.endpoint.query_url} holds {found:,} triples "
                      f"after the upload, not the {expected:,} built: does its default graph "
                      f"include others (use #graph=IRI), or did another writer interfere?")
    return found
