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


def _new_password(label: str, message: str) -> PasswordInputField:
    return PasswordInputField(
        label,
        validators=[required(message)],
        description="Use 10 characters or more. A few words together are easy to remember and hard to guess.",
        render_kw={"autocomplete": "new-password"},
    )


class ForgotPasswordForm(BaseForm):
    email = EmailField()
    submit = Submit("Send me a link")


class ResetPasswordForm(BaseForm):
    password = _new_password("New password", "Create a new password")
    submit = Submit("Save my new password")


class ChangePasswordForm(BaseForm):
    current_password = PasswordInputField(
        "Current password",
        validators=[required("Enter your current password"), length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = _new_password("New password", "Create a new password")
    submit = Submit("Change password")


class CodeForm(BaseForm):
    code = TextField(
        "Code",
        validators=[required("Enter the 6-digit code from your authenticator app"), length(max=40)],
        description="The 6-digit code your authenticator app shows now, or one of your recovery codes.",
        # Numbers on a phone's keypad, filled in from a text message or password manager, and
        # pasting is never blocked.
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code", "spellcheck": "false",
                   "autocapitalize": "none"},
    )
    submit = Submit("Continue")


class ConfirmAuthenticatorForm(BaseForm):
    code = TextField(
        "Code from the app",
        validators=[required("Enter the 6-digit code from your authenticator app"), length(max=40)],
        description="After you add this service, the app shows a 6-digit code. It changes every 30 seconds.",
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code", "spellcheck": "false"},
    )
    submit = Submit("Turn on two-step sign-in")


class RemoveAuthenticatorForm(BaseForm):
    password = PasswordInputField(
        "Your password",
        validators=[required("Enter your password"), length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = Submit("Turn off two-step sign-in")
