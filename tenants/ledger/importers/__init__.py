"""One module per kind of ledger; importing this package registers every kind (spec.REGISTRY)."""
from . import divisions, positions  # noqa: F401
