"""Forms for finding providers (a GET form: filters live in the URL) and the provider workspace."""


from wtforms import IntegerField, SelectMultipleField, ValidationError
from wtforms.validators import Email, InputRequired, NumberRange, Optional, Regexp

from marketplace.categories import SUPPORT_CATEGORIES
from marketplace.date_input import DateInputField
from marketplace.dates import today_in_uk
from marketplace.forms import (
    BaseForm,
    GovCheckboxesInput,
    GovTextInput,
    LongTextField,
    MoneyField,
    PasswordInputField,
    RadioChoiceField,
    SelectChoiceField,
    Submit,
    TextField,
    choices,
    length,
    required,
)
from marketplace.providers.browse import SORTS
from marketplace.providers.catalogue import (
    CHECK_KINDS,
    DAYS,
    LANGUAGES,
    POSTCODE_DISTRICT,
    PROVIDER_KINDS,
    UNITS,
    normalise_district,
)
from marketplace.query import whole_number

MAX_PRICE_POUNDS = 10_000
MAX_SERVICE_PRICE_POUNDS = 10_000
MAX_AREAS = 40


def _upper_district(value):
    return normalise_district(value) if isinstance(value, str) else value


class BrowseForm(BaseForm):
    class Meta:
        csrf = False  # a search: nothing changes, and the URL must be shareable

    q = TextField("Search", validators=[Optional(), length(max=100, message="Search must be 100 characters or fewer")])
    category = SelectChoiceField(
        "Type of support",
        choices=choices([("", "Any type"), *SUPPORT_CATEGORIES.items()]),
        validators=[Optional()], invalid_choice_message="Choose a type of support from the list",
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
        validators=[Optional()], invalid_choice_message="Choose a day from the list",
    )
    language = SelectChoiceField(
        "Language spoken",
        choices=choices([("", "Any language"), *((name, name) for name in LANGUAGES)]),
        validators=[Optional()], invalid_choice_message="Choose a language from the list",
    )
    sort = SelectChoiceField("Sort by", choices=choices(SORTS.items()), validators=[Optional()],
                             invalid_choice_message="Choose how to sort from the list")


# The provider workspace.

class CheckboxesField(SelectMultipleField):
    widget = GovCheckboxesInput()


class WholeNumberField(IntegerField):
    widget = GovTextInput()

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        self.data = whole_number(valuelist[0].strip())
        if self.data is None:
            raise ValueError("Enter a whole number, like 2")


def _districts(value):
    if not isinstance(value, str):
        return value
    return ", ".join(normalise_district(part) for part in value.replace(";", ",").split(",") if part.strip())


def _valid_districts(_form, field):
    districts = [part.strip() for part in (field.data or "").split(",") if part.strip()]
    if not districts:
        raise ValidationError("Enter at least one postcode district you serve, like LS6")
    if len(districts) > MAX_AREAS:
        raise ValidationError(f"Enter {MAX_AREAS} postcode districts or fewer")
    wrong = [d for d in districts if not POSTCODE_DISTRICT.match(d)]
    if wrong:
        raise ValidationError("Enter postcode districts like LS6, separated by commas")



class OrganisationForm(BaseForm):
    name = TextField("Organisation name", validators=[
        required("Enter your organisation’s name"), length(max=200)])
    kind = RadioChoiceField("What kind of provider are you?", choices=choices(PROVIDER_KINDS.items()),
                            validators=[required("Choose what kind of provider you are")],
                            invalid_choice_message="Choose what kind of provider you are")
    description = LongTextField("About your organisation", description="Tell people what you do and what makes you different.",
                                validators=[required("Tell people about your organisation"), length(max=5000)])
    contact_email = TextField("Email for enquiries", validators=[
        required("Enter an email address for enquiries"), length(max=320),
        Email(message="Enter an email address in the correct format, like name@example.com")])
    contact_phone = TextField("Phone number", validators=[Optional(), length(max=40),
                              Regexp(r"^[0-9 +()-]{6,40}$", message="Enter a phone number, like 0113 496 0000")])
    areas = TextField("Postcode districts you serve", description="Separate them with commas, like LS6, LS7",
                      filters=[_districts], validators=[_valid_districts])
    languages = CheckboxesField("Languages your staff speak", description="Choose all that apply.",
                                choices=choices((name, name) for name in LANGUAGES),
                                invalid_choice_message="Choose languages from the list")
    access_notes = LongTextField("Access", description="For example, step-free entrance, hearing loop, or visits at home only.",
                                 validators=[Optional(), length(max=2000)])
    cqc_number = TextField("CQC registration number", description="If you are registered with the Care Quality Commission, like 1-234567890",
                           validators=[Optional(), length(max=20),
                                       Regexp(r"^1-[0-9]{6,12}$", message="Enter a CQC number like 1-234567890")])
    submit = Submit("Save")


class StaffForm(BaseForm):
    name = TextField("Their full name", validators=[required("Enter their full name"), length(max=200)])
    email = TextField("Their email address", validators=[
        required("Enter their email address"), length(max=320),
        Email(message="Enter an email address in the correct format, like name@example.com")])
    submit = Submit("Send invitation")


class StaffAccountForm(BaseForm):
    name = TextField("Your full name", validators=[required("Enter your full name"), length(max=200)],
                     render_kw={"autocomplete": "name", "spellcheck": "false"})
    password = PasswordInputField(
        "Create a password", validators=[required("Create a password")],
        description="Use 10 characters or more. A few words together are easy to remember and hard to guess.",
        render_kw={"autocomplete": "new-password"})
    submit = Submit("Create account and join")


class ServiceForm(BaseForm):
    category = SelectChoiceField("Type of support", choices=choices([("", "Choose a type"), *SUPPORT_CATEGORIES.items()]),
                                 validators=[required("Choose the type of support")],
                                 invalid_choice_message="Choose the type of support")
    title = TextField("Title", description="A short name people will understand, like “Morning help at home”",
                      validators=[required("Enter a title"), length(max=200)])
    description = LongTextField("Description", validators=[required("Describe the service"), length(max=5000)])
    unit = RadioChoiceField("You charge per", choices=choices(UNITS.items()),
                            validators=[required("Choose what you charge per")],
                            invalid_choice_message="Choose what you charge per")
    price = MoneyField("Price per unit", description="In pounds and pence, like 22.50",
                       maximum_pence=MAX_SERVICE_PRICE_POUNDS * 100)
    minimum_units = WholeNumberField("Fewest units someone can book", default=1,
                                 validators=[InputRequired(message="Enter the fewest units someone can book"),
                                             NumberRange(min=1, max=1000, message="Enter a number from 1 to 1,000")])
    days = CheckboxesField("Days available", description="Choose all that apply.",
                           choices=choices((key, label) for key, (label, _bit) in DAYS.items()),
                           invalid_choice_message="Choose days from the list")
    submit = Submit("Save service")



class CheckForm(BaseForm):
    kind = RadioChoiceField("Which check is this?", choices=choices(CHECK_KINDS.items()),
                            validators=[required("Choose which check this is")],
                            invalid_choice_message="Choose which check this is")
    reference = TextField("Reference", description="For example, the policy or certificate number",
                          validators=[required("Enter the reference"), length(max=100)])
    issued_on = DateInputField("Date issued", what="the date issued")
    expires_on = DateInputField("Expiry date", description="For example, 27 3 2027")
    submit = Submit("Send for checking")

    def validate_issued_on(self, field):
        if field.data and field.data > today_in_uk():
            raise ValidationError("Date issued must be today or in the past")

    def validate_expires_on(self, field):
        if field.data and self.issued_on.data and field.data <= self.issued_on.data:
            raise ValidationError("Expiry date must be after the date issued")
        if field.data and field.data < today_in_uk():
            raise ValidationError("Expiry date must be today or in the future")


class ReasonForm(BaseForm):
    reason = LongTextField("Reason", validators=[required("Enter the reason"), length(max=2000)])
    submit = Submit("Confirm")


class ReviewForm(BaseForm):
    rating = RadioChoiceField(
        "How many stars would you give?", description="5 stars is the best.",
        choices=choices([("5", "5 stars: excellent"), ("4", "4 stars: good"), ("3", "3 stars: all right"),
                         ("2", "2 stars: poor"), ("1", "1 star: very poor")]),
        coerce=str, validators=[required("Choose how many stars you would give")],
        invalid_choice_message="Choose from 1 to 5 stars")
    text = LongTextField("Your review", description="What was good, and what could be better? Do not name staff.",
                         validators=[required("Write your review"), length(max=2000, message="Your review must be 2,000 characters or fewer")])
    submit = Submit("Send review")


class ReplyForm(BaseForm):
    text = LongTextField("Your reply", description="You can reply once. People will see it under the review.",
                         validators=[required("Write your reply"), length(max=2000, message="Your reply must be 2,000 characters or fewer")])
    submit = Submit("Send reply")
