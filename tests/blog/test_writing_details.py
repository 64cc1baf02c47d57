"""A story's details, saved beside its text: category and tags (with the published-story
counters), image, language, and the editors' fields (writers, due date, address)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from plugins.blog.models import BlogCategory, BlogTag, Status, StorySlug
from plugins.blog.services import details, languages
from plugins.blog.services.details import Details
from plugins.blog.services.revisions import Text
from plugins.blog.services.workflow import WorkflowError
from space.audit import AuditEntry
from space.db import db

from .conftest import reload


def _writer(story):
    from space.accounts.models import User

    return db.session.get(User, story.writer_id)


def _apply(user, story, **changes):
    changed = details.apply(user, reload(story), Details(**changes))
    db.session.commit()
    return changed


def _count(model, item_id):
    db.session.expire_all()
    return db.session.get(model, item_id).story_count


def test_nothing_given_changes_nothing(make):
    story = make.story()
    assert _apply(_writer(story), story) == set()


def test_tags_are_normalized_created_and_limited_to_eight(make):
    story = make.story()
    make.tag("climate")
    changed = _apply(_writer(story), story, tags=[" Climate", "#youth", "YOUTH", "Été 2024", "!!"])
    assert changed == {"tags"}
    assert details.current_tag_names(reload(story)) == ["climate", "ete-2024", "youth"]
    assert db.session.scalar(select(BlogTag).where(BlogTag.name == "youth")).story_count == 0
    with pytest.raises(WorkflowError) as refused:
        details.apply(_writer(story), reload(story), Details(tags=[f"t{n}" for n in range(9)]))
    assert refused.value.field == "tags"


def test_counters_follow_the_tags_and_category_of_a_published_story(make):
    old_category, new_category = make.category(), make.category()
    old_tag, kept_tag = make.tag("old"), make.tag("kept")
    story = make.published(category=old_category, tags=[old_tag, kept_tag])
    assert _count(BlogCategory, old_category.id) == 1
    assert _count(BlogTag, old_tag.id) == 1
    editor = make.editor()
    changed = _apply(editor, story, category_id=new_category.id, tags=["kept", "new"])
    assert changed == {"category", "tags"}
    assert _count(BlogCategory, old_category.id) == 0
    assert _count(BlogCategory, new_category.id) == 1
    assert _count(BlogTag, old_tag.id) == 0
    assert _count(BlogTag, kept_tag.id) == 1
    new_tag = db.session.scalar(select(BlogTag).where(BlogTag.name == "new"))
    assert new_tag.story_count == 1
    _apply(editor, story, category_id=None, tags=[])
    assert _count(BlogCategory, new_category.id) == 0
    assert _count(BlogTag, kept_tag.id) == 0 and _count(BlogTag, new_tag.id) == 0


def test_counters_do_not_move_for_a_draft(make):
    category = make.category()
    story = make.story(category=None)
    _apply(_writer(story), story, category_id=category.id, tags=["draft-tag"])
    assert _count(BlogCategory, category.id) == 0
    assert db.session.scalar(select(BlogTag).where(BlogTag.name == "draft-tag")).story_count == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"category_id": 999_999}, "category"),
        ({"category_id": "3"}, "category"),
        ({"category_id": True}, "category"),
        ({"image_url": "javascript:alert(1)"}, "image_url"),
        ({"image_url": "/uploads/a/../../x.png"}, "image_url"),
        ({"image_url": "//evil.example/uploads/x.png"}, "image_url"),
        ({"image_alt": "x" * 301}, "image_alt"),
        ({"image_attribution": "x" * 301}, "image_attribution"),
        ({"language": "not-a-language"}, "language"),
        ({"language": None}, "language"),
        ({"tags": [3]}, "tags"),
    ],
)
def test_bad_details_are_refused_naming_the_field(make, changes, field):
    story = make.story()
    with pytest.raises(WorkflowError) as refused:
        details.apply(_writer(story), reload(story), Details(**changes))
    assert refused.value.field == field


def test_image_and_language(make):
    story = make.story()
    url = "/uploads/" + "0" * 32 + ".jpg"
    changed = _apply(_writer(story), story, image_url=url, image_alt="  A  tree ",
                     image_attribution="Ana", language="pt-br")  # fmt: skip
    story = reload(story)
    assert changed == {"image_url", "image_alt", "image_attribution", "language"}
    assert (story.image_url, story.image_alt, story.language) == (url, "A tree", "pt")
    assert languages.clean("AR") == "ar"


def test_only_editors_change_writers_due_date_and_address(make):
    story = make.story()
    writer, other = _writer(story), make.writer()
    for changes in ({"writers": [other.username]}, {"due_date": date(2999, 1, 1)}):
        with pytest.raises(WorkflowError, match="Only editors"):
            details.apply(writer, reload(story), Details(**changes))
    # Sending what is already there is no change, so nobody is refused for it.
    assert _apply(writer, story, writers=[writer.username], due_date=None) == set()


def test_an_editor_sets_writers_in_byline_order(make):
    story = make.story()
    lead, second = _writer(story), make.writer()
    changed = _apply(make.editor(), story, writers=[f"@{second.username.upper()}", lead.username])
    story = reload(story)
    assert changed == {"writers"}
    assert [a.user_id for a in story.authors] == [second.id, lead.id]
    assert story.writer_id == second.id
    with pytest.raises(WorkflowError, match="at least one writer"):
        details.apply(make.editor(), story, Details(writers=[" ", ""]))


def test_due_date_cannot_be_moved_into_the_past(make):
    story = make.story()
    editor = make.editor()
    with pytest.raises(WorkflowError) as refused:
        details.apply(editor, reload(story), Details(due_date=date.today() - timedelta(days=2)))
    assert refused.value.field == "due_date"
    assert _apply(editor, story, due_date=date.today() + timedelta(days=7)) == {"due_date"}


def test_the_address_changes_once_published_and_the_old_one_is_kept(make):
    story = make.published(title="Our first assembly")
    editor = make.editor()
    old = story.slug
    assert _apply(editor, story, slug="our-assembly") == {"slug"}
    story = reload(story)
    assert story.slug == "our-assembly"
    assert db.session.get(StorySlug, old).story_id == story.id
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "blog.story.slug"))
    assert entry.details == {"old": old, "new": "our-assembly"}
    with pytest.raises(WorkflowError) as refused:
        details.apply(editor, story, Details(slug="Not A Slug!"))
    assert refused.value.field == "slug"


def test_a_draft_has_no_address_to_change(make):
    story = make.story()
    with pytest.raises(WorkflowError, match="first published"):
        details.apply(make.editor(), reload(story), Details(slug="early-bird"))


def test_a_refusal_changes_nothing(make):
    category = make.category()
    story = make.story(category=None)
    with pytest.raises(WorkflowError):
        details.apply(_writer(story), reload(story),
                      Details(category_id=category.id, language="nope"))  # fmt: skip
    db.session.rollback()
    assert reload(story).category_id is None


def test_start_needs_a_title(make):
    author = make.author()
    with pytest.raises(WorkflowError) as refused:
        details.start(author, Text("  ", "", "Body"), "en")
    assert refused.value.field == "title"
    story = details.start(author, Text("A title", "", ""), "en")
    db.session.commit()
    assert reload(story).status == Status.DRAFT
