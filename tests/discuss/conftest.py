"""Discuss tests run an app with the discuss plugin enabled; ``make`` builds content."""

from __future__ import annotations

import itertools

import pytest

from space.db import db
from space.trust import TrustLevel
from tests import factories

_n = itertools.count(1)


@pytest.fixture
def app_config():
    return {"SPACE_PLUGINS": ["discuss"]}


class Maker:
    """Builds categories, topics and replies through the real services, then commits."""

    def category(self, name=None, *, groups=None, parent=None, accepts_answers=False, **kw):
        from plugins.discuss.services import categories

        n = next(_n)
        name = name or f"Category {n}"
        created = categories.create_category(
            name=name, description=kw.pop("description", f"About {name}."),
            parent=parent, accepts_answers=accepts_answers, permissions=groups or {}, **kw,
        )  # fmt: skip
        db.session.commit()
        return created

    def topic(self, user=None, category=None, *, title=None, raw=None, tags=()):
        from plugins.discuss.services import posting

        n = next(_n)
        user = user or factories.user(trust_level=TrustLevel.MEMBER)
        category = category or self.category()
        created = posting.create_topic(
            user, category, title or f"A topic about things number {n}",
            raw or f"The first post of topic {n}, long enough to pass.", list(tags),
        )  # fmt: skip
        db.session.commit()
        return created

    def reply(self, topic, user=None, *, raw=None, reply_to=None):
        from plugins.discuss.services import posting

        n = next(_n)
        user = user or factories.user(trust_level=TrustLevel.MEMBER)
        created = posting.create_post(
            user, topic, raw or f"Reply number {n}, long enough to be accepted.", reply_to
        )
        db.session.commit()
        return created


@pytest.fixture
def make(app):
    return Maker()


@pytest.fixture(autouse=True)
def _no_intervals(app):
    """Seconds between posts would slow every test that posts twice; tests of those limits
    set them back with ``settings.put``."""
    from plugins.discuss import settings

    for name in ("topic_interval", "post_interval", "newuser_topic_interval",
                 "newuser_post_interval"):  # fmt: skip
        settings.put(name, 0)
    db.session.commit()
