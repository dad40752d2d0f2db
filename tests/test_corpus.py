"""The corpus: 60 posts, text exactly as in the file, threads, mentions and honest dates."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Literal, URIRef

from kg.corpus import Corpus, handles, hashtags, post_ntriples
from tests.conftest import CORPUS_FILE

POST = "https://w3id.org/conflict-kg/id/post/000_dd67e9743226e335-"


def test_every_line_is_a_post_with_its_exact_text(built):
    lines = CORPUS_FILE.read_text(encoding="utf-8").split("\n")
    rows = built.store.select(
        "SELECT ?position ?text WHERE { ?p a ckg:Post ; ckg:position ?position ; ckg:text ?text }")
    assert len(rows) == 60
    for row in rows:
        assert str(row["text"]) == lines[int(row["position"]) - 1]


def test_every_post_has_a_thread_and_the_author_without_a_name(built):
    assert built.store.count("?p a ckg:Post ; ckg:inThread ?t") == 60
    assert built.store.count("?p a ckg:Post ; ckg:author actor:corpus-author") == 60
    assert built.store.count("actor:corpus-author a ckg:Analyst") == 1
    assert built.store.count("actor:corpus-author schema:name|foaf:name ?n") == 0
    assert built.store.count("?t a ckg:Thread") >= 6


def test_hashtags_and_handles_are_extracted_as_written():
    assert hashtags("#ISIS’s assault; #YPG-#SDF") == ["ISIS", "YPG", "SDF"]
    assert handles("@alhurranews@jassim__press@TheWorld Having watched") == [
        "alhurranews", "jassim__press", "TheWorld"]
    assert handles("write to a@b.org") == []


def test_mentions_link_posts_to_entities(built):
    rows = built.store.select("SELECT ?e WHERE { ?post ckg:mentions ?e }",
                              {"post": URIRef(POST + "030")})
    mentioned = {str(r["e"]).rsplit("/", 1)[1] for r in rows}
    assert {"farhad-shami", "turkey"} <= mentioned


def _time(built, n):
    rows = built.store.select(
        "SELECT ?earliest ?latest ?precision ?basis WHERE { ?post ckg:time ?t . "
        "?t ckg:precision ?precision . OPTIONAL { ?t ckg:earliest ?earliest } "
        "OPTIONAL { ?t ckg:latest ?latest } OPTIONAL { ?t ckg:dateBasis ?basis } }",
        {"post": URIRef(f"{POST}{n:03d}")})
    assert len(rows) == 1
    row = rows[0]
    return tuple(str(row[k]).split("#")[-1] if k in row else None
                 for k in ("earliest", "latest", "precision", "basis"))


def test_dates_come_from_the_content_with_precision_and_basis(built):
    assert _time(built, 1) == ("2022-01-20", "2022-01-20", "DayPrecision", "BackgroundFact")
    assert _time(built, 10) == ("2022-01-21", "2022-01-21", "DayPrecision", "Offset")
    assert _time(built, 34) == ("2022-01-21", "2022-01-22", "DaysPrecision", "Offset")
    assert _time(built, 38) == ("2022-01-22", "2022-01-22", "DayPrecision", "Offset")
    assert _time(built, 50)[0] == "2021-10-11" and _time(built, 50)[1] is None


def test_nothing_fixes_the_date_of_the_support_programme_posts(built):
    for n in range(54, 58):
        assert _time(built, n) == (None, None, "UnknownPrecision", None)


def test_dated_windows_are_consistent(built):
    bad = built.store.count("?t ckg:earliest ?e ; ckg:latest ?l FILTER(?e > ?l)")
    assert bad == 0
    assert built.store.count("?t ckg:dateBasis ckg:BackgroundFact FILTER NOT EXISTS "
                             "{ ?t dcterms:source ?s }") == 0
    assert Literal  # imported for parity with other tests


def test_post_text_survives_quotes_backslashes_tabs_emoji_and_rtl(tmp_path):
    lines = ['He said "89 caught" \\ not 100s\tper #SDF', "كشف مصدر 🚨 @rudaw\r", "plain"]
    source = tmp_path / "awkward.txt"
    source.write_bytes("\n".join(lines).encode("utf-8"))
    iris, nt = post_ntriples(Corpus("https://w3id.org/conflict-kg/id/corpus/a", source, None))
    texts = {str(q.subject.value): q.object.value
             for q in ox.parse(input=nt.encode(), format=ox.RdfFormat.N_TRIPLES)
             if q.predicate.value.endswith("#text")}
    assert [texts[iri] for iri in iris] == lines
