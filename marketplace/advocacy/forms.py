from wtforms import HiddenField, SelectMultipleField
from wtforms.validators import Email, ValidationError

from marketplace.forms import (
    BaseForm,
    EmailField,
    GovCheckboxesInput,
    LongTextField,
    PasswordInputField,
    RadioChoiceField,
    Submit,
    TextField,
    choices,
    length,
    required,
)
from marketplace.models import LegalBasis
from marketplace.models.advocacy import ADVOCATE_PERMISSIONS
from marketplace.query import record_id
from marketplace.scope import PERMISSION_LABELS


class PermissionsField(SelectMultipleField):
    """Checkboxes for the four permissions. The service explains any bad combination."""

    widget = GovCheckboxesInput()

    def __init__(self, label="What can they do?", **kwargs):
        super().__init__(
            label,
            choices=choices((p, PERMISSION_LABELS[p].capitalize()) for p in ADVOCATE_PERMISSIONS),
            description="Select all that apply. You can change this at any time.",
            validate_choice=False,
            **kwargs,
        )

    @property
    def chosen(self) -> set[str]:
        # A form posted with no fields at all leaves data as None rather than empty.
        return set(self.data or [])


def _advocate_name(label="Their full name"):
    return TextField(label, validators=[required("Enter their full name"), length(max=200)],
                     render_kw={"autocomplete": "off", "spellcheck": "false"})


def _advocate_email(label="Their email address"):
    return EmailField(label, validators=[
        required("Enter their email address"),
        length(max=320, message="Email address must be 320 characters or fewer"),
        Email(message="Enter an email address in the correct format, like name@example.com"),
    ], render_kw={"autocomplete": "off", "spellcheck": "false"})


class InviteForm(BaseForm):
    name = _advocate_name()
    email = _advocate_email()
    permissions = PermissionsField()
    submit = Submit("Send invitation")


class PermissionsForm(BaseForm):
    permissions = PermissionsField()
    submit = Submit("Save permissions")


class AuthorisedPersonForm(BaseForm):
    name = _advocate_name("Authorised person's full name")
    email = _advocate_email("Authorised person's email address")
    permissions = PermissionsField()
    legal_basis = RadioChoiceField(
        "What gives them the right to act?",
        choices=choices((basis.value, basis.label) for basis in LegalBasis),
        validators=[required("Select what gives them the right to act")],
        description="Only record an authorised person when the budget holder lacks capacity "
                    "to make this decision.",
    )
    reason = LongTextField(
        "Reason",
        validators=[required("Enter the reason for this decision"),
                    length(max=2000, message="Reason must be 2000 characters or fewer")],
        description="Everyone involved will see this, including the budget holder.",
    )
    submit = Submit("Record authorised person")


class AdvocateRegisterForm(BaseForm):
    name = TextField("Your full name", validators=[required("Enter your full name"), length(max=200)],
                     render_kw={"autocomplete": "name", "spellcheck": "false"})
    email = EmailField(description="Use the email address the invitation was sent to.")
    password = PasswordInputField(
        "Create a password",
        validators=[required("Create a password")],
        description="Use 10 characters or more. A few words together are easy to remember and hard to guess.",
        render_kw={"autocomplete": "new-password"},
    )
    submit = Submit("Create account and accept")


class ConfirmForm(BaseForm):
    """A button and nothing else: its CSRF token is what matters."""


class ActForForm(BaseForm):
    person_id = HiddenField()

    def validate_person_id(self, field):
        if record_id(field.data) is None:
            raise ValidationError("Choose a person")
