"""Forms for invoices: a provider's bill, and a person's dispute. Visits are typed one a line,
so the page works without JavaScript however many visits there were."""

import re
from datetime import date, time

from wtforms.validators import Optional

from marketplace.date_input import DateInputField
from marketplace.errors import ServiceError
from marketplace.forms import BaseForm, LongTextField, RadioChoiceField, Submit, TextField, choices
from marketplace.invoices.service import MAXIMUM_VISITS, Visit

VISITS_HINT = ("Optional. One visit a line: the date, then the start and end times, like "
               "24 11 2026 09:00 to 11:30. The visits then give the number of units.")
_VISIT = re.compile(
    r"^(\d{1,2})[ /.-](\d{1,2})[ /.-](\d{4})\s+(\d{1,2})[:.](\d{2})\s*(?:-|to)\s*(\d{1,2})[:.](\d{2})$",
    re.ASCII | re.IGNORECASE)


def parse_visits(text: str | None) -> list[Visit]:
    """'24 11 2026 09:00 to 11:30' a line → visits; a ServiceError names the first bad line."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if len(lines) > MAXIMUM_VISITS:
        raise ServiceError(f"An invoice can list up to {MAXIMUM_VISITS} visits", field="visits")
    visits = []
    for number, line in enumerate(lines, start=1):
        match = _VISIT.match(line)
        try:
            if match is None:
                raise ValueError
            day, month, year, start_h, start_m, end_h, end_m = (int(part) for part in match.groups())
            visits.append(Visit(date(year, month, day), time(start_h, start_m), time(end_h, end_m)))
        except ValueError:
            raise ServiceError(f"Write visit {number} like 24 11 2026 09:00 to 11:30", field="visits") from None
    return visits


class InvoiceForm(BaseForm):
    reference = TextField("Your invoice reference", description="Your own number for this invoice, like BP-1042.",
                          render_kw={"spellcheck": "false"})
    period_start = DateInputField("First day of the period", what="the first day")
    period_end = DateInputField("Last day of the period", what="the last day")
    units = TextField("Units delivered", render_kw={"inputmode": "decimal", "spellcheck": "false"},
                      validators=[Optional()])
    visits = LongTextField("Visits", validators=[Optional()], description=VISITS_HINT)
    submit = Submit("Send invoice")


class AmendForm(InvoiceForm):
    reference = None
    submit = Submit("Send the changed invoice")


class DisputeForm(BaseForm):
    reason = LongTextField("Why do you dispute this invoice?", validators=[Optional()],
                           description="The provider will read this. Say what is wrong, like a visit that did not happen.")
    submit = Submit("Dispute invoice")


class ActionForm(BaseForm):
    """A button that changes something (approve, withdraw): only the CSRF token travels."""

    submit = Submit("Confirm")


class AutomaticApprovalForm(BaseForm):
    automatic = RadioChoiceField("Approve invoices for this support automatically?", choices=choices([
        ("yes", "Yes, when they match what was agreed, 48 hours after they arrive"),
        ("no", "No, I will approve each one myself"),
    ]), description="You are told when an invoice arrives and when it is approved. You can still dispute it "
                    "for 14 days after.")
    submit = Submit("Save choice")
