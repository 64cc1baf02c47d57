"""Registration over HTTP: the register form, the registration box of the event page, who
is named to whom, and privacy of a private group's event on every endpoint. (The
organizers' pages are in ``test_registration_manage.py``.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import render_template
from flask_login import login_user
from sqlalchemy import func, select

from plugins.events.models import Answer, Registration
from plugins.events.services import registration
from plugins.events.services.participants import participants
from space.accounts.models import User
from space.db import db
from space.notify import Notification

from .conftest import reload


def register(user, event, wanted="going", public=True):
    registration.register(user, reload(event), wanted, public=public)
    db.session.commit()


def organizer_of(event) -> User:
    return db.session.get(User, event.user_id)


def notices(user, kind) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.kind == kind
        )
    )


def mine(user, event):
    return db.session.scalar(
        select(Registration).where(Registration.event_id == event.id,
                                   Registration.user_id == user.id)
    )  # fmt: skip


# --- registering --------------------------------------------------------------------------------


def test_register_going_then_not_going(make, client, login, post):
    event = make.event()
    person = make.member()
    login(person)
    response = post(f"/events/{event.id}/register", {"answer": "going", "public": "y"})
    assert response.status_code == 302
    assert response.location.endswith(f"/events/{event.id}/{event.slug}#registration")
    assert mine(person, event).answer == Answer.GOING and mine(person, event).public
    response = post(f"/events/{event.id}/register", {"answer": "not_going"})
    assert response.status_code == 302
    assert mine(person, event).answer == Answer.NOT_GOING
    assert mine(person, event).public is False  # the box's checkbox was not sent
    assert reload(event).going_count == 0


def test_register_when_full_goes_to_the_waitlist(make, client, login, post):
    event = make.event(capacity=1)
    register(make.member(), event)
    person = make.member()
    login(person)
    assert post(f"/events/{event.id}/register", {"answer": "going"}).status_code == 302
    assert mine(person, event).answer == Answer.WAITLISTED


def test_register_refusals_are_4xx_with_the_message(make, client, login, post):
    from plugins.events.services.events import cancel

    event = make.event()
    person = make.member()
    login(person)
    response = post(f"/events/{event.id}/register", {"answer": "maybe"})
    assert response.status_code == 400
    assert "Choose going, interested or not going." in response.get_data(as_text=True)
    cancel(organizer_of(event), reload(event), "Storm")
    db.session.commit()
    response = post(f"/events/{event.id}/register", {"answer": "going"})
    assert response.status_code == 409
    assert "This event is cancelled." in response.get_data(as_text=True)
    assert mine(person, event) is None


def test_anonymous_register_asks_to_log_in(make, client):
    event = make.event()
    from tests.conftest import csrf_token

    token = csrf_token(client, "/login")
    response = client.post(f"/events/{event.id}/register",
                           data={"answer": "going", "csrf_token": token})  # fmt: skip
    assert response.status_code == 302 and "/login" in response.location
    assert db.session.scalar(select(func.count(Registration.id))) == 0


def test_register_without_csrf_is_refused(make, client, login):
    event = make.event()
    login(make.member())
    response = client.post(f"/events/{event.id}/register", data={"answer": "going"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(Registration.id))) == 0


def test_unknown_event_is_404(make, client, login, post):
    login(make.member())
    assert post("/events/999999/register", {"answer": "going"}).status_code == 404
    assert post("/events/99999999999/register", {"answer": "going"}).status_code == 404


# --- the box ---------------------------------------------------------------------------------


def _box(app, event, user=None):
    with app.app_context(), app.test_request_context("/"):  # a fresh ``g``, as per request
        if user is not None:
            login_user(user)
        return render_template(
            "events/registration/_box.html",
            event=reload(event),
            my_registration=registration.mine(user, event) if user else None,
        )


def test_box_shows_places_left_full_and_the_deadline(app, make):
    from .conftest import local_now

    deadline = local_now().replace(second=0, microsecond=0) + timedelta(days=2)
    event = make.event(capacity=2, deadline=deadline)
    person = make.member()
    html = _box(app, event, person)
    assert "Places left" in html and ">2<" in html and "0 of 2 places taken" in html
    assert "Registration closes" in html
    assert 'value="going"' in html and 'value="interested"' in html
    register(make.member(), event)
    register(make.member(), event)
    html = _box(app, event, person)
    assert "Full — you will be on the waitlist" in html
    assert "Join the waitlist" in html


def test_box_for_anonymous_readers_and_closed_events(app, make):
    event = make.event()
    html = _box(app, event)
    assert "Log in to register" in html and "<form" not in html
    past = make.past_event()
    html = _box(app, past, make.member())
    assert "This event is over." in html and "<form" not in html


def test_box_without_registration_says_so_and_counts_nothing(app, make):
    html = _box(app, make.event(registration=False), make.member())
    assert "Registration is not open for this event." in html
    assert "<form" not in html and "Interested" not in html


def test_box_says_where_one_stands(app, make):
    event = make.event(capacity=1)
    register(make.member(), event)
    waiting = make.member()
    register(waiting, event, public=False)
    html = _box(app, event, waiting)
    assert "You are on the waitlist (number 1)." in html
    assert "Only the organizers see your name." in html
    assert 'aria-pressed="true"' in html


def test_box_labels_the_deadline_in_the_events_zone_for_viewers_elsewhere(app, make):
    from datetime import datetime

    event = make.event(deadline=datetime.combine(reload(make.event()).start_local.date(),
                                                 datetime.min.time()).replace(hour=12))  # fmt: skip
    here, away = make.member(), make.member()
    here_user = db.session.get(User, here.id)
    here_user.timezone = "Europe/Stockholm"
    away_user = db.session.get(User, away.id)
    away_user.timezone = "America/New_York"
    db.session.commit()
    assert "(Europe/Stockholm)" not in _box(app, event, db.session.get(User, here.id))
    html = _box(app, event, db.session.get(User, away.id))
    assert "6:00\u202fAM 12:00\u202fPM (Europe/Stockholm)" in html  # 12:00 in Stockholm


def test_register_from_the_event_page(make, client, login, post):
    event = make.event(capacity=5)
    person = make.member()
    login(person)
    page = f"/events/{event.id}/{event.slug}"
    html = client.get(page).get_data(as_text=True)
    assert f'action="/events/{event.id}/register"' in html and "Places left" in html
    response = post(f"/events/{event.id}/register", {"answer": "going", "public": "y"},
                    token_from=page)  # fmt: skip
    assert response.status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert "You are going." in html and "See you there!" in html


# --- who is shown ---------------------------------------------------------------------------------


def test_private_names_are_hidden_from_others_but_not_from_organizers_or_themselves(make):
    from flask_login import AnonymousUserMixin

    event = make.event()
    shown, hidden, stranger = make.member(), make.member(), make.member()
    register(shown, event)
    register(hidden, event, public=False)
    event = reload(event)
    for viewer in (stranger, AnonymousUserMixin()):
        seen = participants(event, viewer)
        assert [r.user_id for r in seen.going.people] == [shown.id]
        assert seen.going.total == 2 and seen.going.others == 1 and not seen.names_all
    for viewer in (organizer_of(event), make.admin()):
        seen = participants(event, viewer)
        assert [r.user_id for r in seen.going.people] == [shown.id, hidden.id]
        assert seen.going.others == 0 and seen.names_all
    seen = participants(event, hidden)
    assert [r.user_id for r in seen.going.people] == [shown.id, hidden.id]


def test_co_organizers_see_every_name(make):
    co = make.member()
    event = make.event(organizers=[co.username])
    hidden = make.member()
    register(hidden, event, public=False)
    assert [r.user_id for r in participants(reload(event), co).going.people] == [hidden.id]


def test_participants_lists_are_limited_and_counted(make):
    event = make.event(capacity=2)
    people = [make.member() for _ in range(5)]
    for person in people:
        register(person, event)
    register(make.member(), event, "interested")
    seen = participants(reload(event), make.member(), limit=2)
    assert [r.user_id for r in seen.going.people] == [people[0].id, people[1].id]
    assert [r.user_id for r in seen.waitlisted.people] == [people[2].id, people[3].id]
    assert seen.waitlisted.others == 1 and seen.interested.total == 1


# --- privacy --------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["outsider", "anonymous"])
def test_private_group_event_is_404_on_every_endpoint(make, client, login, post, who):
    event = make.private_group_event()
    member = make.member()
    if who == "outsider":
        login(make.member())
    base = f"/events/{event.id}"
    for path in ("participants", "participants.csv", "report"):
        assert client.get(f"{base}/{path}").status_code == 404, path
    for path in ("register", "message", f"participants/{member.id}/remove", "report"):
        response = post(f"{base}/{path}", {"answer": "going", "subject": "s", "body": "b"})
        assert response.status_code == 404, path
    assert db.session.scalar(select(func.count(Registration.id))) == 0


def test_private_group_members_register_but_do_not_manage(make, client, login, post):
    from space.accounts import groups
    from space.accounts.models import Group

    event = make.private_group_event()
    person = make.member()
    groups.add_member(db.session.get(Group, event.group_id), person)
    db.session.commit()
    login(person)
    assert post(f"/events/{event.id}/register", {"answer": "going"}).status_code == 302
    assert client.get(f"/events/{event.id}/participants").status_code == 404
