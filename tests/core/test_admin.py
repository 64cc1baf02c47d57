"""The admin area: who gets in, people, groups, invitations and the audit log.

Site settings and the code of conduct are in test_admin_site.py.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from space import audit, site
from space.accounts import groups
from space.accounts.models import Group, GroupVisibility, Invite, Membership, User
from space.accounts.services import AccountError, create_invite
from space.admin import services
from space.audit import AuditEntry
from space.db import db, utcnow
from space.notify import MailMessage
from space.trust import TrustLevel
from tests import factories

ADMIN_PAGES = [
    "/admin/",
    "/admin/users",
    "/admin/users/someone",
    "/admin/groups",
    "/admin/groups/new",
    "/admin/groups/crew",
    "/admin/settings",
    "/admin/invites",
]
ADMIN_POSTS = [
    "/admin/users/someone",
    "/admin/users/someone/confirm",
    "/admin/users/someone/reset",
    "/admin/groups/new",
    "/admin/groups/crew",
    "/admin/groups/crew/members",
    "/admin/groups/crew/members/someone/remove",
    "/admin/groups/crew/members/someone/owner",
    "/admin/settings",
    "/admin/settings/code-of-conduct",
    "/admin/invites",
]


@pytest.fixture
def admin(app):
    return factories.admin()


@pytest.fixture
def as_admin(admin, login):
    login(admin)
    return admin


@pytest.fixture
def someone(app):
    return factories.user("someone")


def _entries(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


# --- who gets in ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", [*ADMIN_PAGES, "/admin/audit"])
def test_anonymous_visitors_are_sent_to_log_in(client, app, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_members_are_refused_every_admin_page(client, login, someone, path):
    factories.group("crew")
    login(someone)
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", ADMIN_POSTS)
def test_members_are_refused_every_admin_action(client, login, post, someone, path):
    factories.group("crew")
    login(someone)
    response = post(path, {"title": "Taken over", "trust_level": "4", "admin": "y"})
    assert response.status_code == 403
    db.session.expire_all()
    assert not someone.is_admin
    assert site.get("title") != "Taken over"


def test_moderators_read_the_audit_log_but_nothing_else(client, login):
    moderator = factories.moderator()
    login(moderator)
    assert client.get("/admin/audit").status_code == 200
    for path in ["/admin/", "/admin/users", "/admin/settings", "/admin/groups", "/admin/invites"]:
        assert client.get(path).status_code == 403, path


def test_the_admin_navigation_marks_the_current_section(client, as_admin):
    html = client.get("/admin/users").get_data(as_text=True)
    assert 'href="/admin/users" aria-current="page"' in html
    assert 'href="/admin/audit"' in html
    assert 'href="/admin/audit" aria-current' not in html


def test_moderators_see_only_the_audit_log_in_the_admin_navigation(client, login):
    login(factories.moderator())
    html = client.get("/admin/audit").get_data(as_text=True)
    assert 'href="/admin/audit" aria-current="page"' in html
    assert 'href="/admin/users"' not in html


# --- dashboard ------------------------------------------------------------------------------


def test_the_dashboard_counts_people_groups_requests_and_mail(client, as_admin):
    factories.user("fresh", confirmed=False, trust_level=TrustLevel.NEW)
    closed = factories.group("club", visibility=GroupVisibility.CLOSED)
    groups.request_to_join(closed, factories.user("asker"))
    db.session.add(MailMessage(to="a@example.org", subject="s", body="b", attempts=2))
    db.session.commit()

    counts = services.dashboard_counts()
    assert counts.users == User.query.count()
    assert counts.confirmed == counts.users - 1
    assert counts.per_level[TrustLevel.NEW] == 1
    assert counts.custom_groups == 1 and counts.groups == 6
    assert counts.pending_requests == 1
    assert counts.outbox_failing == 1 and counts.outbox_unsent >= 1

    html = client.get("/admin/").get_data(as_text=True)
    assert "Dashboard" in html
    assert "group.create" in html  # the recent audit entries


def test_the_dashboard_costs_the_same_queries_however_much_data(client, as_admin, count_queries):
    client.get("/admin/")
    with count_queries() as few:
        assert client.get("/admin/").status_code == 200
    _many_people(40)
    for n in range(30):
        audit.record("test.thing", actor=as_admin, target_type="thing", target_label=str(n))
    db.session.commit()
    with count_queries() as many:
        assert client.get("/admin/").status_code == 200
    assert many.count == few.count


# --- people ---------------------------------------------------------------------------------


def _many_people(n: int) -> None:
    """Add ``n`` people quickly (no password hashing; they never sign in)."""
    now = utcnow()
    db.session.add_all(
        User(
            username=f"bulk{i}",
            email=f"bulk{i}@example.org",
            password_hash="-",
            confirmed_at=now,
            last_seen_at=now - timedelta(minutes=i),
            languages=[],
        )
        for i in range(n)
    )
    db.session.commit()


def test_the_user_list_searches_usernames_and_emails(client, as_admin):
    factories.user("alice", email="alice@wonder.land")
    factories.user("bob", email="bob@builders.org")
    html = client.get("/admin/users?q=wonder").get_data(as_text=True)
    assert "alice@wonder.land" in html and "bob@builders.org" not in html
    html = client.get("/admin/users?q=BOB").get_data(as_text=True)
    assert "bob@builders.org" in html and "alice@wonder.land" not in html


def test_the_user_search_treats_wildcards_as_text(client, as_admin):
    factories.user("alice")
    html = client.get("/admin/users?q=%25").get_data(as_text=True)
    assert "alice@example.org" not in html


def test_the_user_list_filters_by_role_and_trust_level(client, as_admin):
    factories.moderator("mod")
    factories.user("newbie", trust_level=TrustLevel.NEW)
    html = client.get("/admin/users?role=moderator").get_data(as_text=True)
    assert "mod@example.org" in html and "newbie@example.org" not in html
    html = client.get("/admin/users?trust=0").get_data(as_text=True)
    assert "newbie@example.org" in html and "mod@example.org" not in html


def test_the_user_list_sorts_by_last_seen(client, as_admin):
    early = factories.user("early")
    late = factories.user("late")
    early.last_seen_at = utcnow() - timedelta(days=3)
    late.last_seen_at = utcnow() - timedelta(days=1)
    db.session.commit()
    html = client.get("/admin/users?sort=last_seen").get_data(as_text=True)
    assert html.index("late@example.org") < html.index("early@example.org")


@pytest.mark.parametrize(
    "query",
    ["trust=9", "trust=x", "role=king", "sort=random", "page=abc", "page=0", "q=" + "x" * 300],
)
def test_the_user_list_refuses_bad_filters_with_a_message(client, as_admin, query):
    response = client.get(f"/admin/users?{query}")
    assert response.status_code == 400
    assert "Please correct the marked fields." in response.get_data(as_text=True)


def test_the_user_list_costs_the_same_queries_for_3_and_60_people(client, as_admin, count_queries):
    _many_people(2)
    client.get("/admin/users")
    with count_queries() as few:
        assert client.get("/admin/users?sort=last_seen").status_code == 200
    _many_people_more = 57
    now = utcnow()
    db.session.add_all(
        User(username=f"more{i}", email=f"more{i}@example.org", password_hash="-",
             confirmed_at=now, trust_locked=i % 2 == 0, is_editor=i % 3 == 0, languages=[])
        for i in range(_many_people_more)
    )  # fmt: skip
    db.session.commit()
    assert User.query.count() == 60
    with count_queries() as many:
        assert client.get("/admin/users?sort=last_seen").status_code == 200
    assert many.count == few.count


def test_an_unknown_person_is_404(client, as_admin, post):
    response = client.get("/admin/users/nope")
    assert response.status_code == 404
    assert "There is no one with this username." in response.get_data(as_text=True)
    for path in ["/admin/users/nope", "/admin/users/nope/confirm", "/admin/users/nope/reset"]:
        assert post(path, {"trust_level": "1"}).status_code == 404, path


def test_an_admin_changes_roles_and_it_is_audited(client, as_admin, post, someone):
    response = post(
        "/admin/users/someone",
        {"moderator": "y", "editor": "y", "trust_level": "1", "reason": "Helps a lot"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert someone.roles == ["moderator", "editor"]
    (entry,) = _entries("user.roles")
    assert entry.actor_id == as_admin.id and entry.target_id == someone.id
    assert entry.reason == "Helps a lot"
    assert entry.details["after"] == ["editor", "moderator"]
    assert not _entries("user.trust_level")


def test_an_admin_changes_and_locks_a_trust_level_and_it_is_audited(
    client, as_admin, post, someone
):
    response = post(
        "/admin/users/someone", {"trust_level": "4", "trust_locked": "y", "reason": "Leader"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert someone.trust_level == TrustLevel.LEADER and someone.trust_locked
    (entry,) = _entries("user.trust_level")
    assert entry.details == {"before": 1, "after": 4, "locked": True}
    html = client.get("/admin/users/someone").get_data(as_text=True)
    assert "Leader" in html  # the reason, in the person's audit entries


def test_an_admin_cannot_drop_their_own_admin_role(client, as_admin, post):
    response = post("/admin/users/admin", {"moderator": "y", "trust_level": "4"})
    assert response.status_code == 422
    assert "You cannot remove your own admin role" in response.get_data(as_text=True)
    db.session.expire_all()
    assert as_admin.is_admin and not as_admin.is_moderator
    assert not _entries("user.roles")


def test_the_service_refuses_self_demotion_too(app, admin):
    with app.test_request_context(), pytest.raises(AccountError) as error:
        services.update_access(admin, roles=set(), level=TrustLevel.LEADER, locked=False, by=admin)
    assert error.value.field == "admin"


@pytest.mark.parametrize(
    "data",
    [
        {"trust_level": "7"},
        {"trust_level": "high"},
        {},
        {"trust_level": "2", "reason": "x" * 501},
    ],
)
def test_the_person_form_refuses_bad_input_and_keeps_it(client, as_admin, post, someone, data):
    response = post("/admin/users/someone", {"editor": "y", **data})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Please correct the marked fields." in html
    assert re.search(r'<input checked[^>]*name="editor"', html)  # the input is kept
    db.session.expire_all()
    assert not someone.is_editor


def test_an_admin_confirms_an_email_by_hand(client, as_admin, post):
    person = factories.user("unsure", confirmed=False)
    assert post("/admin/users/unsure/confirm").status_code == 302
    db.session.expire_all()
    assert person.is_confirmed
    assert len(_entries("user.confirm")) == 1
    post("/admin/users/unsure/confirm")
    assert len(_entries("user.confirm")) == 1  # idempotent


def test_an_admin_sends_a_password_reset_email(client, as_admin, post, someone):
    assert post("/admin/users/someone/reset").status_code == 302
    mail = db.session.scalar(select(MailMessage).where(MailMessage.to == someone.email))
    assert mail is not None and "/password/reset/" in mail.body
    assert len(_entries("user.password_reset")) == 1


# --- groups ---------------------------------------------------------------------------------


def test_the_group_list_shows_private_and_automatic_groups_with_member_counts(client, as_admin):
    owner = factories.user("owner")
    factories.group("secret-club", visibility=GroupVisibility.PRIVATE, owner=owner)
    html = client.get("/admin/groups").get_data(as_text=True)
    assert "secret-club" in html
    assert "trust_level_4" in html
    assert "automatic" in html


def test_an_admin_creates_a_group_with_an_owner(client, as_admin, post, someone):
    response = post(
        "/admin/groups/new",
        {"name": "translators", "title": "Translators", "description": "We **translate**.",
         "visibility": "closed", "owner": "someone"},
    )  # fmt: skip
    assert response.status_code == 302
    group = groups.by_name("translators")
    assert group.visibility == GroupVisibility.CLOSED
    assert "<strong>translate</strong>" in group.description_html
    assert groups.is_owner(someone, group)
    assert len(_entries("group.create")) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "Bad Name!", "title": "Bad"}, "lowercase letters"),
        ({"name": "crew", "title": "Again"}, "exists already"),
        ({"name": "newcrew", "title": "New", "owner": "ghost"}, "no one with this username"),
        ({"name": "newcrew", "title": "New", "visibility": "secret"}, "Not a valid choice"),
        ({"name": "newcrew"}, "This field is required."),
        ({"name": "newcrew", "title": "T" * 101}, "between 2 and 100"),
    ],
)
def test_group_creation_refuses_bad_input_and_keeps_it(client, as_admin, post, data, message):
    factories.group("crew")
    response = post("/admin/groups/new", {"visibility": "public", **data})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert f'value="{data["name"]}"' in html or "Bad Name!" in html
    assert Group.query.filter_by(name="newcrew").first() is None


def test_an_admin_edits_a_group_and_makes_it_private(client, as_admin, post):
    factories.group("crew")
    response = post(
        "/admin/groups/crew",
        {"title": "The Crew", "description": "Backstage.", "visibility": "private"},
    )
    assert response.status_code == 302
    group = groups.by_name("crew")
    db.session.refresh(group)
    assert group.title == "The Crew" and group.visibility == GroupVisibility.PRIVATE
    (entry,) = _entries("group.update")
    assert entry.details == {"visibility": "private", "before": "public"}


def test_group_editing_refuses_a_bad_visibility(client, as_admin, post):
    factories.group("crew")
    response = post("/admin/groups/crew", {"title": "Crew", "visibility": "hidden"})
    assert response.status_code == 422
    assert groups.by_name("crew").visibility == GroupVisibility.PUBLIC


def test_automatic_groups_are_read_only_and_say_why(client, as_admin, post, someone):
    html = client.get("/admin/groups/trust_level_1").get_data(as_text=True)
    assert "This group is automatic" in html
    assert 'name="title"' not in html
    for path, data in [
        ("/admin/groups/trust_level_1", {"title": "Hacked", "visibility": "private"}),
        ("/admin/groups/trust_level_1/members", {"username": "someone"}),
        ("/admin/groups/trust_level_1/members/someone/remove", {}),
        ("/admin/groups/trust_level_1/members/someone/owner", {"owner": "1"}),
    ]:
        response = post(path, data)
        assert response.status_code == 400, path
        assert "Automatic groups follow trust levels" in response.get_data(as_text=True)
    assert groups.by_name("trust_level_1").title == "trust_level_1"


def test_an_admin_adds_promotes_and_removes_members(client, as_admin, post, someone):
    factories.user("other")
    group = factories.group("crew")
    assert post("/admin/groups/crew/members", {"username": "someone"}).status_code == 302
    assert post("/admin/groups/crew/members/someone/owner", {"owner": "1"}).status_code == 302
    assert groups.is_owner(someone, group)
    html = client.get("/admin/groups/crew").get_data(as_text=True)
    assert "Make a plain member" in html
    # The only owner stays: a group always keeps someone to run it.
    post("/admin/groups/crew/members/someone/remove")
    db.session.refresh(group)
    assert group.member_count == 1
    assert (
        post("/admin/groups/crew/members", {"username": "other", "owner": "y"}).status_code == 302
    )
    assert post("/admin/groups/crew/members/someone/remove").status_code == 302
    db.session.refresh(group)
    assert group.member_count == 1 and not groups.is_member(someone, group)
    actions = [e.action for e in AuditEntry.query.order_by(AuditEntry.id)]
    assert actions[-4:] == ["group.member.add", "group.owner", "group.member.add",
                            "group.member.remove"]  # fmt: skip


def test_adding_an_unknown_member_says_so(client, as_admin, post):
    factories.group("crew")
    response = post("/admin/groups/crew/members", {"username": "ghost"})
    assert response.status_code == 422
    assert "There is no one with this username." in response.get_data(as_text=True)


def test_ownership_of_a_non_member_or_a_bad_value_is_refused(client, as_admin, post, someone):
    factories.group("crew")
    assert post("/admin/groups/crew/members/someone/owner", {"owner": "1"}).status_code == 400
    assert post("/admin/groups/crew/members/someone/owner", {"owner": "2"}).status_code == 400


def test_unknown_groups_and_members_are_404(client, as_admin, post):
    assert client.get("/admin/groups/nope").status_code == 404
    factories.group("crew")
    assert post("/admin/groups/crew/members/ghost/remove").status_code == 404


def test_the_group_member_list_is_paginated(client, as_admin):
    group = factories.group("crew")
    _many_people(55)
    for person in User.query.filter(User.username.like("bulk%")):
        groups.add_member(group, person)
    db.session.commit()
    html = client.get("/admin/groups/crew").get_data(as_text=True)
    assert "Page 1 of 2" in html
    assert client.get("/admin/groups/crew?page=2").status_code == 200
    assert client.get("/admin/groups/crew?page=x").status_code == 400
    assert db.session.scalar(select(func.count(Membership.id))) == 55


# --- invitations ----------------------------------------------------------------------------


def _register(client, csrf, **fields):
    data = {
        "username": "newcomer",
        "email": "newcomer@example.org",
        "password": "a long enough password",
        "accept": "y",
        "csrf_token": csrf,
        **fields,
    }
    return client.post("/register", data=data)


@pytest.fixture
def invite_only(app):
    site.put("registration", "invite")
    db.session.commit()


def _csrf(client):
    from tests.conftest import csrf_token

    return csrf_token(client, "/")


def test_invite_only_registration_refuses_people_without_an_invitation(client, invite_only):
    response = _register(client, _csrf(client))
    assert response.status_code == 422
    assert User.query.filter_by(username="newcomer").first() is None


def test_an_invitation_opens_registration_once(client, invite_only, admin):
    invite = create_invite(by=admin, days=3)
    db.session.commit()
    response = _register(client, _csrf(client), invite=invite.code)
    assert response.status_code == 200
    newcomer = User.query.filter_by(username="newcomer").one()
    db.session.refresh(invite)
    assert invite.used_by_id == newcomer.id

    again = _register(
        client, _csrf(client), invite=invite.code, username="second", email="second@example.org"
    )
    assert again.status_code == 422
    assert User.query.filter_by(username="second").first() is None


def test_an_expired_invitation_is_refused(client, invite_only, admin):
    invite = create_invite(by=admin, days=1)
    invite.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert _register(client, _csrf(client), invite=invite.code).status_code == 422
    assert User.query.filter_by(username="newcomer").first() is None


def test_an_admin_creates_an_invitation_and_gets_its_link(client, as_admin, post):
    response = post("/admin/invites", {"email": "friend@example.org", "days": "7"})
    assert response.status_code == 302
    invite = Invite.query.one()
    assert invite.email == "friend@example.org"
    assert timedelta(days=6, hours=23) < invite.expires_at - utcnow() <= timedelta(days=7)
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"http://localhost/register?invite={invite.code}" in html
    assert "friend@example.org" in html


@pytest.mark.parametrize(
    "data", [{"days": "0"}, {"days": "91"}, {"days": "ten"}, {}, {"days": "3", "email": "nope"}]
)
def test_the_invitation_form_refuses_bad_input(client, as_admin, post, data):
    response = post("/admin/invites", data)
    assert response.status_code == 422
    assert "Please correct the marked fields." in response.get_data(as_text=True)
    assert Invite.query.count() == 0


def test_invitations_show_their_status(client, as_admin, someone):
    used = create_invite(by=as_admin, email="a@example.org")
    used.used_by_id, used.used_at = someone.id, utcnow()
    expired = create_invite(by=as_admin, email="b@example.org")
    expired.expires_at = utcnow() - timedelta(days=1)
    create_invite(by=as_admin, email="c@example.org")
    db.session.commit()
    html = client.get("/admin/invites").get_data(as_text=True)
    assert "Used by someone" in html
    assert "Expired" in html
    assert "Unused, expires" in html


def test_an_unused_invitation_is_revoked_but_a_used_one_stays(client, as_admin, post, someone):
    unused = create_invite(by=as_admin)
    used = create_invite(by=as_admin)
    used.used_by_id, used.used_at = someone.id, utcnow()
    db.session.commit()
    unused_id, used_id = unused.id, used.id
    assert post(f"/admin/invites/{unused_id}/revoke").status_code == 302
    assert db.session.get(Invite, unused_id) is None
    response = post(f"/admin/invites/{used_id}/revoke")
    assert response.status_code == 400
    assert "cannot be revoked" in response.get_data(as_text=True)
    assert post("/admin/invites/999/revoke").status_code == 404
    assert post("/admin/invites/99999999999999999999/revoke").status_code == 404
    assert len(_entries("invite.revoke")) == 1


# --- the audit log --------------------------------------------------------------------------


def _logged(actor, action, *, days_ago=0, target_type="thing"):
    entry = audit.record(action, actor=actor, target_type=target_type, target_label=action)
    entry.created_at = utcnow() - timedelta(days=days_ago)
    return entry


def test_the_audit_log_filters_by_actor_action_target_and_dates(client, as_admin, someone):
    _logged(as_admin, "alpha.one", days_ago=10)
    _logged(someone, "alpha.two", days_ago=5, target_type="post")
    _logged(someone, "beta.one", days_ago=1)
    db.session.commit()

    def labels(query):
        response = client.get(f"/admin/audit?{query}")
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        html = response.get_data(as_text=True)
        return {name for name in ("alpha.one", "alpha.two", "beta.one") if name in html}

    assert labels("actor=someone") == {"alpha.two", "beta.one"}
    assert labels("action=alpha.") == {"alpha.one", "alpha.two"}
    assert labels("target_type=post") == {"alpha.two"}
    since = (utcnow() - timedelta(days=6)).date().isoformat()
    until = (utcnow() - timedelta(days=2)).date().isoformat()
    assert labels(f"since={since}") == {"alpha.two", "beta.one"}
    assert labels(f"since={since}&until={until}") == {"alpha.two"}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("since=yesterday", "Not a valid date value."),
        ("until=2024-13-45", "Not a valid date value."),
        ("since=0001-01-01", "Choose a date from"),
        ("until=9999-12-31", "Choose a date from"),
        ("since=2024-05-02&until=2024-05-01", "The end date comes before the start date."),
        ("actor=ghost", "There is no one with this username."),
        ("target_type=spaceship", "Not a valid choice"),
        ("page=-1", "Enter a number from"),
        ("action=" + "a" * 65, "Use at most 64 characters."),
    ],
)
def test_the_audit_log_explains_bad_filters(client, as_admin, query, message):
    response = client.get(f"/admin/audit?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_the_audit_log_shows_who_did_what_and_why(client, as_admin, post, someone):
    post("/admin/users/someone", {"trust_level": "3", "reason": "Trusted helper"})
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "Trust level changed" in html
    assert "Trusted helper" in html
    assert 'href="/admin/users/someone"' in html
    assert 'href="/u/admin"' in html


def test_the_audit_log_costs_the_same_queries_for_5_and_120_entries(client, login, count_queries):
    moderator = factories.moderator()
    actors = [factories.user(f"actor{n}") for n in range(3)]
    for n in range(5):
        _logged(actors[n % 3], f"test.action{n}")
    db.session.commit()
    login(moderator)
    client.get("/admin/audit")
    with count_queries() as few:
        assert client.get("/admin/audit").status_code == 200
    for n in range(115):
        _logged(actors[n % 3] if n % 7 else None, f"test.more{n}", days_ago=n % 30)
    db.session.commit()
    with count_queries() as many:
        response = client.get("/admin/audit")
    assert response.status_code == 200
    assert "Page 1 of 3" in response.get_data(as_text=True)
    assert many.count == few.count


@pytest.mark.parametrize(
    "path",
    [
        "/admin/users?q=a%00b",
        "/admin/users/a%00b",
        "/admin/groups/a%00b",
        "/admin/audit?actor=a%00b",
    ],
)
def test_nul_characters_are_refused_before_they_reach_the_database(client, as_admin, path):
    response = client.get(path)
    assert response.status_code == 400
    assert "characters that are not allowed" in response.get_data(as_text=True)


def test_nul_characters_in_a_form_are_refused(client, as_admin, post):
    response = post("/admin/groups/new", {"name": "ab\x00c", "title": "T", "visibility": "public"})
    assert response.status_code == 400
    assert groups.by_name("abc") is None
