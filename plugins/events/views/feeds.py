"""Calendars and feeds: iCalendar files of one event (``events.ics_event``), of every public
event or any filter of the list (``events.ics``), a person's private "my events" link
(``events.ics_mine``) and the page that makes or revokes it (``events.calendar_link``), and
the RSS/Atom feed of new events (``events.feed``).

Calendar apps and feed readers come without an account: public files hold what anonymous
readers see, whoever asks. The private link holds what its owner may see; an unknown or
revoked token is a 404. A filter that makes no sense is a 400 with its message.
"""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from space import feeds as space_feeds
from space import site
from space.db import db
from space.errors import fail
from space.permissions import require

from .. import feeds
from ..formatting import viewer_zone, webcal
from ..services import calendars, ical
from ..services.filters import FilterError, parse
from . import bp

MAX_AGE = 300


def _host() -> str:
    """The host in UIDs: the configured server name, else the one asked (without port)."""
    name = current_app.config.get("SERVER_NAME") or request.host
    return name.rsplit(":", 1)[0] if name.count(":") == 1 else name


def _site() -> str:
    return str(site.get("title") or "Space")


def _calendar(body: bytes, filename: str, *, private: bool = False, attachment: bool = False):
    response = make_response(body)
    response.mimetype = ical.MEDIA_TYPE
    disposition = "attachment" if attachment else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    if private:
        response.cache_control.private = True
        response.cache_control.no_cache = True
        response.headers["X-Robots-Tag"] = "noindex"
        response.headers["Referrer-Policy"] = "no-referrer"
    else:
        response.cache_control.public = True
        response.cache_control.max_age = MAX_AGE
        response.vary.add("Accept-Language")
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/<int:event_id>.ics")
def ics_event(event_id: int):
    found = calendars.public_event(event_id)
    if found is None:
        abort(404)
    body = ical.calendar(calendars.entries([found]), found.title, host=_host())
    return _calendar(body, f"event-{found.id}.ics", attachment=True)


@bp.get("/calendar.ics")
def ics():
    try:
        filters = parse(request.args, viewer_zone())
    except FilterError as error:
        fail(400, error.message)
    name = _("%(site)s: events", site=_site())
    body = ical.calendar(calendars.entries(calendars.public_events(filters)), name, host=_host())
    return _calendar(body, "events.ics")


@bp.get("/calendar/<token>.ics")
def ics_mine(token: str):
    user = calendars.user_by_token(token)
    if user is None:
        abort(404)
    events = calendars.my_events(user)
    name = _("%(site)s: my events", site=_site())
    body = ical.calendar(calendars.my_entries(user, events), name, host=_host())
    return _calendar(body, "my-events.ics", private=True)


@bp.route("/calendar/link", methods=["GET", "POST"])
def calendar_link():
    """The person's private calendar link: shown, made (or renewed), revoked."""
    require(current_user, "account.read", current_user)
    if request.method == "POST":
        action = request.form.get("action", "")
        if action == "new":
            calendars.renew_token(current_user)
            message = _("Your new calendar link is ready. The old one no longer works.")
        elif action == "revoke":
            calendars.revoke_token(current_user)
            message = _("Your calendar link no longer works.")
        else:
            fail(400, _("Choose to make a new link or to revoke it."))
        db.session.commit()
        flash(message, "success")
        return redirect(url_for("events.calendar_link"))
    token = calendars.token_of(current_user)
    link = url_for("events.ics_mine", token=token.token, _external=True) if token else ""
    page = render_template("events/calendar_link.html", token=token, link=link,
                           webcal_link=webcal(link) if link else "")  # fmt: skip
    response = make_response(page)
    response.cache_control.private = True
    response.cache_control.no_store = True
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/feed.<any(rss, atom):fmt>")
def feed(fmt: str):
    return space_feeds.response(feeds.new_events(fmt), fmt, max_age=MAX_AGE)
