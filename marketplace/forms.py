"""Form building blocks shared by every area: GOV.UK widgets and plain-English validators."""

import re
import uuid

from flask import current_app
from flask_wtf import FlaskForm
from govuk_frontend_wtf import wtforms_widgets as gov
from markupsafe import Markup
from wtforms import (
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length

from marketplace.errors import ServiceError
from marketplace.money import format_money, pence_to_pounds
from marketplace.scope import NotAllowed
from marketplace.text import hidden_character

__all__ = [
    "GovCheckboxesInput", "GovDateInput", "GovTextInput",
    "BaseForm", "EmailField", "MoneyField", "PasswordInputField", "RadioChoiceField",
    "SelectChoiceField", "Submit", "TextField", "LongTextField", "RequestKeyField", "choices", "required", "length",
    "hidden_character",
    "show_service_error",
]

class _RenderWithParamsOnly:
    """govuk-frontend-wtf renders each widget with Flask's render_template, which runs every
    context processor again (navigation, the unread count, session timing) for a template that
    reads only `params`: on a page with twenty forms that was most of its time.

    Our own field templates (_text_input.html and the others, held to the GOV.UK macros'
    markup by a test) are also given the field's id, the ids of what describes it (its hint
    and error, for aria-describedby) and its extra attributes written out, worked out here
    once rather than by template macros for every field."""

    def render(self, params):
        field_id = params.get("id") or params.get("name")
        described_by = " ".join(filter(None, (
            params.get("describedBy"),
            f"{field_id}-hint" if params.get("hint") else "",
            f"{field_id}-error" if params.get("errorMessage") else "",
        )))
        templates = current_app.jinja_env
        return Markup(templates.get_template(self.template).render(
            params=params, id=field_id, described_by=described_by,
            label_hint_error=Markup(templates.get_template("_label_hint_error.html").render(params=params, id=field_id)),
            attributes=_attributes_html(params.get("attributes"))))


def _attributes_html(attributes: dict | None) -> Markup:
    """Extra attributes as govukAttributes writes them: ` name="value"`, true and false in
    lower case."""
    return Markup("").join(
        Markup(' {}="{}"').format(name, str(value).lower() if isinstance(value, bool) else value)
        for name, value in (attributes or {}).items())


class GovTextInput(_RenderWithParamsOnly, gov.GovTextInput):
    template = "_text_input.html"


class GovPasswordInput(_RenderWithParamsOnly, gov.GovPasswordInput):
    template = "_password_input.html"

    def map_gov_params(self, field, **kwargs):
        # govukPasswordInput writes its own autocomplete="current-password" unless told
        # otherwise, so one given as an attribute came second and browsers ignored it: a new
        # password box was offered the saved one.
        params = super().map_gov_params(field, **kwargs)
        if "autocomplete" in params["attributes"]:
            params.setdefault("autocomplete", params["attributes"].pop("autocomplete"))
        return params


class GovTextArea(_RenderWithParamsOnly, gov.GovTextArea):
    template = "_textarea.html"


class _LegendFromLabel:
    """govuk-frontend-wtf makes the label the legend only when the page passes no fieldset, so a
    page that styled the legend ({"legend": {"classes": …}}) lost its text and left the choices
    with no name as a group. The label stays the legend unless the page writes its own."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        legend = (params.get("fieldset") or {}).get("legend")
        if isinstance(legend, dict) and not legend.get("text") and not legend.get("html"):
            legend["text"] = field.label.text
        return params


class GovRadioInput(_RenderWithParamsOnly, _LegendFromLabel, gov.GovRadioInput):
    pass


class GovCheckboxesInput(_RenderWithParamsOnly, _LegendFromLabel, gov.GovCheckboxesInput):
    pass


class GovSelect(_RenderWithParamsOnly, gov.GovSelect):
    template = "_select.html"


class GovSubmitInput(_RenderWithParamsOnly, gov.GovSubmitInput):
    template = "_button.html"


class GovDateInput(_RenderWithParamsOnly, _LegendFromLabel, gov.GovDateInput):
    pass


class BaseForm(FlaskForm):
    """All our forms: CSRF protected; whitespace trimmed from text; hidden characters refused
    in every field, whatever the field's own rules."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            multiline = isinstance(field, TextAreaField)
            if any(isinstance(value, str) and hidden_character(value, multiline=multiline)
                   for value in (field.raw_data or [])):
                field.errors = [f"{_label_of(field)} must not contain hidden characters. "
                                "Type it in again rather than copying and pasting it"]
                valid = False
        return valid

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = unbound_field.kwargs.get("filters", [])
            if issubclass(unbound_field.field_class, (StringField, TextAreaField)) and not issubclass(
                unbound_field.field_class, PasswordField
            ):
                filters = [_strip, *filters]
            return unbound_field.bind(form=form, filters=filters, **options)


def _label_of(field) -> str:
    text = str(field.label.text or field.name).rstrip("?:. ")
    return text[:1].upper() + text[1:]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def required(message: str):
    return DataRequired(message=message)


def length(*, max: int, message: str | None = None, min: int = -1):
    return Length(min=min, max=max, message=message or f"Must be {max} characters or fewer")


class TextField(StringField):
    widget = GovTextInput()


class LongTextField(TextAreaField):
    widget = GovTextArea()


class EmailField(StringField):
    widget = GovTextInput()

    def __init__(self, label="Email address", validators=None, **kwargs):
        validators = validators or [
            required("Enter your email address"),
            Length(max=320, message="Email address must be 320 characters or fewer"),
            Email(message="Enter an email address in the correct format, like name@example.com"),
        ]
        kwargs.setdefault("render_kw", {"autocomplete": "email", "spellcheck": "false"})
        super().__init__(label, validators, **kwargs)


class PasswordInputField(PasswordField):
    widget = GovPasswordInput()


class RadioChoiceField(RadioField):
    widget = GovRadioInput()


class SelectChoiceField(SelectField):
    widget = GovSelect()


class Submit(SubmitField):
    widget = GovSubmitInput()


class RequestKeyField(HiddenField):
    """One key per form shown, so pressing the button twice saves one change: the rule uses
    it in the change's idempotency key."""

    def __init__(self, *, message: str, **kwargs):
        super().__init__(default=lambda: uuid.uuid4().hex,
                         validators=[required(message), length(max=64)], **kwargs)


class MoneyField(StringField):
    """Pounds and pence typed by a person ("£1,234.50"), kept as integer pence in .data."""

    widget = GovTextInput()

    def __init__(self, label=None, validators=None, *, maximum_pence: int, minimum_pence: int = 1, **kwargs):
        self.maximum_pence = maximum_pence
        self.minimum_pence = minimum_pence
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "spellcheck": "false"})
        super().__init__(label, validators or [InputRequired(message=f"Enter {str(label).lower()}")], **kwargs)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if isinstance(self.data, int):
            return f"{pence_to_pounds(self.data):.2f}"
        return ""

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        pence = parse_pence(valuelist[0])
        if pence < self.minimum_pence:
            raise ValueError(f"Amount must be {format_money(self.minimum_pence)} or more")
        if pence > self.maximum_pence:
            raise ValueError(f"Amount must be {format_money(self.maximum_pence, whole_pounds=True)} or less")
        self.data = pence


# Pounds as people write them: "25", "£25.50", "1,234.5". ASCII digits only, so "1_000" (which
# Python's own parsers take), "²" and "٣" are refused, with commas only between thousands.
_AMOUNT = re.compile(r"(-?)£?\s*((?:[0-9]{1,3}(?:,[0-9]{3})+)|[0-9]*)(?:\.([0-9]*))?", re.ASCII)
_LONGEST_AMOUNT = 64  # far more than any budget; longer text is not an amount


def parse_pence(text: str) -> int:
    """Integer pence from typed pounds and pence, or ValueError with a message for the person."""
    text = text.strip()
    match = _AMOUNT.fullmatch(text) if len(text) <= _LONGEST_AMOUNT else None
    if match is None or not (match.group(2) or match.group(3)):
        raise ValueError("Enter an amount in pounds and pence, like 25.50")
    sign, pounds, pence = match.groups()
    if pence is not None and len(pence) > 2:
        raise ValueError("Enter an amount with no more than 2 numbers after the decimal point")
    amount = int(pounds.replace(",", "") or "0") * 100 + int((pence or "").ljust(2, "0"))
    return -amount if sign else amount


def choices(pairs) -> list:
    """WTForms 3.3 wants SelectChoice objects rather than tuples."""
    return [SelectChoice(value, label) for value, label in pairs]


def show_service_error(form, error: ServiceError) -> None:
    """Put a refusal on the form: by its field, or above the form when it names none, so the
    GOV.UK error summary lists it. A refusal of permission is not a form error: it goes on to
    the 403 page."""
    if isinstance(error, NotAllowed):
        raise error
    for field_name, message in error.field_messages.items():
        field = form._fields.get(field_name) if field_name else None
        (field.errors if field is not None else form.form_errors).append(message)
