"""End to end: the README's main job trains a model that learns."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_mlp_example_learns():
    result = subprocess.run([sys.executable, str(ROOT / "examples" / "mlp_train.py")],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "test accuracy" in result.stdout
