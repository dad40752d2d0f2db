"""Accept a reviewed file: check it exactly as `kg build` checks data (syntax, references,
quotes, SHACL) together with everything already in data/, and only then add it: the corpus
file to ``data/corpus/`` and the review file to ``data/ingested/``. Any failure leaves data/
as it was."""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.errors import KGError, Problem
from kg.ingest.gazetteer import text_key
from kg.namespaces import CKG

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
INGESTED = "ingested"


@dataclass
class Accepted:
    """What an accept added to data/."""

    review: Path
    corpus_files: list[Path]
    posts: int
    claims: int


def _corpora(review: Path, text: str) -> dict[str, str]:
    """The corpus IRIs the review declares, with their source file names."""
    try:
        quads = list(ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE,
                              base_iri=review.resolve().as_uri()))
    except SyntaxError as error:
        message = re.sub(r"\s*\([^()]*, line \d+\)$", "", str(error))
        raise KGError([Problem(f"syntax error: {message}", review, error.lineno)]) from None
    corpora = {q.subject.value for q in quads
               if q.predicate == RDF_TYPE and q.object == ox.NamedNode(str(CKG.Corpus))}
    files: dict[str, str] = {}
    for q in quads:
        if q.subject.value in corpora and q.predicate == ox.NamedNode(str(CKG.sourceFile)):
            files[q.subject.value] = q.object.value
    return files


def _check_files(review: Path, files: dict[str, str], data: Path) -> list[Path]:
    problems, paths = [], []
    for corpus, name in files.items():
        if Path(name).name != name:
            problems.append(Problem(f"ckg:sourceFile {name!r} of {corpus} must be a plain file "
                                    f"name, beside the review file", review))
            continue
        source = review.parent / name
        if not source.is_file():
            problems.append(Problem(f"the posts of {corpus}, {name}, are not beside the review "
                                    f"file", review))
        if (data / "corpus" / name).exists():
            problems.append(Problem(f"data/corpus/{name} exists already: this review was "
                                    f"accepted before (or rename its corpus)", review))
        paths.append(source)
    if (data / INGESTED / review.name).exists():
        problems.append(Problem(f"data/{INGESTED}/{review.name} exists already: this review was "
                                f"accepted before (or rename the review file)", review))
    if problems:
        raise KGError(problems)
    return paths


def _duplicates(review: Path, sources: list[Path], data: Path) -> None:
    from kg.ingest.gazetteer import from_store, load_graph

    known = from_store(load_graph([data])).posts
    problems = []
    for source in sources:
        for number, line in enumerate(source.read_text(encoding="utf-8").split("\n"), 1):
            if line.strip() and text_key(line) in known:
                problems.append(Problem(f"post {number} duplicates {known[text_key(line)]}, "
                                        f"already in data: delete that line and its claims",
                                        source, number))
    if problems:
        raise KGError(problems)


def _retarget(text: str, files: dict[str, str], review: Path) -> str:
    """Point each ckg:sourceFile at data/corpus/, where the corpus file will live."""
    for name in files.values():
        pattern = re.compile(r'(ckg:sourceFile\s+)"' + re.escape(name) + '"')
        if not pattern.search(text):
            raise KGError([Problem(f'write the corpus file as ckg:sourceFile "{name}" (a plain '
                                   f'string) so that it can be moved to data/corpus/', review)])
        target = f'"../corpus/{name}"'
        text = pattern.sub(lambda m, target=target: m.group(1) + target, text)
    return text


def accept(review: Path, data: Path) -> Accepted:
    """Validate ``review`` with data/ and add both to data/; raise KGError (data/ untouched)."""
    from kg.build import build_graph

    try:
        text = review.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KGError([Problem("no such review file", review)]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise KGError([Problem(f"cannot read the review file: {error}", review)]) from None
    files = _corpora(review, text)
    sources = _check_files(review, files, data)
    if not files:
        raise KGError([Problem("the review file declares no corpus (ckg:Corpus with "
                               "ckg:sourceFile): nothing to accept", review)])
    _duplicates(review, sources, data)
    staged_text = _retarget(text, files, review)
    with tempfile.TemporaryDirectory(prefix="kg-accept-") as folder:
        stage = Path(folder)
        (stage / INGESTED).mkdir()
        (stage / "corpus").mkdir()
        staged = stage / INGESTED / review.name
        staged.write_text(staged_text, encoding="utf-8")
        for source in sources:
            shutil.copyfile(source, stage / "corpus" / source.name)
        try:
            result = build_graph([data, staged])
        except KGError as error:
            raise KGError([Problem(p.message, review if p.path == staged else p.path, p.line)
                           for p in error.problems]) from None
        claims = result.store.count(
            f"?c a ckg:Claim ; prov:wasDerivedFrom ?p . ?p ckg:inCorpus ?k . "
            f"VALUES ?k {{ {' '.join(f'<{c}>' for c in files)} }}")
        posts = result.store.count(
            f"?p a ckg:Post ; ckg:inCorpus ?k . "
            f"VALUES ?k {{ {' '.join(f'<{c}>' for c in files)} }}")
        added: list[Path] = []
        try:
            (data / "corpus").mkdir(parents=True, exist_ok=True)
            (data / INGESTED).mkdir(parents=True, exist_ok=True)
            for source in sources:
                target = data / "corpus" / source.name
                _install(stage / "corpus" / source.name, target)
                added.append(target)
            target = data / INGESTED / review.name
            _install(staged, target)
            added.append(target)
        except BaseException:
            for path in added:
                path.unlink(missing_ok=True)
            raise
    return Accepted(data / INGESTED / review.name, added[:-1], posts, claims)


def _install(source: Path, target: Path) -> None:
    """Copy to a temporary name beside the target, then rename: never half a file."""
    partial = target.with_name(f".{target.name}.partial")
    shutil.copyfile(source, partial)
    partial.replace(target)
