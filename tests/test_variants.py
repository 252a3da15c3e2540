"""The controlled reruns of ``python -m ch3_code.reproduce --variant``: each change towards the
book's code or data does what it says, and the results go to their own file."""
import json
import random

import numpy as np
import pytest

from ch3_code import NN2, registry
from ch3_code.book import network2_draws, record, reproduce, spread_file, variants
from ch3_code.mnist import MNISTSplit


def test_network2_init_draws_what_network2_draws_after_np_random_seed():
    state = np.random.get_state()
    try:  # network2, written out: Network() draws the default init, large draws again
        np.random.seed(7)
        sizes = [6, 4, 3]
        for scale in (np.sqrt, lambda x: 1.0):
            biases = [np.random.randn(y, 1) for y in sizes[1:]]
            weights = [np.random.randn(y, x) / scale(x) for x, y in zip(sizes[:-1], sizes[1:])]
    finally:
        np.random.set_state(state)
    net = variants.network2_start(NN2(sizes, rand_seed=7, dtype="float64"), 7,
                                  ["default", "large"])
    for ours, theirs in zip(net.weights + net.biases, weights + biases):
        np.testing.assert_array_equal(ours, theirs)
    default = variants.network2_start(NN2(sizes, dtype="float64"), 7, ["default"])
    assert not np.array_equal(default.weights[0], net.weights[0])
    assert np.std(default.weights[0]) < np.std(net.weights[0])


def test_network2_order_reshuffles_the_last_epochs_order_as_python_2_did():
    order = variants.Network2Order(3)
    first, second = order.permutation(10), order.permutation(10)
    draw, expected = random.Random(3).random, list(range(10))
    for epoch in (first, second):  # Python 2.7's shuffle, in place, epoch after epoch
        for i in reversed(range(1, 10)):
            j = int(draw() * (i + 1))
            expected[i], expected[j] = expected[j], expected[i]
        assert epoch.tolist() == expected
    python3 = list(range(10))
    random.Random(3).shuffle(python3)
    assert first.tolist() != python3  # Python 3 draws another order from the same seed
    assert sorted(second.tolist()) == list(range(10))


def test_pixels256_scales_the_bytes_as_the_books_pickle():
    pixels = np.array([[0, 128, 255] + [0] * 781], dtype=np.uint8)

    class Split:  # an MNISTSplit loaded from the files has .pixels
        def __init__(self):
            self.pixels, self.y, self.one_hot, self.name = pixels, np.array([3]), False, "x"
            self.X = pixels / np.float32(255)

    sets = (Split(), Split(), Split())
    scaled = variants.data(sets, ("pixels256",))
    assert scaled[0].X[0, :3].tolist() == [0.0, 0.5, 0.99609375]
    assert len(scaled[1][:1]) == 1 and scaled[2].y.tolist() == [3]
    assert variants.data(sets, ("float64",)) is sets


def test_a_variants_network_changes_only_what_it_names():
    exp = registry.get("L2-50k")
    plain = variants.network(exp, None, 2)
    assert plain.dtype == np.float32
    np.testing.assert_array_equal(plain.weights[0], exp.network(seed=2).weights[0])
    wide = variants.network(exp, None, 2, ("float64",))
    assert wide.dtype == np.float64
    np.testing.assert_allclose(wide.weights[0], plain.weights[0], rtol=1e-6)
    book = variants.network(exp, None, 2, ("network2-init",))
    assert isinstance(book.rng, variants.Network2Order)
    assert not np.allclose(book.weights[0], plain.weights[0])


def test_unknown_names_are_refused_and_names_combine_in_one_order():
    with pytest.raises(ValueError, match="no variant 'float16'; variants: float64"):
        variants.check_names(["float16"])
    assert variants.label(["network2-init", "float64"]) == "float64+network2-init"
    with pytest.raises(SystemExit):
        reproduce.main(["--variant", "float16"])


def test_a_variant_that_is_already_the_books_runs_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert reproduce.main(["--variant", "book-split", "book-best"]) == 0
    out = capsys.readouterr().out
    assert "book-split: already the book's: the split" in out
    assert "book-best: already the book's: the best over epochs" in out
    assert not (tmp_path / "results").exists()


def tiny_sets():
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, size=(60, 784)).astype(np.uint8)
    y = rng.integers(0, 10, size=60)
    return tuple(MNISTSplit(pixels / np.float32(255), y) for _ in range(3))


def test_a_variant_goes_to_its_own_file_and_defaults_to_the_books_outside(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "results").mkdir()
    spread = {"seeds": 2, "settings": {"epochs": None, "n": None}, "experiments": {
        "CE-30": {"best_test": spread_file.spread([95.0, 95.1], 95.49)},
        "CE-100": {"best_test": spread_file.spread([96.7, 96.9], 96.82)}}}
    book_file = tmp_path / "results" / "seed_spread.json"
    book_file.write_text(json.dumps(spread))
    monkeypatch.setattr(reproduce, "_DATA", {"sets": tiny_sets()})
    reproduce.main(["--variant", "float64", "network2-init", "--seeds", "2", "--jobs", "1"])
    assert json.loads(book_file.read_text()) == spread  # the seed spread is left alone
    written = record.read_variants(tmp_path / "results" / "variants.json")["variants"]
    entry = written["float64+network2-init"]
    assert list(entry["experiments"]) == ["CE-30"]  # only where the book lies outside
    assert entry["seeds"] == 2 and entry["experiments"]["CE-30"]["best_test"]["count"] == 2
    assert "float64" in entry["change"] and "wall_seconds" in entry


def test_gap_rows_and_verdicts():
    base = {"experiments": {"L2-50k": {
        "best_test": spread_file.spread([96.1, 96.2, 96.3], 96.49),
        "gap": spread_file.spread([0.7, 0.8], None)}}}
    tried = {"float64": {"experiments": {"L2-50k": {"best_test": spread_file.spread(
        [95.9, 96.2, 96.5], 96.49)}}}}
    row, = variants.gap_rows(base, tried)
    assert row["effect"] == pytest.approx(0.0) and row["inside"] is True
    text, = variants.verdicts(base, tried)
    assert text == ("L2-50k best_test (book 96.49, our seeds 96.20 ± 0.10): one change over the "
                    "same seeds moves the mean by float64 +0.00 (0.0 se)")
    assert "not yet tested" in variants.verdicts(base, {})[0]


def test_the_books_own_seed_is_one_run_of_a_variant_only(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit):  # the seed spread is seeds 1, 2, ...
        reproduce.main(["--book-seed", "--only", "CE-30"])
    seen = []
    monkeypatch.setattr(reproduce, "sweep", lambda fn, configs, n_jobs=None: seen.extend(
        configs) or [{"best_test": 95.0} for _ in configs])
    reproduce.main(["--variant", "pixels256", "--book-seed", "--only", "CE-30", "--out",
                    str(tmp_path / "v.json")])
    assert [c["seed"] for c in seen] == [reproduce.BOOK_SEED == 12345678 and 12345678]
    entry = record.read_variants(tmp_path / "v.json")["variants"]["pixels256 (seed 12345678)"]
    assert entry["seeds"] == 1 and entry["experiments"]["CE-30"]["best_test"]["values"] == [95.0]


def test_by_chance_counts_what_one_more_seed_would_give():
    spread = {"experiments": {
        "CE-30": {"best_test": spread_file.spread([95.0, 95.2, 95.4], 95.49)},  # z = +1.3
        "CE-100": {"best_test": spread_file.spread([96.0, 96.2, 96.4], 97.9)},  # z = +8.2
        "L2-50k": {"gap": spread_file.spread([0.7, 0.8, 0.9], None)}}}
    total, found, expected, beyond = variants.by_chance(spread)
    assert (total, found) == (2, 2) and expected == pytest.approx(1.0)  # 2 x 2/4
    assert [(i, k) for i, k, _ in beyond] == [("CE-100", "best_test")]
    assert beyond[0][2] == pytest.approx(1.7 / (0.2 * (1 + 1 / 3) ** 0.5))


def test_inits_large_run_shuffles_on_from_the_default_runs_thirty_epochs():
    exp = registry.get("INIT-30")  # the book's script trains default, then large, one list
    default = variants.network(exp, "default", 1, ("network2-init",))
    large = variants.network(exp, "large", 1, ("network2-init",))
    assert default.rng.order is None and len(large.rng.order) == 50_000
    fresh = variants.Network2Order(1)
    for _ in range(30):
        fresh.permutation(50_000)
    assert large.rng.permutation(50_000).tolist() == fresh.permutation(50_000).tolist()


def test_a_book_seed_run_that_gives_the_books_value_is_said_so():
    base = {"experiments": {"L2-50k": {"best_test": spread_file.spread([96.1, 96.2, 96.3],
                                                                        96.49)}}}
    tried = {"all (seed 12345678)": {"experiments": {"L2-50k": {
        "best_test": spread_file.spread([96.49], 96.49)}}}}
    assert variants.verdicts(base, tried) == [
        "L2-50k best_test (book 96.49, our seeds 96.20 ± 0.10): with the book's seed "
        "12345678, all gives exactly the book's value"]
    tried["all (seed 12345678)"]["experiments"]["L2-50k"]["best_test"] = spread_file.spread(
        [96.2], 96.49)
    assert "no variant gives the book's value" in variants.verdicts(base, tried)[0]
    assert variants.verdicts(base, tried)[0].endswith("elsewhere); all 96.20")


def test_what_the_books_scripts_drew_before_a_run():
    eta, size = registry.get("ETA"), registry.get("DATA-SIZE")
    assert network2_draws.script_before(eta, 2.5) == (["default"] * 3, [(50_000, 30, True)] * 2)
    inits, shuffles = network2_draws.script_before(size, 500)
    assert inits == ["default", "large", "large", "large"]
    assert shuffles == [(100, 15_000, False), (200, 7_500, False)]
    assert network2_draws.script_before(registry.get("L2-50k"), None) == (
        ["default", "large"], [])
    order = network2_draws.Network2Order(5)
    order.skip(4, 2, same_list=False)  # another list: 3 draws an epoch, no order kept
    assert order.order is None and order.random.getstate() == _after(5, 6)


def _after(seed, draws):
    r = random.Random(seed)
    for _ in range(draws):
        r.random()
    return r.getstate()
