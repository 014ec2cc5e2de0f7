"""GraphQL enums from the domain's TextChoices, and their values in and out."""
from __future__ import annotations

import graphene


def enum_from(choices, name: str, description: str):
    """A GraphQL enum whose values are the TextChoices' values (names upper-cased); each
    value is described by its Chinese label (core/descriptions.py)."""
    return graphene.Enum.from_enum(choices, name=name, description=description)


def enum_value(value):
    """Model value for an enum field, None for blank (blank is not an enum member)."""
    return value or None


def choice_label(choices, value) -> str | None:
    if not value:
        return None
    try:
        return choices(value).label
    except ValueError:
        return value


def plain(value):
    """An enum input (graphene passes the Python enum member) as the plain stored value."""
    return getattr(value, "value", value)
