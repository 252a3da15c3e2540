"""Writing what ``python -m ch3_code.reproduce`` measured: the seed spread or a variant.

``spreads`` turns the runs' results into each quantity's statistics (``spread_file.spread``).

``results/seed_spread.json`` holds one seed-spread record (see :mod:`.spread_file`);
``results/variants.json`` holds one such record per variant, under ``variants`` by name
(``"float64"``, ``"float64+pixels256"``), each merged and checked the same way. Both are
checked before any training (``really=False``) and replaced in one rename afterwards; if
that fails, the new results are printed rather than lost.
"""
import datetime
import json
import sys

from .results import get
from .spread_file import (SpreadFileError, check_spread, machine, merge_spread, package_version,
                          read_spread, spread, write_atomically)
from .variants import VARIANTS


def spreads(ids, seeds, configs, results, failed):
    """The spreads of the experiments none of whose runs (indices) ``failed``."""
    grouped, broken = {}, {configs[i]["exp_id"] for i in failed}
    for config, result in zip(configs, results):
        key = (config["exp_id"], config["seed"])
        if config["run"] is None:
            grouped[key] = result
        else:
            grouped.setdefault(key, {})[config["run"]] = result
    out = {}
    for exp_id in (i for i in ids if i not in broken):
        exp = get(exp_id)
        measured = [exp.measure(grouped[exp_id, s]) for s in seeds]
        out[exp_id] = {q.key: spread([m[q.key] for m in measured], q.book)
                       for q in exp.quantities}
    return out


def read_variants(path):
    """The variants file's record, every variant checked like a seed-spread file."""
    try:
        record = json.loads(path.read_text(encoding="utf8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise SpreadFileError(f"{path} cannot be read as a variants file ({exc}); fix it, or "
                              "move it away and run the variants again") from exc
    if not isinstance(record, dict) or not isinstance(record.get("variants"), dict):
        raise SpreadFileError(f"{path} is not a variants file: it must be a JSON object with "
                              "a 'variants' object (python -m ch3_code.reproduce --variant ...)")
    for name, entry in record["variants"].items():
        check_spread(entry, f"{path} variants[{name!r}]")
    return record


def write(out, found, record, replace, really=True, variant=None):
    """Merge ``found`` ({id: {key: statistics}}) into ``out`` as it is now and replace it.

    ``variant``: the variant's name (the file is then a variants file). ``really=False``
    only checks, before any training, that the merge would work.
    """
    if really:
        now = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
        record = {"date": now, "machine": machine(), "package_version": package_version(),
                  **record}
    if variant:
        names = variant.split(" ")[0].split("+")  # "float64+pixels256 (seed 12345678)"
        record = {**record, "change": " and ".join(VARIANTS[n] for n in names)}
    try:  # read again: another run may have written the file while this one trained
        if variant:
            whole = read_variants(out) if out.exists() else {"variants": {}}
            old = whole["variants"].get(variant)
        else:
            old = read_spread(out) if out.exists() else None
        merged, notes = merge_spread(old, found, record, replace, out)
        if not really:
            return
        if variant:
            merged = {**whole, "variants": {**whole["variants"], variant: merged}}
        write_atomically(out, json.dumps(merged, indent=1) + "\n")
    except (OSError, SpreadFileError) as exc:
        if not really:
            raise SpreadFileError(str(exc)) from exc
        print(json.dumps({**record, "experiments": found}, indent=1))
        sys.exit(f"could not write {out} ({exc}); the new results are printed above")
    report(found, notes, out)


def report(found, notes, out):
    for exp_id, quantities in found.items():
        for key, s in quantities.items():
            if s["count"]:
                flag = "  (the book's value is outside the seed range)" * s["book_outside"]
                print(f"{exp_id} {key}: {s['mean']:.2f} ± {s['sd']:.2f} "
                      f"[{s['min']:.2f}, {s['max']:.2f}], book {s['book'] or '–'}{flag}")
    print("\n".join(notes + [f"written to {out}"]))
