"""Shared fixtures: the corpus graph, built once per session on each in-memory backend."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.build import DATA, BuildResult, build_graph

CORPUS_FILE = DATA / "corpus" / "000_dd67e9743226e335.txt"


@pytest.fixture(scope="session")
def built() -> BuildResult:
    """The whole corpus on embedded Oxigraph (in memory)."""
    return build_graph(backend="oxigraph")


@pytest.fixture(scope="session")
def built_rdflib() -> BuildResult:
    """The whole corpus on rdflib's Memory store, the reference backend."""
    return build_graph(backend="rdflib")


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of data/ to break on purpose."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target
