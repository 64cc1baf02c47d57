"""Your registration for an event through the API (routes on ``api.bp``): read it, answer
going, interested or not going, or withdraw (DELETE: not going).

``services/registration.register`` does the work: going when the event is full puts you on
the waitlist (``answer`` comes back "waitlisted"), and a place you leave goes to the first
person waiting. A refusal (the event is cancelled or over, registration closed) is a 422
under ``answer``.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_login import current_user

from space.api.auth import BEARER_AUTH, OPTIONAL_AUTH
from space.db import db
from space.errors import fail
from space.permissions import require

from . import api_arguments as arguments
from . import api_schemas as schemas
from .api import bp, event_or_404, me, refuse, registration_info
from .models import Answer, Event
from .services import registration
from .services.events import EventError

ID = "int(max=2147483647)"


def answer_view(event: Event) -> dict:
    mine = registration.mine(current_user, event)
    return {"event_id": event.id, "answer": mine.answer.value if mine else None,
            "public": mine.public if mine else True,
            "created_at": mine.created_at if mine else None,
            "registration": registration_info(event)}  # fmt: skip


def _signed_in() -> None:
    if not current_user.is_authenticated:
        fail(401, _("Sign in to register for events."))


def _answer(event_id: int, answer: str, public: bool | None) -> dict:
    event = event_or_404(event_id)
    require(current_user, "events.register", event)
    if public is None:
        mine = registration.mine(current_user, event)
        public = mine.public if mine else True
    try:
        registration.register(me(), event, answer, public)
    except EventError as error:
        refuse(error)
    db.session.commit()
    return answer_view(event_or_404(event_id))


@bp.route(f"/events/<{ID}:event_id>/registration", methods=["GET"])
@bp.response(200, schemas.EventAnswerSchema)
@bp.doc(security=OPTIONAL_AUTH)
def get_registration(event_id: int):
    """Your registration for the event (`answer` null when you have none), with the
    event's registration now (open, places left, counts)."""
    _signed_in()
    return answer_view(event_or_404(event_id))


@bp.route(f"/events/<{ID}:event_id>/registration", methods=["POST"])
@bp.arguments(arguments.EventRegisterArgs)
@bp.response(200, schemas.EventAnswerSchema)
@bp.alt_response(422, description="The event refuses registrations now (the message says "
                 "why).")  # fmt: skip
@bp.doc(security=BEARER_AUTH)
def register(args, event_id: int):
    """Answer going, interested or not going (`public`: your name shows on the event page).
    Going when the event is full puts you on the waitlist: `answer` is then "waitlisted"."""
    return _answer(event_id, args["answer"], args["public"])


@bp.route(f"/events/<{ID}:event_id>/registration", methods=["DELETE"])
@bp.response(200, schemas.EventAnswerSchema)
@bp.alt_response(422, description="The event is over or cancelled.")
@bp.doc(security=BEARER_AUTH)
def withdraw(event_id: int):
    """Withdraw: you are not going (a place you held goes to the waitlist)."""
    return _answer(event_id, Answer.NOT_GOING.value, None)
