"""Optional stages for the opinion loop (transitions, referrals, replies, ratings,
deputy suggestions); each runs only when its model exists."""
from __future__ import annotations

STAGES: list = []
