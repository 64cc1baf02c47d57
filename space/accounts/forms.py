"""Account and group forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.widgets import CheckboxInput, ListWidget

from space.forms import (
    Form,
    email,
    equal_to,
    length,
    optional,
    required,
    web_address,
)

PASSWORD_MIN = 10


class RegisterForm(Form):
    username = StringField(_l("Username"), [required(), length(3, 40)])
    email = EmailField(_l("Email"), [required(), email(), length(max=254)])
    password = PasswordField(_l("Password"), [required(), length(PASSWORD_MIN, 200)])
    invite = HiddenField()
    accept = BooleanField(
        _l("I have read the code of conduct and will follow it."),
        [required()],
    )


class LoginForm(Form):
    login = StringField(_l("Username or email"), [required(), length(max=254)])
    password = PasswordField(_l("Password"), [required(), length(max=200)])
    remember = BooleanField(_l("Stay signed in"))
    next = HiddenField()


class LinkRequestForm(Form):
    """Ask for a link by email: a new confirmation link or a password reset link."""

    login = StringField(_l("Username or email"), [required(), length(max=254)])


class ResetForm(Form):
    password = PasswordField(_l("New password"), [required(), length(PASSWORD_MIN, 200)])
    confirm = PasswordField(_l("Repeat the new password"), [required(), equal_to("password")])


class ProfileForm(Form):
    display_name = StringField(_l("Display name"), [optional(), length(max=80)])
    bio = TextAreaField(_l("About me"), [optional(), length(max=3000)])
    website = StringField(_l("Website"), [optional(), length(max=300), web_address])
    languages = SelectMultipleField(
        _l("Languages I speak"),
        choices=[],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        render_kw={"class": "checkbox-list"},
    )
    affiliation = StringField(_l("Affiliation"), [optional(), length(max=120)])
    locale = SelectField(_l("Interface language"), choices=[])
    timezone = SelectField(_l("Time zone"), choices=[])
    email_notifications = BooleanField(_l("Email me notifications I have not read"))


class PasswordForm(Form):
    current_password = PasswordField(_l("Current password"), [required(), length(max=200)])
    new_password = PasswordField(_l("New password"), [required(), length(PASSWORD_MIN, 200)])
    new_password_again = PasswordField(
        _l("Repeat the new password"), [required(), equal_to("new_password")]
    )


class JoinRequestForm(Form):
    message = TextAreaField(_l("Why would you like to join? (optional)"), [length(max=500)])


class MemberForm(Form):
    username = StringField(_l("Username"), [required(), length(1, 40)])
    owner = BooleanField(_l("Make owner"))


class EmptyForm(Form):
    """A form with only the CSRF token, for buttons."""
