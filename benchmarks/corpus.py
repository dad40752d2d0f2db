"""Build time and named-question latency on the curated corpus, on both in-memory backends.

    python benchmarks/corpus.py [--repeat 15] [--out benchmarks/corpus-results.md]

Writes a Markdown table: build time per step, and the median and p95 latency of every named
question (with its example parameters) on embedded Oxigraph and on rdflib's Memory store.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from pathlib import Path

from kg.build import build_graph
from kg.questions import get, questions, run


def _latencies(store, name: str, repeat: int) -> list[float]:
    example = get(name).example
    run(store, name, example)  # warm: names, caches, query parsing
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run(store, name, example)
        times.append((time.perf_counter() - start) * 1000)
    return times


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def measure(repeat: int) -> str:
    """The Markdown report."""
    builds, latencies = {}, {}
    for backend in ("oxigraph", "rdflib"):
        start = time.perf_counter()
        result = build_graph(backend=backend)
        builds[backend] = (time.perf_counter() - start, result.timings)
        latencies[backend] = {name: _latencies(result.store, name, repeat)
                              for name in sorted(questions())}
    lines = [f"# The corpus: build and named questions ({platform.machine()}, "
             f"{platform.python_version()}, {repeat} runs each)", "",
             "| build step | Oxigraph s | rdflib s |", "|---|---|---|"]
    steps = builds["oxigraph"][1]
    for step in steps:
        lines.append(f"| {step} | {steps[step]:.3f} | {builds['rdflib'][1].get(step, 0):.3f} |")
    lines.append(f"| **total** | {builds['oxigraph'][0]:.2f} | {builds['rdflib'][0]:.2f} |")
    lines += ["", "| question | Oxigraph median ms | p95 ms | rdflib median ms | p95 ms |",
              "|---|---|---|---|---|"]
    for name in sorted(questions()):
        ox, rd = latencies["oxigraph"][name], latencies["rdflib"][name]
        lines.append(f"| {name} | {statistics.median(ox):.1f} | {_p95(ox):.1f} | "
                     f"{statistics.median(rd):.1f} | {_p95(rd):.1f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/corpus-results.md"))
    args = parser.parse_args()
    report = measure(args.repeat)
    args.out.write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
