"""Every kind of form field is drawn by a small template of our own (the GOV.UK macros cost
several milliseconds a field): each must write what the GOV.UK macro writes for the same
field, with its label, hint, error message and aria-describedby, so nothing changes for people
or their assistive technology."""

import pytest
from bs4 import BeautifulSoup
from werkzeug.datastructures import MultiDict

from marketplace.forms import (
    BaseForm,
    LongTextField,
    MoneyField,
    PasswordInputField,
    SelectChoiceField,
    Submit,
    TextField,
    choices,
    length,
    required,
)

GOV_UK_TEMPLATES = {
    "_text_input.html": "govuk_frontend_wtf/input.html",
    "_select.html": "govuk_frontend_wtf/select.html",
    "_textarea.html": "govuk_frontend_wtf/textarea.html",
    "_password_input.html": "govuk_frontend_wtf/password.html",
    "_button.html": "govuk_frontend_wtf/button.html",
}


class EveryFieldForm(BaseForm):
    class Meta:
        csrf = False

    name = TextField("Your name", validators=[required("Enter your name"), length(max=10)])
    district = TextField("Postcode district", description="The first part of a postcode, like LS6")
    price = MoneyField("Highest price", description="In pounds, like 25", maximum_pence=100_000, minimum_pence=0)
    day = SelectChoiceField("Day available", choices=choices([("", "Any day"), ("monday", "Monday"), ("<tue>", "Tuesday & after")]),
                            invalid_choice_message="Choose a day from the list")
    story = LongTextField("What matters to you", description="Write as much as you like.",
                          validators=[required("Tell us what matters to you")])
    password = PasswordInputField("New password", description="Use 10 characters or more",
                                  validators=[required("Create a new password")], render_kw={"autocomplete": "new-password"})
    submit = Submit("Save & continue")


TYPED = {"name": "Ada <Lovelace> the first", "district": "LS6", "price": "12.5x", "day": "<tue>",
         "story": "  Line one\n<b>Line two</b>", "password": "secret"}

PARAMS = [
    {},
    {"label": {"classes": "govuk-label--s"}, "classes": "govuk-!-width-full"},
    {"label": {"text": "Another label", "classes": "govuk-label--m"}, "hint": {"text": "A hint with <b>"},
     "spellcheck": False, "autocomplete": "off"},
    {"prefix": {"text": "£"}, "classes": "govuk-input--width-5", "rows": 3},
    {"suffix": {"text": "per hour"}, "spellcheck": True},
]


def _fields_drawn_both_ways(app, formdata, params):
    with app.test_request_context():
        form = EveryFieldForm(formdata=MultiDict(formdata) if formdata is not None else None)
        if formdata is not None:
            form.validate()
        for field in form:
            widget = field.widget
            captured = {}
            original_render = widget.render
            widget.render = lambda gov_params, captured=captured, original_render=original_render: (
                captured.setdefault("params", gov_params), original_render(gov_params))[1]
            try:
                ours = str(field(params=dict(params)))
            finally:
                del widget.render
            gov_uk = app.jinja_env.get_template(GOV_UK_TEMPLATES[widget.template]).render(params=captured["params"])
            yield field, ours, gov_uk


@pytest.mark.parametrize("formdata", [None, {}, TYPED], ids=["new form", "nothing typed", "typed"])
@pytest.mark.parametrize("params", PARAMS)
def test_each_field_is_written_as_the_gov_uk_macro_writes_it(app, formdata, params):
    for field, ours, gov_uk in _fields_drawn_both_ways(app, formdata, params):
        assert ours.strip() == gov_uk.strip(), field.name


def test_a_field_with_an_error_is_described_by_its_hint_and_its_error(app):
    drawn = {field.name: ours for field, ours, _gov_uk in _fields_drawn_both_ways(app, {"price": "lots"}, {})}
    page = BeautifulSoup(drawn["price"], "html.parser")
    assert page.select_one("label[for=price]").get_text(strip=True) == "Highest price"
    assert page.select_one("#price")["aria-describedby"] == "price-hint price-error"
    assert page.select_one("#price-error").get_text(" ", strip=True) == "Error: Enter an amount in pounds and pence, like 25.50"


def test_a_new_password_box_is_not_offered_the_saved_password(app):
    drawn = {field.name: ours for field, ours, _gov_uk in _fields_drawn_both_ways(app, None, {})}
    box = BeautifulSoup(drawn["password"], "html.parser").select_one("input#password")
    assert box["autocomplete"] == "new-password"
    assert drawn["password"].count("autocomplete=") == 1


def test_the_chosen_item_of_a_list_stays_chosen(app):
    drawn = {field.name: ours for field, ours, _gov_uk in _fields_drawn_both_ways(app, TYPED, {})}
    chosen = BeautifulSoup(drawn["day"], "html.parser").select("option[selected]")
    assert [option.get_text() for option in chosen] == ["Tuesday & after"]
