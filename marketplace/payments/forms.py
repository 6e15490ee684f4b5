"""Forms for contributions, bank transfer references and the council's payment settings."""

from marketplace.forms import (
    BaseForm,
    MoneyField,
    RadioChoiceField,
    RequestKeyField,
    Submit,
    TextField,
    choices,
    length,
    required,
)
from marketplace.payments.contributions import MAXIMUM_CONTRIBUTION_PENCE
from marketplace.payments.service import MAXIMUM_PAYMENT_PENCE


class ContributionForm(BaseForm):
    amount = MoneyField("How much do you want to pay?", maximum_pence=MAXIMUM_CONTRIBUTION_PENCE)
    submit = Submit("Continue to payment")


class ManualContributionForm(BaseForm):
    amount = MoneyField("Amount received", maximum_pence=MAXIMUM_CONTRIBUTION_PENCE)
    reference = TextField("Reference", validators=[
        required("Enter a reference, like the bank transfer reference"),
        length(max=100, message="The reference must be 100 characters or fewer")])
    request_key = RequestKeyField(message="Open the form again, then record the contribution")
    submit = Submit("Record contribution")


class BankReferenceForm(BaseForm):
    reference = TextField("Bank transfer reference", validators=[
        required("Enter the bank transfer reference"),
        length(max=18, message="A bank reference is 18 characters or fewer")])
    submit = Submit("Record as paid")


class ApprovalLimitForm(BaseForm):
    amount = MoneyField("Payments above this amount need a second person to approve them",
                        maximum_pence=MAXIMUM_PAYMENT_PENCE)
    submit = Submit("Save limit")


class ManualAllowedForm(BaseForm):
    allowed = RadioChoiceField(
        "Can this provider be paid by bank transfer?",
        choices=choices([("yes", "Yes, when they cannot be paid through Stripe"), ("no", "No")]),
        validators=[required("Select yes or no")])
    submit = Submit("Save")
