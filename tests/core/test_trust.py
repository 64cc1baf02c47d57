"""Trust level rules as pure functions (the areas record the statistics)."""

from space.trust import Requirement, TrustLevel, earned_level, meets, progress

RULES = {
    TrustLevel.BASIC: [Requirement("topics_entered", 5, "Topics entered"),
                       Requirement("posts_read", 30, "Posts read")],
    TrustLevel.MEMBER: [Requirement("topics_entered", 20, "Topics entered"),
                        Requirement("days_visited", 15, "Days visited")],
}  # fmt: skip


def test_a_newcomer_who_read_enough_becomes_basic():
    stats = {"topics_entered": 5, "posts_read": 30}
    assert earned_level(TrustLevel.NEW, RULES, stats) == TrustLevel.BASIC


def test_levels_are_climbed_in_order_and_never_skipped():
    stats = {"topics_entered": 25, "days_visited": 20, "posts_read": 0}
    assert earned_level(TrustLevel.NEW, RULES, stats) == TrustLevel.NEW


def test_both_levels_at_once_when_everything_is_met():
    stats = {"topics_entered": 25, "days_visited": 20, "posts_read": 40}
    assert earned_level(TrustLevel.NEW, RULES, stats) == TrustLevel.MEMBER


def test_earned_level_never_lowers_a_level():
    assert earned_level(TrustLevel.REGULAR, RULES, {}) == TrustLevel.REGULAR


def test_progress_says_what_is_left():
    rows = progress(RULES[TrustLevel.BASIC], {"topics_entered": 7, "posts_read": 12})
    assert [(row.met, row.remaining) for row in rows] == [(True, 0), (False, 18)]


def test_the_demotion_threshold_is_a_fraction_of_the_targets():
    stats = {"topics_entered": 18, "days_visited": 14}
    assert not meets(RULES[TrustLevel.MEMBER], stats)
    assert meets(RULES[TrustLevel.MEMBER], stats, factor=0.9)


def test_levels_have_translatable_labels():
    assert TrustLevel.LEADER.label == "leader"
