"""Registration, sign-in, password reset, profiles and settings."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from space import site
from space.accounts import bp, services
from space.accounts.forms import (
    LinkRequestForm,
    LoginForm,
    PasswordForm,
    ProfileForm,
    RegisterForm,
    ResetForm,
)
from space.accounts.groups import visible_groups_query
from space.accounts.models import Group, Membership
from space.db import db
from space.errors import fail
from space.extensions import limiter
from space.forms import choices
from space.i18n import is_timezone, language_names, spoken_language_choices, timezones
from space.moderation import penalties
from space.permissions import require
from space.security import client_ip_key, safe_next


def _limit(setting: str):
    return limiter.limit(
        lambda: current_app.config[setting],
        key_func=client_ip_key,
        methods=["POST"],
        error_message=lambda: _("Too many attempts. Wait a while and try again."),
    )


def _login_key() -> str:
    return "login:" + (request.form.get("login") or "").strip().lower()[:254]


@bp.route("/register", methods=["GET", "POST"])
@_limit("SPACE_RATELIMIT_REGISTER")
def register():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = RegisterForm(invite=request.args.get("invite", ""))
    invite_only = site.get("registration") == "invite"
    if form.validate_on_submit():
        try:
            user = services.register(
                form.username.data,
                form.email.data,
                form.password.data,
                invite_code=form.invite.data or None,
                locale=str(get_locale()),
            )
        except services.AccountError as error:
            _attach_error(form, error)
        else:
            db.session.commit()
            return render_template("accounts/check_email.html", email=user.email)
    status = 422 if form.errors else 200
    return render_template("accounts/register.html", form=form, invite_only=invite_only), status


def _attach_error(form, error: services.AccountError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


@bp.get("/confirm/<token>")
def confirm(token: str):
    try:
        user = services.confirm(token)
    except services.AccountError as error:
        return render_template("accounts/message.html", title=_("Confirmation"),
                               text=error.message, resend=True), 400  # fmt: skip
    db.session.commit()
    flash(_("Your email address is confirmed. Welcome!"), "success")
    if current_user.is_authenticated:
        return redirect(url_for("accounts.profile", username=user.username))
    return redirect(url_for("accounts.login"))


@bp.route("/confirm", methods=["GET", "POST"])
@_limit("SPACE_RATELIMIT_RESET")
def resend_confirmation():
    form = LinkRequestForm()
    if form.validate_on_submit():
        user = services.by_login(form.login.data)
        if user is not None and not user.is_confirmed:
            services.send_confirmation(user)
            db.session.commit()
        # The same answer either way: this page must not reveal who has an account.
        flash(_("If an unconfirmed account matches, a new confirmation email is on its way."),
              "info")  # fmt: skip
        return redirect(url_for("accounts.login"))
    return render_template(
        "accounts/ask_link.html",
        form=form,
        title=_("Confirm your email"),
        intro=_("Enter your username or email and we will send a new confirmation link."),
    ), 422 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@_limit("SPACE_RATELIMIT_LOGIN")
@limiter.limit(
    lambda: current_app.config["SPACE_RATELIMIT_LOGIN"],
    key_func=_login_key,
    methods=["POST"],
    error_message=lambda: _("Too many attempts. Wait a while and try again."),
)
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if current_user.is_authenticated:
        return redirect(safe_next(form.next.data))
    if form.validate_on_submit():
        user = services.authenticate(form.login.data, form.password.data)
        if user is None:
            form.form_errors.append(_("The username, email or password is not right."))
        elif penalties.is_suspended(user):
            # Only told to whoever knows the password: why, and until when.
            form.form_errors.append(penalties.suspension_notice(user))
            return render_template("accounts/login.html", form=form, unconfirmed=False), 403
        elif not user.is_confirmed:
            form.form_errors.append(
                _("Confirm your email address first. We sent you a link when you registered.")
            )
            return render_template("accounts/login.html", form=form, unconfirmed=True), 403
        else:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(form.next.data))
    status = 422 if form.errors else 200
    return render_template("accounts/login.html", form=form, unconfirmed=False), status


@bp.post("/logout")
def logout():
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("core.home"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@_limit("SPACE_RATELIMIT_RESET")
def forgot_password():
    form = LinkRequestForm()
    if form.validate_on_submit():
        services.send_password_reset(form.login.data)
        db.session.commit()
        flash(_("If an account matches, an email with a reset link is on its way."), "info")
        return redirect(url_for("accounts.login"))
    return render_template(
        "accounts/ask_link.html",
        form=form,
        title=_("Forgot your password?"),
        intro=_(
            "Enter your username or email and we will send you a link to choose a new password."
        ),
    ), 422 if form.errors else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@_limit("SPACE_RATELIMIT_RESET")
def reset_password(token: str):
    try:
        user = services.user_for_reset(token)
    except services.AccountError as error:
        return render_template("accounts/message.html", title=_("Reset your password"),
                               text=error.message, forgot=True), 400  # fmt: skip
    form = ResetForm()
    if form.validate_on_submit():
        services.set_password(user, form.password.data)
        db.session.commit()
        flash(_("Your password is changed. Log in with the new one."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form), 422 if form.errors else 200


@bp.get("/u/<username>")
def profile(username: str):
    require(current_user, "user.read")
    user = services.by_username(username)
    if user is None:
        fail(404, _("There is no one with this username."))
    groups = db.session.scalars(
        visible_groups_query(current_user)
        .join(Membership, Membership.group_id == Group.id)
        .where(Membership.user_id == user.id)
        .limit(50)
    ).all()
    return render_template("accounts/profile.html", user=user, groups=groups)


def _profile_form(user, *, bound: bool = True) -> ProfileForm:
    """The profile form, bound to the request's data unless ``bound`` is False."""
    form = ProfileForm(obj=user) if bound else ProfileForm(formdata=None, obj=user)
    languages = language_names()
    form.locale.choices = choices([("", _("Automatic (from your browser)")), *languages])
    form.timezone.choices = choices((zone, zone.replace("_", " ")) for zone in timezones())
    form.languages.choices = choices(spoken_language_choices(first=user.languages))
    if request.method == "GET" or not bound:
        form.locale.data = user.locale or ""
        form.timezone.data = user.timezone or current_app.config["SPACE_DEFAULT_TIMEZONE"]
    return form


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    require(current_user, "account.edit", current_user)
    form = _profile_form(current_user)
    password_form = PasswordForm()
    if form.validate_on_submit():
        if not is_timezone(form.timezone.data):
            form.timezone.errors.append(_("Choose a time zone from the list."))
        else:
            services.update_profile(
                current_user,
                display_name=form.display_name.data or "",
                bio=form.bio.data or "",
                website=form.website.data or "",
                languages=form.languages.data or [],
                affiliation=form.affiliation.data or "",
                locale=form.locale.data or None,
                timezone=form.timezone.data,
                email_notifications=form.email_notifications.data,
            )
            db.session.commit()
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("accounts.settings"))
    status = 422 if form.errors else 200
    return render_template(
        "accounts/settings.html", form=form, password_form=password_form, tokens=_tokens()
    ), status


def _tokens():
    from space.api.tokens import live_tokens_query

    return db.session.scalars(live_tokens_query(current_user.id)).all()


@bp.post("/settings/password")
@login_required
def change_password():
    require(current_user, "account.edit", current_user)
    form = _profile_form(current_user, bound=False)
    password_form = PasswordForm()
    if password_form.validate_on_submit():
        if not current_user.check_password(password_form.current_password.data):
            password_form.current_password.errors.append(_("This is not your current password."))
        else:
            services.set_password(current_user, password_form.new_password.data)
            db.session.commit()
            # The session id carries the password version: sign in again with the new one.
            login_user(current_user._get_current_object())
            flash(_("Your password is changed. Other sessions are signed out."), "success")
            return redirect(url_for("accounts.settings"))
    return render_template(
        "accounts/settings.html", form=form, password_form=password_form, tokens=_tokens()
    ), 422
