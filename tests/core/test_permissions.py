"""can() and require(): one place for every rule."""

import pytest
from werkzeug.exceptions import Forbidden, NotFound, Unauthorized

from space.accounts.models import Anonymous
from space.permissions import Action, UnknownAction, can, register, require
from space.trust import TrustLevel
from tests import factories


@pytest.fixture
def actions(app):
    register(
        app,
        [
            Action("test.read", anonymous=True),
            Action("test.write", min_trust=TrustLevel.BASIC),
            Action("test.staff", min_trust=None, roles=frozenset({"moderator"})),
            Action("test.own", check=lambda user, obj: obj == user.id),
            Action("test.secret", min_trust=TrustLevel.REGULAR, hide=True),
            Action(
                "test.strict",
                check=lambda user, obj: False,
                staff_bypass=False,
                roles=frozenset({"moderator"}),
            ),  # fmt: skip
        ],
    )


def test_anonymous_readers_only_where_allowed(actions):
    reader = Anonymous()
    assert can(reader, "test.read")
    assert not can(reader, "test.write")


def test_trust_levels_gate_actions(actions):
    assert not can(factories.user(trust_level=0), "test.write")
    assert can(factories.user(trust_level=1), "test.write")


def test_roles_grant_and_admins_may_everything(actions):
    assert can(factories.moderator(), "test.staff")
    assert not can(factories.user(trust_level=4), "test.staff")
    assert can(factories.admin(), "test.staff")


def test_object_checks_and_staff_bypass(actions):
    ada = factories.user("ada")
    assert can(ada, "test.own", ada.id)
    assert not can(ada, "test.own", 999)
    assert not can(factories.moderator(), "test.strict")
    assert not can(factories.admin(), "test.strict")


def test_require_answers_401_403_or_404(actions):
    with pytest.raises(Unauthorized):
        require(Anonymous(), "test.write")
    with pytest.raises(Forbidden):
        require(factories.user(trust_level=0), "test.write")
    with pytest.raises(NotFound):
        require(factories.user(trust_level=1), "test.secret")


def test_a_typo_in_an_action_name_fails_loudly(actions):
    with pytest.raises(UnknownAction):
        can(Anonymous(), "test.nope")


def test_an_action_cannot_be_registered_twice(app, actions):
    with pytest.raises(ValueError):
        register(app, [Action("test.read")])


def test_can_is_the_same_function_in_templates(app):
    assert app.jinja_env.globals["can"] is can
