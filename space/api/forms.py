"""The form that creates a personal API token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectMultipleField, StringField, validators
from wtforms.widgets import CheckboxInput, ListWidget

from space.api.tokens import SCOPES
from space.forms import Form, length, required


class CheckboxesField(SelectMultipleField):
    """Several choices shown as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class TokenForm(Form):
    # Ids are prefixed: this form shares the settings page with the profile form.
    name = StringField(_l("Name"), [required(), length(max=60)], id="token-name")
    scopes = CheckboxesField(
        _l("Scopes"),
        [validators.InputRequired(message=_l("Choose at least one scope."))],
        choices=[SelectChoice(scope, text) for scope, text in SCOPES.items()],
        default=["read"],
        id="token-scopes",
    )
