"""pytest setup for the op table: the repository root goes on sys.path, so `rows_*.py` modules
may import the record type as `tests.ops.records` as well as relatively (`.records`)."""

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.append(_ROOT)
