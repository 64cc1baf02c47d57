"""Public, closed and private groups; automatic trust-level groups."""

import pytest
from sqlalchemy import select

from space.accounts import groups
from space.accounts.models import Group, JoinRequest, RequestStatus
from space.audit import AuditEntry
from space.db import db
from space.notify import Notification
from tests import factories


def notifications_of(user):
    return db.session.scalars(select(Notification).where(Notification.user_id == user.id)).all()


def test_a_member_joins_and_leaves_a_public_group(client, login, post):
    ada = factories.user("ada")
    club = factories.group("club")
    login(ada)
    assert post("/g/club/join", token_from="/g/club").status_code == 302
    db.session.refresh(club)
    assert groups.is_member(ada, club) and club.member_count == 1
    assert b"Leave" in client.get("/g/club").data
    post("/g/club/leave", token_from="/g/club")
    db.session.refresh(club)
    assert club.member_count == 0


def test_a_closed_group_cannot_be_joined_directly(client, login, post):
    login(factories.user("ada"))
    factories.group("closed-club", visibility="closed")
    assert post("/g/closed-club/join", token_from="/g/closed-club").status_code == 403


def test_asking_to_join_a_closed_group_notifies_owners_who_approve(client, login, post):
    owner = factories.user("owner")
    asker = factories.user("asker")
    factories.group("crew", visibility="closed", owner=owner)
    login(asker)
    response = post("/g/crew/request", {"message": "I organize meetups"}, token_from="/g/crew")
    assert response.status_code == 302
    assert b"waiting for the owners" in client.get("/g/crew").data
    assert [n.kind for n in notifications_of(owner)] == ["group_join_requested"]
    post("/logout")

    login(owner)
    page = client.get("/g/crew/requests").get_data(as_text=True)
    assert "I organize meetups" in page
    join_request = db.session.scalar(select(JoinRequest))
    post(f"/g/crew/requests/{join_request.id}", {"decision": "approve"},
         token_from="/g/crew/requests")  # fmt: skip
    db.session.refresh(join_request)
    assert join_request.status == RequestStatus.APPROVED
    assert groups.is_member(asker, db.session.scalar(select(Group).where(Group.name == "crew")))
    assert "group_join_approved" in [n.kind for n in notifications_of(asker)]
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "group.request.approve"))


def test_a_refused_asker_is_told(client, login, post):
    owner = factories.user("owner")
    asker = factories.user("asker")
    crew = factories.group("crew", visibility="closed", owner=owner)
    request = groups.request_to_join(crew, asker)
    db.session.commit()
    assert groups.decide(request, approve=False, by=owner)
    assert not groups.decide(request, approve=True, by=owner), "decided once only"
    db.session.commit()
    assert "group_join_refused" in [n.kind for n in notifications_of(asker)]
    assert not groups.is_member(asker, crew)


def test_only_owners_manage_requests(client, login):
    factories.group("crew", visibility="closed", owner=factories.user("owner"))
    login(factories.user("ada"))
    assert client.get("/g/crew/requests").status_code == 403


def test_a_private_group_does_not_exist_for_outsiders(client, login):
    ada = factories.user("ada")
    factories.group("hidden", visibility="private", members=[ada])
    assert client.get("/g/hidden").status_code == 404
    assert b"Hidden" not in client.get("/groups").data
    login(factories.user("bob"))
    assert client.get("/g/hidden").status_code == 404
    assert client.post("/g/hidden/join").status_code in {400, 404}


def test_a_private_group_is_visible_to_members_and_staff(app, client, login, post):
    ada = factories.user("ada")
    factories.group("hidden", visibility="private", members=[ada])
    login(ada)
    assert client.get("/g/hidden").status_code == 200
    assert b"Hidden" in client.get("/groups").data
    post("/logout")
    login(factories.moderator())
    assert client.get("/g/hidden").status_code == 200


def test_trust_level_groups_are_automatic(client, login):
    factories.user("newbie", trust_level=0)
    login(factories.user("regular", trust_level=3))
    counts = {g.name: g.member_count for g in db.session.scalars(select(Group))}
    assert counts["trust_level_0"] == 2
    assert counts["trust_level_1"] == 1
    assert counts["trust_level_3"] == 1
    assert counts["trust_level_4"] == 0
    page = client.get("/g/trust_level_3").get_data(as_text=True)
    assert "Membership follows trust levels." in page
    assert "/g/trust_level_3/join" not in page and "/g/trust_level_3/leave" not in page


def test_owners_add_and_remove_members(client, login, post):
    owner = factories.user("owner")
    ada = factories.user("ada")
    crew = factories.group("crew", visibility="closed", owner=owner)
    login(owner)
    post("/g/crew/members", {"username": "ada"}, token_from="/g/crew/requests")
    assert groups.is_member(ada, crew)
    post("/g/crew/members/ada/remove", token_from="/g/crew")
    db.session.expire_all()
    from space.accounts.services import group_ids

    assert crew.id not in group_ids(ada)


def test_bad_group_addresses_and_decisions_are_4xx(client, login, post):
    owner = factories.user("owner")
    factories.group("crew", visibility="closed", owner=owner)
    login(owner)
    assert client.get("/g/nope").status_code == 404
    assert post("/g/crew/requests/999", {"decision": "approve"},
                token_from="/g/crew/requests").status_code == 404  # fmt: skip
    assert client.get("/groups?page=abc").status_code == 400
    assert post("/g/crew/members/nobody/remove", token_from="/g/crew").status_code == 404


def test_the_group_list_costs_the_same_queries_with_2_or_40_groups(client, count_queries):
    factories.group("a-club")
    client.get("/groups")
    with count_queries() as few:
        client.get("/groups")
    for n in range(38):
        factories.group(f"club-{n:02d}")
    with count_queries() as many:
        client.get("/groups")
    assert many.count == few.count


def test_a_private_group_and_a_missing_one_answer_alike(client):
    factories.group("hidden", visibility="private")
    hidden, missing = client.get("/g/hidden"), client.get("/g/never-was")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_data(as_text=True).replace("/g/hidden", "/g/never-was") == missing.get_data(
        as_text=True
    )
    api_hidden, api_missing = client.get("/api/v1/groups/hidden"), client.get("/api/v1/groups/nope")
    assert api_hidden.status_code == api_missing.status_code == 404
    assert api_hidden.json["message"] == api_missing.json["message"]


def test_the_last_owner_cannot_leave_or_be_removed(client, login, post):
    owner = factories.user("owner")
    crew = factories.group("crew", visibility="closed", owner=owner)
    login(owner)
    assert b"/g/crew/leave" not in client.get("/g/crew").data
    assert post("/g/crew/leave", token_from="/g/crew").status_code == 403
    post("/g/crew/members/owner/remove", token_from="/g/crew")
    assert groups.is_owner(owner, crew)
    with pytest.raises(groups.AccountError):
        groups.remove_member(crew, owner)


def test_joining_twice_counts_once(client, login):
    ada = factories.user("ada")
    club = factories.group("club")
    assert groups.join(club, ada) is True
    assert groups.join(club, ada) is False
    db.session.commit()
    db.session.refresh(club)
    assert club.member_count == 1


def test_admins_do_not_manage_automatic_groups(client, login):
    login(factories.admin())
    assert client.get("/g/trust_level_1/requests").status_code == 403
    assert b"/g/trust_level_1/requests" not in client.get("/g/trust_level_1").data


@pytest.mark.parametrize("page", ["²", "٣", "0", "-1", "1e3", "100001"])
def test_odd_page_numbers_are_a_400(client, page):
    assert client.get(f"/groups?page={page}").status_code == 400
    assert client.get(f"/search?q=x&page={page}").status_code == 400


def test_huge_ids_are_a_404_not_a_database_error(client, login, post):
    login(factories.user("ada"))
    assert (
        post("/notifications/99999999999999999999/open", token_from="/notifications").status_code
        == 404
    )
