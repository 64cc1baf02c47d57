"""The review queue's pages (/review), for moderators and category moderators.

Whoever may not review answers 404 everywhere here: the queue's existence is private. A
queue page costs a fixed number of queries (the page and its count, the authors in one
query, the flags counted per item in one grouped query); an item page too.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import selectinload
from wtforms import IntegerField, SelectField, StringField, TextAreaField

from space.accounts import services as accounts
from space.db import db
from space.errors import fail
from space.forms import Form, choices, length, number_range, optional, required
from space.paging import page_number

from . import decisions, penalties
from .handlers import handler_for, handlers
from .models import FlagReason, PenaltyKind, ReviewItem
from .services import AlreadyHandled, ModerationError, NotFound

bp = Blueprint("moderation", __name__, url_prefix="/review")

STATUS_LABELS = {
    "pending": _l("Pending"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "ignored": _l("Ignored"),
    "deleted": _l("Deleted"),
    "all": _l("All"),
}
REASON_LABELS = {"flagged": _l("Flagged"), "held": _l("Held for approval")}
FLAG_REASON_LABELS = {
    FlagReason.OFF_TOPIC.value: _l("Off-topic"),
    FlagReason.INAPPROPRIATE.value: _l("Inappropriate"),
    FlagReason.SPAM.value: _l("Spam"),
    FlagReason.ILLEGAL.value: _l("Illegal"),
    FlagReason.OTHER.value: _l("Something else"),
    FlagReason.MESSAGE_AUTHOR.value: _l("Message to the author"),
}
PRIORITY_LABELS = {0: _l("Low"), 1: _l("Medium"), 2: _l("High")}
PENALTY_LABELS = {"warning": _l("Warning"), "silence": _l("Silence"), "suspend": _l("Suspension")}
FLAG_STATUS_LABELS = {
    "pending": _l("Pending"),
    "agreed": _l("Agreed"),
    "disagreed": _l("Disagreed"),
    "ignored": _l("Ignored"),
    "withdrawn": _l("Withdrawn"),
}
ACTION_LABELS = {
    "agree_hide": _l("Agree and hide"),
    "agree_keep": _l("Agree and keep"),
    "agree_edit": _l("Agree and edit"),
    "agree_delete": _l("Agree and delete"),
    "agree_delete_replies": _l("Agree and delete with replies"),
    "agree_silence": _l("Agree and silence the author"),
    "agree_suspend": _l("Agree and suspend the author"),
    "disagree": _l("Disagree and restore"),
    "ignore": _l("Ignore"),
    "approve": _l("Approve"),
    "reject": _l("Reject"),
}
# How the history's other transitions read.
HISTORY_LABELS = {
    **ACTION_LABELS,
    "flagged": _l("Entered the queue"),
    "held": _l("Held for approval"),
    "reopened": _l("Reopened by a new flag"),
    "hidden": _l("Hidden"),
    "unhidden_by_edit": _l("Shown again after the author's edit"),
    "withdrawn": _l("A flag was withdrawn"),
    "all_withdrawn": _l("Every flag was withdrawn"),
    "closed_container": _l("Closed what holds it"),
    "silenced_author": _l("The author was silenced automatically"),
    **{f"flag_{key}": _l("Flagged: %(reason)s", reason=label)
       for key, label in FLAG_REASON_LABELS.items()},
}  # fmt: skip
AGREE_ACTIONS = ["agree_hide", "agree_keep", "agree_edit", "agree_delete", "agree_delete_replies"]


def kind_labels() -> dict[str, str]:
    return {name: str(handler.label) for name, handler in handlers().items()}


class QueueFilterForm(Form):
    """The queue's filters: read from the query string, so no CSRF token."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), default="pending")
    kind = SelectField(_l("Kind"), default="")
    scope = SelectField(_l("Category"), default="")
    reason = SelectField(_l("Why it is here"), default="")
    flag_reason = SelectField(_l("Flag"), default="")
    user = StringField(_l("Author (username)"), [optional(), length(max=40)])


class DecideForm(Form):
    action = SelectField(_l("Action"), [required()])
    version = IntegerField(_l("Version"), [required(), number_range(1, 2**31 - 1)])
    reason = TextAreaField(_l("Reason"), [optional(), length(max=1000)])
    message = TextAreaField(_l("Message to the author"), [optional(), length(max=5000)])
    days = IntegerField(_l("Days (0: until lifted)"), [optional(), number_range(0, 3650)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.action.choices = choices(ACTION_LABELS.items())


def _may_review() -> None:
    if not decisions.may_review(current_user):
        fail(404, _("There is nothing here."))


def _item_or_404(item_id: int) -> ReviewItem:
    _may_review()
    item = db.session.get(
        ReviewItem,
        item_id,
        options=[selectinload(ReviewItem.target_user), selectinload(ReviewItem.resolved_by)],
    )
    if item is None or not decisions.visible_to(current_user, item):
        fail(404, _("There is nothing here."))
    return item


def _filter_form() -> QueueFilterForm:
    form = QueueFilterForm(formdata=request.args)
    scopes = decisions.scope_choices(current_user)
    form.status.choices = choices(STATUS_LABELS.items())
    form.kind.choices = choices([("", _("Any kind")), *kind_labels().items()])
    form.scope.choices = choices([("", _("Any category")), *decisions.scope_labels(scopes).items()])
    form.reason.choices = choices([("", _("Flagged or held")), *REASON_LABELS.items()])
    form.flag_reason.choices = choices([("", _("Any flag")), *FLAG_REASON_LABELS.items()])
    return form


@bp.get("/")
def queue():
    """The items to review, highest priority and score first."""
    _may_review()
    form = _filter_form()
    page_no = page_number()
    valid = form.validate()
    author = None
    if valid and form.user.data:
        author = accounts.by_username(form.user.data)
        if author is None:
            form.user.errors.append(_("There is no one with this username."))
            valid = False
    context = {"form": form, "kinds": kind_labels(), "labels": _labels()}
    if not valid:
        return render_template("moderation/queue.html", page=None, counts={}, filters={},
                               **context), 400  # fmt: skip
    query = decisions.queue_query(
        current_user,
        status=form.status.data,
        item_type=form.kind.data or None,
        scope=form.scope.data or None,
        reason=form.reason.data or None,
        user_id=author.id if author else None,
        flag_reason=form.flag_reason.data or None,
    ).options(selectinload(ReviewItem.target_user))
    page = db.paginate(
        query, page=page_no, per_page=current_app.config["SPACE_PAGE_SIZE"], error_out=False
    )
    counts = decisions.flag_counts([item.id for item in page.items])
    filters = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("moderation/queue.html", page=page, counts=counts, filters=filters,
                           **context)  # fmt: skip


def _labels() -> dict:
    return {
        "status": STATUS_LABELS,
        "reason": REASON_LABELS,
        "flag_reason": FLAG_REASON_LABELS,
        "priority": PRIORITY_LABELS,
        "flag_status": FLAG_STATUS_LABELS,
        "action": ACTION_LABELS,
        "history": HISTORY_LABELS,
        "penalty": PENALTY_LABELS,
    }


def _render_item(item: ReviewItem, *, form: DecideForm | None = None, error: str | None = None,
                 status: int = 200):  # fmt: skip
    author = item.target_user
    may_penalize = {
        kind: author is not None and penalties.may_penalize(current_user, author, kind)
        for kind in (PenaltyKind.SILENCE, PenaltyKind.SUSPEND)
    }
    next_days = {
        kind.value: penalties.next_days(author, kind)
        for kind, allowed in may_penalize.items()
        if allowed
    }
    handler = handler_for(item.item_type)
    return render_template(
        "moderation/item.html",
        item=item,
        kind=str(handler.label) if handler else item.item_type,
        flags=decisions.flags_of(item),
        history=decisions.history_of(item),
        record=decisions.author_record(author.id) if author is not None else None,
        may_silence=may_penalize[PenaltyKind.SILENCE],
        may_suspend=may_penalize[PenaltyKind.SUSPEND],
        next_days=next_days,
        scope_label=decisions.scope_labels([item.scope]).get(item.scope, "") if item.scope else "",
        labels=_labels(),
        agree_actions=AGREE_ACTIONS,
        form=form,
        error=error,
    ), status


@bp.get("/<int(max=2147483647):item_id>")
def item(item_id: int):
    """One item: the snapshot as flagged, its flags, the author's record, the history and the
    actions."""
    return _render_item(_item_or_404(item_id))


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return request.is_json or best == "application/json"


@bp.post("/<int(max=2147483647):item_id>/decide")
def decide(item_id: int):
    """Apply a moderator's decision; the form carries the item's version."""
    item = _item_or_404(item_id)
    form = DecideForm()
    if not form.validate():
        message = _("Please correct the marked fields.")
        if _wants_json():
            return jsonify({"code": 422, "message": message, "errors": form.errors}), 422
        return _render_item(item, form=form, error=message, status=422)
    action = form.action.data
    try:
        decisions.decide(
            current_user,
            item,
            action,
            version=form.version.data,
            reason=form.reason.data or "",
            penalty_days=form.days.data,
            message=form.message.data or "",
        )
    except AlreadyHandled as error:
        db.session.rollback()
        if _wants_json():
            return jsonify({"code": 409, "message": error.message}), 409
        flash(_("Another moderator already handled this item."), "warning")
        return redirect(url_for("moderation.item", item_id=item_id))
    except NotFound:
        db.session.rollback()
        fail(404, _("There is nothing here."))
    except ModerationError as error:
        db.session.rollback()
        if _wants_json():
            return jsonify({"code": 422, "message": error.message, "field": error.field}), 422
        item = _item_or_404(item_id)
        return _render_item(item, form=form, error=error.message, status=422)
    edit_url = _edit_url(item) if action == "agree_edit" else None
    db.session.commit()
    if _wants_json():
        return jsonify({"id": item_id, "status": str(item.status), "version": item.version})
    flash(_("Done: %(action)s.", action=ACTION_LABELS[action]), "success")
    if edit_url:
        return redirect(edit_url)
    return redirect(url_for("moderation.queue"))


def _edit_url(item: ReviewItem) -> str | None:
    handler = handler_for(item.item_type)
    obj = handler.load(item.item_id) if handler else None
    url = handler.edit_url(obj) if obj is not None else None
    # Only a site-relative address (a handler's own page).
    return url if url and url.startswith("/") and not url.startswith("//") else None


def review_link() -> int | None:
    """For the header: the number of pending items the signed-in reviewer may see, or None
    for everyone else (no query for people who review nothing)."""
    if not getattr(current_user, "is_authenticated", False):
        return None
    if not decisions.may_review(current_user):
        return None
    return decisions.pending_count(current_user)


@bp.app_context_processor
def _review_context():
    return {"review_count": review_link}
