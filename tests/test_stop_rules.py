"""StopRules on its own: early stopping and the eta schedule, one score per epoch in."""
import pytest

from ch3_code.stop_rules import StopRules


def feed(rules, scores):
    """Feed scores epoch by epoch; return (epoch, verdict, eta after it) up to the first stop."""
    seen = []
    for epoch, score in enumerate(scores):
        verdict = rules.after_epoch(epoch, score)
        seen.append((epoch, verdict, rules.eta))
        if verdict:
            break
    return seen


def test_early_stopping_counts_epochs_since_the_best_not_since_any_rise():
    rules = StopRules(0.5, early_stopping=3)
    # best 0.9 at epoch 1; 0.85 at epoch 3 rises from 0.8 but is no improvement on the best
    seen = feed(rules, [0.5, 0.9, 0.8, 0.85, 0.7, 0.95])
    assert seen[-1] == (4, ("early-stopped", "stopped early after epoch 4: no improvement in 3 "
                            "epochs"), 0.5)
    assert rules.best == 0.9


def test_an_equal_score_is_not_an_improvement():
    rules = StopRules(0.5, early_stopping=2)
    assert feed(rules, [0.9, 0.9, 0.9])[-1][1][0] == "early-stopped"
    assert [rules.after_epoch(0, 0.9) for rules in [StopRules(0.5)]] == [None]


def test_improved_marks_only_the_best_epochs():
    rules, improved = StopRules(0.5), []
    for epoch, score in enumerate([0.5, 0.7, 0.6, 0.7, 0.8]):
        rules.after_epoch(epoch, score)
        improved.append(rules.improved)
    assert improved == [True, True, False, False, True]


def test_the_schedule_halves_eta_after_patience_and_stops_at_the_floor():
    rules = StopRules(1.0, eta_patience=2, eta_divisor=2.0, eta_floor=1 / 4)
    seen = feed(rules, [0.5] + [0.4] * 10)
    assert [eta for _, _, eta in seen] == [1.0, 1.0, 0.5, 0.5, 0.25]
    assert seen[-1][:2] == (4, ("eta-floor", "stopped after epoch 4: eta fell to 0.25 (1 x 0.25)"))


def test_an_improvement_resets_the_schedules_patience():
    rules = StopRules(1.0, eta_patience=2)
    feed(rules, [0.5, 0.4, 0.6, 0.4])  # the rise at epoch 2 starts the count again
    assert rules.eta == 1.0 and rules.since_change == 1
    rules.after_epoch(4, 0.4)
    assert rules.eta == 0.5


def test_early_stopping_wins_when_both_rules_fire_in_the_same_epoch():
    rules = StopRules(1.0, early_stopping=2, eta_patience=2)
    assert feed(rules, [0.5, 0.4, 0.4])[-1][1][0] == "early-stopped"


@pytest.mark.parametrize("scores", [[None] * 20, []])
def test_nothing_to_watch_never_stops(scores):
    rules = StopRules(0.5, early_stopping=1, eta_patience=1)
    assert all(verdict is None for _, verdict, _ in feed(rules, scores))
    assert rules.eta == 0.5 and not rules.improved
