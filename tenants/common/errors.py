"""The one error type services raise for bad input: a list of field-named problems.

GraphQL mutations turn it into `errors: [{field, message, code}]`, the admin into form
errors, the importer into row/column reports, the CLI into `field: message` lines.
"""
from __future__ import annotations

from dataclasses import dataclass


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
