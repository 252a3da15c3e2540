"""MNIST digits drawn in a grid: ``digit_grid(images, labels, predictions=...)``.

It takes the forms the chapters hold images in: 28x28 arrays, rows of 784 pixels, the seed's
(784, 1) columns, or a data split (its ``X``); a mistake (a prediction that is not the label)
gets a red title. What it cannot draw is refused with an error naming the argument, before a
figure is made. Also reachable as ``ch3_code.plots.digit_grid``.
"""

import matplotlib.pyplot as plt
import numpy as np

from .figure_style import INK, PALETTE, book_style

#: More images than this in one digit_grid is a mistake (50,000 axes take minutes to draw).
MAX_DIGITS = 400


def digit_grid(images, labels=None, ncols=10, predictions=None, scale=1.0):
    """MNIST digits in a grid; ``labels`` (and ``predictions``, mistakes in red) as titles.

    ``images`` holds 28x28 images, rows of 784 pixels or (784, 1) columns (one image alone
    is drawn alone); a data split shows its ``X``.
    """
    images = _digits(images)
    n = len(images)
    for name, titles in (("labels", labels), ("predictions", predictions)):
        if titles is not None and len(titles) < n:
            raise ValueError(f"{name} holds {len(titles)} entries for {n} images; give one "
                             "per image")
    if not isinstance(ncols, (int, np.integer)) or ncols < 1:
        raise ValueError(f"ncols={ncols!r}: give a whole number of columns, at least 1")
    ncols = max(1, min(ncols, n))
    nrows = max(1, -(-n // ncols))
    with book_style():
        fig, axes = plt.subplots(nrows, ncols, squeeze=False,
                                 figsize=(scale * 0.9 * ncols, scale * 1.05 * nrows))
        for i, ax in enumerate(axes.flat):
            ax.set_axis_off()
            if i >= n:
                continue
            ax.imshow(images[i], cmap="gray_r", vmin=0.0, vmax=1.0)
            if labels is not None:
                text, color = f"{labels[i]}", INK
                if predictions is not None:
                    text += f"→{predictions[i]}"
                    color = INK if predictions[i] == labels[i] else PALETTE[1]
                ax.set_title(text, fontsize=12, color=color, pad=2)
        fig.subplots_adjust(wspace=0.1, hspace=0.35 if labels is not None else 0.05)
    return fig, axes


def _digits(images):
    """``images`` as a list of (28, 28) float arrays, or an error naming the bad one."""
    forms = "give 28x28 images, rows of 784 pixels or (784, 1) columns"
    images = getattr(images, "X", images)
    if isinstance(images, np.ndarray) and images.size == 784 and images.ndim <= 2:
        images = [images]  # one image
    if isinstance(images, (str, bytes)) or not np.iterable(images):
        raise TypeError(f"images is a {type(images).__name__}; {forms}")
    images = list(images)
    if not images or len(images) > MAX_DIGITS:
        raise ValueError(f"images holds {len(images)} images; {forms}, from 1 to {MAX_DIGITS} "
                         "(e.g. images[:20])")
    digits = []
    for i, image in enumerate(images):
        try:
            image = np.asarray(image, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"images[{i}] is a {type(image).__name__}, not an image; {forms} "
                            "(for the seed's (x, y) pairs: [x for x, y in pairs])") from None
        if image.size != 784:
            raise ValueError(f"images[{i}] has shape {image.shape}; digit_grid draws MNIST's "
                             f"28x28 digits: {forms}")
        digits.append(image.reshape(28, 28))
    return digits
