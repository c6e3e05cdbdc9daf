"""Typed domain errors: views turn them into a 4xx with the message, the CLI into an exit."""


class FactcheckError(Exception):
    status = 400

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field  # the input it is about, when one is: a form shows the reason beside it


class NotAllowed(FactcheckError):
    status = 403


class NotFound(FactcheckError):
    status = 404


class InvalidTransition(FactcheckError):
    status = 409


class Conflict(FactcheckError):
    """Someone else saved the object since this edit began."""

    status = 409


class InvalidInput(FactcheckError):
    status = 400


class ImportFailed(FactcheckError):
    status = 400
