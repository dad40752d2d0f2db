"""The benchmark's results as a Markdown report (tables per size, with the ratio of each
Oxigraph figure to rdflib's, and the targets of issue 7) and as a plot of time against size."""

from __future__ import annotations

import statistics
from pathlib import Path

LABELS = {"oxigraph": "Oxigraph (memory)", "oxigraph-disk": "Oxigraph (disk)",
          "rdflib": "rdflib Memory", "sparql": "SPARQL endpoint"}
STEPS = ("parse", "load", "posts", "check references and quotes", "SHACL", "derive", "publish")
IN_MEMORY_STEPS = STEPS[:-1]


def seconds(value: float | None) -> str:
    """'850 ms', '1.24 s', '72 s'."""
    if value is None:
        return "—"
    if value == float("inf"):
        return "stopped at the limit"
    if value < 1:
        return f"{value * 1000:.0f} ms" if value >= 0.01 else f"{value * 1000:.1f} ms"
    return f"{value:.2f} s" if value < 10 else f"{value:.0f} s"


def ratio(value: float | None, reference: float | None) -> str:
    """value / reference, e.g. '0.052'; '—' when either is missing."""
    if value is None or not reference:
        return "—"
    return f"{value / reference:.2g}" if value / reference < 10 else f"{value / reference:.0f}"


def _build_seconds(result: dict) -> float | None:
    """The build in memory: parse to derive, without publishing."""
    if "build" not in result:
        return None
    return sum(result["build"].get(step, 0.0) for step in IN_MEMORY_STEPS)


def _failed(step: dict) -> str:
    """'> 120 s (stopped)' or 'error: …'."""
    if "timeout" in step:
        return f"> {step['timeout']:.0f} s (stopped)"
    return f"error: {step.get('error', '?')}"


def figures(result: dict) -> list[tuple[str, float | None, str]]:
    """(figure, number to compare, text) of one measurement, in table order."""
    if "error" in result:  # stopped or failed: the build steps it finished, if any
        return [("error", None, result["error"]),
                *((f"build: {step}", result["build"][step], seconds(result["build"][step]))
                  for step in STEPS if step in result.get("build", {}))]
    rows: list[tuple[str, float | None, str]] = []
    rows.append(("triples after derivation", result["triples"], f"{result['triples']:,}"))
    for step in STEPS:
        value = result["build"].get(step)
        rows.append((f"build: {step}", value, seconds(value)))
    build = _build_seconds(result)
    rows.append(("build in memory (parse → derive)", build, seconds(build)))
    rows.append(("build + publish (wall)", result["build_total"], seconds(result["build_total"])))
    rows.append(("build CPU time", result["build_cpu"], seconds(result["build_cpu"])))
    rows.append(("peak RSS after build (MB)", result["build_rss_mb"],
                 f"{result['build_rss_mb']:.0f}"))
    rows.append(("peak RSS, whole measurement (MB)", result["peak_rss_mb"],
                 f"{result['peak_rss_mb']:.0f}"))
    for name, by_focus in result["questions"].items():
        for focus, asked in by_focus.items():
            figure = f"question {name}, {focus}: median / p95"
            if "median" not in asked:
                rows.append((figure, None, _failed(asked)))
                continue
            rows.append((figure, asked["median"], f"{seconds(asked['median'])} / "
                         f"{seconds(asked['p95'])} ({asked['rows']:,} rows)"))
    for name, built in result["views"].items():
        if "seconds" not in built:
            rows.append((f"view {name}", None, _failed(built)))
        else:
            rows.append((f"view {name}", built["seconds"],
                         f"{seconds(built['seconds'])} ({built['nodes']:,} nodes, "
                         f"{built['edges']:,} edges)"))
    picture = result.get("render")
    if picture is not None:
        text = (_failed(picture) if "seconds" not in picture else
                f"{seconds(picture['seconds'])} ({picture['summary'].split(';')[0]})")
        rows.append(("render support network", picture.get("seconds"), text))
    rows.append(("load average (before / after)", None,
                 f"{result['load_before']:.1f} / {result['load_after']:.1f}"))
    return rows


def size_table(entry: dict) -> list[str]:
    """The table of one size: a column per backend, then the ratios to rdflib."""
    backends = list(entry["backends"])
    others = [b for b in backends if b != "rdflib"]
    reference = entry["backends"].get("rdflib")
    by_backend = {b: {f: (v, t) for f, v, t in figures(r)} for b, r in entry["backends"].items()}
    order: list[str] = []
    for b in backends:
        order += [f for f in by_backend[b] if f not in order]
    head = ["figure", *(LABELS[b] for b in backends)]
    if reference is not None:
        head += [f"{LABELS[b].split(' (')[0] if b != 'oxigraph-disk' else 'disk'}/rdflib"
                 for b in others]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for figure in order:
        cells = [figure] + [by_backend[b].get(figure, (None, "—"))[1] for b in backends]
        if reference is not None:
            base = by_backend["rdflib"].get(figure, (None, ""))[0]
            cells += [ratio(by_backend[b].get(figure, (None, ""))[0], base) for b in others]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _medians(result: dict, focus: str) -> dict[str, float]:
    """Question → median latency (infinite if stopped or failed), for one focus."""
    return {name: by_focus.get(focus, {}).get("median", float("inf"))
            for name, by_focus in result.get("questions", {}).items()}


def _worst_question(result: dict, focus: str = "typical") -> tuple[str, float | None]:
    medians = _medians(result, focus)
    if not medians:
        return "—", None
    name = max(medians, key=medians.get)
    return name, medians[name]


def _worst_view(result: dict) -> tuple[str, float | None]:
    worst, name = None, "—"
    for view, built in result.get("views", {}).items():
        value = built.get("seconds", float("inf"))
        if worst is None or value > worst:
            worst, name = value, view
    return name, worst


def targets(results: dict) -> list[str]:
    """The targets of issue 7, measured: met or missed, by how much."""
    sizes = results["sizes"]
    one = sizes.get("1M", {}).get("backends", {})
    five = sizes.get("5M", {}).get("backends", {})
    rows = []

    def add(target: str, value: float | None, limit: float, text: str, lower: bool = True
            ) -> None:
        if value is None:
            rows.append(f"| {target} | not measured | — |")
            return
        met = value <= limit if lower else value >= limit
        rows.append(f"| {target} | {text} | {'met' if met else 'missed'} |")

    memory = one.get("oxigraph", {})
    build = _build_seconds(memory) if "build" in memory else None
    add("1M: build ≤ 6 s on embedded Oxigraph", build, 6, seconds(build))
    reference = one.get("rdflib", {})
    stopped = reference.get("stopped_after")  # a build stopped at the limit: a lower bound
    rdflib_build = stopped or (_build_seconds(reference) if "build" in reference else None)
    speedup = rdflib_build / build if build and rdflib_build else None
    bound = "≥ " if stopped else ""
    add("1M: build ≥ 10× faster than rdflib Memory", speedup, 10,
        f"{bound}{speedup:.0f}× (rdflib: {reference.get('error') or seconds(rdflib_build)})"
        if speedup else "—", lower=False)
    for focus in ("typical", "busiest"):
        name, worst = _worst_question(memory, focus)
        over = sum(v > 0.1 for v in _medians(memory, focus).values())
        add(f"1M: every named question median ≤ 100 ms ({focus} entity)", worst, 0.1,
            f"slowest: {name} {seconds(worst)}; {over} over 100 ms")
    name, worst = _worst_view(memory)
    add("1M: each view ≤ 2 s", worst, 2, f"slowest: {name} {seconds(worst)}")
    peak = memory.get("build_rss_mb")
    add("1M: peak memory ≤ 1 GB (build)", peak, 1024, f"{peak:.0f} MB" if peak else "—")
    disk = five.get("oxigraph-disk", {})
    total = disk.get("build_total")
    add("5M, persistent: build ≤ 45 s (with publish)", total, 45, seconds(total))
    for focus in ("typical", "busiest"):
        name, worst = _worst_question(disk, focus)
        over = sum(v > 0.5 for v in _medians(disk, focus).values())
        add(f"5M, persistent: named questions median ≤ 500 ms ({focus} entity)", worst, 0.5,
            f"slowest: {name} {seconds(worst)}; {over} over 500 ms")
    return ["| target | measured | |", "|---|---|---|", *rows]


def write_markdown(results: dict, path: Path) -> None:
    """results.md: machine, versions, targets, and a table per size."""
    info = results["machine"]
    lines = ["# Benchmark results", "",
             f"Run {results['started']} – {results['finished']}: "
             f"`benchmarks/run.py {' '.join(results['argv'])}` (seed {results['seed']}); "
             "regenerate with `make bench`. How it measures: see the docstring of "
             "`benchmarks/run.py`; the data: `benchmarks/generate.py`.", "",
             "## Machine", "",
             "| " + " | ".join(info) + " |", "|" + "---|" * len(info) + "",
             "| " + " | ".join(info.values()) + " |", "",
             "Times are wall-clock seconds on a machine shared with other work: the load "
             "average (1 min) before and after each measurement is in its table. Ratios are "
             "Oxigraph's figure divided by rdflib's (below 1: Oxigraph is faster or smaller).",
             "", "## Targets (issue 7)", "", *targets(results), ""]
    for name, entry in results["sizes"].items():
        manifest = entry["manifest"]
        lines += [f"## {name} triples", "",
                  f"Generated: {manifest['triples']:,} triples before derivation "
                  f"({manifest['operations']:,} operations, {manifest['propositions']:,} "
                  f"propositions, {manifest['claims']:,} claims, {manifest['posts']:,} posts, "
                  f"{manifest['actors']:,} actors), plus the ontology.", ""]
        lines += size_table(entry) if entry["backends"] else ["(no backend run at this size)"]
        lines.append("")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def plot(results: dict, path: Path) -> None:
    """results.png: build time, median question latency and peak memory against size."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.6))
    panels = (
        ("build, parse → derive (s)", _build_seconds),
        ("question latency, typical entity: median of medians (s)", lambda r: statistics.median(
            [v for v in _medians(r, "typical").values() if v < float("inf")] or [float("nan")])),
        ("peak RSS after build (MB)", lambda r: r["build_rss_mb"]),
    )
    for ax, (title, value) in zip(axes, panels, strict=True):
        for backend, label in LABELS.items():
            measured = [(entry["manifest"]["triples"], entry["backends"].get(backend, {}))
                        for entry in results["sizes"].values()]
            points = [(n, value(r)) for n, r in measured if "build" in r and "error" not in r]
            color = None
            if points:
                xs, ys = zip(*points, strict=True)
                color = ax.plot(xs, ys, marker="o", label=label)[0].get_color()
            stopped = [(n, r["stopped_after"]) for n, r in measured if r.get("stopped_after")]
            if stopped and ax is axes[0]:  # a build stopped at the limit: a lower bound
                xs, ys = zip(*stopped, strict=True)
                ax.plot(xs, ys, marker="^", linestyle="none", color=color,
                        label=f"{label}: stopped (≥)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("input triples")
        ax.set_title(title, fontsize=10)
        ax.grid(True, which="both", alpha=0.3)
    if axes[0].get_legend_handles_labels()[0]:
        axes[0].legend(fontsize=8, loc="lower right")
    info = results["machine"]
    fig.suptitle(f"conflict-kg benchmark — {info['CPU']}, {info['cores']} cores, {info['RAM']}",
                 fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
