"""The automatic rules as pure functions: flag weights, the hide score, spam and closing.

Worked examples (spec): a flag weighs 1 + the flagger's trust level (staff 5) plus an
accuracy bonus once they have more than 5 resolved flags. With the new-site hide score of
8.33, three TL2 flags hide a post (3 × 3 = 9), four TL1 flags do not (4 × 2 = 8) and five do
(10); two TL3 flags do not (2 × 4 = 8).
"""

from __future__ import annotations

from statistics import median


def accuracy_bonus(agreed: int, disagreed: int, *, min_flags: int = 5, maximum: float = 5) -> float:
    """Up to ``maximum`` for people whose resolved flags (more than ``min_flags``) were mostly
    agreed with; nothing before that."""
    total = agreed + disagreed
    if total <= min_flags:
        return 0.0
    return round(maximum * agreed / total, 2)


def flag_weight(
    trust_level: int, *, staff: bool, bonus: float = 0.0, staff_weight: float = 5
) -> float:
    """1 + trust level (staff: ``staff_weight``) + the accuracy bonus."""
    base = staff_weight if staff else 1 + int(trust_level)
    return float(base) + bonus


def hide_threshold(
    agreed_scores: list[float], *, default: float = 8.33, min_items: int = 20, factor: float = 1.0
) -> float:
    """The score that hides a post: ``default`` on a new site; once ``min_items`` items were
    agreed with, ``factor`` × the median of their scores, never below ``default``'s half."""
    if len(agreed_scores) < min_items:
        return default
    return max(default / 2, round(factor * median(agreed_scores), 2))


def should_hide(
    score: float,
    threshold: float,
    *,
    staff_take_action: bool = False,
    spam_from_regular_on_new: bool = False,
) -> bool:
    return staff_take_action or spam_from_regular_on_new or score >= threshold


def should_close(
    score: float, flaggers: int, *, threshold: float = 25, min_flaggers: int = 5
) -> bool:
    return flaggers >= min_flaggers and score >= threshold


def penalty_days(previous: int, lengths: list[int]) -> int:
    """The default length of the next penalty: escalating 1, 3, 7, 30 days…"""
    if not lengths:
        return 1
    return int(lengths[min(previous, len(lengths) - 1)])
