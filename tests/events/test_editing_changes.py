"""Changing events (``events.edit``): who may, the form as the event stands, what attendees
are told; groups, co-organizers and the discussion topic; the description's preview."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from plugins.events.models import Answer, Event, EventStatus
from plugins.events.services import registration
from plugins.events.services.events import Repeat
from space.db import db
from space.notify import Notification
from tests import factories

from .conftest import reload
from .test_editing import STOCKHOLM, count_events, form_data


def notices(user, kind) -> int:
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.kind == kind))  # fmt: skip


def going(event, *people):
    for person in people:
        registration.register(person, reload(event), Answer.GOING)
    db.session.commit()


def edit_data(event, **overrides) -> dict:
    """The form as the edit page fills it, with ``overrides``."""
    day = event.start_local.date()
    data = form_data(day, title=event.title, place_id=str(event.place_id), timezone="",
                     discussion="link" if event.topic_id else "open",
                     topic=str(event.topic_id or ""), languages=list(event.languages))  # fmt: skip
    data.update(overrides)
    return data


# --- who may ------------------------------------------------------------------------------------


def test_only_organizers_and_staff_edit(client, make, login):
    event = make.event()
    assert client.get(f"/events/{event.id}/edit").status_code == 302  # sign in first
    login(make.member())
    assert client.get(f"/events/{event.id}/edit").status_code == 404
    assert client.get(f"/events/{event.id}/cancel").status_code == 404
    assert client.get("/events/999999/edit").status_code == 404
    assert client.get("/events/99999999999999/edit").status_code == 404


def test_a_non_organizer_cannot_post_changes(client, make, login, post):
    event = make.event()
    login(make.member())
    response = post(f"/events/{event.id}/edit", edit_data(event, title="Hijacked"),
                    token_from="/events/new")  # fmt: skip
    assert response.status_code == 404
    assert reload(event).title != "Hijacked"
    assert post(f"/events/{event.id}/cancel", {}).status_code == 404
    assert reload(event).status == EventStatus.SCHEDULED


def test_co_organizers_and_staff_may_edit(client, make, login, post):
    helper = make.member()
    event = make.event(organizers=[helper.username])
    login(helper)
    assert client.get(f"/events/{event.id}/edit").status_code == 200
    post("/logout")
    admin = make.admin()
    login(admin)
    page = client.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert 'name="organizers"' not in page  # staff change the event, not who runs it
    response = post(f"/events/{event.id}/edit", edit_data(event, title="Renamed by staff"))
    assert response.status_code == 302
    after = reload(event)
    assert after.title == "Renamed by staff"
    assert [o.user_id for o in after.organizers] == [event.user_id, helper.id]


def test_a_private_groups_event_is_hidden_from_others(client, make, login, post):
    event = make.private_group_event()
    login(make.admin())
    assert client.get(f"/events/{event.id}/edit").status_code == 200
    post("/logout")
    login(make.organizer())  # not in the group: the event does not exist for them
    assert client.get(f"/events/{event.id}/edit").status_code == 404


# --- the form as the event stands ---------------------------------------------------------------


def test_the_form_shows_the_events_own_wall_clock_times(client, make, login):
    """A Tokyo event edited by someone in New York shows Tokyo's 18:00, not New York's."""
    user = make.organizer()
    user.timezone = "America/New_York"
    db.session.commit()
    event = make.event(user, start=datetime(2026, 11, 5, 18), end=datetime(2026, 11, 5, 20),
                       timezone="Asia/Tokyo", place_id=None, lat=35.6895, lon=139.69,
                       capacity=30, deadline=datetime(2026, 11, 4, 12),
                       repeat=Repeat("weekly", interval=2, count=3))  # fmt: skip
    login(user)
    page = client.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert 'name="start_date" type="date" value="2026-11-05"' in page
    assert 'name="start_time" type="time" value="18:00"' in page
    assert 'name="end_time" type="time" value="20:00"' in page
    assert 'name="deadline_time" type="time" value="12:00"' in page
    assert '<option selected value="">' in page  # Tokyo is the city's zone: it follows the city
    assert 'value="35.6895"' in page and 'value="139.69"' in page
    assert 'value="Tokyo, Japan"' in page
    assert '<option selected value="weeks">' in page and 'value="3"' in page
    assert 'value="30"' in page


def test_an_all_day_online_event_round_trips(client, make, login, post):
    user = make.organizer()
    event = make.event(user, start=datetime(2027, 5, 3), end=datetime(2027, 5, 5), all_day=True,
                       mode="online", meeting_url="https://meet.example.org/a", place_id=None,
                       timezone="Asia/Tokyo")  # fmt: skip
    assert (event.start_local, event.end_local) == (datetime(2027, 5, 3), datetime(2027, 5, 6))
    login(user)
    page = client.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert 'name="end_date" type="date" value="2027-05-05"' in page  # the last day
    assert '<option selected value="Asia/Tokyo">' in page  # no city: the zone is explicit
    assert '<input checked id="mode-1" name="mode" type="radio" value="online">' in page
    data = edit_data(event, start_date="2027-05-03", end_date="2027-05-05", all_day="y",
                     start_time="", end_time="", mode="online", place="", place_id="",
                     timezone="Asia/Tokyo", meeting_url="https://meet.example.org/a")  # fmt: skip
    assert post(f"/events/{event.id}/edit", data).status_code == 302
    after = reload(event)
    assert (after.start_local, after.end_local, after.timezone) == (
        datetime(2027, 5, 3), datetime(2027, 5, 6), "Asia/Tokyo")  # fmt: skip


def test_saving_the_form_unchanged_changes_nothing_attendees_rely_on(client, make, login, post):
    user = make.organizer()
    event = make.event(user, repeat=Repeat("weekly", count=3), capacity=40)
    participant = make.member()
    going(event, participant)
    before = (event.sequence, event.start_at, event.rrule, event.topic_id)
    login(user)
    page = client.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert f'value="{STOCKHOLM}"' in page
    data = edit_data(event, repeat="weekly", repeat_count="3", capacity="40",
                     description=event.description, event_type=event.event_type.value,
                     venue=event.venue, address=event.address)  # fmt: skip
    assert post(f"/events/{event.id}/edit", data).status_code == 302
    after = reload(event)
    assert (after.sequence, after.start_at, after.rrule, after.topic_id) == before
    assert notices(participant, "events.updated") == 0


def test_a_change_of_time_is_told_and_bumps_the_sequence(client, make, login, post):
    user = make.organizer()
    event = make.event(user)
    participant, stranger = make.member(), make.member()
    going(event, participant)
    start_at, sequence = event.start_at, event.sequence
    login(user)
    response = post(f"/events/{event.id}/edit", edit_data(event, start_time="19:00",
                                                          end_time="21:00"),
                    token_from=f"/events/{event.id}/edit")  # fmt: skip
    assert response.status_code == 302
    after = reload(event)
    assert after.start_local.hour == 19 and after.start_at == start_at + timedelta(hours=1)
    assert after.sequence == sequence + 1
    assert notices(participant, "events.updated") == 1
    assert notices(stranger, "events.updated") == 0
    assert notices(user, "events.updated") == 0  # nobody hears of their own act


def test_a_refused_edit_keeps_what_was_typed_and_the_event(client, make, login, post):
    user = make.organizer()
    event = make.event(user)
    login(user)
    response = post(f"/events/{event.id}/edit",
                    edit_data(event, title="New title", end_time="17:00", place="Nairobi"),
                    token_from=f"/events/{event.id}/edit")  # fmt: skip
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="New title"' in page and 'value="Nairobi, Kenya"' in page
    assert "The event must end after it starts." in page
    assert reload(event).title.startswith("Meetup number")


def test_editing_a_cancelled_event_keeps_it_cancelled(client, make, login, post):
    user = make.organizer()
    event = make.event(user)
    login(user)
    assert post(f"/events/{event.id}/cancel", {"reason": "Rain"},
                token_from=f"/events/{event.id}/cancel").status_code == 302  # fmt: skip
    page = client.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert '<option selected value="cancelled">' in page
    response = post(f"/events/{event.id}/edit", edit_data(event, status="cancelled",
                                                          title="Still off"))  # fmt: skip
    assert response.status_code == 302
    assert reload(event).status == EventStatus.CANCELLED


# --- groups, co-organizers, topics --------------------------------------------------------------


def test_only_members_of_a_private_group_may_pick_it(client, make, login, post):
    owner = make.organizer()
    group = make.private_group(owner)
    outsider = make.organizer()
    login(outsider)
    page = client.get("/events/new").get_data(as_text=True)
    assert f'value="{group.id}"' not in page
    response = post("/events/new", form_data(group=str(group.id)), token_from="/events/new")
    assert response.status_code == 422
    assert "Choose one of your groups." in response.get_data(as_text=True)
    assert post("/events/new", form_data(group="x1")).status_code == 422
    assert count_events() == 0
    post("/logout")
    login(owner)
    page = client.get("/events/new").get_data(as_text=True)
    assert f'<option value="{group.id}">' in page
    response = post("/events/new", form_data(group=str(group.id)), token_from="/events/new")
    assert response.status_code == 302
    event = db.session.scalars(select(Event)).one()
    assert event.group_id == group.id
    assert event.topic_id is None  # a private group's event opens no public topic


def test_automatic_groups_are_not_offered(client, make, login, post):
    from space.accounts.models import Group

    user = make.organizer()
    login(user)
    automatic = db.session.scalars(
        select(Group).where(Group.automatic_trust_level.is_not(None))).all()  # fmt: skip
    assert automatic
    db.session.commit()
    page = client.get("/events/new").get_data(as_text=True)
    for group in automatic:
        assert f'<option value="{group.id}">' not in page
        response = post("/events/new", form_data(group=str(group.id)), token_from="/events/new")
        assert response.status_code == 422


def test_co_organizers_by_username(client, make, login, post):
    user = make.organizer()
    ana, bo = make.member(), make.member()
    login(user)
    response = post("/events/new", form_data(organizers=f"@{ana.username}, {bo.username.upper()}"),
                    token_from="/events/new")  # fmt: skip
    assert response.status_code == 302
    event = reload(db.session.scalars(select(Event)).one())
    assert [o.user_id for o in event.organizers] == [user.id, ana.id, bo.id]
    page = client.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert f'value="{ana.username}, {bo.username}"' in page


def test_a_co_organizer_who_saves_stays_an_organizer(client, make, login, post):
    helper = make.member()
    event = make.event(organizers=[helper.username])
    login(helper)
    data = edit_data(event, organizers=helper.username, title="Changed by the helper")
    assert post(f"/events/{event.id}/edit", data, token_from="/events/new").status_code == 302
    assert helper.id in [o.user_id for o in reload(event).organizers]


def test_a_co_organizer_outside_the_group_may_save_the_event(client, make, login, post):
    owner, helper = make.organizer(), make.member()
    group = factories.group(owner=owner)
    event = make.event(owner, group_id=group.id, organizers=[helper.username])
    login(helper)
    page = client.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert f'<option selected value="{group.id}">' in page
    data = edit_data(event, group=str(group.id), title="Changed by the helper")
    assert post(f"/events/{event.id}/edit", data).status_code == 302


def test_link_an_existing_topic(client, make, login, post):
    from tests.discuss.conftest import Maker

    user = make.organizer()
    topic = Maker().topic(user)
    login(user)
    data = form_data(discussion="link", topic=f"http://localhost/t/{topic.slug}/{topic.id}")
    assert post("/events/new", data, token_from="/events/new").status_code == 302
    assert db.session.scalars(select(Event)).one().topic_id == topic.id


def test_linking_a_topic_one_cannot_read_is_refused(client, make, login, post):
    from plugins.discuss.models import Access
    from tests.discuss.conftest import Maker

    insiders = factories.group("insiders")
    staff_only = Maker().category("Staff room", groups={insiders.id: Access.CREATE})
    topic = Maker().topic(make.admin(), staff_only)
    login(make.organizer())
    for reference in (str(topic.id), f"/t/{topic.slug}/{topic.id}", "999999", "not a topic"):
        response = post("/events/new", form_data(discussion="link", topic=reference),
                        token_from="/events/new")  # fmt: skip
        assert response.status_code == 422
        page = response.get_data(as_text=True)
        assert "No topic you can read has this address." in page
        assert f'value="{reference}"' in page
    response = post("/events/new", form_data(discussion="link", topic=""))
    assert response.status_code == 422
    assert "Give the topic&#39;s address or number." in response.get_data(as_text=True)
    assert count_events() == 0


def test_without_topics_by_default_none_is_opened(client, make, login, post):
    from plugins.events import settings

    settings.put("open_discussion", False)
    db.session.commit()
    login(make.organizer())
    page = client.get("/events/new").get_data(as_text=True)
    assert "No topic" in page and "Open a topic for it" not in page
    assert post("/events/new", form_data(), token_from="/events/new").status_code == 302
    assert db.session.scalars(select(Event)).one().topic_id is None


def test_unknown_languages_are_left_out(client, make, login, post):
    login(make.organizer())
    data = form_data(languages=["xx", "fr", "<script>", "fr"])
    assert post("/events/new", data, token_from="/events/new").status_code == 302
    assert db.session.scalars(select(Event)).one().languages == ["fr"]


def test_the_preview_shows_the_description_and_saves_nothing(client, make, login, post):
    login(make.organizer())
    data = form_data(description="Bring a **laptop**.\n\n    indented code", preview="1",
                     title="")  # fmt: skip
    response = post("/events/new", data, token_from="/events/new")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<strong>laptop</strong>" in page and "<pre><code>indented code" in page
    assert 'id="event-preview"' in page and count_events() == 0
    assert "Bring a **laptop**." in page  # the text as typed, in the text area


def test_the_edit_page_lists_dates_to_cancel(client, make, login):
    user = make.organizer()
    event = make.event(user, repeat=Repeat("weekly", count=4))
    login(user)
    page = client.get(f"/events/{event.id}/edit").get_data(as_text=True)
    first = event.start_local.strftime("%Y%m%dT%H%M%S")
    assert f"/events/{event.id}/occurrences/{first}/cancel" in page
    assert page.count("/occurrences/") == 4


def test_the_pages_cost_a_fixed_number_of_queries(client, make, login, count_queries):
    """The same queries for one organizer and no group as for ten organizers, five groups and
    participants: the edit page (of a recurring event) and the new event's page."""
    user = make.organizer()
    small = make.event(user, repeat=Repeat("weekly", count=2))
    login(user)
    client.get("/events/new")

    def cost(path: str) -> tuple[int, str]:
        with count_queries() as counter:
            assert client.get(path).status_code == 200
        return counter.count, "\n".join(s[:120] for s in counter.statements)

    before = [cost("/events/new")[0], cost(f"/events/{small.id}/edit")[0]]
    helpers = [make.member() for _ in range(9)]
    for _ in range(5):
        factories.group(owner=user)
    large = make.event(user, organizers=[h.username for h in helpers],
                       repeat=Repeat("weekly", count=30))  # fmt: skip
    going(large, *helpers[:5])
    new, statements = cost("/events/new")
    assert new == before[0] == 6, statements
    edit, statements = cost(f"/events/{large.id}/edit")
    assert edit == before[1] == cost(f"/events/{small.id}/edit")[0] == 9, statements


def test_dates_in_the_past_are_accepted_for_the_record(client, make, login, post):
    login(make.organizer())
    data = form_data(date(2024, 5, 2))
    assert post("/events/new", data, token_from="/events/new").status_code == 302
    event = db.session.scalars(select(Event)).one()
    assert event.start_local.date() == date(2024, 5, 2)
