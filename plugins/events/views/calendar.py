"""The calendar pages: upcoming and past occurrences, "my events", the month and the week.

They share the filters (``services/filters.py``) and their form. A filter that makes no sense
re-renders the page with the form as typed, the message and a 400; a page number out of range,
a month or week that does not exist is a 404. Lists are of what the viewer may see
(``access.visible``): there is no object to ``require`` — the rule is in the SQL.
"""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import get_locale
from flask_login import current_user, login_required

from space.paging import page_number

from ..formatting import viewer_zone
from ..services import grids, listing
from ..services.filters import FilterError, Filters
from . import bp


def _filters() -> tuple[Filters, FilterError | None]:
    zone = viewer_zone()
    try:
        return listing.parse(request.args, zone=zone), None
    except FilterError as error:
        return Filters(zone=zone), error


def _render(template: str, error: FilterError | None, **context):
    """The page, with a 400 when a filter made no sense (the form keeps what was typed)."""
    return render_template(template, filter_error=error, typed=request.args, **context), (
        400 if error else 200
    )


def _list(kind: str, pick):
    filters, error = _filters()
    page = page_number()
    found = None if error else pick(current_user, filters, page)
    if found is not None and found.out_of_range and page > 1:
        abort(404)
    return _render("events/list.html", error, kind=kind, filters=filters, events=found)


@bp.get("/")
def upcoming():
    return _list("upcoming", listing.upcoming)


@bp.get("/past")
def past():
    return _list("past", listing.past)


@bp.get("/mine")
@login_required
def mine():
    ended = request.args.get("ended") == "1"
    page = page_number()
    found = listing.mine(current_user, page, ended=ended, zone=viewer_zone())
    if found.out_of_range and page > 1:
        abort(404)
    return _render("events/list.html", None, kind="mine", filters=Filters(zone=viewer_zone()),
                   events=found, ended=ended)  # fmt: skip


@bp.get("/month", defaults={"year": None, "month": None})
@bp.get("/month/<int:year>/<int:month>")
def month(year: int | None, month: int | None):
    filters, error = _filters()
    if year is None or month is None:
        year, month = grids.this_month(filters.zone)
    if not grids.valid_month(year, month):
        abort(404)
    locale = get_locale()
    first_weekday = locale.first_week_day if locale is not None else 0
    found = grids.month(current_user, year, month, filters if not error else Filters(
        zone=filters.zone), first_weekday=first_weekday)  # fmt: skip
    return _render("events/month.html", error, kind="month", filters=filters, grid=found)


@bp.get("/week", defaults={"year": None, "week": None})
@bp.get("/week/<int:year>/<int:week>")
def week(year: int | None, week: int | None):
    filters, error = _filters()
    if year is None or week is None:
        year, week = grids.this_week(filters.zone)
    if not grids.valid_week(year, week):
        abort(404)
    found = grids.week(current_user, year, week, filters if not error else Filters(
        zone=filters.zone))  # fmt: skip
    return _render("events/week.html", error, kind="week", filters=filters, grid=found)
