"""Load on `kg serve`: concurrent clients sending the named questions over HTTP.

    .venv/bin/python benchmarks/serve_load.py [--clients 16] [--requests 50] [--repeat N]
                                              [--url URL] [--store SPEC] [--baseline]
                                              [--out FILE]

Without ``--url`` it starts `kg serve` on ``--store`` (default: the published store, or the
corpus built now), on a free 127.0.0.1 port, and stops it at the end; ``--baseline`` then sends
the same load to Oxigraph's server alone, to show what the gatekeeper costs. Each client keeps
one HTTP connection and sends ``--requests`` queries, cycling through every named question
(parameters bound as the CLI binds them); a request counts as an error unless it is answered
200 with a SPARQL JSON result. Prints requests/s and latency percentiles; ``--out`` also writes
them as Markdown. Only 127.0.0.1 is ever loaded, and the run is bounded by its request count.
"""

import argparse
import http.client
import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.build import build_graph  # noqa: E402
from kg.oxserver import OxigraphServer  # noqa: E402
from kg.questions import bind, get, questions  # noqa: E402
from kg.serve import running  # noqa: E402
from kg.sparql import with_values  # noqa: E402
from kg.sparqlguard import with_known_prefixes  # noqa: E402
from kg.store import KGStore, default_store_path, open_store, publish  # noqa: E402


def named_requests(store: KGStore) -> list[tuple[str, str]]:
    """(name, SPARQL with its parameters bound) for every named question."""
    requests = []
    for name in questions():
        question = get(name)
        bindings = bind(store, question, question.example)
        requests.append((name, with_values(question.sparql, bindings)))
    return requests


@dataclass
class LoadResult:
    """What a load run measured."""

    clients: int
    requests: int
    seconds: float
    latencies: list[float] = field(default_factory=list)  # of answered requests, seconds
    errors: list[str] = field(default_factory=list)

    @property
    def throughput(self) -> float:
        """Requests per second over the whole run."""
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        """A latency percentile in milliseconds."""
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return 1000 * ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]

    def summary(self) -> str:
        """One line: throughput, percentiles, errors."""
        return (f"{self.clients} clients × {self.requests // max(self.clients, 1)} requests: "
                f"{self.requests} in {self.seconds:.2f} s = {self.throughput:.1f} requests/s; "
                f"latency p50 {self.percentile(50):.1f} ms, p95 {self.percentile(95):.1f} ms, "
                f"p99 {self.percentile(99):.1f} ms, max {self.percentile(100):.1f} ms, "
                f"mean {1000 * statistics.fmean(self.latencies or [0]):.1f} ms; "
                f"{len(self.errors)} errors")


def _client(url: str, work: list[tuple[str, str]], result: LoadResult, lock: threading.Lock,
            start: threading.Barrier) -> None:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    headers = {"Content-Type": "application/sparql-query",
               "Accept": "application/sparql-results+json"}
    latencies, errors = [], []
    start.wait()
    for name, sparql in work:
        began = time.perf_counter()
        try:
            connection.request("POST", parts.path, body=sparql.encode(), headers=headers)
            response = connection.getresponse()
            body = response.read()
            if response.status != 200:
                errors.append(f"{name}: {response.status} {body[:200]!r}")
                continue
            if not isinstance(json.loads(body)["results"]["bindings"], list):
                raise ValueError("not a SPARQL JSON result")
            latencies.append(time.perf_counter() - began)
        except (OSError, http.client.HTTPException, ValueError, KeyError) as error:
            errors.append(f"{name}: {type(error).__name__}: {error}")
            connection.close()
    connection.close()
    with lock:
        result.latencies += latencies
        result.errors += errors


def run_load(url: str, requests: list[tuple[str, str]], clients: int = 16,
             per_client: int = 50) -> LoadResult:
    """``clients`` threads, each sending ``per_client`` of ``requests`` (in turn) to ``url``."""
    result = LoadResult(clients, clients * per_client, 0.0)
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    threads = []
    for c in range(clients):
        work = [requests[(c + i) % len(requests)] for i in range(per_client)]
        thread = threading.Thread(target=_client, args=(url, work, result, lock, start))
        thread.start()
        threads.append(thread)
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - began
    return result


def _row(result: LoadResult, label: str) -> str:
    return (f"| {label} | {result.clients} × {result.requests // result.clients} "
            f"| {result.seconds:.2f} | {result.throughput:.1f} | {result.percentile(50):.1f} "
            f"| {result.percentile(95):.1f} | {result.percentile(99):.1f} "
            f"| {result.percentile(100):.1f} | {len(result.errors)} |")


def _markdown(results: list[LoadResult], baseline: list[LoadResult], where: str,
              load: float) -> str:
    def rows(runs: list[LoadResult], label: str) -> list[str]:
        lines = [_row(r, f"{label}, run {i}") for i, r in enumerate(runs, 1)]
        if len(runs) > 1:
            median = sorted(runs, key=lambda r: r.throughput)[len(runs) // 2]
            lines.append(_row(median, f"**{label}, median run**"))
        return lines

    return "\n".join([
        "# `kg serve` under load",
        "",
        f"Measured by `benchmarks/serve_load.py` ({os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {time.strftime('%Y-%m-%d')}; load average before the "
        f"runs {load:.1f}): {where}. Each request is one named question (all "
        f"{len(questions())} in turn, parameters bound) sent to `/query` and answered as "
        "SPARQL JSON; each client keeps one connection. Clients, gatekeeper and Oxigraph share "
        "the machine's cores. *Oxigraph alone* is the same load sent straight to "
        "`oxigraph serve-read-only` on the same store, without the gatekeeper.",
        "",
        "| | clients × requests | seconds | requests/s | p50 ms | p95 ms | p99 ms | max ms "
        "| errors |",
        "|---|---|---|---|---|---|---|---|---|",
        *rows(results, "kg serve"),
        *rows(baseline, "Oxigraph alone"),
        "",
    ])


def _folder(spec: str | None, scratch: Path) -> tuple[Path, str]:
    """A published store folder for ``spec`` (built into ``scratch`` for memory)."""
    if spec not in (None, "memory", "rdflib"):
        return Path(spec), f"`kg serve --store {spec}`"
    if spec is None and default_store_path().exists():
        return default_store_path(), f"`kg serve` on the published {default_store_path()}"
    publish(scratch / "store", build_graph().store)
    return scratch / "store", "`kg serve` on the corpus built now"


def main(argv: list[str] | None = None) -> int:
    """Run the load and print (and optionally write) its figures."""
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--clients", type=int, default=16)
    cli.add_argument("--requests", type=int, default=50, help="per client")
    cli.add_argument("--repeat", type=int, default=1, help="runs (the median is reported)")
    cli.add_argument("--url", help="an already running endpoint's /query URL")
    cli.add_argument("--store", help="what `kg serve` serves (default: the published store, "
                     "else the corpus built now)")
    cli.add_argument("--baseline", action="store_true",
                     help="also send the same load to Oxigraph alone, without the gatekeeper")
    cli.add_argument("--out", type=Path, help="also write the figures here as Markdown")
    args = cli.parse_args(argv)
    load = os.getloadavg()[0]

    def runs(url: str, prefixed: bool = False) -> list[LoadResult]:
        requests = named_requests(open_store(f"sparql+{url}"))
        if prefixed:  # Oxigraph alone does not know the project's prefixes
            requests = [(name, with_known_prefixes(text)[0]) for name, text in requests]
        return [run_load(url, requests, args.clients, args.requests)
                for _ in range(max(1, args.repeat))]

    baseline: list[LoadResult] = []
    if args.url:
        where, results = f"the endpoint {args.url}", runs(args.url)
    else:
        with tempfile.TemporaryDirectory() as scratch:
            folder, where = _folder(args.store, Path(scratch))
            with running(["--store", str(folder), "--port", "0", "--threads",
                          str(args.clients)]) as server:
                results = runs(server.url)
            if args.baseline:
                with OxigraphServer(folder.resolve(), read_only=True) as direct:
                    baseline = runs(f"{direct.url}/query", prefixed=True)
        where += " on 127.0.0.1"
    for label, measured in (("kg serve", results), ("Oxigraph alone", baseline)):
        for result in measured:
            print(f"{label}: {result.summary()}")
            for error in result.errors[:5]:
                print(f"  error: {error}", file=sys.stderr)
    if args.out:
        args.out.write_text(_markdown(results, baseline, where, load), encoding="utf-8")
        print(f"wrote {args.out}")
    return 1 if any(result.errors for result in results + baseline) else 0


if __name__ == "__main__":
    sys.exit(main())
