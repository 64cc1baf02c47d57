"""The blog's demo content (``flask space demo``): categories and tags, published stories in
English, French, Spanish and Arabic (with one translation up to date and one outdated), and
one story in every other status (pitch, declined, draft, in review, changes requested,
approved, scheduled for tomorrow, rejected, unpublished, trash) with its revisions, history
and editorial comments. Texts are in ``demo_stories.py``. Never commits.

Everything goes through the services (``details.start``, ``revisions.save``,
``workflow.move``, ``pitches``, ``comments``, ``translations``) so counters, discussion topics
(opened at publication when Discuss is on), search and notifications are right; then the
published stories' dates are moved into the past. ``size="large"`` adds 200 published
stories with several revisions each, the same every time (``random.Random(SEED)``).
"""

from __future__ import annotations

import random
from contextlib import contextmanager
from datetime import date, timedelta

from flask import current_app, g, has_request_context
from sqlalchemy import func, select, update

from space.accounts import services
from space.accounts.models import User
from space.db import db, utcnow
from space.demo import progress

from . import demo_stories as texts
from .models import BlogCategory, Status, Story, StoryDecision, StoryRevision
from .services import categories, comments, details, indexing, pitches, revisions, workflow
from .services.translations import translate

PEOPLE = ("admin", "moderator", "editor", "leader", "regular", "member", "basic", "newcomer")
SEED = 5
BULK = 200


@contextmanager
def request_caches():
    """Outside requests (the command), a request context for ``url_for`` and the per-request
    caches; what it left in ``g`` is dropped afterwards."""
    if has_request_context():
        yield
        return
    known = set(g)
    try:
        with current_app.test_request_context():
            yield
    finally:
        for name in set(g) - known:
            g.pop(name, None)


class Builder:
    """Makes stories the way people do, through the services."""

    def __init__(self, people: dict, found: dict[str, BlogCategory]):
        self.people = people
        self.categories = found
        self.editor = people["editor"]

    def reviewer(self, story: Story):
        """An editor who is not writing the story."""
        return self.people["admin"] if story.writer_id == self.editor.id else self.editor

    def start(self, by: str, spec: dict) -> Story:
        writer = self.people[by]
        story = details.start(writer, revisions.Text(spec["title"], spec["excerpt"],
                                                     spec["body"]), spec["lang"])  # fmt: skip
        self.describe(writer, story, spec)
        return story

    def describe(self, user, story: Story, spec: dict) -> None:
        details.apply(user, story, details.Details(
            category_id=self.categories[spec["cat"]].id, tags=list(spec.get("tags", [])),
        ))  # fmt: skip

    def save(self, user, story: Story, **changes) -> None:
        text = revisions.Text.of(story)
        text = revisions.Text(changes.get("title", text.title),
                              changes.get("excerpt", text.excerpt),
                              changes.get("body", text.body))  # fmt: skip
        revisions.save(user, story, text, base_revision=story.revision_number)

    def move(self, user, story: Story, name: str, **kw) -> None:
        workflow.move(user, story, name, **kw)

    def walk(self, story: Story, target: Status, note: str = "") -> Story:
        """Submit, review and decide until ``target``."""
        writer = db.session.get(User, story.writer_id)
        self.move(writer, story, "submit")
        if target == Status.IN_REVIEW:
            return story
        if target == Status.CHANGES_REQUESTED:
            self.move(self.reviewer(story), story, "request_changes", note=note)
            return story
        if target == Status.REJECTED:
            self.move(self.reviewer(story), story, "reject", note=note)
            return story
        for editor in (self.editor, self.people["admin"]):  # as many approvals as asked
            if story.status == Status.IN_REVIEW and workflow.allowed(editor, story, "approve"):
                self.move(editor, story, "approve")
        # Authors publish their own approved stories (``authors_publish``); else an editor.
        publisher = writer if workflow.allowed(writer, story, "publish") else self.reviewer(story)
        if target == Status.SCHEDULED:
            when = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
            self.move(publisher, story, "schedule", publish_at=when)
        elif target in {Status.PUBLISHED, Status.UNPUBLISHED}:
            self.move(publisher, story, "publish")
            if target == Status.UNPUBLISHED:
                self.move(self.editor, story, "unpublish", note=note)
        return story


def _categories() -> dict[str, BlogCategory]:
    return {
        key: categories.create(name=name, slug=key, description=description)
        for key, name, description in texts.CATEGORIES
    }


def _published(build: Builder) -> dict[str, Story]:
    made = {}
    for spec in texts.PUBLISHED:
        # A first draft without its last section, then the whole text.
        story = build.start(spec["by"], {**spec, "body": spec["body"].rsplit("\n## ", 1)[0]})
        build.save(build.people[spec["by"]], story, body=spec["body"])
        made[spec["key"]] = build.walk(story, Status.PUBLISHED)
    return made


def _translations(build: Builder, made: dict[str, Story]) -> list[Story]:
    done = []
    for spec in texts.TRANSLATIONS:
        source = made[spec["source"]]
        translator = build.people[spec["by"]]
        story = translate(translator, source, spec["lang"])
        build.save(translator, story, title=spec["title"], excerpt=spec["excerpt"],
                   body=spec["body"])  # fmt: skip
        done.append(build.walk(story, Status.PUBLISHED))
    # The source of the Spanish translation changes afterwards: the translation is outdated.
    mentoring = made["mentoring"]
    build.save(build.editor, mentoring, body=mentoring.body + texts.MENTORING_UPDATE)
    return done


def _pitch(person, spec: dict) -> Story:
    return pitches.pitch(
        person, what=spec["what"], why=spec["why"], who=spec["who"], length=spec["length"],
        language=spec["lang"], title=spec["title"],
    )  # fmt: skip


WALKED = [("changes_requested", Status.CHANGES_REQUESTED), ("approved", Status.APPROVED),
          ("scheduled", Status.SCHEDULED), ("rejected", Status.REJECTED),
          ("unpublished", Status.UNPUBLISHED)]  # fmt: skip


def _editorial(build: Builder) -> list[Story]:
    """One story in every status but published."""
    specs, people, made = texts.EDITORIAL, build.people, []
    for key in ("pitch", "declined"):
        spec = specs[key]
        story = _pitch(people[spec["by"]], spec)
        if key == "declined":
            build.move(build.editor, story, "decline", note=spec["note"])
        made.append(story)

    spec = specs["draft"]  # an accepted pitch, being written
    writer = people[spec["by"]]
    story = _pitch(writer, spec)
    build.move(build.editor, story, "accept", writer=writer,
               due_date=date.today() + timedelta(days=14),
               note="Great idea. Two weeks is enough? Ask me anything.")  # fmt: skip
    build.describe(build.editor, story, spec)
    build.save(writer, story, excerpt=spec["excerpt"], body=spec["body"])
    build.save(writer, story, body=spec["body"] + "\n\n## Licences\n\nTo be written.")
    made.append(story)

    spec = specs["in_review"]  # three revisions and editorial comments
    story = build.start(spec["by"], spec)
    build.save(people[spec["by"]], story, body="The maps are now used by the city's "
               "accessibility office.\n\n" + spec["body"])  # fmt: skip
    build.walk(story, Status.IN_REVIEW)
    # The editor fixes a detail while reviewing (not substantive: the review goes on).
    build.save(build.editor, story, body=story.body.replace("at ten.", "at 10 a.m."))
    for by, text, replies, resolved in texts.COMMENTS:
        comment = comments.add(people[by], story, text)
        db.session.flush()
        for reply_by, reply in replies:
            comments.add(people[reply_by], story, reply, parent_id=comment.id)
        if resolved:
            comments.resolve(people[spec["by"]], comment)
    made.append(story)

    for key, status in WALKED:
        spec = specs[key]
        story = build.start(spec["by"], spec)
        made.append(build.walk(story, status, note=spec.get("note", "")))
        if key == "changes_requested":  # the writer has started revising
            build.save(people[spec["by"]], story, body=spec["body"] + "\n\n## Ejemplo\n\n"
                       "Pérez, Ana. «Título». *El Diario*, 3 de mayo de 2024, p. 12.")  # fmt: skip
            comments.add(build.editor, story, "Gracias, mucho mejor. Falta el enlace a la "
                         "página de ayuda.")  # fmt: skip

    spec = specs["trash"]
    story = build.start(spec["by"], spec)
    build.move(people[spec["by"]], story, "trash", note="Only a test.")
    made.append(story)
    return made


def bulk_specs(count: int) -> list[dict]:
    """The large demo's stories, the same every time: title, language, category, tags,
    excerpt, body, writer and how many more revisions."""
    rng = random.Random(SEED)
    writers = ["regular", "member", "leader", "basic", "moderator", "editor"]
    specs = []
    for n in range(1, count + 1):
        language = rng.choice(sorted(texts.BULK_TITLES))
        title = rng.choice(texts.BULK_TITLES[language])
        sentences = rng.sample(texts.BULK_SENTENCES, 4)
        specs.append(dict(
            title=title.format(city=rng.choice(texts.BULK_CITIES), n=n), lang=language,
            cat=rng.choice(sorted(k for k, _name, _text in texts.CATEGORIES)),
            tags=rng.sample(["meetup", "newcomers", "photos", "translation"], 2),
            excerpt=f"{sentences[0]} {sentences[1]} (Story {n}.)",
            body="## The day\n\n" + " ".join(sentences[:2]) + "\n\n## Next\n\n- "
                 + "\n- ".join(sentences[2:]),
            by=writers[n % len(writers)], revisions=rng.randint(1, 3),
        ))  # fmt: skip
    return specs


def _bulk(build: Builder, count: int | None = None) -> list[Story]:
    """Many published stories with several revisions each (``bulk_specs``)."""
    made = []
    specs = bulk_specs(BULK if count is None else count)
    for spec in progress(specs, "Stories", len(specs)):
        story = build.start(spec["by"], spec)
        for extra in range(spec["revisions"]):
            build.save(build.people[spec["by"]], story,
                       body=story.body + f"\n\nAddendum {extra + 1}.")  # fmt: skip
        made.append(build.walk(story, Status.PUBLISHED))
    return made


def _backdate(stories: list[Story], now, rng: random.Random, *, days: int,
              ago: dict[int, int] | None = None) -> None:  # fmt: skip
    """Spread the published stories over the past ``days`` (``ago``: days by story id), with
    their revisions and history before their publication."""
    ago = ago or {}
    for story in stories:
        when = now - timedelta(days=ago.get(story.id) or rng.randint(1, days),
                               hours=rng.randint(0, 23))  # fmt: skip
        start = when - timedelta(days=3)
        db.session.execute(
            update(Story).where(Story.id == story.id)
            .values(created_at=start, updated_at=when, published_at=when,
                    first_published_at=when, submitted_at=when - timedelta(days=1))
        )  # fmt: skip
        decisions = db.session.scalars(
            select(StoryDecision.id).where(StoryDecision.story_id == story.id)
            .order_by(StoryDecision.created_at, StoryDecision.id)
        ).all()  # fmt: skip
        for index, decision_id in enumerate(reversed(decisions)):
            db.session.execute(update(StoryDecision).where(StoryDecision.id == decision_id)
                               .values(created_at=when - timedelta(hours=6 * index)))  # fmt: skip
        db.session.execute(
            update(StoryRevision).where(StoryRevision.story_id == story.id)
            .values(created_at=start + timedelta(hours=1))
        )  # fmt: skip
    db.session.expire_all()


def load(size: str = "small") -> dict:
    """Create the demo stories (the core's demo people must exist); returns how to count
    the stories, for the summary."""
    people = {name: services.by_username(name) for name in PEOPLE}
    if any(person is None for person in people.values()):
        return {}
    now = utcnow()
    rng = random.Random(SEED)
    with request_caches():
        build = Builder(people, _categories())
        made = _published(build)
        done = _translations(build, made)
        others = _editorial(build)
        bulk = _bulk(build) if size == "large" else []
        published = [*made.values(), *done]
        # The originals on their days; translations the day after their source.
        ago = {made[spec["key"]].id: spec["ago"] for spec in texts.PUBLISHED}
        ago.update({story.id: ago[story.source_id] - 1 for story in done})
        _backdate(bulk, now, rng, days=365)
        _backdate(published, now, rng, days=30, ago=ago)
        stories = [*published, *others, *bulk]
        for story in db.session.scalars(select(Story).where(Story.id.in_([s.id for s in stories]))):
            indexing.queue_story(story)
    return {"stories": select(func.count(Story.id))}
