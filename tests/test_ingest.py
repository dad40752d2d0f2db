"""`kg ingest`: posts and reports become candidates in a review file; `--accept` validates and
adds them. Real spaCy and dateparser, no mocks; the real data/ is never written (a copy is)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.build import DATA, build_graph
from kg.cli import main
from kg.ingest import candidates
from kg.ingest.extract import Extractor
from kg.ingest.gazetteer import from_store, load_graph
from kg.ingest.records import read_records
from kg.namespaces import CKG, ID
from kg.store import new_store

AUTHOR = f"{ID}actor/corpus-author"

NEW_POSTS = [
    "Heavy clashes erupted near Raqqa today as #ISIS attacked an #SDF checkpoint.",
    "Per @Reuters, Daesh fighters stormed the Ghweiran prison in Hasakah, freeing ~300 inmates.",
    "Unclear if the Islamic State really controls the northern wing.",
]
REPORT = ("Fighting continued in al-Hasakah on Sunday. At least 120 people were killed, "
          "according to the Syrian Observatory for Human Rights; the SDF said 40 of its "
          "fighters died. Local sources say the prison was stormed.")


def _snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def gazetteer():
    """The gazetteer of the curated graph (read only)."""
    return from_store(load_graph([DATA]))


@pytest.fixture(scope="module")
def real_data_before():
    """What ingest could add to the real data/ (accepted reviews, corpus files): no test may.
    (Contents are not compared: other work may edit data/ while the tests run.)"""
    corpus = sorted(p.name for p in (DATA / "corpus").iterdir())
    ingested = DATA / "ingested"
    before = sorted(p.name for p in ingested.iterdir()) if ingested.exists() else None
    yield corpus
    assert sorted(p.name for p in (DATA / "corpus").iterdir()) == corpus
    after = sorted(p.name for p in ingested.iterdir()) if ingested.exists() else None
    assert after == before, "a test added to the real data/ folder"


def _ingest(tmp_path: Path, data: Path, lines: list[str], capsys, *extra: str,
            name: str = "posts.txt") -> tuple[int, Path, str, str]:
    source = tmp_path / name
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "review" / "new.ttl"
    code = main(["ingest", str(source), "--data", str(data), "--out", str(out),
                 "--date", "2022-01-23", *extra])
    captured = capsys.readouterr()
    return code, out, captured.out, captured.err


def _claims(review: Path) -> list[dict[str, str]]:
    quads = list(ox.parse(path=str(review), format=ox.RdfFormat.TURTLE))
    claims: dict[str, dict[str, str]] = {}
    for q in quads:
        name = q.predicate.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        claims.setdefault(q.subject.value, {})[name] = q.object.value
    return [c for c in claims.values() if c.get("22-rdf-syntax-ns#type", "").endswith("Claim")
            or c.get("type", "").endswith("Claim")]


def test_ingest_writes_a_review_file_the_posts_and_a_candidates_graph(
        tmp_path, data_copy, capsys, real_data_before):
    code, out, stdout, err = _ingest(tmp_path, data_copy, NEW_POSTS, capsys)
    assert code == 0, err
    assert "3 post(s)" in stdout
    corpus_file = next(out.parent.glob("*.txt"))
    assert corpus_file.read_text(encoding="utf-8").split("\n")[:3] == NEW_POSTS
    text = out.read_text(encoding="utf-8")
    assert "ckg:Corpus" in text and "ckg:sourceFile" in text
    assert "# entity   [" in text  # offsets and confidence of every finding, as comments
    posts = {n: line for n, line in enumerate(NEW_POSTS, start=1)}
    quads = list(ox.parse(path=str(out), format=ox.RdfFormat.TURTLE))
    quotes = [(q.subject, q.object.value) for q in quads if q.predicate.value == str(CKG.quote)]
    assert quotes
    sources = {q.subject: q.object.value for q in quads
               if q.predicate.value == "http://www.w3.org/ns/prov#wasDerivedFrom"}
    for claim, quote in quotes:
        assert quote in posts[int(sources[claim][-3:])], "quotes must be verbatim"
    trig = out.with_name("new.candidates.trig")
    assert trig.exists()
    assert (data_copy / "ingested").exists() is False, "nothing enters data/ before --accept"


def test_candidates_go_to_a_named_graph_never_the_default_graph(tmp_path, data_copy, capsys):
    code, out, _, err = _ingest(tmp_path, data_copy, NEW_POSTS, capsys)
    assert code == 0, err
    store = new_store("oxigraph")
    graph = candidates.load(store, out.with_name("new.candidates.trig"))
    assert graph.value.startswith(f"{ID}candidates/")
    assert len(store) == 0  # the default (curated) graph is untouched
    rows = store.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?c a ckg:Candidate ; "
                        "ckg:extractionConfidence ?x } }")
    assert int(rows[0]["n"]) > 0
    offsets = store.select("SELECT ?s ?e ?t WHERE { GRAPH ?g { ?f a ckg:Extraction ; "
                           "ckg:offsetStart ?s ; ckg:offsetEnd ?e ; ckg:extractedText ?t } }")
    assert offsets and all(int(r["e"]) > int(r["s"]) for r in offsets)


def test_accept_validates_and_adds_the_review_and_its_posts_to_data(
        tmp_path, data_copy, capsys, real_data_before):
    code, out, _, err = _ingest(tmp_path, data_copy, NEW_POSTS, capsys)
    assert code == 0, err
    assert main(["ingest", "--accept", str(out), "--data", str(data_copy)]) == 0
    stdout = capsys.readouterr().out
    assert "Accepted" in stdout
    assert (data_copy / "ingested" / "new.ttl").exists()
    corpus_files = [p for p in (data_copy / "corpus").glob("*.txt")
                    if not p.name.startswith("000_")]
    assert len(corpus_files) == 1
    store = build_graph([data_copy]).store
    texts = {str(r["t"]) for r in store.select(
        "SELECT ?t WHERE { ?p a ckg:Post ; ckg:text ?t ; ckg:inCorpus ?c . "
        "FILTER(?c != <https://w3id.org/conflict-kg/id/corpus/000_dd67e9743226e335>) }")}
    assert texts == set(NEW_POSTS)
    # accepting the same review twice is refused, and changes nothing
    before = _snapshot(data_copy)
    assert main(["ingest", "--accept", str(out), "--data", str(data_copy)]) == 1
    assert "accepted before" in capsys.readouterr().err
    assert _snapshot(data_copy) == before


def test_a_review_that_fails_validation_leaves_data_untouched(tmp_path, data_copy, capsys):
    code, out, _, err = _ingest(tmp_path, data_copy, NEW_POSTS, capsys)
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    out.write_text(text.replace("ckg:credibility 2 .", "ckg:credibility 9 .", 1),
                   encoding="utf-8")
    before = _snapshot(data_copy)
    assert main(["ingest", "--accept", str(out), "--data", str(data_copy)]) == 1
    err = capsys.readouterr().err
    assert f"{out}:" in err and "credibility" in err
    assert _snapshot(data_copy) == before
    # a quote edited so that it is no longer in its post: named with file and line
    out.write_text(text.replace('ckg:quote "', 'ckg:quote "NOT IN THE POST ', 1),
                   encoding="utf-8")
    assert main(["ingest", "--accept", str(out), "--data", str(data_copy)]) == 1
    assert "not in the text" in capsys.readouterr().err
    assert _snapshot(data_copy) == before
    out.write_text(text + "\nthis is not turtle\n", encoding="utf-8")
    assert main(["ingest", "--accept", str(out), "--data", str(data_copy)]) == 1
    assert "syntax error" in capsys.readouterr().err
    assert _snapshot(data_copy) == before


def test_duplicates_are_detected_not_doubled(tmp_path, data_copy, capsys):
    known = (DATA / "corpus" / "000_dd67e9743226e335.txt").read_text(
        encoding="utf-8").split("\n")[10]
    lines = [NEW_POSTS[0], known, NEW_POSTS[0].upper(), "", NEW_POSTS[1]]
    code, out, stdout, err = _ingest(tmp_path, data_copy, lines, capsys)
    assert code == 0, err
    assert "2 duplicate(s)" in stdout
    assert "000_dd67e9743226e335-011" in stdout  # the post already in the graph
    assert "repeats input line 1" in out.read_text(encoding="utf-8")
    corpus_file = next(out.parent.glob("*.txt"))
    assert corpus_file.read_text(encoding="utf-8").splitlines() == [NEW_POSTS[0], NEW_POSTS[1]]


def test_bad_jsonl_line_is_a_clear_error_and_nothing_is_written(tmp_path, data_copy, capsys):
    source = tmp_path / "posts.jsonl"
    source.write_text(json.dumps({"text": "ok"}) + "\n\n{not json\n", encoding="utf-8")
    out = tmp_path / "review" / "x.ttl"
    assert main(["ingest", str(source), "--data", str(data_copy), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"{source}:3:" in err and "not a JSON record" in err
    assert not out.parent.exists()


@pytest.mark.parametrize(("content", "message"), [
    (None, "no such file"),
    (b"good line\n\xff\xfe bad bytes\n", "not UTF-8"),
    (b'{"author": "x"}\n', "no 'text' field"),
])
def test_unreadable_input_is_a_clear_error(tmp_path, data_copy, capsys, content, message):
    source = tmp_path / "posts.jsonl"
    if content is not None:
        source.write_bytes(content)
    out = tmp_path / "review" / "x.ttl"
    assert main(["ingest", str(source), "--data", str(data_copy), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert str(source) in err and message in err
    assert not out.parent.exists()


def test_csv_records_carry_author_date_and_url(tmp_path):
    source = tmp_path / "posts.csv"
    source.write_text('text,author,date,url\n"Per #SDF, 89 escapees were caught, 2 said ""hi""",'
                      'A Writer,2022-01-21,https://example.org/1\n'
                      '"Multi-line\nreport",@someone,21 January 2022,\n', encoding="utf-8")
    records = read_records(source)
    assert [r.author for r in records] == ["A Writer", "@someone"]
    assert records[0].url == "https://example.org/1"
    assert records[1].text == "Multi-line report"  # one post, one line
    assert records[1].line == 3


def test_records_from_two_authors_become_two_corpora(tmp_path, data_copy, capsys):
    source = tmp_path / "posts.jsonl"
    source.write_text("\n".join(json.dumps(r) for r in [
        {"text": NEW_POSTS[0], "author": "@Reuters", "date": "2022-01-23",
         "url": "https://example.org/a"},
        {"text": NEW_POSTS[1], "author": "Jane Analyst", "date": "2022-01-24"}]) + "\n",
        encoding="utf-8")
    out = tmp_path / "review" / "two.ttl"
    assert main(["ingest", str(source), "--data", str(data_copy), "--out", str(out)]) == 0
    capsys.readouterr()
    text = out.read_text(encoding="utf-8")
    assert text.count("a ckg:Corpus") == 2
    assert "ckg:author actor:reuters" in text  # linked by handle
    assert 'rdfs:label "Jane Analyst"' in text  # a new author, proposed
    assert 'schema:url "https://example.org/a"' in text
    assert main(["ingest", "--accept", str(out), "--data", str(data_copy)]) == 0


def test_robust_to_emoji_rtl_urls_smart_quotes_and_long_lines(gazetteer):
    extractor = Extractor(gazetteer, AUTHOR, "robust")
    long_line = " ".join(["#ISIS attacked a base in #Diyala, per local sources 🔥."] * 300)
    posts = [
        "🚨🚨 BREAKING: #SDF say “thwarted” attack at al-Sina prison https://t.co/AbC?x=1&y=2 🙏",
        "قال عبد الله الحسن إن مقاتلي داعش هاجموا السجن — per @Reuters, 5 killed.",
        long_line,
        "‘Daesh’ fighters — “the Islamic State” — struck near Ghweiran; IS denied it.",
    ]
    for position, text in enumerate(posts, start=1):
        found = extractor.post(position, text, dt.date(2022, 1, 22))
        for m in found.mentions:
            assert text[m.start:m.end] == m.text
        for claim in found.claims:
            assert text[claim.start:claim.end] == claim.quote
            assert claim.quote.strip() == claim.quote and claim.quote
        if position == 1:
            assert f"{ID}actor/sdf" in {m.iri for m in found.mentions}
            assert any(c.claimant == f"{ID}actor/sdf" for c in found.claims)
        if position == 2:
            assert f"{ID}actor/reuters" in {c.claimant for c in found.claims}
        if position == 3:
            assert len(found.claims) < 20  # repeated sentences give one claim each, not 300
        if position == 4:
            assert f"{ID}actor/isis" in {m.iri for m in found.mentions}


def test_entities_are_linked_by_label_alias_hashtag_and_handle(gazetteer):
    extractor = Extractor(gazetteer, AUTHOR, "names")
    text = ("#SDF and the Syrian Democratic Forces fought Daesh, the Islamic State and IS, "
            "per @Reuters; U.S. aircraft overhead. Is it over? us too.")
    found = extractor.post(1, text, None)
    linked = {(m.text, m.iri.rsplit("/", 1)[-1], m.how) for m in found.mentions}
    assert ("#SDF", "sdf", "hashtag") in linked or ("#SDF", "sdf", "label") in linked
    assert ("Syrian Democratic Forces", "sdf", "alias") in linked
    assert {("Daesh", "isis", "alias"), ("Islamic State", "isis", "alias"),
            ("IS", "isis", "alias")} <= linked
    assert ("@Reuters", "reuters", "handle") in linked
    assert ("U.S.", "us-military", "alias") in linked  # a state's aircraft: its armed forces
    assert not any(m.text in ("Is", "us") for m in found.mentions)  # acronyms keep their case


def test_unknown_names_are_proposed_as_new_entities_with_a_guessed_type(gazetteer):
    extractor = Extractor(gazetteer, AUTHOR, "unknown")
    found = extractor.post(1, "According to the Syrian Observatory for Human Rights, clashes "
                              "in Raqqa; Abu Khalid al-Tamimi said 3 men died. #Nowhere", None)
    new = {extractor.new[m.iri].label: extractor.new[m.iri].cls.rsplit("#", 1)[-1]
           for m in found.mentions if m.how == "new"}
    assert new["Syrian Observatory for Human Rights"] == "Organization"
    assert new["Raqqa"] == "Place"
    assert new["Abu Khalid al-Tamimi"] == "Person"
    assert "Nowhere" in new


def test_a_report_with_several_figures_from_several_sources_gives_separate_claims(gazetteer):
    extractor = Extractor(gazetteer, AUTHOR, "report")
    found = extractor.post(1, REPORT, dt.date(2022, 1, 23))
    killed = [c for c in found.claims if c.prop.predicate == f"{CKG}killed"]
    by_claimant = {c.claimant.rsplit("/", 1)[-1]: c for c in killed}
    assert set(by_claimant) == {"syrian-observatory-for-human-rights", "sdf"}
    observatory, sdf = by_claimant["syrian-observatory-for-human-rights"], by_claimant["sdf"]
    assert observatory.prop.minimum == 120 and sdf.prop.value == 40
    assert observatory.prop.subject == sdf.prop.subject  # competing figures, one quantity
    assert observatory.relayed_by == AUTHOR and sdf.relayed_by == AUTHOR
    assert "according to the Syrian Observatory" in observatory.quote
    assert sdf.quote.startswith("the SDF said 40")
    assert any("Local sources" in c.quote and "unnamed-local-sources" in c.claimant
               for c in found.claims)


def test_claim_stance_and_credibility_follow_hedges_doubt_and_denial(gazetteer):
    extractor = Extractor(gazetteer, AUTHOR, "stance")
    found = extractor.post(1, "Some sources say ~20 #ISIS detainees escaped.", None)
    claim = next(c for c in found.claims if c.prop.predicate == f"{CKG}escapees")
    assert "unnamed-some-sources" in claim.claimant and claim.credibility == 3
    assert claim.prop.value == 20 and claim.prop.approximate
    found = extractor.post(2, "Unclear if reports of prisoner escapes were accurate.", None)
    assert found.claims and all(c.stance == "Questions" and c.credibility == 6
                                for c in found.claims)
    found = extractor.post(3, "The #SDF denied that 89 #ISIS escapees got away.", None)
    assert any(c.stance == "Denies" and c.claimant.endswith("/sdf") for c in found.claims)
    found = extractor.post(4, "U.S. SOF also allegedly advising behind frontlines.", None)
    assert any(c.credibility == 4 and "allegations" in c.claimant for c in found.claims)


def test_quantities_are_tied_to_what_they_count(gazetteer):
    extractor = Extractor(gazetteer, AUTHOR, "numbers")
    cases = {
        "~80 #ISIS militants launched a multi-axis assault.": ("attackerCount", 80, None, True),
        "The prison holds 10,000+ #ISIS fighters.": ("detaineeCount", None, 10000, False),
        "100s moved into the countryside today.": ("peopleMoved", None, 100, True),
        "48hrs later, 100+ dead in #Hasakeh.": ("killed", None, 100, False),
        "#ISIS controls ~30% of al-Sina prison.": ("share", 30, None, True),
        "The airstrike turned 25% of the building into rubble.": ("destroyedShare", 25, None,
                                                                  False),
    }
    for position, (text, expected) in enumerate(cases.items(), start=1):
        found = extractor.post(position, text, dt.date(2022, 1, 22))
        assert [p for _, p in found.quantities] == [expected[0]], text
        quantity = found.quantities[0][0]
        if expected[0] == "share":
            prop = next(c.prop for c in found.claims if c.prop.share is not None)
            assert prop.share == 30
            continue
        assert (quantity.value, quantity.minimum, quantity.approximate) == (
            expected[1], expected[2], expected[3]), text


def test_times_are_resolved_against_the_post_date_with_precision(gazetteer):
    extractor = Extractor(gazetteer, AUTHOR, "times")
    found = extractor.post(1, "A plot was foiled in November 2021; 48hrs ago a truck bomb "
                              "exploded, fighting went on overnight and today.",
                           dt.date(2022, 1, 22))
    spec = {t.text: t.spec for t in found.times}
    assert spec["in November 2021"].precision == "MonthPrecision"
    assert (spec["in November 2021"].earliest, spec["in November 2021"].latest) == (
        dt.date(2021, 11, 1), dt.date(2021, 11, 30))
    assert spec["48hrs ago"].earliest == dt.date(2022, 1, 20)
    assert spec["overnight"].precision == "DaysPrecision"
    assert spec["today"].earliest == dt.date(2022, 1, 22)
    undated = extractor.post(2, "It happened today.", None)
    assert undated.times[0].spec is None  # no post date: nothing is invented


# ---------------------------------------------------------------- descriptions and name variants
# Made-up sentences (not from the corpus), against the curated graph's names and relations.

def _iris(found) -> dict[str, str]:
    return {m.text: m.iri.rsplit("/", 1)[-1] for m in found.mentions}


def test_name_variants_dots_hyphens_and_the_arabic_article(gazetteer):
    extractor = Extractor(gazetteer, AUTHOR, "variants")
    found = extractor.post(1, "A U.S military convoy left Deir ez Zor; Sina prison was quiet.",
                           None)
    linked = _iris(found)
    assert linked["U.S military"] == "us-military"  # "U.S. military" without its last dot
    assert linked["Deir ez Zor"] == "deir-ez-zor-governorate"  # "Deir ez-Zor", no hyphen
    assert linked["Sina prison"] == "al-sina-prison"  # "al-Sina prison", no article


def test_definite_descriptions_with_modifiers_and_a_bare_opening_head(gazetteer):
    extractor = Extractor(gazetteer, AUTHOR, "definite")
    extractor.post(1, "Gunmen were seen near Ghweiran prison at dusk.", None)
    found = extractor.post(2, "Smoke rose over the old prison walls.", None)
    assert _iris(found)["the old prison"] == "al-sina-prison"
    found = extractor.post(3, "Prison guards fled.", None)
    assert _iris(found)["Prison"] == "al-sina-prison"  # a post opening on a bare head noun


def test_people_held_by_a_facility_are_the_group_the_graph_says_it_holds(gazetteer):
    extractor = Extractor(gazetteer, AUTHOR, "held")
    found = extractor.post(1, "Ghweiran prison still holds 900 militants, guards told us.", None)
    assert _iris(found)["militants"] == "al-sina-detainees"
    found = extractor.post(2, "Dozens of inmates rioted.", None)  # the prison named before
    assert _iris(found)["inmates"] == "al-sina-detainees"


def test_detainees_of_a_prison_the_graph_does_not_know_become_one_proposed_group(gazetteer):
    extractor = Extractor(gazetteer, AUTHOR, "unknown-prison")
    found = extractor.post(1, "Gunmen raided Tadmur prison in Syria, freeing inmates.", None)
    inmates = next(m for m in found.mentions if m.text == "inmates")
    group = extractor.new[inmates.iri]
    assert group.label == "Tadmur prison detainees" and group.cls.endswith("PopulationGroup")
    found = extractor.post(2, "Some prisoners were caught again.", None)
    assert next(m for m in found.mentions if m.text == "prisoners").iri == inmates.iri


def test_a_description_by_class_and_place_or_by_label_words_finds_the_facility(gazetteer):
    extractor = Extractor(gazetteer, AUTHOR, "described")
    found = extractor.post(1, "Rockets hit a military base in Diyala overnight.", None)
    assert any(m.iri.endswith("/diyala-military-base") for m in found.mentions)
    found = extractor.post(2, "Snipers fired from a multi-storey building in Hasakah.", None)
    assert any(m.iri.endswith("/hasakah-multistorey-building") for m in found.mentions)
    found = extractor.post(3, "Snipers fired from a tall building in Diyala.", None)
    assert not any(m.kind == "Facility" for m in found.mentions)  # no building known there
    found = extractor.post(4, "Gunmen attacked a military base in #Diyala.", None)
    assert any(m.iri.endswith("/diyala-military-base") for m in found.mentions)  # a hashtag
    found = extractor.post(5, "Guards left the prison facility in Hasakah.", None)
    assert not any(m.iri.endswith("/hasakah-multistorey-building") for m in found.mentions)


def test_a_part_of_a_facility_is_proposed_once_under_its_whole(gazetteer):
    extractor = Extractor(gazetteer, AUTHOR, "parts")
    found = extractor.post(1, "Rioters seized the eastern wing of Tadmur prison in Syria.", None)
    part = next(m for m in found.mentions if m.text == "eastern wing")
    thing = extractor.new[part.iri]
    assert thing.label == "Tadmur prison east wing" and thing.cls.endswith("FacilityPart")
    whole = next(m for m in found.mentions if m.text == "Tadmur prison")
    assert thing.part_of == whole.iri and thing.located_in  # what the shapes ask of a part
    found = extractor.post(2, "The east wing is still held by rioters.", None)
    assert any(m.iri == part.iri for m in found.mentions)


def test_new_regions_and_places_are_typed_by_compass_adjectives_and_head_nouns(gazetteer):
    extractor = Extractor(gazetteer, AUTHOR, "regions")
    found = extractor.post(1, "Shelling hit southwestern Syria and the Qamishli district.", None)
    new = {extractor.new[m.iri].label: extractor.new[m.iri] for m in found.mentions
           if m.iri in extractor.new}
    assert new["southwestern Syria"].cls.endswith("Region")
    assert new["southwestern Syria"].located_in.endswith("/syria")
    assert new["Qamishli district"].cls.endswith("District")


def test_an_event_is_not_linked_to_an_operation_with_another_target(gazetteer):
    extractor = Extractor(gazetteer, AUTHOR, "veto")
    found = extractor.post(1, "#ISIS launched an assault on Tadmur prison in Syria.",
                           dt.date(2022, 1, 21))
    assert found.operations
    assert all(not op.iri.endswith("diyala-base-assault") for op in found.operations)
