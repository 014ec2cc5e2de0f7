"""Optional stages for the domain models of issue 3 (stationing, staff, checklist,
activities, sign-ins, receptions); each runs only when its model exists."""
from __future__ import annotations

STAGES: list = []
