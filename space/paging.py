"""Paginated lists: the ``?page=`` of list pages, checked in one place, and ``Page``, one page
of any list with what ``macros.pager`` needs."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from flask import request
from flask_babel import gettext as _

from space.errors import fail

MAX_PAGE = 100_000


def page_number(maximum: int = MAX_PAGE) -> int:
    """The requested page (1 when absent); a translated 400 when it is not a page number
    from 1 to ``maximum``."""
    value = request.args.get("page", "1")
    if not (value.isascii() and value.isdigit()) or not 0 < int(value) <= maximum:
        fail(400, _("The page number is not valid."))
    return int(value)


@dataclass
class Page:
    """One page of a list (``items`` of ``total``), with what ``macros.pager`` needs."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def out_of_range(self) -> bool:
        return self.page > self.pages

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)
