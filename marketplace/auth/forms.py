from wtforms.validators import ValidationError

from marketplace.forms import (
    BaseForm,
    EmailField,
    PasswordInputField,
    RadioChoiceField,
    Submit,
    TextField,
    choices,
    length,
    required,
)


class SignInForm(BaseForm):
    email = EmailField()
    password = PasswordInputField(
        "Password",
        validators=[required("Enter your password"), length(max=128, message="Password must be 128 characters or fewer")],
        render_kw={"autocomplete": "current-password"},
    )
    submit = Submit("Sign in")


class RegisterForm(BaseForm):
    account_type = RadioChoiceField(
        "Who is this account for?",
        choices=choices([
            ("person", "Me: I have a personal budget"),
            ("provider", "My organisation: we provide care or support"),
        ]),
        validators=[required("Select who this account is for")],
        description="Advocates join when a budget holder invites them.",
    )
    name = TextField(
        "Your full name",
        validators=[required("Enter your full name"), length(max=200)],
        render_kw={"autocomplete": "name", "spellcheck": "false"},
    )
    organisation_name = TextField(
        "Organisation name (providers only)",
        validators=[length(max=200)],
        description="The name budget holders will see, like Brightpath Home Care.",
        render_kw={"autocomplete": "organization"},
    )
    email = EmailField()
    password = PasswordInputField(
        "Create a password",
        validators=[required("Create a password")],
        description="Use 10 characters or more. A few words together are easy to remember and hard to guess.",
        render_kw={"autocomplete": "new-password"},
    )
    submit = Submit("Create account")

    def validate_organisation_name(self, field):
        if self.account_type.data == "provider" and not field.data:
            raise ValidationError("Enter the name of your organisation")
