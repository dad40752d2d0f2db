"""Reading many rows: the plain forms agree on both backends, and the collector comes back."""

from __future__ import annotations

import gc

import pytest

from kg.errors import KGError
from kg.rows import gc_paused, plain_rows, plain_tuples

#: Every actor with its label, and a handle where it has one (most have none: unbound).
ACTORS = """
SELECT DISTINCT ?actor ?label ?handle WHERE {
  ?actor a/rdfs:subClassOf* ckg:Actor ; rdfs:label ?label . OPTIONAL { ?actor ckg:handle ?handle }
} ORDER BY ?actor ?label ?handle
"""


@pytest.mark.parametrize("fixture", ["built", "built_rdflib"])
def test_tuples_are_the_rows_in_the_order_of_the_variables(request, fixture):
    store = request.getfixturevalue(fixture).store
    tuples, rows = plain_tuples(store, ACTORS), plain_rows(store, ACTORS)
    assert len(tuples) == len(rows) > 10
    assert any(row[2] is None for row in tuples) and any(row[2] for row in tuples)
    assert tuples == [(row["actor"], row["label"], row.get("handle")) for row in rows]


def test_tuples_on_both_backends_agree(built, built_rdflib):
    assert plain_tuples(built.store, ACTORS) == plain_tuples(built_rdflib.store, ACTORS)


def test_bad_sparql_is_a_clear_error(built):
    with pytest.raises(KGError, match="SPARQL error"):
        plain_tuples(built.store, "SELECT ?x WHERE { ?x ckg:nope }")


def test_the_collector_runs_again_after_a_paused_block_even_on_error():
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError), gc_paused():
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block leaves the outer one paused
        1 / 0  # noqa: B018
    assert gc.isenabled()
