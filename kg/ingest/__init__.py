"""Ingest: new posts and reports become candidate entities, operations and claims for review.

    records (txt, jsonl, csv) ─▶ gazetteer from the graph (SPARQL) ─▶ spaCy rule pipeline
    (EntityRuler, Matcher) ─▶ findings per post (entities, operations, claims, quantities,
    times, with character offsets and a confidence) ─▶ a review file in the authoring format of
    data/ and a named graph of candidates ─▶ ``kg ingest --accept`` validates and adds to data/

Modules: ``records`` (read input), ``gazetteer`` (what the graph knows, by SPARQL),
``pipeline`` (the spaCy pipeline: tokenizer, EntityRuler, SpanRuler), ``rules`` (word lists as
Matcher patterns), ``numbers`` (quantities), ``times`` (dates, with dateparser), ``extract``
(findings of a post), ``run`` (one ingest: duplicates, authors, corpora), ``review`` (the Turtle
review file), ``candidates`` (the named graph), ``accept`` (validate and add to data/),
``evaluate`` (``kg eval``), ``cli`` (the subcommands).
"""
