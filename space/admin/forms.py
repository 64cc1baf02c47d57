"""Forms of the admin area. Filter forms read the query string and carry no CSRF token."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)

from space.forms import Form, email, length, number_range, optional, required
from space.trust import TrustLevel


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as the select options WTForms expects."""
    return [SelectChoice(value, label) for value, label in pairs]


GROUP_VISIBILITIES = [
    ("public", _l("Public — anyone can see and join")),
    ("closed", _l("Closed — anyone can see it; people ask to join")),
    ("private", _l("Private — only members know it exists")),
]
CONDUCT_MAX = 50_000
# Far enough from the calendar's ends that converting a day to UTC never overflows.
FIRST_DATE, LAST_DATE = date(1970, 1, 1), date(9000, 12, 31)


def trust_choices(coerce=int) -> list[SelectChoice]:
    """Levels with their names, built per request so the names are in the reader's language."""
    return options((coerce(int(level)), f"{int(level)} · {level.label}") for level in TrustLevel)


class FilterForm(Form):
    """A GET form: the query string is its input, so no CSRF token."""

    class Meta:
        csrf = False

    page = IntegerField(_l("Page"), [optional(), number_range(1, 100_000)], default=1)


class UserFilterForm(FilterForm):
    q = StringField(_l("Username or email contains"), [optional(), length(max=254)])
    role = SelectField(
        _l("Role"),
        choices=options(
            [
                ("", _l("Any role")),
                ("admin", _l("Admins")),
                ("moderator", _l("Moderators")),
                ("editor", _l("Editors")),
            ]
        ),
        default="",
    )
    trust = SelectField(_l("Trust level"), choices=[], default="")
    sort = SelectField(
        _l("Sort by"),
        choices=options(
            [
                ("newest", _l("Newest first")),
                ("oldest", _l("Oldest first")),
                ("last_seen", _l("Last seen")),
                ("username", _l("Username")),
            ]
        ),
        default="newest",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.trust.choices = [SelectChoice("", _l("Any trust level")), *trust_choices(str)]


class UserAccessForm(Form):
    admin = BooleanField(_l("Admin — may do everything, including this page"))
    moderator = BooleanField(_l("Moderator — works the review queue, silences and suspends"))
    editor = BooleanField(_l("Editor — reviews and publishes blog stories"))
    trust_level = SelectField(_l("Trust level"), [required()], coerce=int, choices=[])
    trust_locked = BooleanField(_l("Lock the trust level (automatic rules leave it alone)"))
    reason = TextAreaField(_l("Reason (kept in the audit log)"), [optional(), length(max=500)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.trust_level.choices = trust_choices()

    @property
    def roles(self) -> set[str]:
        return {name for name in ("admin", "moderator", "editor") if self[name].data}


class GroupCreateForm(Form):
    name = StringField(_l("Name (used in the address)"), [required(), length(3, 40)])
    title = StringField(_l("Title"), [required(), length(2, 100)])
    description = TextAreaField(_l("Description"), [optional(), length(max=5000)])
    visibility = SelectField(
        _l("Visibility"), choices=options(GROUP_VISIBILITIES), default="public"
    )
    owner = StringField(_l("Owner's username (optional)"), [optional(), length(max=40)])


class GroupEditForm(Form):
    title = StringField(_l("Title"), [required(), length(2, 100)])
    description = TextAreaField(_l("Description"), [optional(), length(max=5000)])
    visibility = SelectField(_l("Visibility"), choices=options(GROUP_VISIBILITIES))


class AddMemberForm(Form):
    username = StringField(_l("Username"), [required(), length(1, 40)])
    owner = BooleanField(_l("Make owner"))


class OwnerForm(Form):
    owner = SelectField(
        _l("Owner"), choices=options([("1", _l("Make owner")), ("0", _l("Make a plain member"))])
    )


class SiteForm(Form):
    title = StringField(_l("Site title"), [required(), length(1, 100)])
    tagline = StringField(_l("Tagline"), [optional(), length(max=200)])
    registration = SelectField(
        _l("Registration"),
        choices=options(
            [
                ("open", _l("Open — anyone can create an account")),
                ("invite", _l("By invitation only")),
            ]
        ),
    )


class ConductForm(Form):
    locale = SelectField(_l("Language"), choices=[])
    text = TextAreaField(_l("Code of conduct (Markdown)"), [optional(), length(max=CONDUCT_MAX)])


class InviteForm(Form):
    email = EmailField(
        _l("For this email address only (optional)"), [optional(), email(), length(max=254)]
    )
    days = IntegerField(_l("Valid for (days)"), [required(), number_range(1, 90)], default=14)


class AuditFilterForm(FilterForm):
    actor = StringField(_l("By (username)"), [optional(), length(max=40)])
    action = StringField(_l("Action starts with"), [optional(), length(max=64)])
    target_type = SelectField(_l("Target type"), choices=[], default="")
    since = DateField(_l("From"), [optional()])
    until = DateField(_l("To (included)"), [optional()])

    def validate_since(self, field):
        _in_range(field)

    def validate_until(self, field):
        _in_range(field)
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end date comes before the start date."))


def _in_range(field) -> None:
    if field.data and not FIRST_DATE <= field.data <= LAST_DATE:
        raise ValidationError(
            _l("Choose a date from %(first)s to %(last)s.", first=FIRST_DATE, last=LAST_DATE)
        )
