"""Events in the core search, as ``event:<id>`` documents (``type:event``).

A public event is found by everyone; a private group's event by the group's members and
staff; an event the review queue hid by its creator and staff. Services call
``queue_event`` after a change; the index follows after the commit.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from space import search
from space.db import db
from space.markup import plain_text
from space.search import PUBLIC, STAFF, Document

from ..access import private_group_ids
from ..models import Event

TYPE = "event"
BATCH = 500


def document(event: Event, private: frozenset[int] | None = None) -> Document:
    private = private_group_ids() if private is None else private
    if event.hidden_at is not None:  # hidden by the review queue
        acl = [STAFF, *([f"user:{event.user_id}"] if event.user_id else [])]
    elif event.group_id is not None and event.group_id in private:
        acl = [f"group:{event.group_id}", STAFF]
    else:
        acl = [PUBLIC]
    place = ", ".join(filter(None, [event.venue, event.city, event.country_code]))
    return Document(
        type=TYPE,
        id=event.id,
        title=event.title,
        body=" ".join(filter(None, [place, plain_text(event.cooked), event.affiliate])),
        url=search.path_for("events.event", event_id=event.id, slug=event.slug),
        acl=acl,
        created_at=event.start_at,
        author=event.user.username if event.user else "",
        category=str(event.event_type),
        tags=[str(event.mode), *event.languages],
        status="cancelled" if event.is_cancelled else "",
        lang=event.languages[0] if event.languages else "",
    )


def queue_event(event: Event) -> None:
    db.session.flush()
    fresh = db.session.scalar(
        select(Event).options(selectinload(Event.user)).where(Event.id == event.id)
        .execution_options(populate_existing=True)
    )  # fmt: skip
    if fresh is None:
        search.queue_delete(TYPE, event.id)
    else:
        search.queue_index(document(fresh))


def all_documents() -> Iterator[Document]:
    last = 0
    private = private_group_ids()
    while True:
        batch = db.session.scalars(
            select(Event).options(selectinload(Event.user)).where(Event.id > last)
            .order_by(Event.id).limit(BATCH)
        ).all()  # fmt: skip
        if not batch:
            return
        for event in batch:
            yield document(event, private)
        last = batch[-1].id
