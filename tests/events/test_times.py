"""Time zones and recurrences (``services/times``): wall-clock times in zones east and west
of UTC and in the southern hemisphere, daylight-saving gaps refused and repeated hours taken
first, recurrences keeping their local time across DST changes (their UTC moment moving by an
hour), monthly by weekday, the ends of a repetition, the horizon, and viewers elsewhere."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from babel import Locale

from plugins.events.models import Event
from plugins.events.services import times
from plugins.events.services.times import HORIZON_DAYS, TimeError, build_rule, to_local, to_utc


@pytest.fixture(autouse=True)
def _fast():
    """These tests need no database (overrides the package's fixture that prepares one)."""


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def event(start: datetime, zone: str, rule: str = "", hours: float = 2, **extra) -> Event:
    """An unsaved event starting at wall-clock ``start`` in ``zone``."""
    end = start + timedelta(hours=hours)
    return Event(id=extra.pop("id", 1), title="t", slug="t", timezone=zone, start_local=start,
                 end_local=end, start_at=to_utc(start, zone), end_at=to_utc(end, zone),
                 rrule=rule, all_day=extra.pop("all_day", False), **extra)  # fmt: skip


def starts(found) -> list[tuple[datetime, datetime]]:
    return [(o.start_local, o.start_at) for o in found]


# --- to_utc / to_local -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("local", "zone", "expected"),
    [
        # east of UTC, no daylight saving
        (datetime(2026, 3, 10, 18, 0), "Asia/Tokyo", utc(2026, 3, 10, 9, 0)),
        (datetime(2026, 7, 10, 2, 0), "Asia/Tokyo", utc(2026, 7, 9, 17, 0)),  # the day before
        # southern hemisphere: summer time in January (+11), standard time in July (+10)
        (datetime(2026, 1, 15, 18, 0), "Australia/Sydney", utc(2026, 1, 15, 7, 0)),
        (datetime(2026, 7, 15, 18, 0), "Australia/Sydney", utc(2026, 7, 15, 8, 0)),
        # west of UTC: summer (-4/-7) and winter (-5/-8)
        (datetime(2026, 7, 1, 18, 0), "America/New_York", utc(2026, 7, 1, 22, 0)),
        (datetime(2026, 12, 1, 18, 0), "America/New_York", utc(2026, 12, 1, 23, 0)),
        (datetime(2026, 7, 1, 18, 0), "America/Los_Angeles", utc(2026, 7, 2, 1, 0)),
        (datetime(2026, 12, 1, 18, 0), "America/Los_Angeles", utc(2026, 12, 2, 2, 0)),
        # Europe on either side of its change
        (datetime(2026, 3, 28, 18, 0), "Europe/Paris", utc(2026, 3, 28, 17, 0)),
        (datetime(2026, 3, 29, 18, 0), "Europe/Paris", utc(2026, 3, 29, 16, 0)),
        (datetime(2026, 6, 1, 12, 0), "UTC", utc(2026, 6, 1, 12, 0)),
    ],
)
def test_to_utc_east_west_and_south(local, zone, expected):
    assert to_utc(local, zone) == expected
    assert to_local(expected, zone) == local


@pytest.mark.parametrize(
    ("local", "zone"),
    [
        (datetime(2026, 3, 29, 2, 30), "Europe/Paris"),  # clocks go 02:00 → 03:00
        (datetime(2026, 3, 8, 2, 30), "America/New_York"),  # 02:00 → 03:00
        (datetime(2026, 3, 8, 2, 0), "America/Los_Angeles"),  # the gap's first minute
        (datetime(2026, 10, 4, 2, 30), "Australia/Sydney"),  # southern spring: 02:00 → 03:00
    ],
)
def test_a_time_in_a_gap_is_refused(local, zone):
    with pytest.raises(TimeError) as refused:
        to_utc(local, zone, "start")
    assert "does not exist" in refused.value.message
    assert zone in refused.value.message
    assert refused.value.field == "start"


def test_the_minutes_around_a_gap_exist():
    assert to_utc(datetime(2026, 3, 29, 1, 59), "Europe/Paris") == utc(2026, 3, 29, 0, 59)
    assert to_utc(datetime(2026, 3, 29, 3, 0), "Europe/Paris") == utc(2026, 3, 29, 1, 0)


@pytest.mark.parametrize(
    ("local", "zone", "first"),
    [
        # clocks go back 03:00 → 02:00: 02:30 happens twice; the first is still summer time
        (datetime(2026, 10, 25, 2, 30), "Europe/Paris", utc(2026, 10, 25, 0, 30)),
        (datetime(2026, 11, 1, 1, 30), "America/New_York", utc(2026, 11, 1, 5, 30)),
        (datetime(2026, 11, 1, 1, 30), "America/Los_Angeles", utc(2026, 11, 1, 8, 30)),
        (datetime(2026, 4, 5, 2, 30), "Australia/Sydney", utc(2026, 4, 4, 15, 30)),
    ],
)
def test_an_ambiguous_time_takes_the_first(local, zone, first):
    assert to_utc(local, zone) == first
    assert to_local(first, zone) == local
    assert to_local(first + timedelta(hours=1), zone) == local  # the second one, an hour on


def test_an_unknown_zone_is_refused():
    for name in ("Mars/Olympus", "", "../etc/passwd"):
        with pytest.raises(TimeError) as refused:
            to_utc(datetime(2026, 1, 1, 12), name)
        assert refused.value.field == "timezone"


# --- recurrences across DST ---------------------------------------------------------------------


def test_weekly_keeps_local_time_across_the_march_change_in_paris():
    found = times.occurrences(event(datetime(2026, 3, 17, 18), "Europe/Paris",
                                    build_rule("weekly", count=4)))  # fmt: skip
    assert starts(found) == [
        (datetime(2026, 3, 17, 18), utc(2026, 3, 17, 17)),
        (datetime(2026, 3, 24, 18), utc(2026, 3, 24, 17)),
        (datetime(2026, 3, 31, 18), utc(2026, 3, 31, 16)),  # summer time: an hour earlier in UTC
        (datetime(2026, 4, 7, 18), utc(2026, 4, 7, 16)),
    ]
    assert [o.end_local.hour for o in found] == [20] * 4
    assert [o.end_at - o.start_at for o in found] == [timedelta(hours=2)] * 4


def test_weekly_keeps_local_time_across_the_october_change_in_paris():
    found = times.occurrences(event(datetime(2026, 10, 20, 18), "Europe/Paris",
                                    build_rule("weekly", count=3)))  # fmt: skip
    assert [o.start_at for o in found] == [utc(2026, 10, 20, 16), utc(2026, 10, 27, 17),
                                           utc(2026, 11, 3, 17)]  # fmt: skip
    assert {o.start_local.time() for o in found} == {datetime(2026, 1, 1, 18).time()}


def test_weekly_keeps_local_time_across_the_november_change_in_new_york():
    found = times.occurrences(event(datetime(2026, 10, 27, 18), "America/New_York",
                                    build_rule("weekly", count=2)))  # fmt: skip
    assert starts(found) == [(datetime(2026, 10, 27, 18), utc(2026, 10, 27, 22)),
                             (datetime(2026, 11, 3, 18), utc(2026, 11, 3, 23))]  # fmt: skip


def test_every_two_weeks_keeps_local_time_across_the_march_change_in_los_angeles():
    found = times.occurrences(event(datetime(2026, 2, 26, 9), "America/Los_Angeles",
                                    build_rule("weekly", interval=2, count=3)))  # fmt: skip
    assert starts(found) == [(datetime(2026, 2, 26, 9), utc(2026, 2, 26, 17)),
                             (datetime(2026, 3, 12, 9), utc(2026, 3, 12, 16)),
                             (datetime(2026, 3, 26, 9), utc(2026, 3, 26, 16))]  # fmt: skip


def test_weekly_keeps_local_time_across_the_april_change_in_sydney():
    """Southern hemisphere: summer time ends in April, so UTC moves an hour later."""
    found = times.occurrences(event(datetime(2026, 3, 31, 18), "Australia/Sydney",
                                    build_rule("weekly", count=2)))  # fmt: skip
    assert starts(found) == [(datetime(2026, 3, 31, 18), utc(2026, 3, 31, 7)),
                             (datetime(2026, 4, 7, 18), utc(2026, 4, 7, 8))]  # fmt: skip


def test_tokyo_has_no_change_so_utc_stays():
    found = times.occurrences(event(datetime(2026, 3, 1, 19), "Asia/Tokyo",
                                    build_rule("daily", until=date(2026, 11, 30))))  # fmt: skip
    assert {o.start_at.time() for o in found} == {utc(2026, 1, 1, 10).time()}
    assert len(found) == (date(2026, 11, 30) - date(2026, 3, 1)).days + 1


def test_an_occurrence_in_a_gap_moves_forward_and_an_ambiguous_one_takes_the_first():
    spring = times.occurrences(event(datetime(2026, 3, 22, 2, 30), "Europe/Paris",
                                     build_rule("weekly", count=3), hours=1))  # fmt: skip
    assert [o.start_at for o in spring] == [utc(2026, 3, 22, 1, 30), utc(2026, 3, 29, 1, 30),
                                            utc(2026, 4, 5, 0, 30)]  # fmt: skip
    assert to_local(spring[1].start_at, "Europe/Paris") == datetime(2026, 3, 29, 3, 30)
    autumn = times.occurrences(event(datetime(2026, 10, 18, 2, 30), "Europe/Paris",
                                     build_rule("weekly", count=2), hours=1))  # fmt: skip
    assert [o.start_at for o in autumn] == [utc(2026, 10, 18, 0, 30), utc(2026, 10, 25, 0, 30)]


# --- monthly by weekday, ends, horizon ----------------------------------------------------------


def test_monthly_on_the_second_tuesday():
    rule = build_rule("monthly", weekday_position=(2, 1), count=4)
    assert rule == "FREQ=MONTHLY;BYDAY=+2TU;COUNT=4"
    found = times.occurrences(event(datetime(2026, 1, 13, 18), "Europe/Paris", rule))
    assert [o.start_local.date() for o in found] == [
        date(2026, 1, 13), date(2026, 2, 10), date(2026, 3, 10), date(2026, 4, 14)]  # fmt: skip
    assert all(o.start_local.weekday() == 1 and 8 <= o.start_local.day <= 14 for o in found)
    # and across the change: 18:00 in Paris is 17:00 UTC in winter, 16:00 in April
    assert [o.start_at.hour for o in found] == [17, 17, 17, 16]


def test_monthly_on_the_last_friday_until_a_date():
    rule = build_rule("monthly", weekday_position=(-1, 4), until=date(2026, 6, 26))
    assert rule == "FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20260626T235959"
    found = times.occurrences(event(datetime(2026, 1, 30, 17), "America/New_York", rule))
    assert [o.start_local.date() for o in found] == [
        date(2026, 1, 30), date(2026, 2, 27), date(2026, 3, 27), date(2026, 4, 24),
        date(2026, 5, 29), date(2026, 6, 26),  # the until date itself is included
    ]  # fmt: skip


def test_count_and_until_end_the_repetition():
    by_count = event(datetime(2026, 5, 4, 10), "Europe/Berlin", build_rule("daily", count=5))
    assert len(times.occurrences(by_count)) == 5
    assert times.last_end(by_count) == utc(2026, 5, 8, 10)  # 12:00 in Berlin, summer time
    by_until = event(datetime(2026, 5, 4, 10), "Europe/Berlin",
                     build_rule("weekly", until=date(2026, 5, 24)))  # fmt: skip
    assert [o.start_local.day for o in times.occurrences(by_until)] == [4, 11, 18]
    single = event(datetime(2026, 5, 4, 10), "Europe/Berlin")
    assert times.last_end(single) == single.end_at
    assert [o.index for o in times.occurrences(by_count)] == [0, 1, 2, 3, 4]


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"frequency": "yearly", "count": 3}, "repeat"),
        ({"frequency": "weekly"}, "repeat_until"),  # an end is required
        ({"frequency": "weekly", "count": 1}, "repeat_count"),
        ({"frequency": "weekly", "count": 201}, "repeat_count"),
        ({"frequency": "weekly", "interval": 53, "count": 3}, "interval"),
        ({"frequency": "monthly", "weekday_position": (5, 1), "count": 3}, "repeat"),
    ],
)
def test_build_rule_refuses(arguments, field):
    frequency = arguments.pop("frequency")
    with pytest.raises(TimeError) as refused:
        build_rule(frequency, **arguments)
    assert refused.value.field == field


def test_the_horizon_bounds_a_long_repetition():
    start = datetime(2026, 1, 1, 9)
    long = event(start, "Europe/Paris", build_rule("daily", until=date(2040, 1, 1)))
    found = times.occurrences(long)
    assert len(found) == HORIZON_DAYS + 1
    assert found[-1].start_local == start + timedelta(days=HORIZON_DAYS)
    assert times.last_end(long) == found[-1].end_at


def test_a_window_selects_overlapping_occurrences_and_marks_cancelled_ones():
    weekly = event(datetime(2026, 3, 3, 18), "Europe/Paris", build_rule("weekly", count=10))
    cancelled = frozenset({datetime(2026, 3, 17, 18)})
    # [10 March 17:30 UTC, 24 March 17:00 UTC): 10 March's runs until 19:00 UTC, 24 March's
    # starts at 17:00 UTC (summer time) — excluded, the window ends then
    found = times.occurrences(weekly, utc(2026, 3, 10, 17, 30), utc(2026, 3, 24, 17),
                              cancelled=cancelled)  # fmt: skip
    assert [(o.start_local.day, o.cancelled) for o in found] == [(10, False), (17, True)]
    assert [o.index for o in found] == [1, 2]
    assert found[1].key == "20260317T180000"


# --- what a viewer elsewhere sees ---------------------------------------------------------------


def test_a_viewer_in_another_zone_sees_their_time_and_the_events_own(app):
    from plugins.events import formatting

    paris = event(datetime(2026, 3, 10, 18), "Europe/Paris")
    english = Locale.parse("en")
    with app.test_request_context():
        in_new_york = str(formatting.when(paris, zone="America/New_York", locale=english))
        in_tokyo = str(formatting.when(paris, zone="Asia/Tokyo", locale=english))
        at_home = str(formatting.when(paris, zone="Europe/Paris", locale=english))
    # 17:00 UTC is 13:00 in New York (summer time there since 8 March), 02:00 next day in Tokyo
    assert "1:00\u202fPM" in in_new_york and "(Europe/Paris)" in in_new_york
    assert "6:00\u202fPM" in in_new_york  # the event's own wall-clock time, labelled
    assert "Wednesday, March 11, 2026" in in_tokyo and "2:00\u202fAM" in in_tokyo
    assert "(Europe/Paris)" not in at_home and "6:00\u202fPM" in at_home
    # the same moment, converted by hand
    assert to_local(paris.start_at, "America/New_York") == datetime(2026, 3, 10, 13)
    assert to_local(paris.start_at, "Asia/Tokyo") == datetime(2026, 3, 11, 2)
    assert to_local(paris.start_at, "Australia/Sydney") == datetime(2026, 3, 11, 4)
