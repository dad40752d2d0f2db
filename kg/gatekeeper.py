"""The gatekeeper: a WSGI application in front of Oxigraph's SPARQL server.

It speaks the SPARQL 1.1 Protocol to clients (``/query`` by GET or POST, ``/update`` by POST
when writable) and, for each request:

1. reads the query or update from the URL, a form or the body, refusing the protocol's
   graph parameters (``default-graph-uri`` …) and anything :mod:`kg.sparqlguard` refuses
   (SERVICE unless allow-listed, LOAD, FROM, FROM NAMED, USING) with HTTP 400 and the reason;
2. refuses updates with HTTP 403 unless the endpoint is writable;
3. adds PREFIX lines for the project's prefixes a query uses without declaring;
4. forwards it to the Oxigraph child on 127.0.0.1 with the client's Accept header (Oxigraph
   does the content negotiation and the evaluation), reads the answer within the time limit,
   and passes on status, Content-Type and body. A query still running at the limit is
   answered 503 and its Oxigraph process is replaced (:meth:`OxigraphServer.recycle`);
   requests caught by the replacement are retried once on the new process.

The forwarded request is rebuilt from the checked text alone, so no client parameter or header
other than Accept reaches Oxigraph.
"""

from __future__ import annotations

import http.client
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import parse_qs

from kg.errors import KGError
from kg.oxserver import OxigraphServer
from kg.sparqlguard import dataset_parameters, refusal, with_known_prefixes

STATIC = ("/", "/yasgui.min.js", "/yasgui.min.css", "/logo.svg")  # Oxigraph's YASGUI page
CANCELLED = b"The SPARQL operation has been cancelled"  # Oxigraph 0.5 writes it into a 200 body
GRACE_SECONDS = 1.0  # after the limit, Oxigraph's own cancellation gets this long to answer

Response = tuple[int, list[tuple[str, str]], bytes]


@dataclass(frozen=True)
class Policy:
    """What the endpoint accepts."""

    writable: bool = False
    timeout_s: float = 30.0
    allow_service: frozenset[str] = field(default_factory=frozenset)
    max_request_bytes: int = 128 * 2**20
    max_response_bytes: int = 256 * 2**20


class _Refused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


class _TooLarge(Exception):
    pass


def _text(status: int, message: str) -> Response:
    return status, [("Content-Type", "text/plain; charset=utf-8")], (message + "\n").encode()


def _log(message: str) -> None:
    print(f"kg serve: {time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


class Gatekeeper:
    """The WSGI application; see the module doc."""

    def __init__(self, upstream: OxigraphServer, policy: Policy,
                 log: Callable[[str], None] = _log):
        self.upstream, self.policy, self.log = upstream, policy, log

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        try:
            status, headers, body = self.handle(environ)
        except _Refused as refused:
            status, headers, body = _text(refused.status, refused.message)
            if refused.status in (400, 403):
                self.log(f"{refused.status} from {environ.get('REMOTE_ADDR')}: "
                         f"{refused.message[:160]}")
        start_response(f"{status} {HTTPStatus(status).phrase}", headers)
        return [b"" if environ["REQUEST_METHOD"] == "HEAD" else body]

    def handle(self, environ: dict) -> Response:
        """Answer one request (raises _Refused for a refusal)."""
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO") or "/"
        accept = environ.get("HTTP_ACCEPT", "")
        if path in STATIC and method in ("GET", "HEAD"):
            return self.forward("GET", path, None, "", accept)
        if path not in ("/query", "/update"):
            raise _Refused(404, f"no {path} here: this endpoint serves /query (SPARQL queries) "
                                f"and /update (SPARQL updates, when started with --writable)")
        operation = path[1:]
        if operation == "update" and not self.policy.writable:
            raise _Refused(403, "updates are refused: this endpoint is read-only (start it "
                                "with `kg serve --writable` to accept SPARQL Update)")
        if method not in ("GET", "POST") or (operation == "update" and method != "POST"):
            raise _Refused(405, f"{method} {path} is not allowed: use "
                                f"{'POST' if operation == 'update' else 'GET or POST'}")
        text, params = self._read(environ, method, operation)
        if text is None:
            if operation == "query" and method == "GET":  # the service description
                return self.forward("GET", "/query", None, "", accept)
            raise _Refused(400, f"no SPARQL {operation}: send it as the '{operation}' "
                                f"parameter or as an application/sparql-{operation} body")
        graphs = dataset_parameters(params)
        if graphs:
            raise _Refused(400, f"refused: the {graphs[0]} parameter is not accepted (it may "
                                f"make a server fetch a URL; this endpoint serves one graph)")
        reason = refusal(text, update=operation == "update",
                         allow_service=self.policy.allow_service)
        if reason:
            raise _Refused(400, f"refused: {reason}")
        text, added = with_known_prefixes(text)
        status, headers, body = self.forward("POST", path, text.encode(),
                                             f"application/sparql-{operation}", accept)
        if status == 400 and added:  # report positions in the client's own text
            body = re.sub(rb"error at (\d+):", lambda m: b"error at %d:" % (int(m[1]) - added),
                          body)
        return status, headers, body

    def _read(self, environ: dict, method: str, operation: str
              ) -> tuple[str | None, dict[str, list[str]]]:
        """The query or update text (None if absent) and every protocol parameter."""
        try:
            params = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True,
                              errors="strict")
            direct = None
            if method == "POST":
                length = int(environ.get("CONTENT_LENGTH") or 0)
                if length > self.policy.max_request_bytes:
                    raise _Refused(413, f"the request is larger than "
                                        f"{self.policy.max_request_bytes // 2**20} MiB")
                body = environ["wsgi.input"].read(length) if length else b""
                kind = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
                if kind == "application/x-www-form-urlencoded":
                    for key, values in parse_qs(body.decode("utf-8"), keep_blank_values=True,
                                                errors="strict").items():
                        params.setdefault(key, []).extend(values)
                elif kind == f"application/sparql-{operation}":
                    direct = body.decode("utf-8")
                else:
                    raise _Refused(415, f"Content-Type must be application/sparql-{operation} "
                                        f"or application/x-www-form-urlencoded, not {kind!r}")
        except (UnicodeDecodeError, ValueError) as error:
            raise _Refused(400, f"the request is not valid UTF-8 text: {error}") from None
        texts = ([direct] if direct is not None else []) + params.get(operation, [])
        if len(texts) > 1:
            raise _Refused(400, f"more than one {operation} in the request")
        return (texts[0] if texts else None), params

    def forward(self, method: str, path: str, body: bytes | None, content_type: str,
                accept: str) -> Response:
        """Send a request to the Oxigraph child and return its answer within the time limit."""
        started = time.monotonic()
        deadline = started + self.policy.timeout_s + GRACE_SECONDS
        headers = {"Content-Type": content_type} if content_type else {}
        if accept:
            headers["Accept"] = accept
        for attempt in (1, 2):
            port, generation = self.upstream.current()
            try:
                status, kind, data = self._exchange(port, method, path, body, headers, deadline)
            except TimeoutError:
                return self._stop_runaway(path, generation)
            except _TooLarge:
                return _text(502, f"the result is larger than "
                                  f"{self.policy.max_response_bytes // 2**20} MiB: ask for "
                                  f"less (LIMIT, fewer variables)")
            except (OSError, http.client.HTTPException) as error:
                if time.monotonic() - started >= self.policy.timeout_s:  # Oxigraph hung up
                    return self._stop_runaway(path, generation)
                replaced = generation != self.upstream.current()[1]
                if attempt == 1 and (replaced or not self.upstream.alive()):
                    try:
                        self.upstream.recycle(generation)  # a no-op if already replaced
                    except KGError as failure:
                        return _text(502, str(failure))
                    continue
                return _text(502, f"the SPARQL server did not answer: {error}")
            if status == 200 and data.endswith(CANCELLED):
                return self._time_limit()
            return status, [("Content-Type", kind)] if kind else [], data
        return _text(502, "the SPARQL server did not answer")

    def _stop_runaway(self, path: str, generation: int) -> Response:
        self.log(f"a {path[1:]} exceeded the {self.policy.timeout_s:g} s limit: restarting the "
                 f"Oxigraph process")
        try:
            self.upstream.recycle(generation)
        except KGError as error:
            self.log(str(error))
        return self._time_limit()

    def _time_limit(self) -> Response:
        return _text(503, f"the query was stopped: it ran longer than the "
                          f"{self.policy.timeout_s:g} s limit of this endpoint")

    def _exchange(self, port: int, method: str, path: str, body: bytes | None,
                  headers: dict[str, str], deadline: float) -> tuple[int, str, bytes]:
        def remaining() -> float:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            return left

        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=remaining())
        try:
            connection.request(method, path, body=body, headers=headers)
            sock = connection.sock
            assert sock is not None
            sock.settimeout(remaining())
            response = connection.getresponse()
            chunks, size = [], 0
            while True:
                sock.settimeout(remaining())
                chunk = response.read1(65536)
                if not chunk:
                    break
                size += len(chunk)
                if size > self.policy.max_response_bytes:
                    raise _TooLarge
                chunks.append(chunk)
            return response.status, response.getheader("Content-Type", ""), b"".join(chunks)
        finally:
            connection.close()
