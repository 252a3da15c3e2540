"""When to stop training, and when to lower eta: the book's "no improvement in n epochs" rules.

Chapter 3 of the book stops a run early once the validation accuracy has not improved for
n epochs (``early_stopping``), and suggests a learning-rate schedule: hold eta constant
until the accuracy stops improving for a while, then divide it (by 2, say), and stop when
eta has fallen to a small fraction (1/128, say) of its first value (``eta_patience``,
``eta_divisor``, ``eta_floor``). ``StopRules`` keeps the count of epochs without
improvement and the current eta; ``training.train`` asks it after every epoch:

    rules = StopRules(0.5, early_stopping=10)
    for epoch in range(epochs):
        ...                                   # one epoch of SGD with eta = rules.eta
        stop = rules.after_epoch(epoch, history["evaluation_accuracy"][-1])
        if stop:
            break                             # stop = (status, message)

It knows nothing of networks or data: one score per epoch (higher is better) in, a verdict
out. It lives at the top of the package, beside ``training``, because these rules are the
chapter's own subject (early stopping, the eta schedule), not plumbing.
"""
import math

__all__ = ["StopRules"]


class StopRules:
    """Early stopping and the eta schedule, fed one score per epoch.

    eta: the first learning rate; ``rules.eta`` is the one to use for the next epoch.
    early_stopping: stop after this many epochs with no improvement (None: never).
    eta_patience: divide eta by eta_divisor after this many epochs with no improvement
        (None: keep eta constant), and stop once eta <= eta_floor x its first value.
    After each ``after_epoch``, ``improved`` says whether that epoch's score was the best
    so far (strictly higher than every earlier one: the first of equal scores counts).
    """

    def __init__(self, eta, early_stopping=None, eta_patience=None, eta_divisor=2.0,
                 eta_floor=1 / 128):
        self.eta0 = self.eta = eta
        self.early_stopping, self.eta_patience = early_stopping, eta_patience
        self.eta_divisor, self.eta_floor = eta_divisor, eta_floor
        self.best = -math.inf   # the best score so far
        self.since_best = 0     # epochs since the best score (early stopping counts these)
        self.since_change = 0   # epochs since the best score or the last change of eta
        self.improved = False

    def after_epoch(self, epoch, score):
        """Take epoch ``epoch``'s score (None: nothing watched); return (status, message) if
        the run stops now, else None. ``self.eta`` may have been divided for the next epoch."""
        self.improved = score is not None and score > self.best
        if score is None:
            return None
        if self.improved:
            self.best, self.since_best, self.since_change = score, 0, 0
            return None
        self.since_best, self.since_change = self.since_best + 1, self.since_change + 1
        if self.early_stopping and self.since_best >= self.early_stopping:
            return ("early-stopped", f"stopped early after epoch {epoch}: no improvement in "
                    f"{self.early_stopping} epochs")
        if self.eta_patience and self.since_change >= self.eta_patience:
            self.eta, self.since_change = self.eta / self.eta_divisor, 0
            if self.eta <= self.eta0 * self.eta_floor * (1 + 1e-9):  # 1e-9: rounding of eta/2^k
                return ("eta-floor", f"stopped after epoch {epoch}: eta fell to {self.eta:.3g} "
                        f"({self.eta0:g} x {self.eta_floor:g})")
        return None
