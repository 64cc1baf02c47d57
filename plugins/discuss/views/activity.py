"""A person's Discuss activity page, and the daily visit behind trust levels."""

from __future__ import annotations

import logging

from flask import abort, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from space.accounts.services import by_username
from space.db import db, utcnow
from space.errors import fail
from space.markup import plain_text
from space.paging import page_number
from space.permissions import is_staff, require

from ..services import activity as service
from . import bp

log = logging.getLogger(__name__)
VISIT_KEY = "discuss_visit"
PER_PAGE = 20


@bp.before_app_request
def _record_visit():
    """Count the day as visited for a signed-in person: one write per person and day, and
    no query at all once the session remembers the day."""
    if request.method != "GET" or (request.endpoint or "static").endswith("static"):
        return
    if not current_user.is_authenticated:
        return
    mark = f"{current_user.id}:{utcnow().date().isoformat()}"
    if session.get(VISIT_KEY) == mark:
        return
    try:
        service.record_visit(current_user)
        db.session.commit()
    except SQLAlchemyError:  # a visit must never break the page
        db.session.rollback()
        log.exception("recording a visit failed")
        return
    session[VISIT_KEY] = mark


def _post_url(post) -> str:
    return url_for("discuss.post_link", post_id=post.id)


def _category_url(category) -> str:
    return url_for("discuss.category", slug=category.slug)


def _excerpt(post, length: int = 240) -> str:
    text = plain_text(post.cooked)
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


@bp.get("/u/<username>")
def activity(username):
    require(current_user, "discuss.read")
    person = by_username(username)
    if person is None:
        abort(404)
    tab = request.args.get("tab", "topics")
    if tab not in service.TABS:
        fail(400, _("There is no such list."))
    page = service.activity_page(current_user, person, tab, page_number(), PER_PAGE)
    own_view = is_staff(current_user) or getattr(current_user, "id", None) == person.id
    return render_template(
        "discuss/activity.html",
        person=person,
        tab=tab,
        page=page,
        counts=service.summary(person) if own_view else None,
        post_url=_post_url,
        category_url=_category_url,
        excerpt=_excerpt,
    )


def profile_outlet(outlet, context):
    """The profile's Discuss panels (the ``template_outlet`` hook): progress to the next
    trust level in the main column for the person and staff, activity in the aside."""
    from space.hookspecs import Outlet

    from ..services import trust

    person = context.get("user")
    if person is None or outlet not in (Outlet.PROFILE_MAIN, Outlet.PROFILE_ASIDE):
        return None
    own = getattr(current_user, "id", None) == person.id
    trusted_viewer = own or is_staff(current_user)
    if outlet == Outlet.PROFILE_MAIN:
        if not trusted_viewer:
            return None
        return render_template(
            "discuss/_trust_progress.html", progress=trust.progress(person), own=own
        )
    return render_template(
        "discuss/_profile_panel.html",
        user=person,
        counts=service.summary(person) if trusted_viewer else None,
    )
