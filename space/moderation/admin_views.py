"""Pages for penalties, watched words and the code-of-conduct acknowledgment.

- ``bp`` (/admin/moderation): one person's penalties (warn, silence, suspend, lift — for
  moderators and admins: ``moderation.penalize``) and the watched words (admins).
- ``coc_bp``: /code-of-conduct/acknowledge?next=… where a newcomer accepts the code of
  conduct before their first post.

Registering ``bp`` also makes ``silence_notice(user)`` (the reply box shows it),
``is_silenced(user)`` and ``is_suspended(user)`` template globals.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField

from space import site
from space.accounts import services as accounts
from space.accounts.forms import EmptyForm
from space.accounts.models import User
from space.db import db
from space.errors import fail
from space.forms import Form, choices, length, number_range, optional, required
from space.moderation import coc, penalties, words
from space.moderation.models import Penalty, PenaltyKind, WatchedAction, WatchedWord
from space.permissions import require
from space.security import safe_next

bp = Blueprint("moderation_admin", __name__, url_prefix="/admin/moderation")
coc_bp = Blueprint("coc", __name__)
bp.add_app_template_global(penalties.silence_notice, "silence_notice")
bp.add_app_template_global(penalties.is_silenced, "is_silenced")
bp.add_app_template_global(penalties.is_suspended, "is_suspended")


def kind_labels() -> dict[str, str]:
    return {
        PenaltyKind.WARNING.value: _("Warning"),
        PenaltyKind.SILENCE.value: _("Silence — may read, may not post, reply or flag"),
        PenaltyKind.SUSPEND.value: _("Suspension — may not log in"),
    }


def action_labels() -> dict[str, str]:
    return {
        WatchedAction.BLOCK.value: _("Block — refuse the post"),
        WatchedAction.REQUIRE_APPROVAL.value: _("Require approval — hold it for moderators"),
        WatchedAction.FLAG.value: _("Flag — post it and ask moderators to look"),
        WatchedAction.CENSOR.value: _("Censor — post it with the word masked"),
    }


class PenaltyForm(Form):
    kind = SelectField(_l("Penalty"), choices=[], default=PenaltyKind.SILENCE.value)
    reason = TextAreaField(
        _l("Reason (the person reads it; kept in the audit log)"),
        [required(), length(max=penalties.REASON_MAX)],
    )
    message = TextAreaField(
        _l("Message to the person (optional)"), [optional(), length(max=penalties.MESSAGE_MAX)]
    )
    days = IntegerField(
        _l("Length in days (empty: the default; 0: until lifted)"),
        [optional(), number_range(0, penalties.MAX_DAYS)],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choices(kind_labels().items())


class WordForm(Form):
    word = StringField(_l("Word or phrase (“*” matches any letters)"),
                       [required(), length(1, words.WORD_MAX)])  # fmt: skip
    action = SelectField(_l("Action"), choices=[], default=WatchedAction.BLOCK.value)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.action.choices = choices(action_labels().items())


# --- one person's penalties ------------------------------------------------------------------


def _person(username: str) -> User:
    user = accounts.by_username(username)
    if user is None:
        fail(404, _("There is no one with this username."))
    return user


def _render_person(user: User, form: PenaltyForm, status: int = 200):
    rows = penalties.history(user)
    return render_template(
        "moderation/admin_user.html",
        user=user,
        form=form,
        penalties=rows,
        active_ids={row.id for row in rows if penalties.is_active(row)},
        kinds=kind_labels(),
        may_penalize=penalties.may_penalize(current_user, user, PenaltyKind.WARNING),
        may_restrict=penalties.may_penalize(current_user, user, PenaltyKind.SILENCE),
        defaults={
            "silence": penalties.next_days(user, PenaltyKind.SILENCE),
            "suspend": penalties.next_days(user, PenaltyKind.SUSPEND),
        },
        silenced=penalties.is_silenced(user),
        suspended=penalties.is_suspended(user),
        forever=penalties.is_forever,
        lift_form=EmptyForm(),
    ), status


@bp.route("/users/<username>", methods=["GET", "POST"])
def user(username: str):
    """A person's penalties, and the form to warn, silence or suspend them."""
    require(current_user, "moderation.penalize")
    user = _person(username)
    form = PenaltyForm() if request.method == "POST" else PenaltyForm(formdata=None)
    if form.validate_on_submit():
        give = {
            PenaltyKind.WARNING.value: penalties.warn,
            PenaltyKind.SILENCE.value: penalties.silence,
            PenaltyKind.SUSPEND.value: penalties.suspend,
        }[form.kind.data]
        try:
            penalty = give(user, by=current_user, reason=form.reason.data,
                           message=form.message.data or "", days=form.days.data)  # fmt: skip
        except penalties.PenaltyError as error:
            field = getattr(form, error.field or "", None)
            (field.errors if field is not None else form.form_errors).append(error.message)
        else:
            db.session.commit()
            flash(_flash_text(penalty, user), "success")
            return redirect(url_for("moderation_admin.user", username=user.username))
    return _render_person(user, form, 422 if form.errors or form.form_errors else 200)


def _flash_text(penalty: Penalty, user: User) -> str:
    if penalty.kind == PenaltyKind.WARNING:
        return _("%(user)s is warned.", user=user.username)
    if penalty.kind == PenaltyKind.SILENCE:
        return _("%(user)s is silenced.", user=user.username)
    return _("%(user)s is suspended and signed out.", user=user.username)


@bp.post("/penalties/<int:penalty_id>/lift")
def lift(penalty_id: int):
    require(current_user, "moderation.penalize")
    penalty = db.session.get(Penalty, penalty_id)
    user = db.session.get(User, penalty.user_id) if penalty is not None else None
    if user is None:
        abort(404)
    if EmptyForm().validate_on_submit():
        try:
            lifted = penalties.lift(penalty, by=current_user)
        except penalties.PenaltyError as error:
            flash(error.message, "error")
        else:
            if lifted:
                db.session.commit()
                flash(_("The penalty is lifted."), "success")
            else:
                flash(_("This penalty was no longer in force."), "info")
    return redirect(url_for("moderation_admin.user", username=user.username))


# --- watched words ---------------------------------------------------------------------------


def _render_words(form: WordForm, status: int = 200):
    return render_template(
        "moderation/admin_words.html",
        form=form,
        grouped=words.words_by_action(),
        labels=action_labels(),
        delete_form=EmptyForm(),
    ), status


@bp.route("/words", methods=["GET", "POST"], endpoint="words")
def words_page():
    require(current_user, "admin.access")
    form = WordForm() if request.method == "POST" else WordForm(formdata=None)
    if form.validate_on_submit():
        try:
            entry = words.add(form.word.data, form.action.data, by=current_user)
        except words.WordError as error:
            field = getattr(form, error.field or "", None)
            (field.errors if field is not None else form.form_errors).append(error.message)
        else:
            db.session.commit()
            flash(_("“%(word)s” is added.", word=entry.word), "success")
            return redirect(url_for("moderation_admin.words"))
    return _render_words(form, 422 if form.errors or form.form_errors else 200)


@bp.post("/words/<int:word_id>/delete")
def delete_word(word_id: int):
    require(current_user, "admin.access")
    entry = db.session.get(WatchedWord, word_id)
    if entry is None:
        abort(404)
    if EmptyForm().validate_on_submit():
        word = entry.word
        words.delete(entry, by=current_user)
        db.session.commit()
        flash(_("“%(word)s” is removed.", word=word), "success")
    return redirect(url_for("moderation_admin.words"))


# --- the code of conduct, acknowledged -------------------------------------------------------


class AcknowledgeForm(Form):
    next = HiddenField()


@coc_bp.route("/code-of-conduct/acknowledge", methods=["GET", "POST"])
@login_required
def acknowledge():
    form = AcknowledgeForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        if coc.acknowledge(current_user):
            db.session.commit()
        flash(_("Thank you. Welcome!"), "success")
        return redirect(safe_next(form.next.data))
    return render_template(
        "moderation/acknowledge.html",
        form=form,
        text=site.code_of_conduct(),
        done=coc.acknowledged(current_user),
    ), 422 if form.errors else 200
