"""Controlled reruns: why does the book's value lie outside our seeds' range?

    python -m ch3_code.reproduce --variant float64 --jobs 2
    python -m ch3_code.reproduce --variant float64 pixels256 network2-init --only L2-50k

A variant changes one thing of our runs towards the book's own code and data, everything
else as in the seed spread (the same seeds 1, 2, ..., the book's settings). Without
``--only`` it reruns the experiments with a quantity whose book value lies outside the seed
range in ``results/seed_spread.json``; its results go to ``results/variants.json``, never
into the seed spread. Several names combine into one variant. ``gap_rows`` compares each
variant's mean with the seed spread's: the effect of that one cause, in points.

Two candidate causes need no rerun, because our code already does what the book's does
(``SAME_AS_BOOK`` says why); asking for them prints that and runs nothing.
"""
import math

import numpy as np

from ..mnist import MNISTSplit
from ..network import NN2
from .network2_draws import Network2Order, network2_start, script_before  # noqa: F401
from .results import get

VARIANTS = {
    "float64": "arithmetic in float64, as network2's (ours is float32)",
    "pixels256": "pixels p/256 as in the book's mnist.pkl.gz (largest 0.99609375), not p/255",
    "network2-init": "network2's start and order of draws: np.random.seed(seed); randn biases "
                     "then weights (the default initialiser, then the large one drawn again); "
                     "the training list reshuffled in place each epoch by Python 2.7's "
                     "random.shuffle, seeded with the same seed",
}
SAME_AS_BOOK = {
    "book-split": "the split (training: the first 50,000 images of MNIST's training file, "
                  "validation: the last 10,000, in ch3_code/mnist/load.py as in the book's "
                  "mnist.pkl.gz)",
    "book-best": "the best over epochs (the book's fig/overfitting.py keeps network2's list "
                 "of one value after each epoch and plots entry i at epoch i, from 0; its "
                 "best is that list's maximum, as ours is the maximum over History's epochs "
                 "0, 1, ...)",
}


def check_names(names):
    """The variant's names in a fixed order; ValueError naming an unknown one."""
    unknown = [n for n in names if n not in VARIANTS and n not in SAME_AS_BOOK]
    if unknown:
        raise ValueError(f"no variant {unknown[0]!r}; variants: "
                         f"{', '.join([*VARIANTS, *SAME_AS_BOOK])}")
    return tuple(n for n in VARIANTS if n in names)


def label(names):
    """One name for a combination: "float64+pixels256"."""
    return "+".join(check_names(names))


def data(sets, names):
    """The (training, validation, test) splits the variant trains and measures on."""
    if "pixels256" not in names:
        return sets
    # p / 256 is exact in float32; the book's largest pixel is 255 / 256 = 0.99609375
    return tuple(MNISTSplit(split.pixels.astype(np.float32) / np.float32(256), split.y,
                            one_hot=split.one_hot, name=split.name) for split in sets)


def network(exp, run, seed, names=()):
    """The experiment's network for ``seed`` with the variant ``names`` applied."""
    if not names:
        return exp.network(run, seed=seed)
    config = exp.run_config(run)
    net = NN2(config["layer_sizes"], rand_seed=seed, cost=config["cost"],
              dtype="float64" if "float64" in names else "float32")
    if config["init"] == "large":
        net.large_weight_initializer()
    if "network2-init" in names:
        network2_start(net, seed, *script_before(exp, run))
    return net


def outside(spread):
    """[(id, quantity key)] whose book value lies outside the seed spread's range."""
    return [(exp_id, key) for exp_id, quantities in (spread or {}).get("experiments", {}).items()
            for key, stats in quantities.items() if stats.get("book_outside")]


# Student's t, 97.5% point, by degrees of freedom: a 95% prediction interval for one more run
T975 = {1: 12.71, 2: 4.30, 3: 3.18, 4: 2.78, 5: 2.57, 6: 2.45, 7: 2.36, 8: 2.31, 9: 2.26}


def by_chance(spread):
    """(quantities with a book value, how many lie outside the seed range, how many one
    would expect there by chance alone, [(id, key, z)] beyond the 95% prediction interval).

    If the book's single run is one more draw of the same distribution, it lies outside the
    range of n seeds with probability 2 / (n + 1); z is (book - mean) / (sd sqrt(1 + 1/n)),
    beyond the interval when |z| > t(n - 1).
    """
    total, expected, beyond = 0, 0.0, []
    for exp_id, quantities in (spread or {}).get("experiments", {}).items():
        for key, s in quantities.items():
            if s.get("book") is None or s.get("count", 0) < 2 or not s["sd"] > 0:
                continue
            total, expected = total + 1, expected + 2 / (s["count"] + 1)
            z = (s["book"] - s["mean"]) / (s["sd"] * math.sqrt(1 + 1 / s["count"]))
            if abs(z) > T975.get(s["count"] - 1, 1.96):
                beyond.append((exp_id, key, z))
    return total, len(outside(spread)), expected, beyond


def gap_rows(spread, variants):
    """One row per (quantity outside the seed range, variant that reran it): the variant's
    mean minus the seed spread's (``effect``, with its standard error ``se``) and whether
    the book lies inside the variant's range."""
    rows = []
    for exp_id, key in outside(spread):
        base = spread["experiments"][exp_id][key]
        for name, record in (variants or {}).items():
            v = record.get("experiments", {}).get(exp_id, {}).get(key)
            if not v or not v.get("count"):
                continue
            se = math.sqrt(base["sd"] ** 2 / base["count"] + v["sd"] ** 2 / v["count"])
            d = get(exp_id).quantity(key).digits  # to the book's printed digits
            rows.append(dict(id=exp_id, key=key, variant=name, book=base["book"], digits=d,
                             base=base, stats=v, effect=v["mean"] - base["mean"], se=se,
                             inside=round(v["min"], d) <= base["book"] <= round(v["max"], d)))
    return rows


def gap_markdown(rows):
    """The rows as a Markdown table (cause, effect on the mean, book inside the range?)."""
    lines = ["| quantity | book | seeds 1-5 (our code) | cause tested | with it | "
             "effect on the mean | book inside the range? |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        b, v, d = r["base"], r["stats"], r["digits"]
        spread = f"({v['min']:.{d}f} to {v['max']:.{d}f})" if v["count"] > 1 else "(one run)"
        lines.append(f"| {r['id']} {r['key']} | {r['book']:g} | {b['mean']:.{d}f} "
                     f"({b['min']:.{d}f} to {b['max']:.{d}f}) | {r['variant']} | "
                     f"{v['mean']:.{d}f} {spread} | {r['effect']:+.{d}f} ± {r['se']:.{d}f} | "
                     f"{'yes' if r['inside'] else 'no'} |")
    return "\n".join(lines)


def reproduced(spread, variants):
    """[(id, key)] outside the seed range whose book value a one-run variant gives exactly."""
    return list(dict.fromkeys(
        (r["id"], r["key"]) for r in gap_rows(spread, variants) if r["stats"]["count"] == 1
        and _same(r["stats"]["mean"], r["book"], get(r["id"]).quantity(r["key"]).digits)))


def _same(value, book, digits):
    return round(value, digits) == round(book, digits)


def verdicts(spread, variants):
    """One sentence per quantity outside the seed range: what the reruns showed.

    A one-run variant (``--book-seed``) either gives the book's value to its printed digits
    (the book's run is that seed's draw) or not (the book's number is another run's); a
    variant over seeds moves the mean by its effect, in standard errors.
    """
    rows, out = gap_rows(spread, variants), []
    for exp_id, key in outside(spread):
        base, d = spread["experiments"][exp_id][key], get(exp_id).quantity(key).digits
        head = (f"{exp_id} {key} (book {base['book']:g}, our seeds {base['mean']:.{d}f} ± "
                f"{base['sd']:.{d}f})")
        mine = [r for r in rows if (r["id"], r["key"]) == (exp_id, key)]
        parts, singles = [], [r for r in mine if r["stats"]["count"] == 1]
        hits = [r for r in singles if _same(r["stats"]["mean"], base["book"], d)]
        misses = ", ".join(f"{r['variant'].split(' (seed')[0]} {r['stats']['mean']:.{d}f}"
                           for r in singles if r not in hits)
        if singles:
            seed = singles[0]["variant"].partition(" (")[2].rstrip(")")
            parts.append(f"with the book's {seed}, " + (
                f"{hits[0]['variant'].split(' (seed')[0]} gives exactly the book's value"
                if hits else "no variant gives the book's value (its number is another "
                "run's, or rounding sent this one elsewhere)") + (f"; {misses}" if misses else ""))
        moved = [f"{r['variant']} {r['effect']:+.{d}f} ({abs(r['effect']) / r['se']:.1f} se)"
                 for r in mine if r["stats"]["count"] > 1 and r["se"] > 0]
        if moved:
            parts.append("one change over the same seeds moves the mean by " + ", ".join(moved))
        untested = "not yet tested (python -m ch3_code.reproduce --variant ...)"
        out.append(f"{head}: {'; '.join(parts) or untested}")
    return out
