"""The one kind of refusal every rule raises: a plain sentence for the user, and the form
field it belongs to (None when it is about the whole form)."""


class ServiceError(Exception):
    """ServiceError("Enter the number of hours", field="hours"): shown by the field, and in
    the error summary, by marketplace.forms.show_service_error()."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    @property
    def field_messages(self) -> dict[str | None, str]:
        """Each field's message (a refusal may be about several fields at once)."""
        return {self.field: self.message}


class ServiceErrors(ServiceError):
    """Several fields are wrong at once: {field: message}, each shown by its field."""

    def __init__(self, messages: dict[str, str]):
        field, message = next(iter(messages.items()))
        super().__init__(message, field)
        self.messages = dict(messages)

    @property
    def field_messages(self) -> dict[str | None, str]:
        return dict(self.messages)

    def __str__(self) -> str:
        return "; ".join(self.messages.values())
