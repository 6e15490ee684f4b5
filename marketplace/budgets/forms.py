"""Forms for allocating and adjusting budgets, and for filtering a statement."""

from datetime import date

from wtforms.validators import Optional, ValidationError

from marketplace.budgets.service import ADJUSTMENTS, MAXIMUM_ALLOCATION_PENCE
from marketplace.categories import SUPPORT_CATEGORIES
from marketplace.date_input import DateInputField
from marketplace.forms import (
    BaseForm,
    LongTextField,
    MoneyField,
    RadioChoiceField,
    RequestKeyField,
    SelectChoiceField,
    Submit,
    choices,
    length,
    required,
)
from marketplace.models import FundingSource, PaymentSchedule

BUDGET_YEARS = {"earliest": date(2000, 1, 1), "latest": date(2100, 12, 31)}


class AllocateBudgetForm(BaseForm):
    person_id = SelectChoiceField("Who is the budget for?",
                                  validators=[required("Select the person the budget is for")])
    period_start = DateInputField("Start date", description="For example, 1 4 2026", **BUDGET_YEARS)
    period_end = DateInputField("End date", description="For example, 31 3 2027", **BUDGET_YEARS)
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


class AdjustBudgetForm(BaseForm):
    change = RadioChoiceField("What do you want to do?", choices=choices(ADJUSTMENTS.items()),
                              validators=[required("Select what you want to do")])
    amount = MoneyField("Amount", maximum_pence=MAXIMUM_ALLOCATION_PENCE)
    reason = LongTextField("Reason", validators=[
        required("Enter the reason for this change"),
        length(max=1000, message="Reason must be 1,000 characters or fewer")])
    request_key = RequestKeyField(message="Open the form again, then save your change")
    submit = Submit("Save change")


class StatementFilterForm(BaseForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    from_date = DateInputField("From date", optional=True)
    to_date = DateInputField("To date", optional=True)
    category = SelectChoiceField("Category", validators=[Optional()])
    provider = SelectChoiceField("Provider", validators=[Optional()])
    submit = Submit("Show transactions")

    def validate_to_date(self, field):
        if field.data and self.from_date.data and field.data < self.from_date.data:
            raise ValidationError("To date must be the same as or after the from date")
