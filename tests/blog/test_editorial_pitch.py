"""Pitching a story, editing a pitch, and an editor accepting or declining it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from plugins.blog.models import Status, Story, StoryDecision, StoryFollow
from plugins.blog.services import languages, pitches
from plugins.blog.services.workflow import WorkflowError
from space.db import db, utcnow
from space.notify import Notification
from space.trust import TrustLevel

from .conftest import reload

PITCH = {
    "what": "The assembly voted a new charter for local groups.",
    "why": "Every group will have to adopt it within a year.",
    "who": "The assembly, the local groups, the charter committee.",
    "length": "900",
    "language": "fr",
    "title": "A charter for local groups",
}


def notices(user, kind):
    return db.session.scalars(
        select(Notification).where(Notification.user_id == user.id, Notification.kind == kind)
    ).all()


def only_story() -> Story:
    return db.session.scalars(select(Story)).one()


# --- pitching ----------------------------------------------------------------------------------


def test_pitch_form_shows_the_guidelines_template(make, client, login):
    login(make.writer())
    html = client.get("/blog/pitch").get_data(as_text=True)
    assert 'id="pitch-guidelines"' in html
    for label in ("What happened?", "Why does it matter to the movement?", "Who is involved?",
                  "Proposed length (words)", "Language"):  # fmt: skip
        assert label in html
    assert 'name="csrf_token"' in html


def test_member_pitches_a_story_and_the_editors_hear_of_it(make, client, login, post):
    editor, pitcher = make.editor(), make.writer()
    login(pitcher)
    response = post("/blog/pitch", PITCH)
    story = only_story()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/blog/stories/{story.id}")
    assert story.status == Status.PITCH
    assert story.pitched_by_id == pitcher.id and story.writer_id is None
    assert (story.pitch_what, story.pitch_length, story.language) == (PITCH["what"], 900, "fr")
    assert story.title == "A charter for local groups"
    assert story.submitted_at is not None
    history = db.session.scalars(select(StoryDecision).where(StoryDecision.story_id == story.id))
    assert [(d.action, d.user_id, d.to_status) for d in history] == [
        ("pitch", pitcher.id, Status.PITCH)
    ]
    assert db.session.get(StoryFollow, (story.id, pitcher.id)) is not None
    assert len(notices(editor, pitches.PITCH_KIND)) == 1
    assert notices(pitcher, pitches.PITCH_KIND) == []


def test_missing_what_is_refused_and_the_rest_is_kept(make, client, login, post):
    login(make.writer())
    response = post("/blog/pitch", {**PITCH, "what": "  "})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "This field is required." in html
    assert PITCH["why"] in html and PITCH["who"] in html
    assert db.session.scalars(select(Story)).all() == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"length": "20"}, "Enter a number from 100 to 10000."),
        ({"length": "10001"}, "Enter a number from 100 to 10000."),
        ({"length": "many"}, "Not a valid integer value."),
        ({"language": "xx-nonsense"}, "Not a valid choice."),
        ({"why": "w" * (pitches.WHY_MAX + 1)}, "Use at most"),
    ],
)
def test_bad_pitch_input_is_refused_with_a_message(make, client, login, post, change, message):
    login(make.writer())
    response = post("/blog/pitch", {**PITCH, **change})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert PITCH["what"] in html
    assert db.session.scalars(select(Story)).all() == []


def test_anonymous_visitors_are_sent_to_sign_in_to_pitch(client):
    response = client.get("/blog/pitch")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_pitch_trust_level_is_a_setting(make, client, login):
    from plugins.blog import settings

    settings.put("pitch_trust_level", 2)
    db.session.commit()
    login(make.writer(trust_level=TrustLevel.BASIC))
    assert client.get("/blog/pitch").status_code == 403


def test_pitch_service_checks_every_field(make):
    user = make.writer()
    good = {k: v for k, v in PITCH.items() if k != "length"} | {"length": 900}
    for change, field in [({"what": ""}, "what"), ({"why": " "}, "why"),
                          ({"who": "x" * (pitches.WHO_MAX + 1)}, "who"),
                          ({"length": 99}, "length"), ({"length": None}, "length"),
                          ({"length": True}, "length"), ({"language": "klingon"}, "language"),
                          ({"title": "t" * 500}, "title")]:  # fmt: skip
        with pytest.raises(WorkflowError) as refused:
            pitches.pitch(user, **{**good, **change})
        assert refused.value.field == field
    story = pitches.pitch(user, **{**good, "language": "ar", "title": "  A   title "})
    assert story.language == "ar" and story.title == "A title"


def test_site_languages_come_first_among_the_choices(app):
    with app.test_request_context():
        codes = [code for code, _name in languages.choices()]
    assert codes[:4] == ["en", "fr", "es", "ar"]
    assert "sw" in codes and len(codes) == len(set(codes))


# --- editing a pitch ---------------------------------------------------------------------------


def test_pitcher_edits_their_pitch(make, client, login, post):
    pitcher = make.writer()
    story = make.pitch(pitcher)
    login(pitcher)
    page = client.get(f"/blog/stories/{story.id}/pitch").get_data(as_text=True)
    assert story.pitch_what in page
    response = post(f"/blog/stories/{story.id}/pitch", {**PITCH, "what": "Better facts."})
    assert response.status_code == 302
    assert reload(story).pitch_what == "Better facts."


def test_others_cannot_edit_a_pitch(make, client, login, post):
    story = make.pitch()
    login(make.writer())
    assert client.get(f"/blog/stories/{story.id}/pitch").status_code == 404
    assert post(f"/blog/stories/{story.id}/pitch", PITCH).status_code == 404


def test_an_accepted_pitch_is_no_longer_edited_as_a_pitch(make, client, login, post):
    pitcher, writer = make.writer(), make.writer()
    story = make.move(make.the_editor(), make.pitch(pitcher), "accept", writer=writer)
    login(pitcher)  # the pitcher does not write it
    response = client.get(f"/blog/stories/{story.id}/pitch")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/blog/stories/{story.id}")
    response = post(f"/blog/stories/{story.id}/pitch", {**PITCH, "what": "Typed too late."})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "This story is no longer a pitch" in html and "Typed too late." in html
    assert reload(story).pitch_what != "Typed too late."
    with pytest.raises(WorkflowError):
        pitches.edit_pitch(pitcher, reload(story), **{**PITCH, "length": 900})


# --- accepting and declining -------------------------------------------------------------------


def test_editor_accepts_a_pitch_assigning_a_writer_and_a_due_date(make, client, login, post):
    pitcher, writer, editor = make.writer(), make.writer(), make.editor()
    story = make.pitch(pitcher)
    due = (utcnow() + timedelta(days=10)).date()
    login(editor)
    page = client.get(f"/blog/stories/{story.id}").get_data(as_text=True)
    assert 'id="move-accept"' in page and 'id="move-decline"' in page
    assert f'value="{pitcher.username}"' in page  # the pitcher is proposed as the writer
    response = post(f"/blog/stories/{story.id}/move/accept",
                    {"version": story.version, "writer": writer.username,
                     "due_date": due.isoformat(), "note": "Go for it."})  # fmt: skip
    assert response.status_code == 302
    story = reload(story)
    assert story.status == Status.DRAFT
    assert story.writer_id == writer.id and [a.user_id for a in story.authors] == [writer.id]
    assert story.due_date == due and story.editor_id == editor.id
    assert len(notices(pitcher, "blog.pitch_accepted")) == 1
    followed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Done: the story is now “Draft”." in followed


def test_accept_with_an_unknown_writer_keeps_what_was_typed(make, client, login, post):
    story = make.pitch()
    login(make.editor())
    typed = {"version": story.version, "writer": "nobody-here", "note": "My note"}
    response = post(f"/blog/stories/{story.id}/move/accept", typed)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "There is no one with this username." in html
    assert 'value="nobody-here"' in html and "My note</textarea>" in html
    assert reload(story).status == Status.PITCH


@pytest.mark.parametrize("due", ["tomorrow", "2020-01-01"])
def test_accept_refuses_a_bad_or_past_due_date(make, client, login, post, due):
    story = make.pitch()
    login(make.editor())
    response = post(f"/blog/stories/{story.id}/move/accept",
                    {"version": story.version, "due_date": due})  # fmt: skip
    assert response.status_code == 422
    assert 'id="move-accept-error"' in response.get_data(as_text=True)
    assert reload(story).status == Status.PITCH


def test_declining_needs_a_reason(make, client, login, post):
    pitcher = make.writer()
    story = make.pitch(pitcher)
    login(make.editor())
    response = post(f"/blog/stories/{story.id}/move/decline", {"version": story.version})
    assert response.status_code == 422
    assert "Please say why: the writer reads this note." in response.get_data(as_text=True)
    assert reload(story).status == Status.PITCH
    assert notices(pitcher, "blog.pitch_declined") == []


def test_declined_pitch_tells_the_pitcher_why(make, client, login, post):
    pitcher = make.writer()
    story = make.pitch(pitcher)
    login(make.editor())
    response = post(f"/blog/stories/{story.id}/move/decline",
                    {"version": story.version, "note": "We covered this last month."})  # fmt: skip
    assert response.status_code == 302
    assert reload(story).status == Status.DECLINED
    told = notices(pitcher, "blog.pitch_declined")
    assert len(told) == 1 and told[0].data["note"] == "We covered this last month."
    post("/logout")
    login(pitcher)
    page = client.get(f"/blog/stories/{story.id}").get_data(as_text=True)
    assert "We covered this last month." in page and "declined the pitch" in page
