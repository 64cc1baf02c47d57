"""Form building blocks with translated messages (Flask-WTF adds CSRF to every form).

WTForms' own messages are English; every validator here carries a translated one, so a
person never reads an untranslated error.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import flask_babel
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import ValidationError, validators
from wtforms.fields.choices import SelectChoice


class _Translations:
    """Sends WTForms' built-in messages through Space's catalogs (see WTFORMS_MESSAGES)."""

    def gettext(self, string):
        return flask_babel.gettext(string)

    def ngettext(self, singular, plural, n):
        # Unformatted: WTForms fills in its own placeholders (flask_babel.ngettext would
        # format with only ``num`` and fail on "%(value)s").
        return flask_babel.get_translations().ungettext(singular, plural, n)


# WTForms' built-in messages, listed so that extraction puts them in Space's catalogs.
WTFORMS_MESSAGES = [
    _l("Not a valid choice."),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid float value."),
    _l("Not a valid date value."),
    _l("Not a valid datetime value."),
    _l("Not a valid time value."),
    _l("This field is required."),
    _l("Invalid input."),
    _l("Invalid email address."),
    _l("Invalid URL."),
    _l("Invalid Choice: could not coerce."),
    _l("Choices cannot be None."),
    _l("'%(value)s' is not a valid choice for this field."),
    _l("'%(value)s' are not valid choices for this field."),
]


class Form(FlaskForm):
    """Base form: translated built-in messages; surrounding whitespace stripped."""

    class Meta:
        def get_translations(self, form):
            return _Translations()

        def bind_field(self, form, unbound_field, options):
            filters = list(unbound_field.kwargs.get("filters", []))
            if unbound_field.field_class.__name__ in {
                "StringField",
                "TextAreaField",
                "EmailField",
                "URLField",
                "SearchField",
            }:
                filters.append(_strip)
            return unbound_field.bind(form=form, filters=filters, **options)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def required():
    return validators.InputRequired(message=_l("This field is required."))


def optional():
    return validators.Optional()


def length(min: int = -1, max: int = -1):  # noqa: A002 - mirrors WTForms
    if min > 0 and max > 0:
        message = _l("Use between %(min)d and %(max)d characters.", min=min, max=max)
    elif min > 0:
        message = _l("Use at least %(min)d characters.", min=min)
    else:
        message = _l("Use at most %(max)d characters.", max=max)
    return validators.Length(min=min, max=max, message=message)


def email():
    return validators.Email(message=_l("Enter a valid email address."), check_deliverability=False)


def equal_to(field: str):
    return validators.EqualTo(field, message=_l("The two entries do not match."))


def number_range(min=None, max=None):  # noqa: A002 - mirrors WTForms
    return validators.NumberRange(
        min=min, max=max, message=_l("Enter a number from %(min)s to %(max)s.", min=min, max=max)
    )


def web_address(form, field) -> None:
    """An http(s) address, or empty."""
    if not field.data:
        return
    parts = urlsplit(field.data)
    if parts.scheme not in {"http", "https"} or not parts.netloc or " " in field.data:
        raise ValidationError(_l("Enter a web address starting with http:// or https://."))


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def attach(form, error) -> None:
    """Show a service's refusal (an exception with ``message`` and ``field``) beside the
    field it names, else above the form."""
    field = getattr(form, error.field, None) if getattr(error, "field", None) else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*(field.errors or []), error.message]
    else:
        form.form_errors.append(error.message)


def status(form) -> int:
    """422 when the form shows errors, else 200."""
    return 422 if form.errors or form.form_errors else 200


def setting_text(setting, current) -> str:
    """A setting's current value as its form field shows it."""
    if setting.kind == "bool":
        return "1" if current else ""
    return "" if current is None else str(current)


def read_settings(form, settings_list, current: dict, parse) -> tuple[dict, dict, dict]:
    """What an admin sent for ``settings_list``: (typed text by name, parsed values by name,
    messages by name). ``parse(setting, text)`` answers (value, None) or (None, message); an
    unticked box sends nothing, a missing field keeps its current value."""
    from space.site import TRUTHY

    typed, new, errors = {}, {}, {}
    for setting in settings_list:
        if setting.kind == "bool":
            typed[setting.name] = "1" if form.get(setting.name, "") in TRUTHY else ""
        else:
            typed[setting.name] = form.get(
                setting.name, setting_text(setting, current[setting.name])
            )
        value, message = parse(setting, typed[setting.name])
        if message:
            errors[setting.name] = message
        else:
            new[setting.name] = value
    return typed, new, errors


def save_settings(new: dict, current: dict, put, *, actor, area: str) -> dict:
    """Store the values that changed (``put(name, value)``) and audit them as
    "<area>.settings"; returns {name: [old, new]} (the caller commits)."""
    from space import audit

    changes = {name: [current[name], value] for name, value in new.items()
               if value != current[name]}  # fmt: skip
    for name, (_old, value) in changes.items():
        put(name, value)
    if changes:
        audit.record(f"{area}.settings", actor=actor, target_type="settings", target_label=area,
                     changes=changes)  # fmt: skip
    return changes
