"""One module per kind of ledger; importing this package registers every kind (spec.REGISTRY)."""
from . import deputies, divisions, opinions, positions  # noqa: F401
