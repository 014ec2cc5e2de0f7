"""The one error type services raise for bad input: a list of field-named problems.

GraphQL mutations turn it into `errors: [{field, message, code}]`, the admin into form
errors, the importer into row/column reports, the CLI into `field: message` lines.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str
    code: str = "invalid"

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class ServiceError(Exception):
    def __init__(self, errors: list[FieldError] | FieldError):
        self.errors = [errors] if isinstance(errors, FieldError) else list(errors)
        super().__init__("; ".join(str(e) for e in self.errors))

    @classmethod
    def single(cls, field: str, message: str, code: str = "invalid") -> "ServiceError":
        return cls([FieldError(field, message, code)])


class Forbidden(PermissionDenied):
    """The caller may not act on this object (a station clerk at another station, a
    deputy for someone else). A PermissionDenied, so Django pages answer 403; GraphQL
    reports it as a top-level FORBIDDEN error."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
