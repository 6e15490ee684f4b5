"""Forms for finding providers (a GET form: filters live in the URL)."""

from wtforms.validators import Optional, Regexp

from marketplace.forms import BaseForm, MoneyField, SelectChoiceField, TextField, choices, length
from marketplace.providers.browse import SORTS
from marketplace.providers.catalogue import (
    DAYS,
    LANGUAGES,
    POSTCODE_DISTRICT,
    SERVICE_CATEGORIES,
    normalise_district,
)

MAX_PRICE_POUNDS = 10_000


def _upper_district(value):
    return normalise_district(value) if isinstance(value, str) else value


class BrowseForm(BaseForm):
    class Meta:
        csrf = False  # a search: nothing changes, and the URL must be shareable

    q = TextField("Search", validators=[Optional(), length(max=100, message="Search must be 100 characters or fewer")])
    category = SelectChoiceField(
        "Type of support",
        choices=choices([("", "Any type"), *SERVICE_CATEGORIES.items()]),
        validators=[Optional()],
    )
    area = TextField(
        "Postcode district",
        description="The first part of a postcode, like LS6",
        filters=[_upper_district],
        validators=[Optional(), Regexp(POSTCODE_DISTRICT, message="Enter a postcode district, like LS6")],
    )
    max_price = MoneyField(
        "Highest price per unit",
        description="In pounds, like 25",
        maximum_pence=MAX_PRICE_POUNDS * 100,
        minimum_pence=0,
        validators=[Optional()],
    )
    day = SelectChoiceField(
        "Day available",
        choices=choices([("", "Any day"), *((key, label) for key, (label, _bit) in DAYS.items())]),
        validators=[Optional()],
    )
    language = SelectChoiceField(
        "Language spoken",
        choices=choices([("", "Any language"), *((name, name) for name in LANGUAGES)]),
        validators=[Optional()],
    )
    sort = SelectChoiceField("Sort by", choices=choices(SORTS.items()), validators=[Optional()])
