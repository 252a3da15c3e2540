"""The reproduction chart: every quantity of the scorecard on one picture.

One row per quantity. Each row is drawn on its own scale, the quantity's acceptance range:
for a value the book gives with a tolerance, x = (value - book) / tol, so the book sits at 0
and the tolerance band runs from -1 to 1; for a quantity checked against a band [lo, hi]
(a behaviour the book describes), x = (value - middle) / half-width, so the band again runs
from -1 to 1. On that scale the chart shows

- the band (grey): inside it, a rerun agrees with the book;
- the book's value (a black diamond), where the book gives one;
- this run (a blue dot), the value the chapters recorded;
- the seed spread (an orange bar from the lowest to the highest of our seeds, a tick at their
  mean), where ``python -m ch3_code.reproduce`` measured one.

So a glance answers the scorecard's two questions: is this run inside the band, and does the
book's own value lie inside the range our seeds give? Values beyond +-3 are drawn at the edge,
with an arrow.
"""

import base64
import html
import io

import matplotlib.pyplot as plt
import numpy as np

from .results import get

EDGE = 3.0  # beyond this many half-bands a value is drawn at the edge
COLOURS = {"band": "0.88", "book": "black", "run": "#0072B2", "spread": "#E69F00"}


def scale(quantity):
    """(centre, half-width) of a quantity's acceptance range, or None if it has none."""
    if quantity.band is not None:
        lo, hi = quantity.band
        return (lo + hi) / 2, max((hi - lo) / 2, 1e-12)
    if quantity.tol is not None and quantity.book is not None:
        return quantity.book, max(quantity.tol, 1e-12)
    return None


def positions(row, stats):
    """The row's book, run, spread minimum, mean and maximum on its own scale (None if absent)."""
    sc = scale(get(row["id"]).quantity(row["key"]))
    if sc is None:
        return None
    centre, half = sc

    def x(value):
        return None if value is None else (value - centre) / half

    spread = (x(stats["min"]), x(stats["mean"]), x(stats["max"])) if stats else None
    return {"book": x(row["book"]), "run": x(row["value"]), "spread": spread}


def _clip(x):
    return float(np.clip(x, -EDGE, EDGE))


def reproduction_chart(rows, spread_of, width=9.0):
    """The chart for scorecard ``rows`` (``tables.rows_for`` dicts) as a matplotlib Figure.

    ``spread_of(exp_id, key)`` gives a quantity's seed statistics (mean, min, max) or None.
    """
    drawn = [(row, positions(row, spread_of(row["id"], row["key"]))) for row in rows]
    drawn = [(row, p) for row, p in drawn if p is not None]
    fig, ax = plt.subplots(figsize=(width, 0.24 * len(drawn) + 1.4), layout="constrained")
    ax.axvspan(-1, 1, color=COLOURS["band"], zorder=0, label="tolerance band")
    ax.axvline(0, color="0.6", lw=0.6, zorder=0)
    for y, (row, p) in enumerate(drawn):
        if p["spread"]:
            lo, mean, hi = (_clip(v) for v in p["spread"])
            ax.plot([lo, hi], [y, y], color=COLOURS["spread"], lw=4, solid_capstyle="butt",
                    label="seed spread (lowest to highest)" if y == 0 else None, zorder=1)
            ax.plot([mean], [y], "|", color="black", ms=8, zorder=2)
        if p["book"] is not None:
            ax.plot([_clip(p["book"])], [y], "D", color=COLOURS["book"], ms=4, zorder=3,
                    label="the book" if y == 0 else None)
        if p["run"] is not None:
            ax.plot([_clip(p["run"])], [y], "o", color=COLOURS["run"], ms=5, zorder=4,
                    label="this run" if y == 0 else None)
            if abs(p["run"]) > EDGE:
                ax.annotate("", (np.sign(p["run"]) * (EDGE + 0.3), y),
                            (np.sign(p["run"]) * EDGE, y), arrowprops=dict(arrowstyle="->"))
    labels = [f"{row['id']}: {row['quantity']}" for row, _ in drawn]
    ax.set_yticks(range(len(drawn)), labels, fontsize=7)
    ax.set_ylim(len(drawn) - 0.5, -0.5)
    ax.set_xlim(-EDGE - 0.4, EDGE + 0.4)
    ax.set_xlabel("distance from the book's value (or the band's middle), in tolerances")
    ax.plot([], [], "|", color="black", ms=8, label="mean of the seeds")
    handles, names = ax.get_legend_handles_labels()
    order = [names.index(n) for n in ("tolerance band", "the book", "this run",
                                      "seed spread (lowest to highest)", "mean of the seeds")
             if n in names]
    fig.legend([handles[i] for i in order], [names[i] for i in order],
               loc="outside upper center", ncol=3, fontsize=8, frameon=False)
    return fig


def alt_text(rows, spread_of):
    """A sentence for the chart's alt text, computed from the same rows."""
    drawn = [(r, positions(r, spread_of(r["id"], r["key"]))) for r in rows]
    drawn = [(r, p) for r, p in drawn if p is not None]
    inside = sum(1 for _, p in drawn if p["run"] is not None and abs(p["run"]) <= 1 + 1e-9)
    with_spread = [(r, p) for r, p in drawn if p["spread"] and p["book"] is not None]
    outside = [r for r, p in with_spread
               if not p["spread"][0] - 1e-9 <= p["book"] <= p["spread"][2] + 1e-9]
    return (f"Reproduction chart of {len(drawn)} quantities: this run lies inside the tolerance "
            f"band for {inside} of them; {len(with_spread)} have a seed spread and a book "
            f"value, and the book's value lies outside our seeds' range for {len(outside)}"
            + (": " + ", ".join(f"{r['id']} {r['key']}" for r in outside) if outside else "")
            + ".")


CAPTION = ("The reproduction chart: each quantity on its own scale, in tolerances from the "
           "book's value (grey: within tolerance). A blue dot is this run, a black diamond the "
           "book, an orange bar the range of our seeds with a tick at their mean: where the "
           "diamond sits off the bar, the book's single run lies outside our seeds' range.")


def figure_html(fig, alt, caption=CAPTION):
    """``fig`` as an HTML figure (the PNG inline) with its alt text and caption; closes it."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (f'<figure class="ch3-chart"><img src="data:image/png;base64,{data}" '
            f'alt="{html.escape(alt)}" style="max-width:100%">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>")
