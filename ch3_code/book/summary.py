"""The scorecard's text: how many quantities agree, and what the seed spread and the controlled
reruns say about the book values that lie outside our seeds' range."""
from . import variants
from .stored import RESULTS

VARIANTS_FILE = RESULTS / "variants.json"


def summary(table, missing, spread, tried=None):
    """The scorecard's text: counts, what is missing, the gaps and the seed spread's record."""
    counts = {}
    for row in table.rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    words = {"within": "within the tolerance", "outside": "outside it", "not rerun": "not rerun",
             "shown": "shown without a check", "no result": "without a recorded result"}
    precomputed = sum(1 for row in table.rows if row.get("precomputed"))
    lines = [f"Of the {len(table.rows)} quantities: " + ", ".join(
        f"{counts[k]} {w}" for k, w in words.items() if counts.get(k)) + "."
        + (f" {precomputed} of them were measured once outside the chapters (marked "
           "precomputed: too slow to rerun there)." if precomputed else "")]
    if missing:
        lines.append("No recorded result yet (the chapter has not been run with "
                     f"registry.check): {', '.join(missing)}.")
    outside = [f"{i} {k}" for i, k in variants.outside(spread)]
    if outside:
        lines.append("The book's value lies outside the range of the seeds for: "
                     f"{', '.join(outside)}.")
        lines.append(_gaps(spread, tried or {}))
    if spread:
        wall = spread.get("wall_seconds")
        lines.append(f"Seed spread: {spread.get('seeds')} seeds per experiment, run on "
                     f"{spread.get('date')} on {spread.get('machine')} with ch3_code "
                     f"{spread.get('package_version')}: `{spread.get('command', '')}`"
                     + (f", {wall / 60:.0f} minutes of wall time" if wall else "") + "."
                     + (f" {spread['note']}" if spread.get("note") else ""))
        capped = {k: v for k, v in (spread.get("settings") or {}).items() if v}
        if capped:
            lines.append("This seed spread is a quick trial, not the book's runs: "
                         + ", ".join(f"{k} capped at {v:,}" for k, v in capped.items()) + ".")
    else:
        lines.append("No seed spread recorded yet: run `python -m ch3_code.reproduce --seeds 5`.")
    return lines


def _gaps(spread, tried):
    """How often chance alone puts the book outside, and what the controlled reruns
    (``results/variants.json``) showed about those gaps."""
    total, found, expected, beyond = variants.by_chance(spread)
    far = ", ".join(f"{i} {k} (z = {z:+.1f})" for i, k, z in beyond) or "none"
    text = [f"By chance alone: if the book's single run were one more seed, it would lie "
            f"outside the range of {spread.get('seeds')} seeds with probability "
            f"2/{spread.get('seeds', 0) + 1}, so {expected:.0f} of the {total} book values "
            f"with a spread would be expected outside, and {found} are; the 95% prediction "
            f"interval for one more run (mean ± t·sd·√(1 + 1/n)) leaves out: {far}."]
    rows = variants.gap_rows(spread, tried)
    if not rows:
        text.append("Why is not measured yet: `python -m ch3_code.reproduce --variant float64` "
                    "(then pixels256, network2-init) reruns them with one change towards the "
                    f"book's code each, into {VARIANTS_FILE.as_posix()}.")
    else:
        exact = variants.reproduced(spread, tried)
        if exact:
            text.append(f"Measured: for {len(exact)} of the {found}, our code with the book's "
                        "code path (float64, pixels p/256, network2's draws) and the seed of "
                        "the book's scripts, 12345678, gives exactly the book's value: the gap "
                        "is the book's single run being one draw, not a difference in the code.")
        text.append(f"The controlled reruns ({VARIANTS_FILE.as_posix()}, `python -m "
                    "ch3_code.reproduce --variant NAME [--book-seed]`): "
                    + "; ".join(variants.verdicts(spread, tried)) + ". Effect on the mean: "
                    "the variant's mean minus the seed spread's, ± its standard error (se).")
    text.append("Already the book's, so not rerun: "
                + "; ".join(variants.SAME_AS_BOOK.values()) + ".")
    return " ".join(text) + ("\n\n" + variants.gap_markdown(rows) if rows else "")
