"""The registry of the book's results: entries, tolerances, checks, scorecard, seed spread."""
import json
from pathlib import Path

import nbformat
import numpy as np
import pytest

from ch3_code import History, registry
from ch3_code.book import checks, reproduce, scorecard, stored, tables

ROOT = Path(__file__).resolve().parent.parent
IDS = ["CE-30", "CE-100", "QUAD-30", "QUAD-100", "SOFTMAX-30", "OVERFIT-1k", "OVERFIT-50k",
       "L2-1k", "L2-50k", "L2-100", "L2-100-60", "INIT-30", "INIT-100", "ETA", "DATA-SIZE", "SVM",
       "HYPER-BAD", "HYPER-STRIP", "NEURON"]


def history(first_epoch=0, config=None, **series):
    """A History with the given per-epoch lists (accuracies as fractions)."""
    h = History(config=config)
    n = len(next(iter(series.values())))
    for i in range(n):
        h.record(first_epoch + i, 0.1, 0.5, {k: v[i] for k, v in series.items()})
    return h


def ramp(start, top, n, at=None):
    """An accuracy curve (fraction) rising from start to top (reached at index ``at``)."""
    at = n - 1 if at is None else at
    values = np.minimum(np.linspace(start, top, at + 1).tolist() + [top - 0.001] * (n - at - 1),
                        top)
    return list(values)


@pytest.fixture(autouse=True)
def no_stored_results(tmp_path, monkeypatch):
    """No results/ where the tables look (the checkout's results would change what is shown)."""
    (tmp_path / "work" / "here").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "work" / "here")
    monkeypatch.setattr(stored, "ROOT", tmp_path / "checkout")


@pytest.fixture(autouse=True)
def quiet(monkeypatch):
    shown = []
    monkeypatch.setattr(checks, "display", lambda obj, raw=False: shown.append(obj))
    monkeypatch.delenv("CH3_CHECK", raising=False)
    return shown


def test_every_experiment_is_registered_with_its_book_section_and_chapter():
    assert registry.ids() == IDS or sorted(registry.ids()) == sorted(IDS)
    for exp_id in IDS:
        exp = registry.get(exp_id)
        assert exp.book_url.startswith(registry.CHAPTER_URL)
        assert (ROOT / "chapters" / f"{exp.chapter}.ipynb").exists(), exp.chapter
        assert exp.quantities and exp.title
        if exp_id not in ("SVM", "NEURON"):
            assert isinstance(exp.seed, int), exp_id
    with pytest.raises(KeyError, match="CE-30"):
        registry.get("CE-31")


def test_tolerances_follow_the_rules_or_give_a_reason():
    for exp_id in IDS:
        exp = registry.get(exp_id)
        for q in exp.quantities:
            where = f"{exp_id} {q.key}"
            assert (q.tol is None) != (q.band is None) or q.reason, where
            if q.band is not None:
                assert q.band[0] <= q.band[1] and q.reason, where
            if q.unit != "%" or q.tol is None:
                continue
            n = exp.run_config(None)["n"]
            rule = 1.0 if q.key.startswith("final") or "_0" in q.key or exp_id == "DATA-SIZE" \
                else 1.5 if n == 1_000 else 0.5
            assert q.tol <= rule or q.reason, f"{where}: ±{q.tol} > ±{rule} with no reason"


def test_epoch_measurements_read_the_histories_epochs():
    train = [0.5] * 60 + [1.0] * 40
    cost = list(np.r_[np.linspace(2, 1.2, 15), np.linspace(1.21, 2, 85)])
    test = ramp(0.6, 0.8227, 100)
    h = history(0, train_accuracy=train, test_cost=cost, test_accuracy=test)
    values = registry.get("OVERFIT-1k").measure(h)
    assert values["first_perfect"] == 60 and values["min_test_cost_epoch"] == 14
    assert registry.at_epoch("evaluation_accuracy", 1)(
        history(0, evaluation_accuracy=[0.9, 0.95])) == pytest.approx(95.0)


def test_a_book_like_run_passes_and_a_wrong_one_fails():
    good = history(test_accuracy=ramp(0.90, 0.9549, 30))
    wrong = history(test_accuracy=ramp(0.90, 0.9480, 30))   # 0.69 points short
    assert {r["status"] for r in tables.evaluate({"CE-30": good})} == {"within"}
    assert {r["status"] for r in tables.evaluate({"CE-30": wrong})} == {"outside"}


def strip_result(weak):
    return {(10.0, 1000.0): [10] * 30, (10.0, 20.0): [weak] * 30, (100.0, 20.0): [10] * 30,
            (1.0, 20.0): [55] * 30}


def statuses(exp_id, result):
    return {r["key"]: r["status"] for r in tables.evaluate({exp_id: result})}


def test_hyper_strip_weak_signal_must_be_above_chance():
    assert set(statuses("HYPER-STRIP", strip_result(20)).values()) == {"within"}
    assert statuses("HYPER-STRIP", strip_result(10))["eta_10_lmbda_20"] == "outside"
    learned = strip_result(20)
    learned[10.0, 1000.0] = [40] * 30          # a "chance" row that learned something
    assert statuses("HYPER-STRIP", learned)["eta_10_lmbda_1000"] == "outside"
    h = history(evaluation_accuracy=[0.2] * 30)  # a History works as well as counts
    assert registry.get("HYPER-STRIP").measure({**strip_result(20), (10.0, 20.0): h})[
        "eta_10_lmbda_20"] == pytest.approx(20.0)


def eta_result(wiggle):
    epochs = np.arange(30)
    slow = 0.878 * np.exp(-epochs / 32.0) + 0.339 - 0.878 * np.exp(-29 / 32.0)
    mid = 0.32 + 0.5 * np.exp(-epochs / 4.0)
    fast = 0.9 + wiggle * np.where(epochs % 2, 0.2, -0.18)
    return {eta: history(train_cost=list(c)) for eta, c in
            [(0.025, slow), (0.25, mid), (2.5, fast)]}


def test_eta_oscillation_and_monotone_fall_are_checked():
    assert set(statuses("ETA", eta_result(1.0)).values()) == {"within"}
    calm = statuses("ETA", eta_result(0.0))
    assert calm["eta_2.5_rises"] == "outside"
    bumpy = eta_result(1.0)
    cost = list(bumpy[0.025]["train_cost"])
    cost[10] = cost[9] + 0.01
    bumpy[0.025] = history(train_cost=cost)
    assert statuses("ETA", bumpy)["eta_0.025_rises"] == "outside"


def test_data_size_must_rise_with_the_size():
    book = {s: q.book for s, q in zip(reproduce_sizes(), registry.get("DATA-SIZE").quantities)}
    assert set(statuses("DATA-SIZE", book).values()) == {"within"}
    dip = {**book, 20_000: 95.85, 50_000: 95.0}   # within ±1.0, but it falls
    assert statuses("DATA-SIZE", dip)["rises"] == "outside"
    assert statuses("DATA-SIZE", {**book, 100: 70.2})["n_100"] == "outside"   # 1.11 above


def reproduce_sizes():
    return [100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000]


def test_svm_sizes_not_rerun_are_shown_as_such():
    result = {100: 25.1, 200: 48.9, 500: 75.1, 1_000: 83.9, 2_000: 88.5,
              5_000: registry.NotRerun("about 40 s; 50,000 would take 20 min")}
    found = statuses("SVM", result)
    assert found["n_100"] == "within" and found["n_5000"] == "not rerun"
    assert found["n_50000"] == "not rerun"          # left out: the registry's default reason
    table = registry.table({"SVM": result})._repr_html_()
    assert "about 40 s" in table and table.count("not rerun") >= 4
    assert statuses("SVM", {100: 25.1})["n_200"] == "no result"   # small sizes must be run


def test_table_is_html_with_links_and_unicode():
    h = history(evaluation_accuracy=ramp(0.9, 0.9804, 60))
    table = registry.table({"L2-100-60": h})
    html = table._repr_html_()
    assert "<table" in html and "</table>" in html
    assert registry.get("L2-100-60").book_url in html
    for head in ("experiment", "quantity", "tolerance", "within"):
        assert f"<th>{head}</th>" in html
    for head in ("book", "this run", "difference"):  # numbers: right-aligned by the book's CSS
        assert f'<th class="num">{head}</th>' in html
    assert '<td class="num">98.04</td>' in html
    assert "η = 0.1" in html and "\\eta" not in html and "98.04" in html
    assert "| [L2-100-60](" in table._repr_markdown_()
    assert "L2-100-60" in str(table)
    grouped = registry.table({"L2-50k": {"best_test": 96.4}})._repr_html_()
    assert grouped.count('rowspan="3"') == 1 and grouped.count("<tr") == 4   # head + 3 rows


def test_check_strict_names_each_failing_quantity(monkeypatch):
    monkeypatch.setenv("CH3_CHECK", "strict")
    bad = history(test_accuracy=ramp(0.5, 0.80, 30))
    with pytest.raises(AssertionError, match="CE-30 best test accuracy"):
        registry.check({"CE-30": bad})
    short = history(config=dict(epochs=3, eta=0.5), test_accuracy=ramp(0.9, 0.9549, 3))
    with pytest.raises(AssertionError, match="epochs from 30 to 3"):
        registry.check({"CE-30": short})


def test_check_otherwise_explains_and_records(quiet, capsys):
    config = dict(layer_sizes=[784, 30, 10], n=50_000, epochs=3, batch_size=10, eta=0.5,
                  lmbda=0.0)
    short = history(config=config, test_accuracy=[0.90, 0.93, 0.94])
    assert registry.check({"CE-30": short}) is None      # nothing printed as a cell result
    out = " ".join(capsys.readouterr().out.split())  # notes are wrapped at 88 characters
    assert "because you changed epochs from 30 to 3" in out and "Traceback" not in out
    (shown,) = quiet
    record = shown[checks.RESULTS_MIME]["results"]["CE-30"]
    assert record["values"]["best_test"] == pytest.approx(94.0)
    assert record["config_differences"] == ["epochs from 30 to 3"]
    registry.check({"SVM": {100: 25.1}})
    assert "not measured in this run: SVM validation accuracy, n = 200" in \
        " ".join(capsys.readouterr().out.split())
    same = history(config={**config, "epochs": 30}, test_accuracy=ramp(0.9, 0.94, 30))
    registry.check({"CE-30": same})
    assert "the configuration is the book's" in " ".join(capsys.readouterr().out.split())


def test_multi_run_configs_are_compared_run_by_run():
    runs = {eta: history(config=dict(eta=eta, lmbda=5.0, epochs=30), train_cost=[1.0, 0.9])
            for eta in (0.025, 0.25, 2.5)}
    assert checks.config_differences(registry.get("ETA"), runs) == []
    runs[2.5].config["lmbda"] = 1.0
    assert checks.config_differences(registry.get("ETA"), runs) == [
        "lmbda from 5.0 to 1.0 (run 2.5)"]


def write_notebook(path, outputs):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("registry.check(...)")
    cell.outputs = [nbformat.v4.new_output("display_data", data=o) for o in outputs]
    nb.cells.append(cell)
    nbformat.write(nb, str(path))


def test_scorecard_reads_recorded_results_and_lists_the_missing(tmp_path, quiet, capsys):
    registry.check({"CE-30": history(test_accuracy=ramp(0.9, 0.9560, 30))})
    (tmp_path / "chapters").mkdir()
    write_notebook(tmp_path / "chapters" / "01_cross_entropy.ipynb", quiet)
    table, missing, spread = scorecard.scorecard_table(tmp_path)
    row = next(r for r in table.rows if r["id"] == "CE-30")
    assert row["value"] == pytest.approx(95.60) and row["status"] == "within"
    assert "CE-100" in missing and "CE-30" not in missing and spread is None
    assert 'href="chapters/01_cross_entropy.html"' in table._repr_html_()
    assert len(table.rows) == sum(len(registry.get(i).quantities) for i in IDS)
    scorecard.main([str(tmp_path)])
    out = capsys.readouterr().out
    assert "No recorded result yet" in out and "95.60" in out


def test_seed_spread_statistics():
    s = reproduce.spread([95.1, 95.3, 95.2, registry.NotRerun("x"), None], book=95.49)
    assert s["count"] == 3 and s["mean"] == pytest.approx(95.2)
    assert s["sd"] == pytest.approx(0.1) and (s["min"], s["max"]) == (95.1, 95.3)
    assert s["book_outside"] is True
    assert reproduce.spread([95.1, 95.6], 95.49)["book_outside"] is False


def test_reproduce_writes_the_spread_file_from_a_tiny_run(tmp_path, capsys):
    out = tmp_path / "spread.json"
    reproduce.main(["--seeds", "2", "--only", "HYPER-STRIP", "--epochs", "1", "--n", "100",
                    "--jobs", "1", "--out", str(out)])
    record = json.loads(out.read_text())
    assert record["seeds"] == 2 and record["settings"] == {"epochs": 1, "n": 100}
    assert record["date"] and record["machine"] and record["package_version"]
    stats = record["experiments"]["HYPER-STRIP"]["eta_1_lmbda_20"]
    assert stats["count"] == 2 and stats["min"] <= stats["mean"] <= stats["max"]
    with pytest.raises(SystemExit):
        reproduce.main(["--only", "SVM", "--out", str(out)])
    with pytest.raises(SystemExit):
        reproduce.main(["--only", "CE-31", "--out", str(out)])


def test_a_dict_of_measured_values_is_accepted_and_described():
    exp = registry.get("L2-50k")
    values = exp.measure({"best_test": 96.3, "final_test": 93.0})
    assert values == {"best_test": 96.3, "final_test": 93.0, "gap": None}
    assert statuses("L2-50k", {"best_test": 96.3, "final_test": 93.0})["final_test"] == "outside"
    text = str(exp)
    assert "final_test" in text and "±1" in text and exp.book_url in text


def test_network_and_sgd_arguments_follow_the_config():
    exp = registry.get("INIT-30")
    large, default = exp.network("large"), exp.network("default")
    assert large.layer_sizes == [784, 30, 10] and large.rand_seed == exp.seed == 1
    assert np.std(large.weights[0]) > 5 * np.std(default.weights[0])   # N(0,1) vs N(0,1/784)
    assert exp.sgd_kwargs("large") == dict(epochs=30, batch_size=10, eta=0.1, lmbda=5.0)
    assert registry.get("DATA-SIZE").sgd_kwargs(100) == dict(epochs=15_000, batch_size=10,
                                                              eta=0.5, lmbda=0.01)
    assert registry.get("QUAD-30").network().cost.name == "quadratic"


def test_scorecard_shows_the_seed_spread(tmp_path, capsys):
    (tmp_path / "chapters").mkdir()
    (tmp_path / "results").mkdir()
    spread = {"date": "2026-12-02", "machine": "test", "package_version": "0", "seeds": 3,
              "experiments": {"CE-30": {"best_test": reproduce.spread([95.6, 95.7, 95.8],
                                                                      95.49)}}}
    (tmp_path / "results" / "seed_spread.json").write_text(json.dumps(spread))
    table, missing, found = scorecard.scorecard_table(tmp_path)
    assert "seed spread" in table._head()
    row = next(r for r in table.rows if r["id"] == "CE-30")
    assert table._row(row)[-1] == "95.70 ± 0.10 (95.60 to 95.80, 3 seeds), book outside"
    scorecard.main([str(tmp_path)])
    assert "outside the range of the seeds for: CE-30 best_test" in capsys.readouterr().out


def test_a_chapter_finds_the_seed_spread_from_chapters_and_describes_it(tmp_path, monkeypatch):
    (tmp_path / "chapters").mkdir()
    (tmp_path / "results").mkdir()
    spread = {"date": "2026-12-02T06:41", "settings": {"epochs": None, "n": None},
              "experiments": {"CE-30": {"best_test": reproduce.spread(
                  [95.67, 95.46, 95.64], 95.49)}}}
    (tmp_path / "results" / "seed_spread.json").write_text(json.dumps(spread))
    monkeypatch.chdir(tmp_path / "chapters")  # where a chapter's kernel runs
    monkeypatch.setattr(stored, "ROOT", tmp_path / "elsewhere")
    text = scorecard.describe_spread("CE-30", "best_test", this_run=95.71)
    assert text.splitlines()[1:] == [
        "CE-30's best test accuracy (%) with seeds 1 to 3: 95.67 95.46 95.64",
        "  from 95.46% to 95.67%: a range of 0.21 points, mean 95.59%, sd 0.11 points",
        "  seed 3 (the registry's): 95.64% in the file, 95.71% in this page's run"]
    assert "the book settings" in text.splitlines()[0]
    (tmp_path / "other" / "deeper").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "other" / "deeper")  # no results/ here or above: none found
    assert scorecard.load_spread() is None
    assert "python -m ch3_code.reproduce --only CE-30" in scorecard.describe_spread(
        "CE-30", "best_test")


def neuron(cost, w, b, eta=0.15, epochs=300):
    """The chapter's one-neuron demo (x = 1, y = 0), written out step by step."""
    outputs = []
    for _ in range(epochs + 1):
        a = 1 / (1 + np.exp(-(w + b)))
        outputs.append(a)
        dz = a * a * (1 - a) if cost == "quadratic" else a   # dC/dz for y = 0
        w, b = w - eta * dz, b - eta * dz
    return outputs


def test_neuron_demos_pass_and_a_slow_cross_entropy_fails():
    demos = {((w, b), cost): {"a": neuron(cost, w, b)}
             for cost in ("quadratic", "cross-entropy") for w, b in ((0.6, 0.9), (2.0, 2.0))}
    assert set(statuses("NEURON", demos).values()) == {"within"}
    # the cross-entropy demo run with the quadratic cost's gradient shows the slowdown: caught
    demos[(2.0, 2.0), "cross-entropy"] = {"a": neuron("quadratic", 2.0, 2.0)}
    assert statuses("NEURON", demos)["ce_slow_30"] == "outside"


def test_a_learners_slip_gives_a_note_not_a_traceback(capsys, monkeypatch):
    registry.check({"CE-3O": history(test_accuracy=[0.9]), "CE-30": object()})
    out = capsys.readouterr().out
    assert "CE-3O is not an experiment" in out and "not measured in this run" in out
    monkeypatch.setenv("CH3_CHECK", "strict")
    with pytest.raises(KeyError, match="CE-3O"):
        registry.check({"CE-3O": history(test_accuracy=[0.9])})


def test_check_glues_every_measured_value(monkeypatch):
    glued = {}
    monkeypatch.setattr(checks, "glue", lambda name, value, digits=2, suffix="%":
                        glued.update({name: f"{value:.{digits}f}{suffix}"}))
    registry.check({"OVERFIT-50k": history(train_accuracy=ramp(0.9, 0.9786, 30),
                                           test_accuracy=ramp(0.9, 0.9533, 30))})
    assert glued == {"overfit_50k_best_test": "95.33%", "overfit_50k_best_train": "97.86%",
                     "overfit_50k_gap": "2.53"}


def test_the_seed_spread_names_the_processor_and_its_blas_kernel():
    """Float32 results depend on the BLAS kernel: the record must say which one ran."""
    from threadpoolctl import threadpool_info

    from ch3_code.book.spread_file import machine
    machine = machine()
    assert "CPUs" in machine and "Python" in machine
    for lib in threadpool_info():
        if lib.get("user_api") == "blas" and lib.get("architecture"):
            assert lib["architecture"] in machine


def test_the_scorecard_names_chapters_as_the_table_of_contents_numbers_them():
    from ch3_code.book.tables import chapter_name

    assert chapter_name("00_getting_started") == "chapter 1"
    assert chapter_name("01_cross_entropy") == "chapter 2"
    row = registry.table({"CE-30": {"best_test": 95.5}}, )
    html = type(row)(row.rows, chapter_links=True)._repr_html_()
    assert ">chapter 2</a>" in html and "chapter 01" not in html
