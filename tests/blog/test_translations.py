"""Translations: starting one (a linked draft in another language, reviewed on its own),
one story per language in a group, outdated translations and the source's changes since,
the language switcher and ``hreflang`` links."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from plugins.blog.models import Status, Story, StoryDecision, StoryRevision
from plugins.blog.services import revisions, translations
from plugins.blog.services.workflow import WorkflowError
from space.db import db
from space.trust import TrustLevel

from .conftest import reload

_PENDING = {"blog.edit": "/_pending/stories/<int:story_id>/edit"}


@pytest.fixture(autouse=True)
def _pending_pages(app):
    for endpoint, rule in _PENDING.items():
        if endpoint not in app.view_functions:
            app.add_url_rule(rule, endpoint, lambda **kw: "")


def text(response) -> str:
    return response.get_data(as_text=True)


def _edit(story, user, *, title=None, excerpt=None, body=None):
    story = reload(story)
    new = revisions.Text(title if title is not None else story.title,
                         excerpt if excerpt is not None else story.excerpt,
                         body if body is not None else story.body)  # fmt: skip
    revisions.save(user, story, new, base_revision=story.revision_number)
    db.session.commit()
    return reload(story)


def _translation(make, source, language, *, writer=None, publish=True, title=None):
    """A translation of ``source`` through the service, then (by default) reviewed and
    published like any story."""
    writer = writer or make.writer()
    created = translations.translate(writer, reload(source), language)
    db.session.commit()
    story = reload(created)
    story = _edit(story, writer, title=title or f"{source.title} ({language})")
    if publish:
        make.move(writer, story, "submit")
        make.approve(story)
        story = make.move(make.the_editor(), story, "publish")
    return reload(story)


# --- starting a translation -----------------------------------------------------------------


def test_translate_makes_a_linked_draft_holding_the_text(make):
    source = make.published(title="Our spring assembly", body="We met and decided things.")
    translator = make.writer()
    created = translations.translate(translator, reload(source), "fr")
    db.session.commit()
    story = reload(created)
    assert story.status == Status.DRAFT and story.language == "fr"
    assert story.source_id == source.id
    assert story.source_revision_number == source.published_revision_number == 1
    assert (story.title, story.excerpt, story.body) == (source.title, source.excerpt,
                                                        source.body)  # fmt: skip
    assert story.cooked == source.cooked
    assert [a.user_id for a in story.authors] == [translator.id] == [story.writer_id]
    assert story.category_id == source.category_id
    assert story.revision_number == 1
    revision = db.session.scalar(select(StoryRevision).where(StoryRevision.story_id == story.id))
    assert revision.body == source.body and revision.user_id == translator.id
    actions = db.session.scalars(
        select(StoryDecision.action).where(StoryDecision.story_id == story.id)
    ).all()
    assert actions == ["translate"]
    assert story.slug is None and story.topic_id is None


def test_translate_copies_tags_and_image(make):
    tag = make.tag("gardens")
    source = make.published(tags=[tag], image=("/uploads/a.png", "A garden", "Photo by Ana"))
    created = translations.translate(make.writer(), reload(source), "es")
    db.session.commit()
    story = db.session.scalar(select(Story).where(Story.id == created.id))
    assert (story.image_url, story.image_alt, story.image_attribution) == (
        "/uploads/a.png", "A garden", "Photo by Ana")  # fmt: skip
    from plugins.blog.models import story_tag

    tags = db.session.scalars(select(story_tag.c.tag_id).where(story_tag.c.story_id == story.id))
    assert list(tags) == [tag.id]


def test_translating_a_translation_links_to_the_original(make):
    source = make.published()
    french = _translation(make, source, "fr")
    created = translations.translate(make.writer(), french, "de")
    db.session.commit()
    assert created.source_id == source.id
    assert created.source_revision_number == french.source_revision_number


def test_a_language_the_group_has_is_refused(make):
    source = make.published(language="en")
    _translation(make, source, "fr", publish=False)
    with pytest.raises(WorkflowError) as refused:
        translations.translate(make.writer(), reload(source), "fr")
    assert refused.value.field == "language"
    with pytest.raises(WorkflowError):
        translations.translate(make.writer(), reload(source), "en")  # the original's


def test_an_unknown_language_is_refused(make):
    source = make.published()
    for code in ("xx", "", "fr-FR-bad", "../etc"):
        with pytest.raises(WorkflowError) as refused:
            translations.translate(make.writer(), reload(source), code)
        assert refused.value.field == "language"
    assert db.session.scalar(select(func.count(Story.id))) == 1


def test_a_trashed_translation_frees_its_language(make):
    source = make.published()
    writer = make.writer()
    french = _translation(make, source, "fr", writer=writer, publish=False)
    make.move(writer, french, "trash")
    created = translations.translate(make.writer(), reload(source), "fr")
    assert created.language == "fr"


def test_a_translation_goes_through_review_on_its_own(make):
    source = make.published()
    translator = make.writer()
    french = _translation(make, source, "fr", writer=translator, publish=False)
    story = make.move(translator, french, "submit")
    assert story.status == Status.IN_REVIEW
    assert reload(source).status == Status.PUBLISHED


# --- outdated -----------------------------------------------------------------------------------


def test_translation_is_outdated_after_a_substantive_change_of_the_source(make):
    source = make.published(body="A first version of the text. " * 4)
    french = _translation(make, source, "fr")
    assert not translations.is_outdated(french, reload(source))
    source = _edit(source, make.the_editor(), body="An entirely new text about other things. " * 5)
    assert translations.is_outdated(reload(french), source)


def test_a_small_fix_of_the_source_does_not_outdate_translations(make):
    source = make.published(body="A text with a tpyo in it.")
    french = _translation(make, source, "fr")
    source = _edit(source, make.the_editor(), body="A text with a typo in it.")
    assert source.revision_number == 2 and source.substantive_revision_number == 1
    assert not translations.is_outdated(reload(french), source)


def test_is_outdated_only_compares_with_its_own_source(make):
    source, other = make.published(), make.published()
    french = _translation(make, source, "fr")
    other = _edit(other, make.the_editor(), title="A completely different title")
    assert not translations.is_outdated(french, other)
    assert not translations.is_outdated(reload(source), None)


def test_source_changes_show_the_difference_since_the_translation(make):
    source = make.published(title="Old title", body="The first line.\nThe second line.")
    french = _translation(make, source, "fr")
    _edit(source, make.the_editor(), title="New title", body="The first line.\nA new line.")
    changes = translations.source_changes(reload(french))
    assert (changes.old, changes.new) == (1, 2)
    assert [section.name for section in changes.sections] == ["title", "body"]
    body = changes.sections[1].rows
    assert [row.kind for row in body] == ["equal", "replace"]
    assert "<del>second</del>" in body[1].left and "<ins>new</ins>" in body[1].right
    assert "first" not in body[1].left


def test_source_changes_of_a_story_that_is_no_translation(make):
    assert translations.source_changes(make.published()) is None


# --- pages --------------------------------------------------------------------------------------


def test_outdated_translation_page_says_so_with_a_link_to_the_changes(make, client):
    source = make.published(body="A first version of the text. " * 4)
    french = _translation(make, source, "fr")
    page = text(client.get(f"/blog/{french.slug}"))
    assert "made from an earlier version" not in page
    _edit(source, make.the_editor(), body="An entirely new text about other things. " * 5)
    page = text(client.get(f"/blog/{french.slug}"))
    assert "made from an earlier version of the original story" in page
    assert f'href="/blog/stories/{french.id}/source-changes"' in page
    assert f'href="/blog/{source.slug}" hreflang="en">Read the original' in page


def test_outdated_translation_of_an_unpublished_original_shows_no_changes(make, client):
    source = make.published(body="A first version of the text. " * 4)
    french = _translation(make, source, "fr")
    _edit(source, make.the_editor(), body="An entirely new text about other things. " * 5)
    make.move(make.the_editor(), source, "unpublish", note="Taken down for a reason.")
    page = text(client.get(f"/blog/{french.slug}"))
    assert "made from an earlier version of the original story" in page
    assert "source-changes" not in page and "Read the original" not in page
    assert client.get(f"/blog/stories/{french.id}/source-changes").status_code == 404


def test_source_changes_page(make, client):
    source = make.published(title="Old title", body="Same start.\nOld ending.")
    french = _translation(make, source, "fr")
    _edit(source, make.the_editor(), body="Same start.\nA brand new ending.")
    response = client.get(f"/blog/stories/{french.id}/source-changes")
    assert response.status_code == 200
    page = text(response)
    assert "What changed in the original" in page
    assert "<del>Old</del> ending." in page and "<ins>A brand new</ins> ending." in page
    assert "Version 1" in page and "Version 2" in page
    assert client.get(f"/blog/stories/{source.id}/source-changes").status_code == 404
    assert client.get("/blog/stories/999999/source-changes").status_code == 404


def test_source_changes_of_a_draft_translation_are_private(make, client, login):
    source = make.published()
    translator = make.writer()
    french = _translation(make, source, "fr", writer=translator, publish=False)
    assert client.get(f"/blog/stories/{french.id}/source-changes").status_code == 404
    login(translator)
    assert client.get(f"/blog/stories/{french.id}/source-changes").status_code == 200


def test_language_switcher_and_hreflang_list_published_siblings(make, client):
    source = make.published(title="The story")
    french = _translation(make, source, "fr", title="L'histoire")
    german = _translation(make, source, "de", publish=False)
    for story in (source, french):
        page = text(client.get(f"/blog/{story.slug}"))
        for sibling in (source, french):
            assert (f'<link rel="alternate" hreflang="{sibling.language}" '
                    f'href="http://localhost/blog/{sibling.slug}">') in page  # fmt: skip
        assert 'hreflang="de"' not in page and german.title not in page
        assert 'aria-label="Other languages"' in page
    source_page = text(client.get(f"/blog/{source.slug}"))
    assert f'href="/blog/{french.slug}" hreflang="fr" lang="fr"' in source_page
    assert ">Français</a>" in source_page


def test_a_story_alone_has_no_language_switcher(make, client):
    story = make.published()
    page = text(client.get(f"/blog/{story.slug}"))
    assert "hreflang" not in page and "Other languages" not in page


def test_siblings_cost_one_query(make, count_queries):
    source = make.published()
    for code in ("fr", "de", "es"):
        _translation(make, source, code)
    source = reload(source)
    with count_queries() as counter:
        found = translations.siblings(source)
    assert counter.count == 1
    assert sorted(s.language for s in found) == ["de", "en", "es", "fr"]


# --- the translate page ---------------------------------------------------------------------


def test_translate_page_offers_languages_the_story_lacks(make, client, login):
    source = make.published(language="en")
    _translation(make, source, "fr")
    login(make.writer())
    response = client.get(f"/blog/stories/{source.id}/translate")
    assert response.status_code == 200
    select_ = re.search(r'<select id="language".*?</select>', text(response), re.S).group(0)
    assert 'value="de"' in select_ and 'value="fr"' not in select_ and 'value="en"' not in select_


def test_translating_through_the_page(make, client, login, post):
    source = make.published()
    translator = make.writer()
    login(translator)
    response = post(f"/blog/stories/{source.id}/translate", {"language": "es"},
                    token_from=f"/blog/stories/{source.id}/translate")  # fmt: skip
    assert response.status_code == 302
    created = db.session.scalar(select(Story).where(Story.language == "es"))
    assert created.source_id == source.id and created.writer_id == translator.id
    assert response.headers["Location"].endswith(f"/stories/{created.id}/edit")


def test_translating_into_a_taken_language_re_renders_with_the_message(make, client, login,
                                                                        post):  # fmt: skip
    source = make.published()
    login(make.writer())
    response = post(f"/blog/stories/{source.id}/translate", {"language": "en"},
                    token_from=f"/blog/stories/{source.id}/translate")  # fmt: skip
    assert response.status_code == 422
    assert "Not a valid choice." in text(response) or "already exists" in text(response)
    assert db.session.scalar(select(func.count(Story.id))) == 1


def test_who_may_translate(make, client, login):
    source = make.published()
    draft = make.story(make.writer())
    response = client.get(f"/blog/stories/{source.id}/translate")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(make.user(trust_level=TrustLevel.NEW))
    assert client.get(f"/blog/stories/{source.id}/translate").status_code == 403
    assert client.get(f"/blog/stories/{draft.id}/translate").status_code == 404
