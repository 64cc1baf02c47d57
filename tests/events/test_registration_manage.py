"""The organizers' side of registration over HTTP: the participants page, the CSV export
(with its guard against formulas), messages to participants, removing someone, and the
query budgets of these pages."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from plugins.events.models import Answer
from plugins.events.services.participants import participants
from space.accounts.models import User
from space.db import db
from space.notify import MailMessage

from .conftest import reload
from .test_registration_pages import mine, notices, organizer_of, register

# --- the participants page --------------------------------------------------------------------


def test_participants_page_for_organizers(make, client, login):
    event = make.event(capacity=1)
    going, waiting = make.member(display_name="Ada Going"), make.member()
    register(going, event, public=False)
    register(waiting, event)
    login(organizer_of(event))
    html = client.get(f"/events/{event.id}/participants").get_data(as_text=True)
    assert "Ada Going" in html
    assert f"/events/{event.id}/participants/{going.id}/remove" in html
    assert f"/events/{event.id}/participants.csv" in html
    assert 'name="subject"' in html
    html = client.get(f"/events/{event.id}/participants?answer=waitlisted").get_data(as_text=True)
    assert waiting.username in html and "Ada Going" not in html


def test_participants_page_rejects_bad_lists_and_pages(make, client, login):
    event = make.event()
    login(organizer_of(event))
    assert client.get(f"/events/{event.id}/participants?answer=nope").status_code == 400
    assert client.get(f"/events/{event.id}/participants?page=x").status_code == 400


def test_participants_page_is_404_for_participants_and_others(make, client, login):
    event = make.event()
    person = make.member()
    register(person, event)
    login(person)
    for path in ("participants", "participants.csv", "report"):
        assert client.get(f"/events/{event.id}/{path}").status_code == 404


def test_staff_manage_any_event(make, client, login):
    event = make.event()
    login(make.admin())
    assert client.get(f"/events/{event.id}/participants").status_code == 200
    assert client.get(f"/events/{event.id}/participants.csv").status_code == 200


# --- CSV ----------------------------------------------------------------------------------------


def test_csv_lists_everyone_and_guards_against_formulas(make, client, login):
    event = make.event(capacity=1)
    first = make.member(display_name='=HYPERLINK("http://evil")')
    second = make.member(display_name="@SUM(1+1)")
    third = make.member(display_name="Plain Person")
    fourth = make.member(display_name="-2+3")
    register(first, event)
    register(second, event)
    register(third, event, "interested", public=False)
    register(fourth, event, "not_going")
    login(organizer_of(event))
    response = client.get(f"/events/{event.id}/participants.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="event-{event.id}-participants.csv"')  # fmt: skip
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["Name", "Username", "Answer", "Registered at (UTC)", "Public"]
    body = rows[1:]
    assert [row[:3] for row in body] == [
        ['\'=HYPERLINK("http://evil")', first.username, "Going"],
        ["'@SUM(1+1)", second.username, "On the waitlist"],
        ["Plain Person", third.username, "Interested"],
        ["'-2+3", fourth.username, "Not going"],
    ]
    assert [row[4] for row in body] == ["yes", "yes", "no", "yes"]
    assert all(row[3].endswith("Z") and "T" in row[3] for row in body)
    for row in body:
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)


# --- messages -------------------------------------------------------------------------------------


def test_message_goes_to_going_and_waitlisted_with_email(make, client, login, post):
    event = make.event(capacity=1)
    going, waiting, curious, away = (make.member() for _ in range(4))
    register(going, event)
    register(waiting, event)
    register(curious, event, "interested")
    register(away, event, "not_going")
    waiting_user = db.session.get(User, waiting.id)
    waiting_user.email_notifications = False
    db.session.commit()
    login(organizer_of(event))
    response = post(f"/events/{event.id}/message",
                    {"subject": "Bring a laptop", "body": "And a charger."},
                    token_from=f"/events/{event.id}/participants")  # fmt: skip
    assert response.status_code == 302
    assert [notices(p, "events.message") for p in (going, waiting, curious, away)] == [1, 1, 0, 0]
    mails = db.session.scalars(select(MailMessage)).all()
    assert [m.to for m in mails] == [going.email]
    assert "Bring a laptop" in mails[0].subject and "And a charger." in mails[0].body
    assert f"/events/{event.id}/{event.slug}" in mails[0].body
    response = post(f"/events/{event.id}/message",
                    {"subject": "Again", "body": "Also the curious.", "interested": "y"},
                    token_from=f"/events/{event.id}/participants")  # fmt: skip
    assert notices(curious, "events.message") == 1


def test_message_errors_keep_what_was_typed(make, client, login, post):
    event = make.event()
    register(make.member(), event)
    login(organizer_of(event))
    path = f"/events/{event.id}/participants"
    response = post(f"/events/{event.id}/message", {"subject": "", "body": "Kept body text"},
                    token_from=path)  # fmt: skip
    assert response.status_code == 422
    assert "Kept body text" in response.get_data(as_text=True)
    for n in range(3):
        assert post(f"/events/{event.id}/message", {"subject": f"S{n}", "body": "B"},
                    token_from=path).status_code == 302  # fmt: skip
    response = post(f"/events/{event.id}/message", {"subject": "Fourth", "body": "Too many"},
                    token_from=path)  # fmt: skip
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "At most 3 messages a day" in html and "Too many" in html and "Fourth" in html


def test_message_skips_people_who_left_the_private_group(make):
    from plugins.events.services.participants import message
    from space.accounts import groups
    from space.accounts.models import Group

    event = make.private_group_event()
    group = db.session.get(Group, event.group_id)
    stays, leaves = make.member(), make.member()
    for person in (stays, leaves):
        groups.add_member(group, person)
    db.session.commit()
    register(stays, event)
    register(leaves, event)
    groups.remove_member(group, leaves)
    db.session.commit()
    told = message(organizer_of(event), reload(event), "Hello", "Body")
    db.session.commit()
    assert told == 1
    assert notices(stays, "events.message") == 1 and notices(leaves, "events.message") == 0


# --- removing ---------------------------------------------------------------------------------


def test_remove_participant(make, client, login, post):
    event = make.event(capacity=1)
    going, waiting = make.member(), make.member()
    register(going, event)
    register(waiting, event)
    login(organizer_of(event))
    path = f"/events/{event.id}/participants"
    response = post(f"{path}/{going.id}/remove", token_from=path)
    assert response.status_code == 302
    assert mine(going, event) is None
    assert mine(waiting, event).answer == Answer.GOING
    assert notices(going, "events.removed") == 1
    assert post(f"{path}/{going.id}/remove", token_from=path).status_code == 404


# --- budgets ----------------------------------------------------------------------------------


def _crowd(make, event, n):
    for i in range(n):
        register(make.member(), event, "going" if i % 3 else "interested", public=i % 2 == 0)


@pytest.mark.parametrize("path", ["participants", "participants?answer=interested",
                                  "participants.csv"])  # fmt: skip
def test_participants_pages_cost_the_same_for_3_and_40_people(make, client, login,
                                                              count_queries, path):  # fmt: skip
    organizer = make.member()
    small, large = make.event(organizer), make.event(organizer)
    _crowd(make, small, 3)
    _crowd(make, large, 40)
    login(organizer)
    costs = []
    for url in (f"/events/{small.id}/{path}", f"/events/{large.id}/{path}"):
        client.get(url)  # warm
        with count_queries() as counter:
            response = client.get(url)
        assert response.status_code == 200
        costs.append(counter.count)
    # event, organizers, current user, the page and its count, messages sent today, the
    # header's notifications, site settings, navigation; the CSV: event, organizers, user,
    # the rows.
    assert costs[0] == costs[1] == (4 if path.endswith(".csv") else 9), costs


def test_participants_service_costs_one_query(make, count_queries):
    small, large = make.event(), make.event()
    _crowd(make, small, 3)
    _crowd(make, large, 40)
    viewer = make.member()
    costs = []
    for event in (small, large):
        event = reload(event)
        assert viewer.trust_level  # loaded, as current_user is
        with count_queries() as counter:
            seen = participants(event, viewer)
            for listing in seen:
                [row.user.name for row in listing.people]
        costs.append(counter.count)
    assert costs == [1, 1]
