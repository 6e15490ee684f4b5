"""Forms for building a care package and for each step of its life."""

from wtforms.validators import Optional

from marketplace.date_input import DateInputField
from marketplace.forms import BaseForm, LongTextField, RadioChoiceField, Submit, TextField, choices


class NewPackageForm(BaseForm):
    title = TextField("Name for this package", description="For example, “Winter support”.")
    start_on = DateInputField("Start date", what="the start date")
    end_on = DateInputField("End date", what="the end date")
    submit = Submit("Start building")


class AddLineForm(BaseForm):
    """The service is chosen on the provider's profile or compare page and travels in the address."""

    package_id = RadioChoiceField("Which package is this for?", coerce=int, validate_choice=False,
                                  description="Only packages you can still change are shown.")
    outcome_id = RadioChoiceField("Which outcome is this support for?", coerce=int, validate_choice=False,
                                  description="Direct payments can only pay for support towards your outcomes.")
    frequency = RadioChoiceField("How often?", choices=choices([("weekly", "Every week"), ("once", "Just once")]),
                                 default="weekly", description="Equipment is usually bought just once.")
    quantity = TextField("How many?", render_kw={"inputmode": "decimal", "spellcheck": "false"})
    submit = Submit("Add to my care package")


class NoteForm(BaseForm):
    """A comment on a package's timeline. Its ids differ from the review form's note and button,
    which share the reviewer's page with it: ids on a page must differ."""

    note = LongTextField("Note", validators=[Optional()], id="comment")
    submit = Submit("Send", id="comment-submit")


class ResponseForm(BaseForm):
    answer = RadioChoiceField("Can you provide this?", choices=choices(
        [("accept", "Yes, we can provide this"), ("decline", "No, we cannot provide this")]),
        description="If you say no, the person is told your note.")
    note = LongTextField("Note for the person", validators=[Optional()])
    submit = Submit("Send answer")


class ReviewForm(BaseForm):
    decision = RadioChoiceField("Your decision", choices=choices([
        ("approve", "Agree the package and set the money aside"),
        ("changes", "Ask for changes"),
        ("reject", "Turn it down"),
    ]), description="If you ask for changes or turn it down, say why in plain words: the person will read it.")
    note = LongTextField("What needs to change, or the reasons", validators=[Optional()])
    submit = Submit("Send decision")


class ChangeLineForm(BaseForm):
    quantity = TextField("How many?", render_kw={"inputmode": "decimal", "spellcheck": "false"})
    outcome_id = RadioChoiceField("Which outcome is this support for?", coerce=int, validate_choice=False)
    submit = Submit("Save the change")


class DatesForm(BaseForm):
    start_on = DateInputField("Start date", what="the start date")
    end_on = DateInputField("End date", what="the end date")
    submit = Submit("Save the dates")


class EndForm(BaseForm):
    from_date = DateInputField("Date the support stops", what="the date the support stops")
    reason = LongTextField("Why is it ending? (optional)", validators=[Optional()],
                           description="Each provider and everyone who can see the package reads this.")
    submit = Submit("End the package")


class ChallengeForm(BaseForm):
    reasons = LongTextField("Why do you think the decision is wrong?",
                            description="Say it in your own words. A different professional or the council will "
                                        "look at it again and tell you their reasons.")
    submit = Submit("Ask for it to be looked at again")
