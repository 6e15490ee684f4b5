"""The one kind of refusal a service gives: a sentence for a person, and the field it is about."""


class ServiceError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
