"""Blog tests run an app with Discuss and the blog; ``make`` builds people and stories.

Stories are built through the real services (``workflow.move``, ``revisions.save``,
``set_writers``) and committed, so a story in any status got there the way people get it
there. Every builder returns the story re-loaded, with its ``authors`` loaded.

    make.editor(), make.writer() (contributor, TL1), make.author() (TL3), make.admin()
    make.category(), make.tag()
    make.pitch(user)                                 -> Story in PITCH
    make.story(writer, Status.IN_REVIEW, title=...)  -> Story walked to that status
    make.published(writer)                           -> a published story
"""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import selectinload

from space.accounts.models import User
from space.db import db, utcnow
from space.trust import TrustLevel
from tests import factories

_n = itertools.count(1)

EXCERPT = "A short excerpt that says what the story is about, long enough to pass."
WHY = "Because it matters to the movement."
WHO = "The people of the neighbourhood."
BODY = "The body of the story.\n\nIt has **two** paragraphs and says something useful."


@pytest.fixture
def app_config():
    return {"SPACE_PLUGINS": ["discuss", "blog"]}


@pytest.fixture(autouse=True)
def _fast(app):
    """No seconds between posts (the story's discussion topic is a post)."""
    from plugins.discuss import settings

    for name in ("topic_interval", "post_interval", "newuser_topic_interval",
                 "newuser_post_interval"):  # fmt: skip
        settings.put(name, 0)
    db.session.commit()


def reload(story):
    """The story fresh from the database, with its writers loaded."""
    from plugins.blog.models import Story

    story_id = story if isinstance(story, int) else story.id
    db.session.expire_all()
    return db.session.scalar(
        select(Story)
        .options(selectinload(Story.authors))
        .where(Story.id == story_id)
        .execution_options(populate_existing=True)
    )


class Maker:
    """Builds blog content through the real services, then commits."""

    def __init__(self):
        self._editor = None

    # --- people ---------------------------------------------------------------------------

    def user(self, trust_level=TrustLevel.BASIC, **kw):
        return factories.user(trust_level=trust_level, **kw)

    def writer(self, **kw):
        """A contributor (trust level 1)."""
        kw.setdefault("trust_level", TrustLevel.BASIC)
        return factories.user(**kw)

    def author(self, **kw):
        """An author (trust level 3, ``author_trust_level``)."""
        kw.setdefault("trust_level", TrustLevel.REGULAR)
        return factories.user(**kw)

    def editor(self, **kw):
        kw.setdefault("trust_level", TrustLevel.MEMBER)
        return factories.user(roles=("editor",), **kw)

    def admin(self, **kw):
        n = next(_n)
        return factories.admin(kw.pop("username", f"admin{n}"), **kw)

    def the_editor(self):
        """The editor who makes the moves when a test names none."""
        if self._editor is None:
            self._editor = self.editor()
        return self._editor

    # --- taxonomy -------------------------------------------------------------------------

    def category(self, name=None):
        from plugins.blog.models import BlogCategory
        from space.markup import slugify

        n = next(_n)
        name = name or f"Category {n}"
        category = BlogCategory(slug=f"{slugify(name, fallback='c')}-{n}", name=name,
                                description=f"About {name}.")  # fmt: skip
        db.session.add(category)
        db.session.commit()
        return category

    def tag(self, name=None):
        from plugins.blog.models import BlogTag

        tag = BlogTag(name=name or f"tag{next(_n)}")
        db.session.add(tag)
        db.session.commit()
        return tag

    # --- stories --------------------------------------------------------------------------

    def pitch(self, user=None, *, what=None, why=WHY, who=WHO, length=800, language="en",
              title=""):  # fmt: skip
        from plugins.blog.models import Status, Story
        from plugins.blog.services import notices, workflow

        user = user or self.writer()
        n = next(_n)
        what = what or f"What happened at the assembly number {n}."
        try:
            from plugins.blog.services import pitches
        except ImportError:
            pitches = None
        if pitches is not None and hasattr(pitches, "pitch"):
            story = pitches.pitch(user, what=what, why=why, who=who, length=length,
                                  language=language, title=title)  # fmt: skip
        else:
            story = Story(status=Status.PITCH, pitched_by_id=user.id, pitch_what=what,
                          pitch_why=why, pitch_who=who, pitch_length=length,
                          language=language, title=title)  # fmt: skip
            db.session.add(story)
            db.session.flush()
            workflow.record(story, user, "pitch", None)
            notices.follow(story, user.id)
        db.session.commit()
        return reload(story)

    def draft(self, writer=None, *, title=None, excerpt=EXCERPT, body=BODY, category=True,
              tags=(), language="en", writers=(), pitcher=None, image=None,
              source=None):  # fmt: skip
        """A draft started by its writer (as an author would), saved once (revision 1).
        ``category``: True (a new one), None (no category) or a BlogCategory. ``pitcher``:
        walk pitch → accept first. ``image``: (url, alt, attribution)."""
        from plugins.blog.models import Status, Story, story_tag
        from plugins.blog.services import revisions, workflow

        writer = writer or self.writer()
        n = next(_n)
        title = title if title is not None else f"A story worth reading number {n}"
        if category is True:
            category = self.category()
        if pitcher is not None:
            story = self.pitch(pitcher, language=language)
            workflow.move(self.the_editor(), story, "accept", writer=writer)
            workflow.set_writers(story, [writer, *writers])
        else:
            story = Story(status=Status.DRAFT, language=language, created_at=utcnow(),
                          updated_at=utcnow())  # fmt: skip
            if source is not None:
                story.source_id = source.id
                story.source_revision_number = source.revision_number
            db.session.add(story)
            db.session.flush()
            workflow.set_writers(story, [writer, *writers])
            workflow.record(story, writer, "create", None)
        story.category_id = category.id if category is not None else None
        if image is not None:
            story.image_url, story.image_alt, story.image_attribution = image
        for tag in tags:
            db.session.execute(insert(story_tag).values(story_id=story.id, tag_id=tag.id))
        revisions.save(writer, story, revisions.Text(title, excerpt, body),
                       base_revision=story.revision_number)  # fmt: skip
        db.session.commit()
        return reload(story)

    def story(self, writer=None, status=None, *, editor=None, publish_at=None, **text):
        """A story walked through the real flow to ``status`` (default draft). ``text`` goes
        to ``draft`` (title, excerpt, body, category, tags, language, writers, pitcher,
        image). Pitches and declined pitches start from ``pitch``."""
        from plugins.blog.models import Status

        status = Status(status or Status.DRAFT)
        editor = editor or self.the_editor()
        if status in {Status.PITCH, Status.DECLINED}:
            story = self.pitch(writer, language=text.get("language", "en"))
            if status == Status.DECLINED:
                self._move(editor, story, "decline", note="Not for us, sorry.")
            return reload(story)
        story = self.draft(writer, **text)
        writer = db.session.get(User, story.writer_id)
        path = {
            Status.DRAFT: [],
            Status.IN_REVIEW: ["submit"],
            Status.CHANGES_REQUESTED: ["submit", "request_changes"],
            Status.APPROVED: ["submit", "approve"],
            Status.SCHEDULED: ["submit", "approve", "schedule"],
            Status.PUBLISHED: ["submit", "approve", "publish"],
            Status.REJECTED: ["submit", "reject"],
            Status.UNPUBLISHED: ["submit", "approve", "publish", "unpublish"],
            Status.TRASH: ["trash"],
        }[status]
        for name in path:
            story = reload(story)
            if name == "submit":
                self._move(writer, story, "submit")
            elif name == "approve":
                self.approve(story, editor)
            elif name == "schedule":
                when = publish_at or utcnow() + timedelta(days=1)
                self._move(editor, story, "schedule", publish_at=when)
            elif name in {"request_changes", "reject", "unpublish"}:
                self._move(editor, story, name, note=f"A note for {name}.")
            else:
                self._move(editor, story, name)
        story = reload(story)
        assert story.status == status, (story.status, status)
        return story

    def published(self, writer=None, **text):
        from plugins.blog.models import Status

        return self.story(writer, Status.PUBLISHED, **text)

    def approve(self, story, editor=None):
        """Approve until approved: ``editor`` first, then fresh editors for any further
        approvals ``required_approvals`` asks for."""
        from plugins.blog.models import Status

        editor = editor or self.the_editor()
        story = reload(story)
        while story.status == Status.IN_REVIEW:
            self._move(editor, story, "approve")
            story = reload(story)
            editor = self.editor()
        return story

    def move(self, user, story, name, **kw):
        """One move through the flow, committed; returns the story re-loaded."""
        self._move(user, reload(story), name, **kw)
        return reload(story)

    def _move(self, user, story, name, **kw):
        from plugins.blog.services import workflow

        workflow.move(user, story, name, **kw)
        db.session.commit()


@pytest.fixture
def make(app):
    return Maker()
