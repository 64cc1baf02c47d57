"""The blog's admin pages (categories, settings) and its panels on the admin dashboard and
on profiles."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from plugins.blog import settings
from plugins.blog.models import BlogCategory, Status, Story
from space.audit import AuditEntry
from space.db import db
from tests import factories

CATEGORIES = "/blog/admin/categories"
NEW = "/blog/admin/categories/new"
SETTINGS = "/blog/admin/settings"


@pytest.fixture
def admin(app, login, make):
    person = make.admin()
    login(person)
    return person


def _category(slug) -> BlogCategory | None:
    db.session.expire_all()
    return db.session.scalar(select(BlogCategory).where(BlogCategory.slug == slug))


def _form(**fields):
    data = {"name": "Events", "slug": "", "description": "Gatherings.", "position": ""}
    data.update(fields)
    return data


def _settings_form(**changes):
    """Every setting as the page shows it, with ``changes``; a False boolean is left out."""
    data = {}
    for setting in settings.SETTINGS:
        current = settings.value(setting.name)
        if isinstance(setting.default, bool):
            if current:
                data[setting.name] = "1"
        else:
            data[setting.name] = str(current)
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def test_only_admins_manage_the_blog(make, client, login, post):
    category = make.category()
    pages = [CATEGORIES, NEW, f"{CATEGORIES}/{category.id}", SETTINGS]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    for person in (make.editor(), factories.moderator(), make.author()):
        login(person)
        for path in pages:
            assert client.get(path).status_code == 403, (person.username, path)
        assert post(NEW, _form(slug="nope")).status_code == 403
        assert post(f"{CATEGORIES}/{category.id}", _form(name="Taken over")).status_code == 403
        assert post(f"{CATEGORIES}/{category.id}/delete").status_code == 403
        assert post(SETTINGS, _settings_form(stories_per_page="99")).status_code == 403
        post("/logout")
    assert _category(category.slug).name == category.name
    assert _category("nope") is None
    assert settings.value("stories_per_page") == 10


def test_create_edit_and_list_categories(client, admin, post):
    response = post(NEW, _form(name="Stories from affiliates", slug="affiliates",
                               description="From chapters.", position="3"))  # fmt: skip
    assert response.status_code == 302
    category = _category("affiliates")
    assert (category.name, category.description, category.position) == (
        "Stories from affiliates", "From chapters.", 3)  # fmt: skip
    assert post(NEW, _form(name="Événements à venir")).status_code == 302
    later = _category("evenements-a-venir")
    assert later.position == 4  # after the others
    listing = client.get(CATEGORIES).get_data(as_text=True)
    assert f'id="category-{category.id}"' in listing and "Stories from affiliates" in listing
    assert listing.index(f'id="category-{category.id}"') < listing.index(
        f'id="category-{later.id}"')  # fmt: skip
    response = post(f"{CATEGORIES}/{category.id}", _form(name="Affiliates", slug="chapters",
                                                         position="0"))  # fmt: skip
    assert response.status_code == 302
    assert _category("chapters").name == "Affiliates" and _category("affiliates") is None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "blog.category.update"))
    assert entry.target_id == category.id
    page = client.get(f"{CATEGORIES}/{category.id}").get_data(as_text=True)
    assert 'value="chapters"' in page and "Delete this category" in page


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"slug": "Not a slug!"}, "Use lowercase letters, digits and dashes"),
        ({"slug": "taken"}, "Another category already uses this address."),
        ({"name": ""}, "This field is required."),
        ({"name": "x" * 81}, "Use at most 80 characters."),
        ({"position": "-1"}, "Enter a number from 0 to 100000."),
        ({"position": "first"}, "Not a valid integer value."),
    ],
)
def test_bad_category_input_is_refused_and_kept(make, client, admin, post, fields, message):
    make.category("Taken")
    db.session.execute(
        BlogCategory.__table__.update().where(BlogCategory.name == "Taken").values(slug="taken")
    )
    db.session.commit()
    data = _form(**{"name": "Kept name", "description": "Kept description", **fields})
    response = post(NEW, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422, page[:500]
    assert message in page.replace("&#39;", "'")
    assert "Kept description" in page
    if fields.get("slug"):
        assert f'value="{fields["slug"]}"' in page
    if fields.get("name"):
        assert f'value="{fields["name"]}"' in page
    assert db.session.scalar(select(func.count(BlogCategory.id))) == 1


def test_an_unknown_category_is_404(client, admin, post):
    assert client.get(f"{CATEGORIES}/999999").status_code == 404
    assert post(f"{CATEGORIES}/999999/delete").status_code == 404
    assert client.get(f"{CATEGORIES}/abc").status_code == 404


def test_deleting_a_category_keeps_its_stories_working(make, client, admin, post):
    category = make.category("Doomed")
    slug, category_id = category.slug, category.id
    story = make.published(category=category, title="A story that outlives its category")
    draft = make.story(category=category)
    response = post(f"{CATEGORIES}/{category_id}/delete")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(BlogCategory, category_id) is None
    assert db.session.get(Story, story.id).category_id is None
    assert db.session.get(Story, draft.id).category_id is None
    assert db.session.get(Story, story.id).status == Status.PUBLISHED
    assert client.get(f"/blog/{story.slug}").status_code == 200
    assert "A story that outlives its category" in client.get("/blog/").get_data(as_text=True)
    assert client.get(f"/blog/category/{slug}").status_code == 404
    listing = client.get(CATEGORIES).get_data(as_text=True)
    assert "Doomed" not in listing
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "blog.category.delete"))


def test_settings_page_shows_and_saves_every_setting(client, admin, post):
    page = client.get(SETTINGS).get_data(as_text=True)
    for setting in settings.SETTINGS:
        assert f'name="{setting.name}"' in page, setting.name
    assert 'type="checkbox"' in page and 'name="discussion_category"' in page
    form = _settings_form(required_approvals="2", authors_publish=None, require_image="1",
                          discussion_category="stories")  # fmt: skip
    response = post(SETTINGS, form)
    assert response.status_code == 302
    db.session.expire_all()
    assert settings.value("required_approvals") == 2
    assert settings.value("authors_publish") is False
    assert settings.value("require_image") is True
    assert settings.value("discussion_category") == "stories"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "blog.settings"))
    assert entry.details["changes"]["required_approvals"] == [1, 2]
    page = client.get(SETTINGS).get_data(as_text=True)
    assert 'id="setting-authors_publish" name="authors_publish" type="checkbox" value="1">' in page


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"required_approvals": "0"}, "required_approvals", "Enter a number from 1"),
        ({"stories_per_page": "ten"}, "stories_per_page", "Enter a whole number."),
        ({"lock_seconds": "2.5"}, "lock_seconds", "Enter a whole number."),
        ({"trash_days": ""}, "trash_days", "Enter a whole number."),
        ({"best_replies": "-3"}, "best_replies", "Enter a number from 0"),
        ({"discussion_category": "Not a slug"}, "discussion_category", "Use lowercase letters"),
        ({"excerpt_min_length": "400"}, "excerpt_min_length", "cannot be longer than"),
        ({"heartbeat_seconds": "200"}, "heartbeat_seconds", "more often than the lock"),
    ],
)
def test_bad_settings_are_refused_with_what_was_typed(client, admin, post, changes, field,
                                                      message):  # fmt: skip
    before = {s.name: settings.value(s.name) for s in settings.SETTINGS}
    response = post(SETTINGS, _settings_form(**{"stories_per_page": "12", **changes}))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page and f'id="setting-{field}-errors"' in page
    assert f'value="{changes[field]}"' in page
    typed = changes.get("stories_per_page", "12")
    assert f'name="stories_per_page" type="number" step="1" min="1" value="{typed}"' in page
    db.session.expire_all()
    assert {s.name: settings.value(s.name) for s in settings.SETTINGS} == before


def test_the_admin_dashboard_shows_the_blog_card(make, client, admin):
    make.published()
    make.story(status=Status.IN_REVIEW)
    page = client.get("/admin/").get_data(as_text=True)
    assert 'id="blog-admin-card"' in page
    assert '<tr data-status="published"><td>Published</td><td class="admin-num">1</td>' in page
    assert '<tr data-status="in_review"><td>In review</td><td class="admin-num">1</td>' in page
    for link in ("/blog/editorial", CATEGORIES, SETTINGS):
        assert f'href="{link}"' in page


def test_the_dashboard_card_is_for_blog_admins_only(make, client, login):
    login(factories.moderator())
    page = client.get("/admin/")
    if page.status_code == 200:
        assert 'id="blog-admin-card"' not in page.get_data(as_text=True)


def test_profiles_show_published_stories_only(make, client, count_queries):
    writer = make.author()
    published = [make.published(writer, title=f"Published story {n}") for n in range(3)]
    make.story(writer, Status.UNPUBLISHED, title="An unpublished story")
    make.story(writer, Status.IN_REVIEW, title="A story in review")
    page = client.get(f"/u/{writer.username}").get_data(as_text=True)
    assert 'id="blog-profile-stories"' in page
    for story in published:
        assert f'href="/blog/{story.slug}"' in page
    assert "An unpublished story" not in page and "A story in review" not in page
    assert "All stories by" not in page
    with count_queries() as few:
        client.get(f"/u/{writer.username}")
    for n in range(5):
        make.published(writer, title=f"More story {n}")
    with count_queries() as many:
        page = client.get(f"/u/{writer.username}").get_data(as_text=True)
    assert many.count == few.count
    assert "All stories by" in page and page.count('href="/blog/') >= 5
    nobody = make.writer()
    assert 'id="blog-profile-stories"' not in client.get(f"/u/{nobody.username}").get_data(
        as_text=True)  # fmt: skip
