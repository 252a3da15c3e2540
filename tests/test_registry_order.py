"""The registry's entries keep their order and their content (the tables, the scorecard and
results/*.json follow the order of ``ids()``), wherever in ``ch3_code.book`` they are written."""
import dataclasses
import hashlib

import numpy as np

from ch3_code.book import results

#: the order of today's registry: the chapters' order, then each chapter's own
IDS = ["CE-30", "CE-100", "QUAD-30", "QUAD-100", "SOFTMAX-30", "NEURON", "OVERFIT-1k",
       "OVERFIT-50k", "DATA-SIZE", "SVM", "L2-1k", "L2-50k", "L2-100", "L2-100-60", "INIT-30",
       "INIT-100", "ETA", "HYPER-BAD", "HYPER-STRIP"]

#: a digest of each entry: its fields and what each quantity measures on the results below
DIGESTS = {
    "CE-30": "fe644729269801cc",
    "CE-100": "757ea525ead73f3e",
    "QUAD-30": "d916dd007128d916",
    "QUAD-100": "833784cf0b90d69a",
    "SOFTMAX-30": "fb7ffdfcf0c45ec6",
    "NEURON": "f59a04db34c341a7",
    "OVERFIT-1k": "73ca66a59f587964",
    "OVERFIT-50k": "f203deaf1219addb",
    "DATA-SIZE": "03d1a395e6acdfde",
    "SVM": "65950cadbed3d1ba",
    "L2-1k": "35857eb795e8791c",
    "L2-50k": "ab40a1d2f1102a41",
    "L2-100": "9b81700fbfb5ee7a",
    "L2-100-60": "ebce999efb1db576",
    "INIT-30": "b1f202891ae977e5",
    "INIT-100": "ac26c3d74ef2aec5",
    "ETA": "5cc9cb796ddcb2e6",
    "HYPER-BAD": "ad93acc4c8f9945b",
    "HYPER-STRIP": "351a16288c2ecc8b",
}


def history(seed, n_epochs=400):
    """A History-like dict of noisy curves (accuracies as fractions, reaching 1.0 in training)."""
    rng = np.random.default_rng(seed)
    rise = np.minimum(np.linspace(0.6, 1.05, n_epochs), 1.0)
    curve = lambda top: list(np.clip(rise * top + rng.normal(0, 0.01, n_epochs), 0, 1))  # noqa: E731
    cost = list(np.abs(np.linspace(1.5, 0.3, n_epochs) + rng.normal(0, 0.05, n_epochs)))
    return {"epoch": list(range(n_epochs)), "train_accuracy": list(np.minimum(rise, 1.0)),
            "test_accuracy": curve(0.95), "evaluation_accuracy": curve(0.96),
            "test_cost": cost, "train_cost": cost[::-1]}


def result_for(exp):
    """A result of the shape the experiment's ``result`` describes."""
    if exp.id == "NEURON":
        return {run: np.linspace(0.99, 0.01 * i, 301) for i, run in enumerate(exp.runs)}
    if exp.id == "SVM":
        return {n: 80.0 + i for i, n in enumerate(results.SIZES)}
    if exp.runs:
        return {run: history(i) for i, run in enumerate(exp.runs)}
    return history(0)


def shown(value):
    return "<function>" if callable(value) else repr(value)


def digest(exp):
    """sha256 of every field of the entry and of each quantity's value on ``result_for(exp)``."""
    fields = [f"{f.name}={shown(getattr(exp, f.name))}" for f in dataclasses.fields(exp)
              if f.name != "quantities"]
    result = result_for(exp)
    for q in exp.quantities:
        fields += [f"{f.name}={shown(getattr(q, f.name))}" for f in dataclasses.fields(q)]
        try:
            value = q.measure(result)
            fields.append(repr(None if value is None else float(value)))
        except Exception as error:  # noqa: BLE001 - the kind of failure is part of the content
            fields.append(type(error).__name__)
    return hashlib.sha256("\n".join(fields).encode()).hexdigest()[:16]


def test_the_registry_keeps_its_order():
    assert results.ids() == IDS
    assert [e.id for e in results.ENTRIES] == IDS
    assert list(results.EXPERIMENTS) == IDS and list(results.experiments()) == IDS


def test_every_entry_keeps_its_content():
    changed = {e.id: digest(e) for e in results.ENTRIES if digest(e) != DIGESTS.get(e.id)}
    assert not changed, f"entries whose fields or measures changed (new digests): {changed}"
