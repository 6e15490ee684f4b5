"""Forms for allocating and adjusting budgets, and for filtering a statement."""

import uuid
from datetime import date, datetime

from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovTextInput
from wtforms import DateField, HiddenField
from wtforms.validators import Optional, ValidationError

from marketplace.budgets.service import ADJUSTMENTS, MAXIMUM_ALLOCATION_PENCE
from marketplace.categories import SUPPORT_CATEGORIES
from marketplace.forms import (
    BaseForm,
    LongTextField,
    MoneyField,
    RadioChoiceField,
    SelectChoiceField,
    Submit,
    choices,
    length,
    required,
)
from marketplace.models import FundingSource, PaymentSchedule


class DayMonthYearField(DateField):
    """The GOV.UK date input: three boxes for day, month and year."""

    widget = GovDateInput()

    def __init__(self, label, *, what: str, **kwargs):
        super().__init__(label, format="%d %m %Y", **kwargs)
        self.what = what

    def process_formdata(self, valuelist):
        self.data = None
        parts = [value.strip() for value in valuelist][:3]
        self.raw_data = parts + [""] * (3 - len(parts))  # the widget always shows three boxes
        if not any(parts):
            raise ValueError(f"Enter the {self.what}")
        try:
            if not all(part.isascii() and part.isdigit() for part in self.raw_data):
                raise ValueError
            self.data = datetime.strptime(" ".join(self.raw_data), "%d %m %Y").date()
        except ValueError:
            raise ValueError(f"The {self.what} must be a real date, like 1 4 2026") from None
        if not 2000 <= self.data.year <= 2100:
            self.data = None
            raise ValueError(f"The {self.what} must be between the years 2000 and 2100")


class AllocateBudgetForm(BaseForm):
    person_id = SelectChoiceField("Who is the budget for?",
                                  validators=[required("Select the person the budget is for")])
    period_start = DayMonthYearField("Start date", what="start date")
    period_end = DayMonthYearField("End date", what="end date")
    allocation = MoneyField("Amount for the whole period", maximum_pence=MAXIMUM_ALLOCATION_PENCE)
    funding_source = RadioChoiceField(
        "Who funds the budget?", choices=choices((s.value, s.label) for s in FundingSource),
        validators=[required("Select who funds the budget")])
    schedule = RadioChoiceField(
        "How is the money paid in?", choices=choices((s.value, s.label) for s in PaymentSchedule),
        validators=[required("Select how the money is paid in")])
    submit = Submit("Allocate budget")

    def category_fields(self):
        return [self[f"category_{key}"] for key in SUPPORT_CATEGORIES]

    def category_amounts(self) -> dict[str, int]:
        return {key: self[f"category_{key}"].data for key in SUPPORT_CATEGORIES
                if self[f"category_{key}"].data}


for _key, _name in SUPPORT_CATEGORIES.items():
    setattr(AllocateBudgetForm, f"category_{_key}", MoneyField(
        _name, maximum_pence=MAXIMUM_ALLOCATION_PENCE, validators=[Optional()]))


def new_request_key() -> str:
    return uuid.uuid4().hex


class AdjustBudgetForm(BaseForm):
    change = RadioChoiceField("What do you want to do?", choices=choices(ADJUSTMENTS.items()),
                              validators=[required("Select what you want to do")])
    amount = MoneyField("Amount", maximum_pence=MAXIMUM_ALLOCATION_PENCE)
    reason = LongTextField("Reason", validators=[
        required("Enter the reason for this change"),
        length(max=1000, message="Reason must be 1,000 characters or fewer")])
    # One key per form shown, so pressing the button twice records one change.
    request_key = HiddenField(default=new_request_key, validators=[
        required("Open the form again, then save your change"), length(max=64)])
    submit = Submit("Save change")


class IsoDateField(DateField):
    """A browser date box (YYYY-MM-DD), for filters."""

    widget = GovTextInput()

    def __init__(self, label, **kwargs):
        super().__init__(label, format="%Y-%m-%d", validators=[Optional()], **kwargs)

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        try:
            self.data = date.fromisoformat(valuelist[0].strip())
        except ValueError:
            raise ValueError(f"Enter a real date for ‘{self.label.text.lower()}’, like 2026-04-01") from None


class StatementFilterForm(BaseForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    from_date = IsoDateField("From")
    to_date = IsoDateField("To")
    category = SelectChoiceField("Category", validators=[Optional()])
    provider = SelectChoiceField("Provider", validators=[Optional()])
    submit = Submit("Show transactions")

    def validate_to_date(self, field):
        if field.data and self.from_date.data and field.data < self.from_date.data:
            raise ValidationError("‘To’ must be the same as or after ‘From’")
