from marketplace.forms import BaseForm, RadioChoiceField, Submit, choices, required


class MarkReadForm(BaseForm):
    """A button and its CSRF token: marking read changes something, so it is a POST."""


class EmailSettingForm(BaseForm):
    email = RadioChoiceField(
        "Do you want an email when something new is waiting for you?",
        choices=choices([("yes", "Yes, email me"), ("no", "No, I will check the service myself")]),
        description="The email only says that something is waiting. It never includes names, "
                    "amounts or details about anyone's care.",
        validators=[required("Select whether you want emails")])
    submit = Submit("Save")
