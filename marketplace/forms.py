"""Form building blocks shared by every area: GOV.UK widgets and plain-English validators."""

from decimal import Decimal, InvalidOperation

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import PasswordField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length

from marketplace.errors import ServiceError
from marketplace.money import format_money, pence_to_pounds
from marketplace.scope import NotAllowed

__all__ = [
    "BaseForm", "EmailField", "MoneyField", "PasswordInputField", "RadioChoiceField",
    "SelectChoiceField", "Submit", "TextField", "LongTextField", "choices", "required", "length",
    "show_service_error",
]


class BaseForm(FlaskForm):
    """All our forms: CSRF protected; whitespace trimmed from text."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = unbound_field.kwargs.get("filters", [])
            if issubclass(unbound_field.field_class, (StringField, TextAreaField)) and not issubclass(
                unbound_field.field_class, PasswordField
            ):
                filters = [_strip, *filters]
            return unbound_field.bind(form=form, filters=filters, **options)


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
        text = valuelist[0].strip().replace(",", "").removeprefix("£").strip()
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValueError("Enter an amount in pounds and pence, like 25.50") from None
        if not amount.is_finite() or "e" in text.lower():
            raise ValueError("Enter an amount in pounds and pence, like 25.50")
        if amount != amount.quantize(Decimal("0.01")):
            raise ValueError("Enter an amount with no more than 2 numbers after the decimal point")
        pence = int(amount * 100)
        if pence < self.minimum_pence:
            raise ValueError(f"Amount must be {format_money(self.minimum_pence)} or more")
        if pence > self.maximum_pence:
            raise ValueError(f"Amount must be {format_money(self.maximum_pence, whole_pounds=True)} or less")
        self.data = pence


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
