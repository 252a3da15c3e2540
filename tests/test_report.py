"""The registry's "book vs this run" rows and Table, and the glue names."""
import pytest

from ch3_code import registry
from ch3_code.book import checks, stored, tables


@pytest.fixture(autouse=True)
def no_stored_results(tmp_path, monkeypatch):
    """No results/ where the tables look: the rows and cells as the chapter's run gives them."""
    (tmp_path / "work" / "here").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "work" / "here")
    monkeypatch.setattr(stored, "ROOT", tmp_path / "checkout")


def test_rows_for_reports_book_value_difference_and_status():
    exp = registry.get("L2-50k")
    rows = tables.rows_for(exp, {"best_test": 96.30, "final_test": 94.10, "gap": 0.4})
    by_key = {r["key"]: r for r in rows}
    assert by_key["best_test"]["difference"] == pytest.approx(-0.19)
    assert by_key["best_test"]["status"] == "within"
    assert by_key["final_test"]["status"] == "outside"          # 1.51 below, allowed ±1.0
    assert by_key["gap"]["book"] is None and by_key["gap"]["status"] == "within"
    assert tables.rows_for(exp, None)[0]["status"] == "no result"


def test_table_text_and_markdown_agree_on_the_cells():
    rows = tables.rows_for(registry.get("CE-30"), {"best_test": 95.2})
    table = tables.Table(rows)
    assert "| 95.49 | 95.20 | -0.29 | ±0.5 | ✓ yes |" in table._repr_markdown_()
    line = str(table).splitlines()[1]
    assert line.split()[:1] == ["CE-30"] and "-0.29" in line and "✓ yes" in line


def test_recorded_values_round_trip_through_the_notebook_format():
    record = {"version": 1, "results": {"SVM": {"values": {
        "n_100": 25.2, "n_5000": {"not_rerun": "too slow"}}, "config_differences": []}}}
    nb = {"cells": [{"cell_type": "code", "outputs": [
        {"output_type": "display_data", "data": {checks.RESULTS_MIME: record}}]}]}
    values = checks.recorded_results(nb)["SVM"]
    rows = {r["key"]: r for r in tables.rows_for(registry.get("SVM"), values)}
    assert rows["n_100"]["status"] == "within" and rows["n_5000"]["status"] == "not rerun"
    assert rows["n_5000"]["note"] == "too slow"


def test_glue_names_are_simple_and_distinct():
    names = {checks._glue_name(i, q.key) for i in registry.ids()
             for q in registry.get(i).quantities}
    assert checks._glue_name("CE-30", "best_test") == "ce_30_best_test"
    assert checks._glue_name("ETA", "eta_0.25_min") == "eta_eta_0p25_min"
    assert all(n.replace("_", "").isalnum() for n in names)
    assert len(names) == sum(len(registry.get(i).quantities) for i in registry.ids())


def test_reasons_are_numbered_notes_under_the_table():
    rows = tables.rows_for(registry.get("INIT-30"), {"large_0": 87.0, "default_0": 92.9})
    table = tables.Table(rows)
    html = table._repr_html_()
    assert "±1.5 [1]" in html and "<li>one epoch from saturated" in html
    assert html.count("<li>") == len({r["reason"] for r in rows if r["reason"]})
    assert "1. one epoch from saturated" in table._repr_markdown_()
    assert "[1] one epoch from saturated" in str(table)
