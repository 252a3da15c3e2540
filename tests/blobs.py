"""A small synthetic classification problem and the quiet training options, shared by the
training tests."""
import numpy as np


def blobs(m=200, n_in=6, n_out=3, seed=0, noise=1.0):
    """A small classification problem: a Gaussian cloud around one centre per class."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=2.0, size=(n_out, n_in))
    labels = rng.integers(0, n_out, size=m)
    return centres[labels] + noise * rng.normal(size=(m, n_in)), labels


QUIET = dict(progress=False, verbose=False)  # no progress bar, no summary line
