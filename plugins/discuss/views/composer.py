"""The composer: new topics, replies, edits; deleting and recovering posts; revisions.

Every page works as a plain form: "Preview" re-renders with the cooked text, a refusal
re-renders with the message beside what was typed (422). composer.js adds live preview and
drafts saved as one types (``composer_api.py``: ``discuss.preview``, ``discuss.draft``).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from space import diffs
from space.db import db
from space.forms import attach, choices
from space.forms import status as form_status
from space.moderation import coc
from space.permissions import can, require

from ..access import all_categories, can_see_post
from ..forms import RAW_CAP, EditForm, ReplyForm, TopicForm, tag_names
from ..models import Post, Topic, UserStats
from ..services import drafts, editing, posting, revisions
from ..services.posting import DiscussError
from . import bp


def _topic_url(topic: Topic) -> str:
    return url_for("discuss.topic", slug=topic.slug, topic_id=topic.id)


def _post_url(post: Post, topic: Topic) -> str:
    return url_for("discuss.post_link", post_id=post.id)


def _int(text) -> int | None:
    try:
        number = int(str(text or "").strip())
    except ValueError:
        return None
    return number if 0 < number < 2**31 else None


def _preview(form):
    raw = form.raw.data or ""
    return Markup(posting.cook(raw[:RAW_CAP], current_user))


def _visible_topic(topic_id: int) -> Topic:
    topic = db.session.get(Topic, topic_id)
    if topic is None:
        abort(404)
    require(current_user, "topic.read", topic)
    return topic


def _visible_post(post_id: int) -> Post:
    """The post with its topic, or 404 when it does not exist or may not be seen."""
    post = db.session.scalar(
        select(Post).options(joinedload(Post.topic), joinedload(Post.user))
        .where(Post.id == post_id)
    )  # fmt: skip
    if post is None:
        abort(404)
    require(current_user, "topic.read", post.topic)
    if not can_see_post(current_user, post):
        abort(404)
    return post


def _post_in_topic(topic: Topic, number: int | None) -> Post | None:
    """Post ``number`` of ``topic`` with its author, if the viewer may see it."""
    if number is None:
        return None
    post = db.session.scalar(
        select(Post).options(joinedload(Post.user))
        .where(Post.topic_id == topic.id, Post.post_number == number)
    )  # fmt: skip
    if post is None or not can_see_post(current_user, post):
        return None
    return post


def quote_text(post: Post) -> str:
    """A quote of ``post`` as Markdown: "> @name wrote:" then its text, each line quoted."""
    lines = [f"> @{post.user.username} wrote:", ">"]
    lines += [f"> {line}".rstrip() for line in post.raw.strip().splitlines()]
    return "\n".join(lines) + "\n\n"


def _first_post(user) -> bool:
    """Has ``user`` never posted? (Their composer then points to the code of conduct.)"""
    row = db.session.get(UserStats, user.id)
    return row is None or row.first_post_at is None


def _draft_for_get(key: str):
    return drafts.get(current_user, key) if request.method == "GET" else None


def _discarded(key: str, endpoint: str, **values):
    """The "discard the draft" button (a plain submit): delete it and start afresh."""
    drafts.discard(current_user, key)
    db.session.commit()
    flash(_("The draft was discarded."), "info")
    return redirect(url_for(endpoint, **values))


def _acknowledge_first(key: str):
    """Newcomers accept the code of conduct before their first post: a redirect to it (what
    they typed is kept as the draft meanwhile), or None."""
    url = coc.require_acknowledgment(current_user)
    if url is None:
        return None
    if request.method == "POST":
        fields = ("title", "raw", "category", "tags", "reply_to")
        try:
            current = drafts.get(current_user, key)
            drafts.save(current_user, key, {f: request.form.get(f) for f in fields},
                        current.sequence if current else 0)  # fmt: skip
            db.session.commit()
        except (drafts.DraftError, drafts.DraftConflict):
            db.session.rollback()
    return redirect(url)


# --- new topic -------------------------------------------------------------------------------


def creatable_categories(user) -> list:
    """Categories where ``user`` may start a topic, in display order."""
    return [c for c in all_categories() if can(user, "topic.create", c)]


def _category_label(category, by_id) -> str:
    parent = by_id.get(category.parent_id) if category.parent_id else None
    return f"{parent.name} › {category.name}" if parent else category.name


@bp.route("/new", methods=["GET", "POST"])
def new_topic():
    require(current_user, "topic.create")
    if (welcome := _acknowledge_first("topic")) is not None:
        return welcome
    options = creatable_categories(current_user)
    by_id = {c.id: c for c in all_categories()}
    form = TopicForm()
    form.category.choices = choices(
        [("", _("Choose a category…"))] + [(c.slug, _category_label(c, by_id)) for c in options]
    )
    key, preview = "topic", None
    draft = _draft_for_get(key)
    if request.method == "GET":
        if draft is not None:
            form.title.data = draft.data.get("title", "")
            form.raw.data = draft.data.get("raw", "")
            form.tags.data = draft.data.get("tags", "")
            form.category.data = draft.data.get("category", "")
        wanted = request.args.get("category", "")
        if any(c.slug == wanted for c in options):
            form.category.data = wanted
    elif "discard_draft" in request.form:
        return _discarded(key, "discuss.new_topic")
    elif "preview" in request.form:
        preview = _preview(form)
    elif form.validate_on_submit():
        category = next((c for c in options if c.slug == form.category.data), None)
        try:
            if category is None:
                raise DiscussError(_("Choose a category you may post in."), "category")
            topic = posting.create_topic(current_user, category, form.title.data,
                                         form.raw.data, tag_names(form.tags.data))  # fmt: skip
        except DiscussError as error:
            attach(form, error)
        else:
            drafts.discard(current_user, key)
            db.session.commit()
            return redirect(_topic_url(topic))
    page = render_template("discuss/new_topic.html", form=form, draft=draft, draft_key=key,
                           preview=preview, has_categories=bool(options),
                           first_post=_first_post(current_user))  # fmt: skip
    return page, form_status(form)


# --- reply -----------------------------------------------------------------------------------


@bp.route("/t/<int:topic_id>/reply", methods=["GET", "POST"])
def reply(topic_id: int):
    topic = _visible_topic(topic_id)
    require(current_user, "topic.reply", topic)
    if (welcome := _acknowledge_first(f"reply:{topic.id}")) is not None:
        return welcome
    form = ReplyForm()
    key, preview = f"reply:{topic.id}", None
    draft = _draft_for_get(key)
    if request.method == "GET":
        target = _post_in_topic(topic, _int(request.args.get("to")))
        quoted = _post_in_topic(topic, _int(request.args.get("quote")))
        if draft is not None:
            form.raw.data = draft.data.get("raw", "")
            target = target or _post_in_topic(topic, _int(draft.data.get("reply_to")))
        target = target or quoted
        if quoted is not None:
            before = (form.raw.data or "").rstrip()
            form.raw.data = (before + "\n\n" if before else "") + quote_text(quoted)
        form.reply_to.data = target.post_number if target else ""
    else:
        target = _post_in_topic(topic, _int(form.reply_to.data))
        if "discard_draft" in request.form:
            return _discarded(key, "discuss.reply", topic_id=topic.id)
        if "preview" in request.form:
            preview = _preview(form)
        elif form.validate_on_submit():
            try:
                reply_to = _int(form.reply_to.data)
                if reply_to is not None and target is None:
                    raise DiscussError(_("The post you are replying to no longer exists."),
                                       "reply_to")  # fmt: skip
                created = posting.create_post(current_user, topic, form.raw.data, reply_to)
            except DiscussError as error:
                attach(form, error)
            else:
                drafts.discard(current_user, key)
                db.session.commit()
                return redirect(_post_url(created, topic))
    page = render_template("discuss/reply.html", form=form, topic=topic, target=target,
                           draft=draft, draft_key=key, preview=preview,
                           first_post=_first_post(current_user))  # fmt: skip
    return page, form_status(form)


# --- edit ------------------------------------------------------------------------------------


@bp.route("/p/<int:post_id>/edit", methods=["GET", "POST"])
def edit_post(post_id: int):
    post = _visible_post(post_id)
    require(current_user, "post.edit", post)
    topic = post.topic
    form = EditForm()
    key, preview = f"edit:{post.id}", None
    draft = _draft_for_get(key)
    if request.method == "GET":
        form.raw.data = post.raw
        form.title.data = topic.title
        if draft is not None:
            form.raw.data = draft.data.get("raw", post.raw)
            form.title.data = draft.data.get("title", topic.title)
    elif "discard_draft" in request.form:
        return _discarded(key, "discuss.edit_post", post_id=post.id)
    elif "preview" in request.form:
        preview = _preview(form)
    elif form.validate_on_submit():
        try:
            title = form.title.data if post.is_first else None
            changed = editing.edit_post(post, current_user, form.raw.data, title)
        except DiscussError as error:
            attach(form, error)
        else:
            drafts.discard(current_user, key)
            db.session.commit()
            if changed:
                flash(_("Your changes are saved."), "success")
            return redirect(_post_url(post, topic))
    page = render_template("discuss/edit_post.html", form=form, post=post, topic=topic,
                           draft=draft, draft_key=key, preview=preview)  # fmt: skip
    return page, form_status(form)


# --- delete, recover -------------------------------------------------------------------------


@bp.post("/p/<int:post_id>/delete")
def delete_post(post_id: int):
    post = _visible_post(post_id)
    require(current_user, "post.delete", post)
    topic = post.topic
    reason = (request.form.get("reason") or "").strip()[:500]
    first = post.is_first
    if editing.delete_post(post, current_user, reason=reason):
        db.session.commit()
        flash(_("The topic is deleted.") if first else _("The post is deleted."), "success")
    if first and not can(current_user, "post.moderate"):
        category = next((c for c in all_categories() if c.id == topic.category_id), None)
        if category is not None:
            return redirect(url_for("discuss.category", slug=category.slug))
        return redirect(url_for("discuss.latest"))
    return redirect(_topic_url(topic))


@bp.post("/p/<int:post_id>/recover")
def recover_post(post_id: int):
    post = _visible_post(post_id)
    require(current_user, "post.moderate", post)
    topic = post.topic
    if editing.recover_post(post, current_user):
        db.session.commit()
        flash(_("The post is recovered."), "success")
    return redirect(_post_url(post, topic))


# --- revisions -------------------------------------------------------------------------------


@bp.get("/p/<int:post_id>/revisions", endpoint="revisions")
def revisions_page(post_id: int):
    post = _visible_post(post_id)
    versions = revisions.for_post(post)
    numbers = [v.number for v in versions]
    if not numbers:
        abort(404)
    b = _int(request.args.get("b"))
    b = b if b in numbers else numbers[-1]
    a = _int(request.args.get("a"))
    a = a if a in numbers else numbers[max(0, numbers.index(b) - 1)]
    old = next(v for v in versions if v.number == a)
    new = next(v for v in versions if v.number == b)
    return render_template(
        "discuss/revisions.html",
        post=post,
        topic=post.topic,
        versions=versions,
        old=old,
        new=new,
        rows=diffs.side_by_side(old.raw, new.raw),
        title_rows=diffs.side_by_side(old.title, new.title)
        if post.is_first and old.title != new.title
        else None,
    )


from . import composer_api  # noqa: E402, F401 - preview and drafts (JSON)
