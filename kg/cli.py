"""The `kg` command: build, validate, stats and query the knowledge graph."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from kg.errors import KGError
from kg.store import default_store_path

STORE_HELP = ("where the graph lives: a folder (default %(default)s or $KG_STORE), "
              "'memory' (Oxigraph in memory, built now), 'rdflib' (rdflib Memory, built now) "
              "or a SPARQL endpoint 'sparql+http://HOST:PORT/query' (see the README)")


def _progress(quiet: bool):
    def show(step: str) -> None:
        if not quiet:
            print(f"  {step}", file=sys.stderr, flush=True)
    return show


def cmd_build(args: argparse.Namespace) -> int:
    from kg.build import build
    from kg.stats import counts, format_counts

    start = time.perf_counter()
    result = build(args.store, args.data, progress=_progress(args.quiet))
    elapsed = time.perf_counter() - start
    where = args.store or default_store_path()
    print(f"Built the knowledge graph ({result.store.backend}) → {where} in {elapsed:.2f} s")
    print(format_counts(counts(result.store)))
    _report_posts_without_claims(result.posts_without_claims)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from kg.build import build_graph

    result = build_graph(args.paths or None, progress=_progress(args.quiet))
    files = len(result.sources)
    print(f"Valid: {files} files, {len(result.store):,} triples after derivation; nothing written.")
    _report_posts_without_claims(result.posts_without_claims)
    return 0


def _report_posts_without_claims(positions: list[int]) -> None:
    if positions:
        listed = ", ".join(str(p) for p in positions)
        print(f"Note: {len(positions)} post(s) are the source of no claim and not marked "
              f"ckg:noClaimReason: {listed}")
    else:
        print("posts without a claim: 0")


def cmd_stats(args: argparse.Namespace) -> int:
    from kg.stats import counts, format_counts
    from kg.store import open_store

    print(format_counts(counts(open_store(args.store))))
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    from kg.store import open_store
    from kg.tabular import render

    text = args.sparql
    source = Path(text)
    if text.endswith(".rq") or (len(text) < 4096 and "\n" not in text and source.is_file()):
        if not source.is_file():
            raise KGError(f"no such query file: {text}")
        text = source.read_text(encoding="utf-8")
    store = open_store(args.store)
    result = store.query(text)
    if result.type == "ASK":
        print("true" if result.askAnswer else "false")
    elif result.type == "CONSTRUCT":
        print(result.graph.serialize(format="turtle"))
    else:
        rows = store.select(text)
        print(render(rows, [str(v) for v in result.vars], args.format, store))
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from kg.questions import get, questions, run
    from kg.store import open_store
    from kg.tabular import render

    if args.list or not args.name:
        for question in questions().values():
            params = " ".join(f"{p.name}={p.kind.upper()}" if p.required
                              else f"[{p.name}={p.kind.upper()}]" for p in question.params)
            print(f"{question.name:<22} {question.title}" + (f"  ({params})" if params else ""))
        print("\nRun one: kg ask NAME [KEY=VALUE …] [--format table|csv|json] "
              "[--min-confidence N] [--status S]; kg ask NAME --help-question for details.")
        return 0
    question = get(args.name)
    if args.help_question:
        print(f"{question.title}\n\n{question.description}\n")
        for p in question.params:
            need = "required" if p.required else "optional"
            print(f"  {p.name}={p.kind.upper():<8} {need}: {p.description}")
        if question.example:
            example = " ".join(f"{k}={v}" for k, v in question.example.items())
            print(f"\nexample: kg ask {question.name} {example}")
        return 0
    params = {}
    for item in [*args.params, *args.param]:
        key, sep, value = item.partition("=")
        if not sep:
            raise KGError(f"a parameter is KEY=VALUE, not {item!r} (kg ask {question.name} "
                          f"--help-question lists them)")
        params[key.strip()] = value
    if args.offset < 0 or (args.limit is not None and args.limit < 1):
        raise KGError("--limit takes a whole number ≥ 1, --offset one ≥ 0")
    store = open_store(args.store)
    columns, rows = run(store, args.name, params, args.min_confidence, args.status)
    if args.format == "table" and question.table and not args.wide:
        columns = [c for c in question.table if c in columns]
    end = None if args.limit is None else args.offset + args.limit
    page = rows[args.offset:end]
    print(render(page, columns, args.format, store))
    if len(page) < len(rows):
        shown = (f"rows {args.offset + 1}–{args.offset + len(page)}" if page
                 else f"no rows after row {args.offset}")
        more = (f"; --offset {args.offset + len(page)} for the next"
                if args.offset + len(page) < len(rows) else "")
        print(f"({shown} of {len(rows):,}{more})", file=sys.stderr)
    return 0


def cmd_analyze(args: argparse.Namespace) -> int:
    from kg.analysis import centrality, communities
    from kg.store import open_store
    from kg.views import VIEWS

    if args.view not in VIEWS:
        raise KGError(f"no view {args.view!r}; views: {', '.join(VIEWS)}")
    graph = VIEWS[args.view](open_store(args.store), args.min_confidence, args.status)
    print(f"{args.view} network: {graph.number_of_nodes()} nodes, "
          f"{graph.number_of_edges()} edges\n")
    table = centrality(graph).head(args.top)
    print(table.drop(columns=["node"]).to_string(index=False))
    print("\ncommunities:")
    for number, group in enumerate(communities(graph), start=1):
        print(f"  {number}. {', '.join(group)}")
    return 0


def cmd_render(args: argparse.Namespace) -> int:
    from kg.pictures import render
    from kg.store import open_store

    store = open_store(args.store)
    start = time.perf_counter()
    picture = render(store, args.view, args.out, args.focus, args.radius, args.min_confidence,
                     args.status, args.quantity, args.max_nodes)
    elapsed = time.perf_counter() - start
    print(f"wrote {picture.path} ({picture.summary}) in {elapsed:.2f} s")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from kg.export import export
    from kg.store import open_store

    store = open_store(args.store)
    start = time.perf_counter()
    written = export(store, args.format, args.view, args.out, args.focus, args.radius,
                     args.min_confidence, args.status)
    elapsed = time.perf_counter() - start
    if written:
        print(f"wrote {', '.join(map(str, written))} in {elapsed:.2f} s", file=sys.stderr)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from kg.serve import serve

    if args.timeout <= 0 or args.threads < 1:
        raise KGError("--timeout takes seconds > 0 and --threads a count ≥ 1")
    serve(args.store, args.host, args.port, args.writable, args.timeout,
          tuple(args.allow_service), args.threads)
    return 0


def parser() -> argparse.ArgumentParser:
    """The argument parser of `kg` (also used to document the CLI)."""
    top = argparse.ArgumentParser(
        prog="kg", description="conflict-kg: a knowledge graph of conflict actors, operations "
        "and claims. Run `kg build` first, then `kg stats` or `kg query`.")
    top.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    default = str(default_store_path())

    build = sub.add_parser("build", help="load, check and publish the graph atomically")
    build.add_argument("--data", type=Path, action="append",
                       help="data file or folder (repeatable; default: the project's data/)")
    build.add_argument("--store", default=None, help=STORE_HELP % {"default": default})
    build.set_defaults(run=cmd_build)

    validate = sub.add_parser("validate", help="run every check of a build; write nothing")
    validate.add_argument("paths", nargs="*", type=Path,
                          help="data files or folders (default: the project's data/)")
    validate.set_defaults(run=cmd_validate)

    stats = sub.add_parser("stats", help="counts of a built graph")
    stats.add_argument("--store", default=None, help=STORE_HELP % {"default": default})
    stats.set_defaults(run=cmd_stats)

    ask = sub.add_parser("ask", help="run a named question (kg ask --list)")
    ask.add_argument("name", nargs="?", help="the question (see --list)")
    ask.add_argument("params", nargs="*", metavar="KEY=VALUE",
                     help="its parameters, e.g. actor=SDF (the same as --param)")
    ask.add_argument("--list", action="store_true", help="list the named questions")
    ask.add_argument("--help-question", action="store_true",
                     help="describe the question and its parameters")
    ask.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                     help="a parameter (repeatable); entities by name, alias, #hashtag, @handle")
    ask.add_argument("--format", choices=("table", "csv", "json"), default="table")
    ask.add_argument("--wide", action="store_true",
                     help="show every column in a table (csv and json always have all)")
    ask.add_argument("--limit", type=int, metavar="N",
                     help="show at most N rows (a busy entity has thousands)")
    ask.add_argument("--offset", type=int, default=0, metavar="N",
                     help="skip the first N rows (with --limit: the next page)")
    ask.add_argument("--min-confidence", type=float, metavar="N",
                     help="only propositions with confidence ≥ N (0–100)")
    ask.add_argument("--status", help="only propositions with this status (confirmed, "
                     "corroborated, reported, alleged, unverified, disputed, refuted)")
    ask.add_argument("--store", default=None, help=STORE_HELP % {"default": default})
    ask.set_defaults(run=cmd_ask)

    analyze = sub.add_parser("analyze", help="centrality and communities of a network view")
    analyze.add_argument("view", help="support, targeting, claims, actors or relations")
    analyze.add_argument("--top", type=int, default=15, help="how many central nodes to show")
    analyze.add_argument("--min-confidence", type=float, metavar="N")
    analyze.add_argument("--status")
    analyze.add_argument("--store", default=None, help=STORE_HELP % {"default": default})
    analyze.set_defaults(run=cmd_analyze)

    query = sub.add_parser("query", help="run any SPARQL (text or a .rq file)")
    query.add_argument("sparql", help="a SPARQL query, or a file holding one")
    query.add_argument("--store", default=None, help=STORE_HELP % {"default": default})
    query.add_argument("--format", choices=("table", "csv", "json"), default="table")
    query.set_defaults(run=cmd_query)
    from kg.ingest.cli import register as register_ingest
    register_ingest(sub)
    render = sub.add_parser(
        "render", help="draw a view: network (.png .svg .pdf .html), timeline or quantity chart")
    render.add_argument("view", help="support, targeting, claims, actors, relations, ego, "
                        "timeline or quantity")
    render.add_argument("--focus", metavar="ENTITY", help="only what lies within --radius "
                        "relations of this entity (needed by ego); for timeline an actor, for "
                        "quantity what the number is about")
    render.add_argument("--radius", type=int, default=1, metavar="N",
                        help="relations from the focus (default 1)")
    render.add_argument("--quantity", metavar="NAME",
                        help="quantity chart: which number (escapees, killed, …)")
    render.add_argument("--min-confidence", type=float, metavar="N",
                        help="only propositions with confidence ≥ N (0–100)")
    render.add_argument("--status", help="only propositions with this status")
    render.add_argument("--max-nodes", type=int, metavar="N",
                        help="draw the N most connected nodes of a network (default: 80 "
                        "with at most 120 arrows; 400 with 400 in an .html page; 0 draws all)")
    render.add_argument("--out", type=Path, metavar="FILE",
                        help="output file; its suffix picks the format (default out/VIEW.png)")
    render.add_argument("--store", default=None, help=STORE_HELP % {"default": default})
    render.set_defaults(run=cmd_render)

    export = sub.add_parser(
        "export", help="a view as GraphML, GEXF, Cytoscape JSON or CSV; or the whole graph as "
        "Turtle, TriG, N-Quads or JSON-LD")
    export.add_argument("view", nargs="?", help="support, targeting, claims, actors, relations "
                        "or ego (none for the whole-graph formats)")
    export.add_argument("--format", required=True, help="graphml, gexf, cytoscape, csv | "
                        "turtle, trig, nquads, jsonld")
    export.add_argument("--out", type=Path, metavar="FILE",
                        help="output file, '-' for standard output (default out/VIEW.EXT)")
    export.add_argument("--focus", metavar="ENTITY", help="only what lies near this entity")
    export.add_argument("--radius", type=int, default=1, metavar="N")
    export.add_argument("--min-confidence", type=float, metavar="N")
    export.add_argument("--status")
    export.add_argument("--store", default=None, help=STORE_HELP % {"default": default})
    export.set_defaults(run=cmd_export)

    serve = sub.add_parser("serve", help="a SPARQL 1.1 endpoint over the graph (read-only, "
                           "SERVICE/LOAD/FROM refused, time-limited); Ctrl-C stops it")
    serve.add_argument("--store", default=None, help=STORE_HELP % {"default": default})
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1: this machine only)")
    serve.add_argument("--port", type=int, default=7878, help="port (default 7878; 0 = any)")
    serve.add_argument("--writable", action="store_true",
                       help="accept SPARQL Update at /update, written to the store folder")
    serve.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                       help="stop a query after this long (default 30)")
    serve.add_argument("--allow-service", action="append", default=[], metavar="IRI",
                       help="let SERVICE reach this endpoint (repeatable; default: none)")
    serve.add_argument("--threads", type=int, default=16,
                       help="requests handled at once (default 16)")
    serve.set_defaults(run=cmd_serve)
    return top


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `kg` console script."""
    top = parser()
    args, extra = top.parse_known_args(argv)
    # argparse takes positionals only before the first option: `kg ask actor --store S
    # actor=SDF` leaves actor=SDF over, which is a parameter like any other
    if extra and hasattr(args, "params") and all("=" in item and not item.startswith("-")
                                                 for item in extra):
        args.params += extra
    elif extra:
        top.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        return args.run(args)
    except KGError as error:
        for problem in error.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
