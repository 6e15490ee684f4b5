"""The one date field every form uses: the GOV.UK date input (day, month and year boxes).

Browsers' own date boxes show mm/dd/yyyy to many UK users and are hard with some assistive
technology, so dates are three plain number boxes with a legend and a hint. The boxes are named
`<field>-day`, `<field>-month` and `<field>-year`, so a GET form gives readable URLs.
Errors follow the GOV.UK pattern ("Start date must include a month", "Start date must be a
real date") and only the boxes with the problem are outlined in red; the error summary links to
the first of them.
"""

import calendar
from datetime import date

from babel.dates import format_date
from wtforms import Field
from wtforms.utils import unset_value

from marketplace.forms import GovDateInput

PARTS = ("day", "month", "year")
WIDTHS = {"day": "govuk-input--width-2", "month": "govuk-input--width-2", "year": "govuk-input--width-4"}
DEFAULT_HINT = "For example, 27 3 2026"


class DateInputWidget(GovDateInput):
    """govuk-frontend-wtf's date widget, with one name per box, errors on the right boxes, and
    the markup written by one small template (_date_input.html)."""

    template = "_date_input.html"

    def __call__(self, field, **kwargs):
        kwargs["id"] = field.name  # the wrapper; the boxes get <name>-day and so on
        kwargs["value"] = None  # each box carries its own value (see items below)
        return super().__call__(field, **kwargs)

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        # A problem with the date as a whole (like "must be after the start date") outlines every box.
        outlined = (field.problem_parts or PARTS) if field.errors else ()
        params.pop("label", None)
        params.pop("value", None)
        params["items"] = [
            {
                "label": part.capitalize(),
                "name": part,
                "id": f"{field.name}-{part}",
                "value": field.box_values[part],
                "classes": " ".join(filter(None, [
                    WIDTHS[part], "govuk-input--error" if part in outlined else ""])),
            }
            for part in PARTS
        ]
        params["namePrefix"] = field.name
        return params


class DateInputField(Field):
    """A date typed as day, month and year. `.data` is a `datetime.date` or None.

    `label` starts the error messages ("Start date must include a month"); `what` finishes
    "Enter …" when nothing is typed and the date is required. An optional date left blank is
    None with no error. Dates outside `earliest`..`latest` are refused, so a typing slip such as
    a year of 202 cannot reach the database.
    """

    widget = DateInputWidget()

    def __init__(self, label, validators=None, *, what: str | None = None, optional: bool = False,
                 earliest: date = date(1900, 1, 1), latest: date = date(2199, 12, 31),
                 description: str = DEFAULT_HINT, **kwargs):
        super().__init__(label, validators, description=description, **kwargs)
        self.id = kwargs.get("id") or f"{self.name}-day"  # where the error summary links
        self.what = what or f"the {self.label.text.lower()}"
        self.optional = optional
        self.earliest, self.latest = earliest, latest
        self.box_values = dict.fromkeys(PARTS, "")
        self.problem_parts: tuple[str, ...] = ()

    @property
    def input_names(self) -> list[str]:
        """The names the three boxes send, for keeping a GET filter in links."""
        return [f"{self.name}-{part}" for part in PARTS]

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.process_errors = []
        if data is unset_value:
            data = self.default() if callable(self.default) else self.default
        self.object_data = data
        self.data = self.object_data
        if isinstance(self.data, date):
            self.box_values = {"day": str(self.data.day), "month": str(self.data.month), "year": str(self.data.year)}
        if formdata is None:
            return
        self.raw_data = [str(formdata.get(name, "")) for name in self.input_names]
        self.box_values = dict(zip(PARTS, (value.strip() for value in self.raw_data), strict=True))
        self.data = None
        try:
            self.data = self._date_from_boxes()
        except ValueError as problem:
            self.process_errors.append(problem.args[0])
            self.id = f"{self.name}-{self.problem_parts[0]}"  # the error summary links here

    def _date_from_boxes(self) -> date | None:
        boxes = self.box_values
        subject = self.label.text
        missing = tuple(part for part in PARTS if not boxes[part])
        if len(missing) == len(PARTS):
            if self.optional:
                return None
            self.problem_parts = PARTS
            raise ValueError(f"Enter {self.what}")
        if missing:
            self.problem_parts = missing
            raise ValueError(f"{subject} must include a {' and '.join(missing)}")
        # isascii: other scripts' digits (², ٣) pass isdigit() but are not what we asked for.
        not_numbers = tuple(part for part in PARTS if not (boxes[part].isascii() and boxes[part].isdigit()))
        if not_numbers:
            self.problem_parts = not_numbers
            raise ValueError(f"{subject} must be a real date")
        if len(boxes["year"]) != 4:
            self.problem_parts = ("year",)
            raise ValueError("Year must include 4 numbers")
        year = int(boxes["year"])
        if year < 1:
            self.problem_parts = ("year",)
            raise ValueError(f"{subject} must be a real date")
        # Length first: a 30-digit day must not become a 30-digit int.
        month = int(boxes["month"]) if len(boxes["month"]) <= 2 else 0
        day = int(boxes["day"]) if len(boxes["day"]) <= 2 else 0
        if not 1 <= month <= 12:
            self.problem_parts = ("month",) if 1 <= day <= 31 else ("day", "month")
            raise ValueError(f"{subject} must be a real date")
        if not 1 <= day <= calendar.monthrange(year, month)[1]:
            self.problem_parts = ("day",)
            raise ValueError(f"{subject} must be a real date")
        typed = date(year, month, day)
        if not self.earliest <= typed <= self.latest:
            self.problem_parts = PARTS
            raise ValueError(f"{subject} must be between {_long(self.earliest)} and {_long(self.latest)}")
        return typed


def _long(day: date) -> str:
    return format_date(day, format="d MMMM y", locale="en_GB")
