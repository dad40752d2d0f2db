"""Query results as text tables and DataFrames: labels for IRIs, Python values for literals."""

from __future__ import annotations

import datetime

import rdflib

from kg.questions import run
from kg.tabular import render, to_dataframe


def test_a_question_becomes_a_dataframe_with_labels_and_numbers(built):
    columns, rows = run(built.store, "who-supported-whom", {"actor": "SDF"})
    table = to_dataframe(built.store, columns, rows)
    assert list(table.columns) == columns
    assert len(table) == len(rows) > 0
    assert "U.S. military" in set(table["supporter"])          # an IRI shown by its label
    assert "provides air support to" in set(table["relation"])  # a property by its label
    assert table["confidence"].dtype.kind == "i"               # numbers stay numbers
    assert (table[table["confidence"] >= 40]["confidence"] >= 40).all()


def test_dates_and_decimals_are_python_values_and_unbound_cells_none(built):
    store = built.store
    rows = [{"who": rdflib.URIRef("https://w3id.org/conflict-kg/id/actor/isis"),
             "when": rdflib.Literal(datetime.date(2022, 1, 20)),
             "share": rdflib.Literal("25.5", datatype=rdflib.XSD.decimal)},
            {"who": rdflib.URIRef("https://w3id.org/conflict-kg/id/actor/no-such-actor")}]
    table = to_dataframe(store, ["who", "when", "share"], rows)
    assert table.loc[0, "who"] == "ISIS"
    assert table.loc[0, "when"] == datetime.date(2022, 1, 20)
    assert table.loc[0, "share"] == 25.5
    assert table.loc[1, "who"] == "actor:no-such-actor"        # no label: the prefixed name
    assert table.loc[1, "when"] is None


def test_no_rows_give_an_empty_frame_with_the_columns(built):
    table = to_dataframe(built.store, ["a", "b"], [])
    assert list(table.columns) == ["a", "b"] and table.empty


def test_a_table_splits_a_cells_list_by_semicolons_not_by_the_column_bar(built):
    columns, rows = run(built.store, "prisons-targeted")
    assert "31 | 43" in render(rows, columns, "csv", built.store)  # csv keeps the query's list
    table = render(rows, columns, "table", built.store, width=1000).splitlines()
    assert any("31; 43" in line for line in table)
    header, rule, *lines, count = table
    assert count == f"({len(rows)} rows)" and set(rule) == {"-", "+"}
    assert all(line.count(" | ") == len(columns) - 1 for line in [header, *lines])
