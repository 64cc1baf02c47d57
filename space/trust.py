"""Trust levels and the pure rules that move people between them.

The levels are Discourse's: 0 new, 1 basic, 2 member, 3 regular, 4 leader. The rules here
take a user's activity statistics (kept at write time by the areas that record activity) and
answer which level the numbers justify; they never touch the database. Areas contribute the
statistics through the ``trust_signals`` hook.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum

from flask_babel import lazy_gettext as _l


class TrustLevel(IntEnum):
    NEW = 0
    BASIC = 1
    MEMBER = 2
    REGULAR = 3
    LEADER = 4

    @property
    def label(self) -> str:
        return str(TRUST_LABELS[self])


TRUST_LABELS = {
    TrustLevel.NEW: _l("new user"),
    TrustLevel.BASIC: _l("basic user"),
    TrustLevel.MEMBER: _l("member"),
    TrustLevel.REGULAR: _l("regular"),
    TrustLevel.LEADER: _l("leader"),
}


@dataclass(frozen=True)
class Requirement:
    """One requirement of a level: ``stat`` must reach ``target``."""

    stat: str
    target: int
    label: object  # a lazy string, e.g. "Topics entered"


@dataclass(frozen=True)
class Progress:
    requirement: Requirement
    value: int

    @property
    def met(self) -> bool:
        return self.value >= self.requirement.target

    @property
    def remaining(self) -> int:
        return max(0, self.requirement.target - self.value)


def progress(requirements: list[Requirement], stats: Mapping[str, int]) -> list[Progress]:
    """Where a person stands against each requirement."""
    return [Progress(r, int(stats.get(r.stat, 0))) for r in requirements]


def meets(requirements: list[Requirement], stats: Mapping[str, int], factor: float = 1.0) -> bool:
    """True when every requirement is met; ``factor`` < 1 gives the demotion threshold."""
    return all(int(stats.get(r.stat, 0)) >= r.target * factor for r in requirements)


def earned_level(
    current: TrustLevel, rules: Mapping[TrustLevel, list[Requirement]], stats: Mapping[str, int]
) -> TrustLevel:
    """The highest automatic level (1–2) whose requirements and those below are met.

    Levels 3 and 4 are not decided here: 3 is evaluated by a periodic job over a window,
    4 is granted by staff. A level is never lowered by this function.
    """
    level = current
    for candidate in (TrustLevel.BASIC, TrustLevel.MEMBER):
        if candidate <= level:
            continue
        if candidate in rules and meets(rules[candidate], stats):
            level = candidate
        else:
            break
    return level
