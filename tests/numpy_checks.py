"""What the fneedle.numpy test files share: fixed inputs and `close`, the comparison of a
fneedle result against its NumPy reference."""

import numpy as np

_RNG = np.random.default_rng(0)
A = _RNG.standard_normal((3, 4)).astype(np.float32)
B = _RNG.standard_normal((4,)).astype(np.float32)
C = _RNG.standard_normal((2, 3, 4)).astype(np.float32)
SPD = (A[:, :3] @ A[:, :3].T + 3 * np.eye(3)).astype(np.float64)


def close(got, want, tol=1e-5, dtype=None):
    """got (fneedle) equals want (NumPy) in shape and values (and dtype if given)."""
    if isinstance(want, tuple) or (isinstance(want, list) and want
                                   and isinstance(want[0], np.ndarray)):
        assert isinstance(got, (tuple, list)) and len(got) == len(want)
        for g, w in zip(got, want):
            close(g, w, tol)
        return
    g = np.asarray(got)
    assert g.shape == np.shape(want), f"shape {g.shape}, expected {np.shape(want)}"
    if dtype is not None:
        assert g.dtype == np.dtype(dtype), f"dtype {g.dtype}, expected {np.dtype(dtype)}"
    np.testing.assert_allclose(g.astype(np.float64) if g.dtype.kind == "f" else g,
                               want, rtol=tol, atol=tol)
