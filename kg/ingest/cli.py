"""The `kg ingest` and `kg eval` subcommands (registered by kg/cli.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kg.errors import KGError, Problem

INGEST_HELP = """\
Ingest posts: `kg ingest FILE` proposes entities, operations and claims in a review file (the
authoring format of data/); nothing enters the curated graph until `kg ingest --accept REVIEW`
has validated the edited review file like `kg build` and added it to data/."""


def _data(args: argparse.Namespace) -> Path:
    from kg.build import DATA

    return Path(args.data) if args.data else DATA


def cmd_ingest(args: argparse.Namespace) -> int:
    """Write a review file for FILE, or accept a reviewed one."""
    if args.accept:
        if args.file:
            raise KGError("give either FILE (to propose) or --accept REVIEW, not both")
        return _accept(args)
    if not args.file:
        raise KGError("nothing to ingest: give a FILE of posts (or --accept REVIEW)")
    return _propose(args)


def _propose(args: argparse.Namespace) -> int:
    from kg.ingest import candidates, review
    from kg.ingest.gazetteer import from_store, load_graph
    from kg.ingest.records import read_records
    from kg.ingest.run import ingest
    from kg.store import open_store

    source = Path(args.file)
    records = read_records(source, args.format)
    store = open_store(args.store) if args.store else load_graph([_data(args)])
    gazetteer = from_store(store)
    batch = ingest(records, source, gazetteer, author=args.author, date=args.date)
    base = batch.corpora[0].stem if batch.corpora else f"{source.stem}-duplicates"
    out = Path(args.out) if args.out else Path("review") / f"{base}.ttl"
    if out.suffix != ".ttl":
        raise KGError([Problem("the review file must end in .ttl", out)])
    trig = out.with_name(f"{out.stem}.candidates.trig")
    targets = [out, trig] + [out.parent / c.file_name for c in batch.corpora]
    existing = [t for t in targets if t.exists()]
    if existing and not args.force:
        raise KGError([Problem("exists already (a review may hold edits): pass --force to "
                               "overwrite it, or choose --out", t) for t in existing])
    writer = review.Review(batch, out.name)
    text = writer.text()
    quads = candidates.candidate_quads(batch, text, out, writer.confidences)
    out.parent.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    try:
        for corpus in batch.corpora:
            path = out.parent / corpus.file_name
            path.write_text("\n".join(p.record.text for p in corpus.posts) + "\n",
                            encoding="utf-8")
            written.append(path)
        candidates.write(quads, trig)
        written.append(trig)
        out.write_text(text, encoding="utf-8")
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    posts = sum(len(c.posts) for c in batch.corpora)
    claims = sum(len(p.findings.claims) for c in batch.corpora for p in c.posts)
    print(f"Proposed from {source} ({len(records)} records): {posts} post(s), "
          f"{len(batch.duplicates)} duplicate(s) left out, {len(batch.new)} new thing(s), "
          f"{claims} claim(s).")
    for dup in batch.duplicates:
        print(f"  duplicate: line {dup.record.line} repeats {dup.of}")
    files = ", ".join(str(out.parent / c.file_name) for c in batch.corpora) or "none"
    print(f"Review file: {out}  (posts: {files})")
    print(f"Candidates graph: {trig} (named graph {candidates.graph_name(out).value})")
    print(f"Edit the review file, then: kg ingest --accept {out}")
    return 0


def _accept(args: argparse.Namespace) -> int:
    from kg.ingest.accept import accept

    result = accept(Path(args.accept), _data(args))
    print(f"Accepted {args.accept}: {result.posts} post(s), {result.claims} claim(s) → "
          f"{result.review}, {', '.join(str(p) for p in result.corpus_files)}")
    print("Run `kg build` to publish the graph with them.")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    """Score ingest against the curated annotations of the corpus."""
    from kg.ingest.evaluate import evaluate, format_report

    def progress(step: str) -> None:
        if not args.quiet:
            print(f"  {step}", file=sys.stderr, flush=True)

    report = evaluate(_data(args), progress=progress)
    print(format_report(report))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add `ingest` and `eval` to the `kg` command."""
    ingest = sub.add_parser("ingest", help="propose candidates from new posts for review, or "
                            "accept a reviewed file", description=INGEST_HELP)
    ingest.add_argument("file", nargs="?", help="posts: one a line (txt), or records with "
                        "text, author, date, url (jsonl, csv)")
    ingest.add_argument("--format", choices=("txt", "jsonl", "csv"),
                        help="the input's format (default: from the file name; txt otherwise)")
    ingest.add_argument("--author", help="who wrote the posts (a name, @handle or IRI) when "
                        "the records do not say")
    ingest.add_argument("--date", help="the posts' date (2022-01-22) when the records do not "
                        "say; relative times are resolved against it")
    ingest.add_argument("--out", help="the review file to write (default review/NAME.ttl); "
                        "the corpus file and NAME.candidates.trig go beside it")
    ingest.add_argument("--force", action="store_true", help="overwrite an existing review")
    ingest.add_argument("--accept", metavar="REVIEW", help="validate a reviewed file like "
                        "`kg build` and add it (and its posts) to data/")
    ingest.add_argument("--data", help="the data folder (default: the project's data/)")
    ingest.add_argument("--store", help="read names from this published store instead of "
                        "building the graph from --data")
    ingest.set_defaults(run=cmd_ingest)

    evaluate = sub.add_parser("eval", help="score ingest against the curated corpus "
                              "(in-sample and leave-one-thread-out)")
    evaluate.add_argument("--data", help="the data folder (default: the project's data/)")
    evaluate.set_defaults(run=cmd_eval)
