"""Forms for asking to use your own provider, and for the council's decision."""

from wtforms.validators import Optional

from marketplace.categories import SUPPORT_CATEGORIES
from marketplace.date_input import DateInputField
from marketplace.forms import (
    BaseForm,
    LongTextField,
    MoneyField,
    RadioChoiceField,
    Submit,
    TextField,
    choices,
)
from marketplace.models.own_provider import RELATIONSHIPS
from marketplace.providers.catalogue import CHECK_KINDS, UNITS

RELATIONSHIP_HINT = ("The council must agree before you can pay your husband, wife or partner, or a close "
                     "relative who lives with you. Say why it needs to be them.")


class RelationshipForm(BaseForm):
    relationship = RadioChoiceField("How do you know them?", choices=choices(RELATIONSHIPS.items()),
                                    description=RELATIONSHIP_HINT)
    why_needed = LongTextField("Why does it need to be them? (needed for a partner or a close relative "
                               "who lives with you)", validators=[Optional()])
    submit = Submit("Send to the council")


class OwnProviderForm(RelationshipForm):
    name = TextField("Their name")
    contact = TextField("How to contact them", description="A phone number or email address.")
    what_they_do = LongTextField("What would they do?", description="For example, “Help me get up and "
                                                                    "dressed, and take me shopping”.")
    category = RadioChoiceField("What kind of support is it?", choices=choices(SUPPORT_CATEGORIES.items()),
                                description="Choose “Employing a personal assistant” for someone you "
                                            "employ to help you.")
    unit = RadioChoiceField("What is the price for?", choices=choices((key, f"Each {label}")
                                                                       for key, label in UNITS.items()))
    price = MoneyField("Price", maximum_pence=100_000, description="In pounds, for example 12.50.",
                       validators=[Optional()])


class DecisionForm(BaseForm):
    decision = RadioChoiceField("Your decision", choices=choices([
        ("agree", "Agree: the checks are done and they can be paid"), ("refuse", "Say no")]))
    reason = LongTextField("Reason", validators=[Optional()],
                           description="Needed to say no, and to agree to pay a partner or a close relative "
                                       "who lives with the person.")
    submit = Submit("Send decision")


def decision_form_for(check_kinds: tuple[str, ...]) -> type[DecisionForm]:
    """The decision form with a reference and an expiry date for each check this kind needs."""

    class Form(DecisionForm):
        pass

    for kind in check_kinds:
        label = CHECK_KINDS.get(kind, kind)
        setattr(Form, f"reference_{kind}", TextField(f"{label}: reference", validators=[Optional()]))
        setattr(Form, f"expires_{kind}", DateInputField(f"{label}: runs out on", what=f"the date the {label.lower()} runs out",
                                                        optional=True))
    return Form
