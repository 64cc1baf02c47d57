"""Writing a story: starting one, the editor's form (every save a revision, details beside
the text), the stale-save refusal that loses nothing, and who may write what."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from plugins.blog.models import Status, StoryDecision, StoryRevision
from plugins.blog.services import locks, revisions
from space.db import db
from space.trust import TrustLevel
from tests import factories

from .conftest import BODY, EXCERPT, reload


def _writer(story):
    from space.accounts.models import User

    return db.session.get(User, story.writer_id)


def _form(story, **changes):
    """The editor's form as it stands for ``story``, with ``changes``."""
    data = {
        "base_revision": str(story.revision_number),
        "title": story.title,
        "excerpt": story.excerpt,
        "body": story.body,
        "category": str(story.category_id or ""),
        "tags": "",
        "language": story.language,
        "image_url": story.image_url,
        "image_alt": story.image_alt,
        "image_attribution": story.image_attribution,
        "writers": _writer(story).username,
    }
    data.update(changes)
    return data


def _edit(post, story, **changes):
    path = f"/blog/stories/{story.id}/edit"
    return post(path, _form(story, **changes), token_from=path)


def _revisions(story):
    return db.session.scalars(
        select(StoryRevision)
        .where(StoryRevision.story_id == story.id)
        .order_by(StoryRevision.number)
    ).all()


# --- starting a story -------------------------------------------------------------------------


def test_an_author_starts_a_story_a_draft_they_write(make, client, login, post):
    author = make.author()
    login(author)
    page = client.get("/blog/stories/new")
    assert page.status_code == 200
    response = post("/blog/stories/new", {"title": "  Our   first assembly ", "language": "fr",
                                          "excerpt": "", "body": "It *began*."},
                    token_from="/blog/stories/new")  # fmt: skip
    assert response.status_code == 302
    story_id = int(re.search(r"/stories/(\d+)/edit", response.headers["Location"]).group(1))
    story = reload(story_id)
    assert story.status == Status.DRAFT
    assert story.title == "Our first assembly"
    assert story.language == "fr"
    assert story.writer_id == author.id
    assert [a.user_id for a in story.authors] == [author.id]
    assert story.revision_number == 1
    assert "<em>began</em>" in story.cooked
    decision = db.session.scalar(select(StoryDecision).where(StoryDecision.story_id == story.id))
    assert decision.action == "create"


def test_a_contributor_cannot_start_a_story_without_a_pitch(make, client, login, post):
    login(make.writer())
    assert client.get("/blog/stories/new").status_code == 403
    assert post("/blog/stories/new", {"title": "A title", "language": "en"}).status_code == 403


def test_starting_without_a_title_or_with_a_bad_language_keeps_what_was_typed(
    make, client, login, post
):
    login(make.author())
    response = post("/blog/stories/new", {"title": "", "language": "en",
                                          "body": "Words I typed"},
                    token_from="/blog/stories/new")  # fmt: skip
    assert response.status_code == 422
    assert "Words I typed" in response.get_data(as_text=True)
    response = post("/blog/stories/new", {"title": "A title", "language": "xx-nope"},
                    token_from="/blog/stories/new")  # fmt: skip
    assert response.status_code == 422
    assert "A title" in response.get_data(as_text=True)


# --- the editor -------------------------------------------------------------------------------


def test_the_editor_shows_the_story_and_its_limits(make, client, login):
    story = make.story(title="A story about the river")
    login(_writer(story))
    response = client.get(f"/blog/stories/{story.id}/edit")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "A story about the river" in html
    assert f'name="base_revision" type="hidden" value="{story.revision_number}"' in html
    assert 'data-excerpt-count data-min="50" data-max="300"' in html
    assert "blog/editor.js" in html
    assert "<script>" not in html and 'style="' not in html


def test_every_save_is_a_new_revision(make, client, login, post):
    story = make.story()
    login(_writer(story))
    response = _edit(post, story, body=BODY + "\n\nA third paragraph.")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/blog/stories/{story.id}/edit")
    story = reload(story)
    assert story.revision_number == 2
    assert story.body.endswith("A third paragraph.")
    response = _edit(post, story, title="A better title for the story")
    story = reload(story)
    assert story.revision_number == 3
    assert [r.number for r in _revisions(story)] == [1, 2, 3]
    assert _revisions(story)[1].body.endswith("A third paragraph.")
    assert _revisions(story)[0].body == BODY  # earlier revisions never change


def test_saving_the_same_text_makes_no_revision(make, client, login, post):
    story = make.story()
    login(_writer(story))
    response = _edit(post, story)
    assert response.status_code == 302
    assert reload(story).revision_number == 1
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nothing changed since the last version." in page


def test_save_and_close_releases_the_lock_and_goes_to_the_storys_page(make, client, login, post):
    story = make.story()
    login(_writer(story))
    client.get(f"/blog/stories/{story.id}/edit")
    response = _edit(post, story, body="New text.", close="1")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/blog/stories/{story.id}")
    assert reload(story).lock_user_id is None


def test_the_details_are_saved_with_the_text(make, client, login, post):
    story = make.story()
    category = make.category("Local groups")
    login(_writer(story))
    image = "/uploads/" + "a" * 32 + ".png"
    response = _edit(post, story, category=str(category.id), tags="Climate, #Youth, climate",
                     language="es", image_url=image, image_alt="Two people planting a tree",
                     image_attribution="Photo: Ana, CC BY")  # fmt: skip
    assert response.status_code == 302
    story = reload(story)
    assert story.category_id == category.id
    assert story.language == "es"
    assert story.image_alt == "Two people planting a tree"
    from plugins.blog.services.details import current_tag_names

    assert current_tag_names(story) == ["climate", "youth"]
    assert story.revision_number == 1  # the text did not change


def test_the_no_js_preview_re_renders_the_form_with_the_cooked_text(make, client, login, post):
    story = make.story()
    login(_writer(story))
    response = _edit(post, story, body="Some **bold** words <script>alert(1)</script>",
                     preview="1")  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<strong>bold</strong>" in html
    assert "<script>alert(1)</script>" not in html
    assert reload(story).revision_number == 1  # a preview saves nothing


def test_a_writer_cannot_edit_a_story_in_review(make, client, login, post):
    story = make.story(status=Status.IN_REVIEW)
    login(_writer(story))
    assert client.get(f"/blog/stories/{story.id}/edit").status_code == 403
    assert _edit(post, story, body="Sneaky change").status_code == 403
    assert reload(story).revision_number == 1


def test_an_editor_edits_a_story_in_review(make, client, login):
    story = make.story(status=Status.IN_REVIEW)
    login(make.editor())
    assert client.get(f"/blog/stories/{story.id}/edit").status_code == 200


def test_strangers_get_404_for_a_draft(make, client, login, post):
    story = make.story()
    login(make.writer())
    assert client.get(f"/blog/stories/{story.id}/edit").status_code == 404
    assert _edit(post, story, body="Vandalism").status_code == 404
    assert client.get("/blog/stories/424242/edit").status_code == 404


def test_an_editor_edits_anyones_story_and_changes_its_writers(make, client, login, post):
    story = make.story()
    editor, second = make.editor(), make.writer()
    login(editor)
    page = client.get(f"/blog/stories/{story.id}/edit").get_data(as_text=True)
    assert 'name="writers"' in page
    lead = _writer(story)
    response = _edit(post, story, writers=f"{lead.username}, @{second.username}",
                     due_date="2999-01-31")  # fmt: skip
    assert response.status_code == 302
    story = reload(story)
    assert [a.user_id for a in story.authors] == [lead.id, second.id]
    assert str(story.due_date) == "2999-01-31"


def test_writers_do_not_see_or_change_the_editors_fields(make, client, login, post):
    story = make.story()
    stranger = make.writer()
    login(_writer(story))
    page = client.get(f"/blog/stories/{story.id}/edit").get_data(as_text=True)
    assert 'name="writers"' not in page
    response = _edit(post, story, writers=stranger.username, due_date="2999-01-01")
    assert response.status_code == 302
    story = reload(story)
    assert [a.user_id for a in story.authors] == [story.writer_id]
    assert story.due_date is None


def test_a_pitch_is_edited_on_the_pitch_page(make, client, login):
    pitcher = make.writer()
    story = make.pitch(pitcher)
    login(pitcher)
    response = client.get(f"/blog/stories/{story.id}/edit")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/blog/stories/{story.id}/pitch")


# --- stale saves ------------------------------------------------------------------------------


def test_a_stale_save_is_refused_with_the_diff_and_nothing_typed_is_lost(make, client, login, post):
    story = make.story(body="Line one.\nLine two.")
    writer, editor = _writer(story), make.editor()
    # The editor saves revision 2 while the writer still has revision 1 open.
    revisions.save(editor, story, revisions.Text(story.title, story.excerpt,
                                                 "Line one.\nLine two, corrected by the editor."),
                   base_revision=1)  # fmt: skip
    db.session.commit()
    login(writer)
    response = _edit(post, reload(story), base_revision="1",
                     body="Line one.\nLine two.\nMy precious new paragraph.")  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone saved a newer version while you were editing" in html
    assert "My precious new paragraph." in html  # the typed text, in the form
    assert "<ins>corrected</ins>" in html or "<ins>, corrected by the editor</ins>" in html
    assert 'name="base_revision" type="hidden" value="2"' in html
    story = reload(story)
    assert story.revision_number == 2
    assert story.body == "Line one.\nLine two, corrected by the editor."
    # Saving again from the page is a deliberate choice, and it succeeds.
    response = _edit(post, story, base_revision="2",
                     body="Line one.\nLine two.\nMy precious new paragraph.")  # fmt: skip
    assert response.status_code == 302
    story = reload(story)
    assert story.revision_number == 3
    assert story.body.endswith("My precious new paragraph.")


def test_a_save_while_someone_else_holds_the_lock_is_refused_and_kept(make, client, login, post):
    story = make.story()
    writer, editor = _writer(story), make.editor()
    locks.acquire(editor, story)
    db.session.commit()
    login(writer)
    response = _edit(post, reload(story), body="What I typed before they came.")
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert f"{editor.name} took over editing this story" in html
    assert "What I typed before they came." in html
    assert 'name="take_over"' in html
    assert reload(story).revision_number == 1
    response = _edit(post, reload(story), body="What I typed before they came.", take_over="1")
    assert response.status_code == 302
    story = reload(story)
    assert story.revision_number == 2
    assert story.lock_user_id == writer.id


# --- refusals keep the text -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "T" * 121}, "The title is too long"),
        ({"excerpt": "E" * 301}, "The excerpt is too long"),
        ({"category": "999999"}, "Choose one of the categories."),
        ({"category": "abc"}, "Choose one of the categories."),
        ({"tags": ",".join(f"tag{n}" for n in range(9))}, "at most 8 tags"),
        ({"language": "klingon"}, "Not a valid choice"),
        ({"image_url": "https://evil.example/x.png"}, "uploaded"),
        ({"image_url": "/uploads/../../etc/passwd"}, "uploaded"),
        ({"image_alt": "A" * 301}, "at most 300"),
        ({"base_revision": "minus one"}, "The version you started from is not known"),
        ({"due_date": "not a date"}, None),
    ],
)
def test_bad_input_is_a_422_with_the_text_kept(make, client, login, post, changes, message):
    story = make.story()
    login(_writer(story))
    response = _edit(post, story, body="Typed and not to be lost.", **changes)
    html = response.get_data(as_text=True)
    assert response.status_code == 422, html[:500]
    assert "Typed and not to be lost." in html
    if message:
        assert message in html
    assert reload(story).revision_number == 1


def test_an_editor_cannot_set_a_due_date_in_the_past_or_unknown_writers(make, client, login, post):
    story = make.story()
    login(make.editor())
    response = _edit(post, story, due_date="2001-01-01")
    assert response.status_code == 422
    assert "The due date is in the past." in response.get_data(as_text=True)
    response = _edit(post, story, writers="nobody-by-that-name")
    assert response.status_code == 422
    assert "There is nobody called nobody-by-that-name." in response.get_data(as_text=True)


def test_a_contributor_at_trust_level_zero_is_still_refused_cleanly(make, client, login, post):
    newcomer = factories.user(trust_level=TrustLevel.NEW)
    login(newcomer)
    assert client.get("/blog/stories/new").status_code == 403


# --- substantive edits after approval ------------------------------------------------------


def test_a_substantive_edit_after_approval_sends_the_story_back_to_review(
    make, client, login, post
):
    story = make.story(status=Status.APPROVED)
    assert story.approvals == 1
    editor = make.editor()
    login(editor)
    response = _edit(post, story, body=story.body + "\n\n" + "A whole new paragraph. " * 5)
    assert response.status_code == 302
    story = reload(story)
    assert story.status == Status.IN_REVIEW
    assert story.approvals == 0
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "goes back to review" in page


def test_a_small_fix_after_approval_keeps_the_approval(make, client, login, post):
    story = make.story(status=Status.APPROVED)
    login(make.editor())
    response = _edit(post, story, body=story.body.replace("useful", "usefull"))
    assert response.status_code == 302
    story = reload(story)
    assert story.status == Status.APPROVED
    assert story.approvals == 1
    assert story.revision_number == 2


def test_excerpt_default_in_the_conftest_meets_the_checklist():
    assert 50 <= len(EXCERPT) <= 300


def test_an_empty_or_garbled_post_is_a_422_never_a_500(make, client, login, post):
    story = make.story()
    login(_writer(story))
    path = f"/blog/stories/{story.id}/edit"
    assert post(path, {}, token_from=path).status_code == 422
    response = post(path, {"language": "en", "title": "x\x00y"}, token_from=path)
    assert response.status_code in {400, 422}
    assert reload(story).revision_number == 1


def test_an_editor_edits_a_published_story_and_its_address(make, client, login, post):
    story = make.published(title="The assembly of spring")
    old = story.slug
    login(make.editor())
    response = _edit(post, story, slug="spring-assembly", body=story.body + "\n\nA correction.")
    assert response.status_code == 302
    story = reload(story)
    assert story.slug == "spring-assembly"
    assert story.status == Status.PUBLISHED
    assert story.published_revision_number == story.revision_number == 2
    assert client.get(f"/blog/{old}").status_code in {301, 308}
    response = _edit(post, story, slug="Not a slug")
    assert response.status_code == 422
    assert "Use lowercase letters, digits and dashes" in response.get_data(as_text=True)


def test_the_body_is_kept_as_typed_indented_code_included(make, client, login, post):
    story = make.story()
    login(_writer(story))
    _edit(post, story, body="    indented code\n\nThen words.")
    story = reload(story)
    assert story.body == "    indented code\n\nThen words."
    assert "<pre><code>indented code" in story.cooked
