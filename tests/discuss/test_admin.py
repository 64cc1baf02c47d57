"""Discuss's admin pages: categories with per-group permissions, and the settings."""

import pytest
from sqlalchemy import select

from plugins.discuss import access, settings
from plugins.discuss.models import Access, Category, CategoryPermission
from space.accounts.models import Group
from space.audit import AuditEntry
from space.db import db
from space.trust import TrustLevel
from tests import factories

NEW = "/discuss/admin/categories/new"


@pytest.fixture
def admin(app, login):
    person = factories.admin()
    login(person)
    return person


def _category(slug) -> Category | None:
    db.session.expire_all()
    return db.session.scalar(select(Category).where(Category.slug == slug))


def _form(**fields):
    data = {"name": "Organizers", "slug": "", "description": "For **organizers**.",
            "color": "#112233", "color_text": "", "parent": "0", "position": ""}  # fmt: skip
    data.update(fields)
    return data


def _audit(action):
    return db.session.scalar(select(AuditEntry).where(AuditEntry.action == action))


def test_only_admins_manage(make, client, login, post):
    category = make.category()
    paths = ["/discuss/admin/categories", NEW, f"/discuss/admin/categories/{category.id}",
             "/discuss/admin/settings"]  # fmt: skip
    for path in paths:
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(factories.moderator())
    for path in paths:
        assert client.get(path).status_code == 403
    assert post(NEW, _form()).status_code == 403
    assert post(f"/discuss/admin/categories/{category.id}/delete").status_code == 403
    assert _category(category.slug) is not None


def test_create_a_restricted_category_and_outsiders_lose_it(make, client, admin, post, app):
    member, outsider = factories.user(), factories.user()
    organizers = factories.group("organizers", members=[member])
    everyone = db.session.scalar(select(Group).where(Group.automatic_trust_level == 0))
    page = client.get(NEW).get_data(as_text=True)
    assert f'name="perm-{organizers.id}"' in page and f'name="perm-{everyone.id}"' in page
    response = post(NEW, _form(**{f"perm-{organizers.id}": str(int(Access.CREATE))},
                               accepts_answers="y", slug="orga"))  # fmt: skip
    assert response.status_code == 302
    category = _category("orga")
    assert category.restricted and category.accepts_answers and category.color == "#112233"
    assert "<strong>organizers</strong>" in category.description_html
    with app.test_request_context():
        assert category.id in access.visible_category_ids(member)
        assert category.id not in access.visible_category_ids(outsider)
    entry = _audit("discuss.category.create")
    assert entry.target_id == category.id
    assert entry.details["permissions"] == {str(organizers.id): 3}
    listing = client.get("/discuss/admin/categories").get_data(as_text=True)
    assert f'id="category-{category.id}"' in listing and "Organizers" in listing
    post("/logout")
    assert client.get("/discuss/c/orga").status_code == 404


def test_edit_opens_a_category_and_changes_its_fields(make, client, admin, post, app):
    group = factories.group()
    parent = make.category("Parent")
    category = make.category("Closed room", groups={group: Access.SEE})
    page = client.get(f"/discuss/admin/categories/{category.id}").get_data(as_text=True)
    assert 'value="1" selected' in page
    response = post(f"/discuss/admin/categories/{category.id}", _form(
        name="Open room", color="#000000", color_text="#ABCDEF", parent=str(parent.id),
        position="7"))  # fmt: skip
    assert response.status_code == 302
    category = _category(category.slug)
    assert (category.name, category.color, category.parent_id, category.position) == (
        "Open room",
        "#abcdef",
        parent.id,
        7,
    )
    assert not category.restricted
    assert db.session.scalar(select(CategoryPermission.id)) is None
    with app.test_request_context():
        assert category.id in access.visible_category_ids(factories.user())
    assert _audit("discuss.category.update").target_id == category.id


def test_bad_input_is_shown_back_with_what_was_typed(make, client, admin, post):
    group = factories.group()
    cases = [
        _form(name=""),
        _form(name="Bad colour here", color_text="red"),
        _form(name="Unknown permission", **{f"perm-{group.id}": "9"}),
        _form(name="Unknown parent", parent="999"),
    ]
    for data in cases:
        response = post(NEW, data)
        assert response.status_code == 422, data
        if data["name"]:
            assert f'value="{data["name"]}"' in response.get_data(as_text=True)
    assert db.session.scalar(select(Category.id)) is None
    taken = make.category("Taken")
    response = post(NEW, _form(name="Another", slug=taken.slug))
    assert response.status_code == 422 and 'id="category-error"' in response.get_data(as_text=True)
    child = make.category("Child", parent=taken)
    response = post(f"/discuss/admin/categories/{taken.id}", _form(name="Taken",
                    parent=str(child.id)))  # fmt: skip
    assert response.status_code == 422


def test_only_empty_categories_are_deleted(make, client, admin, post):
    empty = make.category("Empty one")
    busy = make.category("Busy one")
    make.topic(category=busy)
    response = post(f"/discuss/admin/categories/{busy.id}/delete")
    assert response.status_code == 400
    assert 'id="category-error"' in response.get_data(as_text=True)
    assert _category(busy.slug) is not None
    parent = make.category("Parent")
    make.category("Child", parent=parent)
    assert post(f"/discuss/admin/categories/{parent.id}/delete").status_code == 400
    slug = empty.slug
    response = post(f"/discuss/admin/categories/{empty.id}/delete")
    assert response.status_code == 302
    assert _category(slug) is None
    assert _audit("discuss.category.delete").target_label == "Empty one"
    assert post("/discuss/admin/categories/999/delete").status_code == 404


def test_settings_are_validated_and_saved(client, admin, post):
    page = client.get("/discuss/admin/settings").get_data(as_text=True)
    assert 'name="post_min_length"' in page and 'value="20"' in page
    response = post(
        "/discuss/admin/settings",
        {"post_min_length": "0", "daily_likes": "lots", "title_min_length": "12"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'value="lots"' in html and 'value="12"' in html
    assert 'id="setting-post_min_length-errors"' in html
    assert settings.value("title_min_length") == 15
    response = post(
        "/discuss/admin/settings", {"title_min_length": "12", "daily_multiplier_tl2": "1.75"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert settings.value("title_min_length") == 12
    assert settings.value("daily_multiplier_tl2") == 1.75
    entry = _audit("discuss.settings")
    assert entry.actor_id == admin.id
    assert entry.details["changes"] == {
        "title_min_length": [15, 12],
        "daily_multiplier_tl2": [1.5, 1.75],
    }


def test_the_admin_dashboard_links_to_discuss(client, admin, login, post):
    html = client.get("/admin/").get_data(as_text=True)
    assert 'id="discuss-admin-card"' in html and "/discuss/admin/categories" in html
    assert "/discuss/admin/settings" in html


def test_the_dashboard_card_is_for_admins_only(client, login):
    login(factories.user(trust_level=TrustLevel.LEADER, roles=("moderator",)))
    response = client.get("/admin/")
    assert 'id="discuss-admin-card"' not in response.get_data(as_text=True)
