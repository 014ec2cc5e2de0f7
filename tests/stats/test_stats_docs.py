"""docs/STATISTICS.md states every figure and fact the code computes."""
from pathlib import Path

from liaison.tenants.stats.catalogue import FACTS, FIGURES, TREND_SERIES

DOC = Path(__file__).resolve().parents[2] / "docs" / "STATISTICS.md"


def test_every_figure_and_fact_is_defined_in_the_docs():
    text = DOC.read_text(encoding="utf-8")
    for key in [f.key for f in FIGURES] + list(FACTS) + [f.key for f in TREND_SERIES]:
        assert f"| `{key}` |" in text, key
    for f in FIGURES:
        assert f.definition in text, f.key
