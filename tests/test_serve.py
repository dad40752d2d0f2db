"""`kg serve`: a real endpoint on 127.0.0.1 — negotiation, refusals (SERVICE, FROM, LOAD,
updates), the time limit, Ctrl-C, load — and the lexical guard behind the refusals."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import runpy
import signal
import socket
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

import pyoxigraph as ox
import pytest
import rdflib

from kg.oxserver import OxigraphServer
from kg.questions import QUERIES, get, questions, run
from kg.remote import connect, replace_graph
from kg.serve import ServeProcess, running
from kg.sparqlguard import fetching_keywords, refusal, with_known_prefixes
from kg.store import open_store, publish

ROOT = Path(__file__).resolve().parent.parent
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


BENCHMARK = runpy.run_path(str(ROOT / "benchmarks" / "serve_load.py"))  # its functions


def http(url: str, form: dict[str, str] | None = None, body: str | None = None,
         content_type: str | None = None, accept: str | None = None,
         method: str = "POST", timeout: float = 30) -> tuple[int, str, str]:
    """Status, Content-Type and text of one request (errors included)."""
    data = None
    headers = {"Accept": accept} if accept else {}
    if form is not None and method == "GET":
        url = f"{url}?{urlencode(form)}"
    elif form is not None:
        data = urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = body.encode()
        headers["Content-Type"] = content_type or "application/sparql-query"
    try:
        with urlopen(Request(url, data=data, headers=headers, method=method),
                     timeout=timeout) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read().decode()
    except HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read().decode()


def update_url(server: ServeProcess) -> str:
    return server.url.removesuffix("/query") + "/update"


@pytest.fixture(scope="module")
def store_dir(built, tmp_path_factory) -> Path:
    """The corpus published as `kg build` does, in a private folder."""
    path = tmp_path_factory.mktemp("serve") / "store"
    publish(path, built.store)
    return path


@pytest.fixture(scope="module")
def endpoint(store_dir) -> Iterator[ServeProcess]:
    """`kg serve` as users start it (read-only, no allow-list), with a 2 s time limit."""
    with running(["--store", str(store_dir), "--port", "0", "--timeout", "2"]) as server:
        yield server


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A plain socket listening on 127.0.0.1: nothing should ever connect to it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    sock.setblocking(False)
    yield sock
    sock.close()


def connections(sock: socket.socket, wait: float = 0.5) -> int:
    """How many connections reached the listener (after giving them ``wait`` seconds)."""
    time.sleep(wait)
    count = 0
    while True:
        try:
            conn, _ = sock.accept()
        except BlockingIOError:
            return count
        conn.close()
        count += 1


def target(sock: socket.socket) -> str:
    return f"http://127.0.0.1:{sock.getsockname()[1]}/sparql"


# -- the endpoint ------------------------------------------------------------------------------

def test_banner_says_where_it_listens(endpoint):
    assert endpoint.url.startswith("http://127.0.0.1:")
    banner = next(line for line in endpoint.output if "listening at" in line)
    assert "read-only" in banner and "SERVICE refused" in banner and "2 s" in banner


def test_named_question_file_as_curl_sends_it(endpoint, built):
    """What the README shows: curl --data-urlencode query@kg/queries/prisons-targeted.rq."""
    text = (QUERIES / "prisons-targeted.rq").read_text(encoding="utf-8")
    status, kind, body = http(endpoint.url, {"query": text}, accept="text/csv")
    assert status == 200 and kind.startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(body)))
    expected = built.store.select(text)
    assert len(rows) == len(expected) > 0
    assert {r["prison"] for r in rows} == {str(r["prison"]) for r in expected}


@pytest.mark.parametrize(("accept", "kind"), [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
])
def test_select_content_negotiation(endpoint, built, accept, kind):
    status, got, body = http(endpoint.url, {"query": COUNT}, accept=accept)
    assert status == 200 and got.startswith(kind)
    expected = str(len(built.store))
    if "json" in kind:
        assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == expected
    elif "xml" in kind:
        assert ET.fromstring(body).tag.endswith("sparql") and f">{expected}<" in body
    elif kind == "text/csv":
        assert body.splitlines() == ["n", expected]
    else:
        assert body.splitlines()[0] == "?n" and expected in body.splitlines()[1]


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated")  # rdflib's JSON-LD parser
@pytest.mark.parametrize(("accept", "fmt"), [("text/turtle", "turtle"),
                                             ("application/n-triples", "nt"),
                                             ("application/ld+json", "json-ld")])
def test_construct_content_negotiation(endpoint, accept, fmt):
    query = "CONSTRUCT { ?c a ckg:Claim } WHERE { ?c a ckg:Claim }"
    status, kind, body = http(endpoint.url, {"query": query}, accept=accept)
    assert status == 200 and kind.startswith(accept)
    graph = rdflib.Graph().parse(data=body, format=fmt)
    assert len(graph) > 100


def test_ask_get_and_direct_post(endpoint):
    ask = "ASK { ?c a ckg:Claim }"
    for status, _, body in (http(endpoint.url, {"query": ask}, method="GET"),
                            http(endpoint.url, body=ask)):
        assert status == 200 and json.loads(body)["boolean"] is True


def test_project_prefixes_need_no_declaration_and_errors_keep_their_lines(endpoint):
    status, _, body = http(endpoint.url, {"query": "SELECT ?x WHERE {\n ?x ckg:nope ?y .. }"})
    assert status == 400 and "error at 2:" in body
    declared = "PREFIX ckg: <https://example.org/other#>\nASK { ?c a ckg:Claim }"
    assert with_known_prefixes(declared)[1] == 0
    assert json.loads(http(endpoint.url, {"query": declared})[2])["boolean"] is False


# -- refusals ----------------------------------------------------------------------------------

def test_listener_detects_a_service_call_made_without_the_gatekeeper(listener):
    """The control: Oxigraph itself connects to whatever SERVICE names."""
    query = f"SELECT * WHERE {{ SERVICE <{target(listener)}> {{ ?s ?p ?o }} }}"
    threading.Thread(target=lambda: _swallow(ox.Store().query, query), daemon=True).start()
    assert connections(listener, wait=1.0) >= 1


def _swallow(call, *args) -> None:
    with contextlib.suppress(Exception):  # a refused or failed SERVICE call
        list(call(*args))


def test_service_is_refused_and_reaches_nothing(endpoint, listener):
    t = target(listener)
    queries = [
        f"SELECT * WHERE {{ SERVICE <{t}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{t}> {{ ?s ?p ?o }} }}",
        f"select * where {{ ?s ?p ?o . service <{t}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p 1SERVICE<{t}>{{}} }}",
        f"PREFIX t: <{t}> SELECT * WHERE {{ SERVICE t: {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE <{t}> {{ ?s ?p ?o }} }} }}",
        f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{t}> {{ ?s ?p ?o }} }} }} }}",
        f"ASK {{ VALUES ?e {{ <{t}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ \\u0053ERVICE <{t}> {{ ?s ?p ?o }} }}",
    ]
    for i, query in enumerate(queries):
        form = {"query": query}
        status, _, body = (http(endpoint.url, form, method="GET") if i % 3 == 0 else
                           http(endpoint.url, form) if i % 3 == 1 else
                           http(endpoint.url, body=query))
        assert status == 400, (query, status, body)
        assert "SERVICE is refused" in body
    assert connections(listener) == 0


def test_from_graph_parameters_and_load_reach_nothing(endpoint, listener):
    t = target(listener)
    for query in (f"SELECT * FROM <{t}> WHERE {{ ?s ?p ?o }}",
                  f"SELECT * FROM NAMED <{t}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
                  f"ASKFROM<{t}>{{}}"):
        status, _, body = http(endpoint.url, {"query": query})
        assert status == 400 and "FROM (a dataset clause) is refused" in body
    for parameter in ("default-graph-uri", "named-graph-uri"):
        status, _, body = http(endpoint.url, {"query": COUNT, parameter: t})
        assert status == 400 and parameter in body
    for load in (f"LOAD <{t}>", "LOAD <file:///etc/passwd> INTO GRAPH <urn:x>"):
        status, _, body = http(update_url(endpoint), {"update": load})
        assert status == 403 and "read-only" in body
    assert connections(listener) == 0


def test_updates_are_refused_when_read_only(endpoint, built):
    insert = "INSERT DATA { <urn:a> <urn:b> <urn:c> }"
    assert http(update_url(endpoint), {"update": insert})[0] == 403
    assert http(update_url(endpoint), body=insert, content_type="application/sparql-update")[0] == 403
    assert http(endpoint.url, {"query": insert})[0] == 400  # not a query: Oxigraph's parser says so
    _, _, body = http(endpoint.url, {"query": COUNT}, accept="text/csv")
    assert body.splitlines()[1] == str(len(built.store))


def test_other_paths_and_methods(endpoint):
    base = endpoint.url.removesuffix("/query")
    assert http(f"{base}/store?default", method="GET")[0] == 404
    assert http(endpoint.url, method="DELETE")[0] == 405
    assert http(endpoint.url, body="ASK {}", content_type="text/plain")[0] == 415
    status, kind, _ = http(f"{base}/", method="GET")
    assert status == 200 and "html" in kind  # Oxigraph's YASGUI page


# -- the time limit ----------------------------------------------------------------------------

def _oxigraph_children(pid: int) -> set[int]:
    children: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        children |= {int(c) for c in (task / "children").read_text().split()}
    return children


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
def test_endless_query_is_stopped_and_the_server_keeps_answering(endpoint):
    before = _oxigraph_children(endpoint.process.pid)
    outcome: dict[str, object] = {}

    def endless() -> None:
        began = time.monotonic()
        outcome["answer"] = http(endpoint.url, {"query": ENDLESS})
        outcome["seconds"] = time.monotonic() - began

    runaway = threading.Thread(target=endless)
    runaway.start()
    time.sleep(0.5)
    for _ in range(3):  # answered while the endless query runs
        assert http(endpoint.url, {"query": COUNT}, timeout=5)[0] == 200
    runaway.join(20)
    status, _, body = outcome["answer"]
    assert status == 503 and "ran longer than the 2 s limit" in body
    assert outcome["seconds"] < 10
    began = time.monotonic()
    assert http(endpoint.url, {"query": COUNT}, timeout=5)[0] == 200  # the next request
    assert time.monotonic() - began < 2
    after = _oxigraph_children(endpoint.process.pid)
    assert before and after and not before & after  # the runaway's process was replaced
    assert not any(Path(f"/proc/{pid}").exists() for pid in before)


# -- stopping ----------------------------------------------------------------------------------

def test_ctrl_c_stops_cleanly(store_dir):
    others = set(store_dir.parent.glob(".store-serve-*"))  # the module's endpoint has one
    with running(["--store", str(store_dir), "--port", "0"]) as server:
        children = _oxigraph_children(server.process.pid) if Path("/proc").exists() else set()
        snapshots = set(store_dir.parent.glob(".store-serve-*")) - others
        assert len(snapshots) == 1
        server.process.send_signal(signal.SIGINT)
        assert server.process.wait(10) == 0
    assert "kg serve: stopped" in server.output
    assert not any(Path(f"/proc/{pid}").exists() for pid in children)
    assert not any(s.exists() for s in snapshots)


# -- writable, allow-list ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def service_target() -> Iterator[str]:
    """A SPARQL endpoint an operator allow-lists: Oxigraph in memory with one triple."""
    with OxigraphServer(None, read_only=False) as server:
        client = connect(f"sparql+{server.url}/query")
        client.update("INSERT DATA { <urn:kg:test> <urn:kg:says> 'hello from the allowed one' }")
        yield f"{server.url}/query"


@pytest.fixture(scope="module")
def writable(built, tmp_path_factory, service_target) -> Iterator[ServeProcess]:
    path = tmp_path_factory.mktemp("writable") / "store"
    publish(path, built.store)
    with running(["--store", str(path), "--port", "0", "--writable",
                  "--allow-service", service_target]) as server:
        yield server


def test_writable_accepts_updates_but_no_load_service_or_using(writable, listener):
    insert = "INSERT DATA { <urn:kg:a> <urn:kg:b> 'c' }"
    assert http(update_url(writable), {"update": insert})[0] == 204
    assert json.loads(http(writable.url, {"query": "ASK { <urn:kg:a> <urn:kg:b> 'c' }"})[2])["boolean"]
    t = target(listener)
    for update, word in ((f"LOAD <{t}>", "LOAD"), (f"LOAD SILENT <{t}> INTO GRAPH <urn:g>", "LOAD"),
                         (f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{t}> {{ ?s ?p ?o }} }}", "SERVICE"),
                         (f"INSERT {{ ?s ?p ?o }} USING <{t}> WHERE {{ ?s ?p ?o }}", "USING")):
        status, _, body = http(update_url(writable), {"update": update})
        assert status == 400 and f"{word} " in body, (update, body)
    status, _, body = http(update_url(writable), {"update": insert, "using-graph-uri": t})
    assert status == 400
    assert connections(listener) == 0


def test_allow_listed_service_is_reached_and_others_are_not(writable, service_target, listener):
    query = f"SELECT ?what WHERE {{ SERVICE <{service_target}> {{ ?s <urn:kg:says> ?what }} }}"
    status, _, body = http(writable.url, {"query": query})
    assert status == 200, body
    assert json.loads(body)["results"]["bindings"][0]["what"]["value"] == "hello from the allowed one"
    for other in (f"SELECT * WHERE {{ SERVICE <{target(listener)}> {{ ?s ?p ?o }} }}",
                  f"SELECT * WHERE {{ SERVICE <{service_target}> {{ ?s ?p ?o }} "
                  f"SERVICE <{target(listener)}> {{ ?s ?p ?o }} }}",
                  f"SELECT * WHERE {{ VALUES ?e {{ <{service_target}> }} SERVICE ?e {{ ?s ?p ?o }} }}"):
        status, _, body = http(writable.url, {"query": other})
        assert status == 400 and "SERVICE" in body, body
    assert connections(listener) == 0


def test_kg_build_upload_through_a_writable_endpoint(writable, built):
    """The remote backend's own upload passes the gatekeeper (one large update)."""
    spec = f"sparql+{writable.url}"
    assert replace_graph(connect(spec), built.store) == len(built.store)
    store = open_store(spec)
    assert run(store, "who-supported-whom") == run(built.store, "who-supported-whom")


# -- load --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def default_endpoint(store_dir) -> Iterator[ServeProcess]:
    """`kg serve` with its default settings (30 s limit), for the load."""
    with running(["--store", str(store_dir), "--port", "0"]) as server:
        yield server


def test_16_clients_by_50_named_questions_finish_without_error(default_endpoint, built):
    endpoint = default_endpoint
    store = open_store(f"sparql+{endpoint.url}")  # kg commands pointed at kg serve
    assert run(store, "actor", get("actor").example) == \
        run(built.store, "actor", get("actor").example)
    requests = BENCHMARK["named_requests"](store)
    assert len(requests) == len(questions())
    result = BENCHMARK["run_load"](endpoint.url, requests, clients=16, per_client=50)
    print(result.summary())
    assert result.errors == []
    assert len(result.latencies) == 800


# -- the lexical guard -------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "words"), [
    ("SELECT ?from WHERE { ?s prov:wasDerivedFrom ?from ; rdfs:label 'SERVICE'@en }", []),
    ("SELECT * { ?s ?p <http://example.org/SERVICE/LOAD> } # FROM the comment", []),
    ("SELECT * { ?s ?p e:a.SERVICE }", []),  # a prefixed name, read greedily
    ("SELECT * { ?s ?p ?o.SERVICE <x> {} }", ["SERVICE"]),  # a variable ends at '.'
    ("SELECT * { ?s ?p 1SERVICE<x>{} }", ["SERVICE"]),
    ("ASKFROM<x>{}", ["FROM"]),  # Oxigraph reads ASK FROM
    ("PREFIX : <x> ASKFROM:g{}", ["FROM"]),
    ("SELECT * { SERVICE:x {} }", ["SERVICE"]),
    ("SELECT * { # x\u2028 SERVICE <x> {}\n}", ["SERVICE"]),  # a comment ends at \n only
    ("SELECT * { ?s ?p '''a'' SERVICE''' }", []),
    ("SELECT * { ?s ?p \"a\\\" SERVICE <x> {} \" }", []),
    ("SELECT * { ?s e:a\\# SERVICE <x> {} }", ["SERVICE"]),
    ("LOAD <file:///etc/passwd> ; INSERT { } USING <x> WHERE { }", ["LOAD", "USING"]),
    ("select * { service <x> {} }", ["SERVICE"]),
])
def test_fetching_keywords(query, words):
    assert fetching_keywords(query) == words


def test_no_named_question_is_refused():
    for question in questions().values():
        assert refusal(question.sparql) is None, question.name


def test_allow_list_needs_every_service_verified():
    allowed = frozenset({"http://allowed.example/sparql"})
    ok = "SELECT * { SERVICE <http://allowed.example/sparql> { ?s ?p ?o } }"
    assert refusal(ok, allow_service=allowed) is None
    assert "not on this endpoint's allow-list" in refusal(
        "SELECT * { SERVICE <http://other.example/> { ?s ?p ?o } }", allow_service=allowed)
    assert "could not be verified" in refusal(  # rdflib does not split 1SERVICE: refused
        "SELECT * { ?s ?p 1SERVICE <http://allowed.example/sparql> { } }", allow_service=allowed)
    assert "could not be verified" in refusal(
        "SELECT * { SERVICE ?e { ?s ?p ?o } }", allow_service=allowed)


class _CountingListener:
    """Accepts connections on 127.0.0.1, counts and closes them (so a client fails fast)."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.count = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.count += 1
            conn.close()


def test_guard_agrees_with_oxigraphs_parser():
    """Every query shape around SERVICE that makes Oxigraph connect is one the guard sees."""
    listening = _CountingListener()
    t = f"http://127.0.0.1:{listening.sock.getsockname()[1]}/sparql"
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"),
                      ox.NamedNode("http://e/a")))
    befores = ["", "?s ?p ?o .", "?s ?p ?o", "?s ?p 1", "?s ?p e:a.", "?s ?p e:a", "?s ?p 'x'@en",
               "?s ?p ?o #c\n", "?s ?p <http://e/a>", "FILTER(?o<1)", "OPTIONAL{?s ?p ?o}",
               "{}", "?s ?p e:a\\.", "?s ?p _:b.", "?s ?p e:a%41", "?s ?p 'x'"]
    keywords = ["SERVICE", "service", "SERVICE SILENT", "sErViCe\tsilent"]
    gaps = ["", " ", "\n", "#c\n"]
    ends = [f"<{t}>", "t:", ":"]
    connected = missed = 0
    try:
        for before in befores:
            for keyword in keywords:
                for gap in gaps:
                    for end in ends:
                        query = (f"PREFIX e: <http://e/> PREFIX t: <{t}> PREFIX : <{t}> "
                                 f"SELECT * WHERE {{ ?s ?p ?o {before}{gap}{keyword}{gap}{end}{{}} }}")
                        count = listening.count
                        _swallow(store.query, query)
                        if listening.count > count:
                            connected += 1
                            missed += "SERVICE" not in fetching_keywords(query)
    finally:
        listening.sock.close()
    assert connected > 100
    assert missed == 0


def test_benchmark_writes_its_figures(endpoint, tmp_path):
    out = tmp_path / "serve-results.md"
    assert BENCHMARK["main"](["--url", endpoint.url, "--clients", "2", "--requests", "3",
                            "--out", str(out)]) == 0
    assert "requests/s" in out.read_text()

