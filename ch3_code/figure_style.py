"""The one look of every figure the chapters draw, and a check that it stays legible on a phone.

:data:`BOOK_STYLE` is a set of matplotlib settings: an opaque white background with dark-grey
text (:data:`INK`), so a figure reads the same in the book theme's light mode and on its dark
mode's light image cards, and the Okabe-Ito colour-blind-safe :data:`PALETTE`. Fonts are sized
so that a :data:`WIDE` (7-inch) figure shrunk to a 390-pixel phone screen still shows text
about 10 pixels high, which :func:`smallest_font_px` measures: panels go one above the other,
since two side by side in a wider figure would shrink every label.

``use_book_style()`` applies the style to every following figure (a notebook's first cell);
``with book_style():`` applies it to the figures made inside the block only (what
:mod:`ch3_code.plots` and :mod:`ch3_code.digits` do, so they never change a learner's settings).
"""

from contextlib import contextmanager

import matplotlib as mpl

PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
INK = "#333333"
BOOK_STYLE = {
    "figure.facecolor": "white", "axes.facecolor": "white", "savefig.facecolor": "white",
    "figure.dpi": 100, "savefig.bbox": "tight", "savefig.pad_inches": 0.1,
    "axes.prop_cycle": mpl.cycler(color=PALETTE),
    "axes.edgecolor": INK, "axes.labelcolor": INK, "axes.titlecolor": INK, "text.color": INK,
    "xtick.color": INK, "ytick.color": INK, "axes.grid": True, "grid.color": "#d0d0d0",
    "grid.linewidth": 0.6, "axes.spines.top": False, "axes.spines.right": False,
    "lines.linewidth": 1.8, "font.size": 13, "axes.titlesize": 13, "axes.labelsize": 13,
    "xtick.labelsize": 13, "ytick.labelsize": 13, "legend.fontsize": 13,
    "figure.titlesize": 15, "legend.frameon": False,
}
WIDE = 7.0  # inches: the widest figure; more panels go one above the other, not side by side


def use_book_style():
    """Apply the book style to every following figure (for notebooks)."""
    mpl.rcParams.update(BOOK_STYLE)


@contextmanager
def book_style():
    """Context manager: the book style for the figures made inside the ``with`` block.

    Jupyter's inline backend switches matplotlib to interactive mode when the first figure is
    made; that switch is kept, or later figures would no longer show by themselves.
    """
    interactive = {}
    try:
        with mpl.rc_context(BOOK_STYLE):
            try:
                yield
            finally:
                interactive["value"] = mpl.rcParams["interactive"]
    finally:
        if "value" in interactive:
            mpl.rcParams["interactive"] = interactive["value"]


def smallest_font_px(fig, screen_px=390):
    """The height in pixels of the figure's smallest text when the figure is shown
    ``screen_px`` pixels wide (a phone screen is about 390)."""
    scale = screen_px / (fig.get_figwidth() * fig.dpi)
    sizes = [t.get_fontsize() for t in fig.findobj(mpl.text.Text)
             if t.get_text() and t.get_visible()]
    return min(sizes) * fig.dpi / 72 * scale if sizes else None
