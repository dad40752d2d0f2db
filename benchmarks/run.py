"""The benchmark: build, named questions, views and the support picture, at several sizes and on
every backend, in one run. Results go to ``benchmarks/results.md`` (tables, with the machine,
the versions and the ratio Oxigraph/rdflib for every figure), ``benchmarks/results.json`` and
``benchmarks/results.png`` (time against size).

    make bench                                            # the default run, below
    .venv/bin/python benchmarks/run.py --sizes 10k,100k --backends oxigraph,rdflib

Default run (``make bench``, about 20 minutes on 2 cores): sizes 10k, 100k, 1M and 5M triples
(:mod:`benchmarks.generate`, seed 1, cached under ``.kg/bench/``) on embedded Oxigraph in memory
(``oxigraph``), embedded Oxigraph published to disk and read back (``oxigraph-disk``), rdflib's
Memory store (``rdflib``, up to ``--max-rdflib-triples``, 1M) and, when ``kg/remote.py`` is
there, a SPARQL endpoint (``sparql``: Oxigraph's own server, in memory, up to
``--max-remote-triples``, 1M).

Each measurement (one size on one backend) runs in a subprocess of its own, so its peak memory
(``ru_maxrss`` of that child, from ``os.wait4``) is its own. In it: the build with the time of
each step; the median and 95th percentile of every named question, each asked about the busiest
actor of the graph (or its first place, or an operation) where it takes an entity — an unfiltered
question returns the whole graph and measures an export, not a question; the time to build each
view of ``kg.views.VIEWS``; the time to render the support network at its default size. A step
that outlives ``--limit`` seconds is stopped and reported as such.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.generate import generate  # noqa: E402

HERE = Path(__file__).resolve().parent
CACHE = ROOT / ".kg" / "bench"
BACKENDS = ("oxigraph", "oxigraph-disk", "rdflib", "sparql")
DEFAULT_SIZES = "10k,100k,1M,5M"
PACKAGES = ("pyoxigraph", "rdflib", "oxrdflib", "pyshacl", "networkx")


class OutOfTime(Exception):
    """A step outlived its time limit."""


def parse_size(text: str) -> int:
    """'10k' → 10000, '1M' → 1000000, '2500' → 2500."""
    text = text.strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * factor)


def size_name(triples: int) -> str:
    """10000 → '10k', 1000000 → '1M'."""
    if triples >= 1_000_000 and triples % 100_000 == 0:
        return f"{triples / 1_000_000:g}M"
    if triples >= 1_000 and triples % 100 == 0:
        return f"{triples / 1_000:g}k"
    return str(triples)


def has_remote() -> bool:
    """Whether the store has a SPARQL endpoint backend (kg/remote.py) and Oxigraph's server."""
    try:
        from kg.oxserver import oxigraph_executable
        from kg.remote import is_remote  # noqa: F401

        oxigraph_executable()
    except Exception:
        return False
    return True


def render_function() -> Callable | None:
    """``kg.pictures.render`` (draws a view by name) if that module is there."""
    try:
        from kg.pictures import render
    except ImportError:
        return None
    return render


# -- one measurement, in its own process ------------------------------------------------------

def _alarm(_signum: int, _frame: object) -> None:
    raise OutOfTime


def limited(limit: float, work: Callable[[], object]) -> tuple[float | None, object]:
    """(seconds, result) of ``work``; (None, None) if it outlived ``limit`` seconds; (None,
    the exception) if it failed."""
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, limit)
    start = time.perf_counter()
    try:
        result = work()
    except OutOfTime:
        return None, None
    except Exception as error:  # reported in the table, the run goes on
        return None, error
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return time.perf_counter() - start, result


def failure(limit: float, error: object) -> dict:
    """How a step that gave no time ended: out of time, or an error."""
    if error is None:
        return {"timeout": limit}
    return {"error": f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"}


def choose_params(question: object, samples: dict[str, str]) -> dict[str, str]:
    """Parameters for a question: every required one, and the first optional one that names
    an entity (so the question is about something, as an analyst asks it)."""
    def value(param: object) -> str | None:
        if param.name == "to":
            return samples["actor_mid"]
        if param.kind == "place":
            return samples["place"]
        if param.kind == "entity" and param.name == "subject":
            return samples["operation"]
        if param.kind in ("actor", "entity"):
            return samples["actor"]
        if param.kind == "number" and param.name == "line":
            return "1"
        return None
    params: dict[str, str] = {}
    optional_taken = False
    for param in question.params:
        chosen = value(param)
        if param.required or (chosen and not optional_taken and param.kind != "number"):
            if chosen is None:
                raise ValueError(f"no value for required {question.name}:{param.name}")
            params[param.name] = chosen
            optional_taken = optional_taken or not param.required
    return params


def ask_all(store: object, samples: dict[str, str], repeat: int, limit: float) -> dict:
    """Median and p95 latency of every named question."""
    from kg.questions import questions, run

    found = {}
    for name, question in questions().items():
        params = choose_params(question, samples)
        first, result = limited(limit, lambda n=name, p=params: run(store, n, p))
        if first is None:
            found[name] = {"params": params, **failure(limit, result)}
            continue
        times = [first]
        runs = max(1, min(repeat, int(10 / max(first, 1e-3))))  # about 10 s a question
        for _ in range(runs):
            elapsed, _rows = limited(limit, lambda n=name, p=params: run(store, n, p))
            if elapsed is None:
                break
            times.append(elapsed)
        measured = sorted(times[1:] or times)
        found[name] = {"params": params, "rows": len(result[1]), "runs": len(measured),
                       "median": statistics.median(measured),
                       "p95": measured[min(len(measured) - 1, round(0.95 * (len(measured) - 1)))]}
    return found


def build_views(store: object, limit: float) -> dict:
    """Seconds to build each view, with its size."""
    from kg.views import VIEWS

    found = {}
    for name, make in VIEWS.items():
        elapsed, graph = limited(limit, lambda m=make: m(store))
        found[name] = (failure(limit, graph) if elapsed is None else
                       {"seconds": elapsed, "nodes": graph.number_of_nodes(),
                        "edges": graph.number_of_edges()})
    return found


def render_support(store: object, folder: Path, limit: float) -> dict | None:
    """Seconds to render the support network at its default size (no filters)."""
    render = render_function()
    if render is None:
        return None
    elapsed, picture = limited(limit, lambda: render(store, "support", folder / "support.png"))
    if elapsed is None:
        return failure(limit, picture)
    return {"seconds": elapsed, "summary": picture.summary}


def open_backend(backend: str, data: Path, folder: Path) -> tuple[object, dict, Callable]:
    """Build the graph of ``data`` on ``backend``; (store to ask, step timings, cleanup)."""
    from kg.build import build, build_graph
    from kg.store import open_store

    if backend in ("oxigraph", "rdflib"):
        result = build_graph([data], backend=backend)
        return result.store, result.timings, lambda: None
    if backend == "oxigraph-disk":
        spec = str(folder / "store")
        result = build(spec, [data])
        return open_store(spec), result.timings, lambda: None
    from kg.oxserver import OxigraphServer

    server = OxigraphServer(None, read_only=False).start()
    spec = f"sparql+{server.url}/query"
    result = build(spec, [data])
    return open_store(spec), result.timings, server.stop


def measure(job: dict) -> dict:
    """One size on one backend: build, questions, views, render (see the module doc)."""
    data, limit = Path(job["data"]), float(job["limit"])
    samples = json.loads((data / "manifest.json").read_text())["samples"]
    out: dict = {"load_before": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        folder = Path(tmp)
        cpu, wall = time.process_time(), time.perf_counter()
        store, timings, cleanup = open_backend(job["backend"], data, folder)
        try:
            out["build"] = dict(timings)
            out["build_total"] = time.perf_counter() - wall
            out["build_cpu"] = time.process_time() - cpu
            out["build_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            out["triples"] = len(store)
            out["questions"] = ask_all(store, samples, int(job["repeat"]), limit)
            out["views"] = build_views(store, limit)
            out["render"] = render_support(store, folder, limit)
        finally:
            cleanup()
    out["load_after"] = os.getloadavg()[0]
    return out


# -- the run: subprocesses, tables, plot -------------------------------------------------------

@dataclass
class Options:
    sizes: list[int]
    backends: list[str]
    max_rdflib: int
    max_remote: int
    repeat: int
    limit: float
    seed: int
    out: Path
    cache: Path


def dataset(triples: int, seed: int, cache: Path) -> tuple[Path, dict]:
    """The generated graph of this size and seed, made once and kept under ``cache``."""
    folder = cache / f"{size_name(triples)}-seed{seed}"
    manifest = folder / "manifest.json"
    if manifest.exists():
        known = json.loads(manifest.read_text())
        if known.get("requested") == triples and known.get("seed") == seed:
            return folder, known
    return folder, generate(triples, seed, folder)


def run_child(job: dict, timeout: float) -> dict:
    """Run one measurement in a subprocess; add its peak RSS (its own ru_maxrss)."""
    argv = [sys.executable, str(Path(__file__).resolve()), "--worker", json.dumps(job)]
    with tempfile.TemporaryFile("w+") as output, tempfile.TemporaryFile("w+") as errors:
        child = subprocess.Popen(argv, stdout=output, stderr=errors, text=True, cwd=ROOT)
        deadline = time.monotonic() + timeout
        while (done := os.wait4(child.pid, os.WNOHANG))[0] == 0:
            if time.monotonic() > deadline:
                child.kill()
                os.wait4(child.pid, 0)
                child.returncode = -9
                return {"error": f"stopped after {timeout:.0f} s"}
            time.sleep(0.05)
        _, status, usage = done
        child.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        errors.seek(0)
        lines, problem = output.read().strip().splitlines(), errors.read().strip()
    if child.returncode != 0 or not lines:
        return {"error": (problem.splitlines() or ["no output"])[-1][:300]}
    result = json.loads(lines[-1])
    result["peak_rss_mb"] = usage.ru_maxrss / 1024
    return result


def machine() -> dict[str, str]:
    """CPU model, cores, RAM, OS and the versions that matter."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text()
                   .splitlines() if line.startswith("MemTotal"))
        ram = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        ram = "?"
    info = {"CPU": cpu, "cores": str(os.cpu_count()), "RAM": ram,
            "OS": f"{platform.system()} {platform.release()}",
            "python": platform.python_version()}
    for package in PACKAGES:
        try:
            info[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            info[package] = "absent"
    return info


def run(options: Options, log: Callable[[str], None] = print) -> dict:
    """Every measurement of ``options``; write the results; return them."""
    results: dict = {"machine": machine(), "started": time.strftime("%Y-%m-%d %H:%M:%S"),
                     "argv": sys.argv[1:], "seed": options.seed, "sizes": {}}
    for triples in options.sizes:
        start = time.perf_counter()
        folder, manifest = dataset(triples, options.seed, options.cache)
        entry = {"manifest": {k: v for k, v in manifest.items() if k != "samples"},
                 "generate_s": time.perf_counter() - start, "backends": {}}
        results["sizes"][size_name(triples)] = entry
        for backend in options.backends:
            cap = {"rdflib": options.max_rdflib, "sparql": options.max_remote}.get(backend)
            if cap is not None and triples > cap:
                continue
            log(f"{size_name(triples)} on {backend}…")
            job = {"backend": backend, "data": str(folder), "repeat": options.repeat,
                   "limit": options.limit}
            entry["backends"][backend] = run_child(job, timeout=options.limit * 40)
            if "error" in entry["backends"][backend]:
                log(f"  error: {entry['backends'][backend]['error']}")
    results["finished"] = time.strftime("%Y-%m-%d %H:%M:%S")
    options.out.mkdir(parents=True, exist_ok=True)
    (options.out / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    from benchmarks.report import plot, write_markdown

    write_markdown(results, options.out / "results.md")
    plot(results, options.out / "results.png")
    return results


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help="comma-separated: 10k,100k,1M")
    parser.add_argument("--backends", default=",".join(BACKENDS),
                        help=f"comma-separated, of {', '.join(BACKENDS)}")
    parser.add_argument("--max-rdflib-triples", default="1M",
                        help="largest size run on rdflib (default 1M)")
    parser.add_argument("--max-remote-triples", default="1M",
                        help="largest size run on the SPARQL endpoint (default 1M)")
    parser.add_argument("--repeat", type=int, default=15,
                        help="runs of each question after a warm-up (fewer for slow ones)")
    parser.add_argument("--limit", type=float, default=120.0,
                        help="seconds before a step (question, view, picture) is stopped")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=HERE, help="folder for results.*")
    parser.add_argument("--cache", type=Path, default=CACHE, help="folder of generated data")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        print(json.dumps(measure(json.loads(args.worker))))
        return 0
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = sorted(set(backends) - set(BACKENDS))
    if unknown:
        raise SystemExit(f"unknown backend(s) {', '.join(unknown)}; use {', '.join(BACKENDS)}")
    if "sparql" in backends and not has_remote():
        print("no SPARQL endpoint backend (kg/remote.py or the oxigraph server): skipped")
        backends.remove("sparql")
    options = Options(sorted(parse_size(s) for s in args.sizes.split(",")), backends,
                      parse_size(args.max_rdflib_triples), parse_size(args.max_remote_triples),
                      args.repeat, args.limit, args.seed, args.out, args.cache)
    run(options)
    print(f"wrote {options.out / 'results.md'} and {options.out / 'results.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
