"""network2's random draws, put on an NN2: the ``network2-init`` variant of
:mod:`ch3_code.book.variants` (``python -m ch3_code.reproduce --variant network2-init``).

network2 draws its initial weights from NumPy's global generator (``np.random.randn``) and
shuffles the training list with Python's ``random.shuffle`` at the start of every epoch.
The book's ``fig/`` scripts seed both with 12345678 and then train several runs one after
another on the same streams: ``script_before`` says what ran before a run, so that a run
starts where the book's script had left the streams (``--book-seed`` then gives the book's
own draws). The package's defaults are not changed: only the network given is.
"""
import random

import numpy as np


class Network2Order:
    """network2's order of the training examples, as a stand-in for ``net.rng``.

    network2 calls ``random.shuffle(training_data)`` at the start of every epoch: the list is
    shuffled in place, so each epoch reshuffles the previous epoch's order. The book ran on
    Python 2.7, whose shuffle takes j = int(random() * (i + 1)) (Python 3 draws j with
    getrandbits, another order from the same seed); ``random.Random(seed)`` seeds the same
    Mersenne Twister as Python 2.7's ``random.seed(seed)`` for a whole number.
    """

    def __init__(self, seed):
        self.random = random.Random(seed)
        self.order = None

    def permutation(self, n):
        if self.order is None or len(self.order) != n:
            self.order = list(range(n))
        order, draw = self.order, self.random.random
        for i in reversed(range(1, n)):
            j = int(draw() * (i + 1))
            order[i], order[j] = order[j], order[i]
        return np.array(order)

    def skip(self, n, epochs, same_list):
        """Advance past an earlier run's ``epochs`` shuffles of ``n`` examples: of this list
        (``same_list``: its order carries on) or of another (only the draws are used up)."""
        for _ in range(epochs):
            if same_list:
                self.permutation(n)
            else:
                for _ in range(n - 1):
                    self.random.random()


def network2_start(net, seed, inits=("default",), shuffles=()):
    """Give ``net`` network2's initial weights and shuffling for ``seed`` (in place).

    ``np.random.RandomState(seed)`` draws what ``np.random.seed(seed)`` makes
    ``np.random.randn`` draw. ``inits``: the initialisations drawn in turn ("default":
    biases, then weights / sqrt(n_in), as network2's constructor; "large": biases and weights
    N(0, 1)); the last is kept. ``shuffles``: the earlier runs' (n, epochs, same_list).
    """
    draws = np.random.RandomState(seed)
    sizes = net.layer_sizes
    for init in inits:
        biases = [draws.randn(y, 1) for y in sizes[1:]]
        weights = [draws.randn(y, x) / np.sqrt(x) if init == "default" else draws.randn(y, x)
                   for x, y in zip(sizes[:-1], sizes[1:])]
    net.biases = [b.astype(net.dtype) for b in biases]
    net.weights = [w.astype(net.dtype) for w in weights]
    net.rng = Network2Order(seed)
    for n, epochs, same_list in shuffles:
        net.rng.skip(n, epochs, same_list)
    return net


def script_before(exp, run):
    """(inits, shuffles): what the book's script drew before ``run`` of ``exp``.

    fig/weight_initialization.py: one network, the default run, then large weights and the
    large run on the same list; fig/multiple_eta.py: a new network per rate (default
    initialisation), one list; fig/more_data.py: one network, large weights drawn again for
    each size, a new slice of the list per size. Any other experiment is one run: the
    constructor's default draws, then the large ones if the experiment uses them.
    """
    config = exp.run_config(run)
    first = ["default"] + ["large"] * (config["init"] == "large")
    order = list(exp.runs)
    if exp.id.startswith("INIT") and run == "large":
        before = exp.run_config("default")
        return ["default", "large"], [(before["n"], before["epochs"], True)]
    if exp.id == "ETA":
        k = order.index(run)
        return ["default"] * (k + 1), [(config["n"], config["epochs"], True)] * k
    if exp.id == "DATA-SIZE":
        k = order.index(run)
        earlier = [exp.run_config(r) for r in order[:k]]
        return (["default"] + ["large"] * (k + 1),
                [(c["n"], c["epochs"], False) for c in earlier])
    return first, []
