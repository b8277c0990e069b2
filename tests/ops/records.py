"""The op table's record type. Each family of primitives lists its records in a
`rows_<family>.py` module beside this file (a module-level list named ROWS); the harness in
`test_ops.py` runs the four checks of DESIGN.md section 6 on every record."""

import dataclasses
from typing import Any, Callable, Sequence

import numpy as np


@dataclasses.dataclass(frozen=True)
class OpRecord:
    """One operation under test.

    Attributes:
      name: the test id, e.g. "sin" or "slice_strided".
      fn: the fneedle function under test, taking the array arguments positionally (bake
        static parameters in with a lambda or functools.partial).
      reference: a NumPy/SciPy function of NumPy arrays giving the expected result (the
        spec); it may return a tuple for multiple outputs.
      shapes: cases; each case is a tuple with one shape per array argument.
      dtypes: dtypes to test; every array argument gets that dtype unless `arg_dtypes`
        gives a function case_dtype -> tuple of per-argument dtypes.
      inputs: how to draw inputs: "normal", "positive" (0.5..2), "unit" (-0.9..0.9),
        "int" (small ints incl. negatives), "nonneg_int", "bool", or a callable
        (rng, shape, dtype) -> np.ndarray; or a tuple of those, one per argument.
      diff_argnums: arguments to differentiate (floats only); () disables gradient checks.
      grad_order: order of the finite-difference checks (1 or 2).
      batch: whether to run the vmap-vs-loop check.
      atol, rtol: tolerances for the NumPy comparison (None: a default per dtype).
      grad_atol, grad_rtol: tolerances for the finite-difference checks (float64).
      eps: the finite-difference step.
      parity_shapes: shape cases for the kernel-vs-NumPy-impl parity check, large enough that
        the C++ kernels run (below a size threshold the CPU backend calls the NumPy impl
        itself, so small cases compare NumPy with NumPy); () uses `shapes`.
      parity_rtol: for float64, the allowed |kernel - impl| / (1 + |impl|) (0: bitwise
        identical). Set it only where the kernel legitimately computes differently: another
        libm (transcendental functions, ~1e-15) or another summation order (~1e-13).
    """

    name: str
    fn: Callable
    reference: Callable
    shapes: Sequence[tuple]
    dtypes: Sequence[Any] = (np.float32, np.float64)
    arg_dtypes: Callable | None = None
    inputs: Any = "normal"
    diff_argnums: tuple = (0,)
    grad_order: int = 2
    batch: bool = True
    atol: float | None = None
    rtol: float | None = None
    grad_atol: float = 1e-5
    grad_rtol: float = 1e-5
    eps: float = 1e-4
    parity_shapes: Sequence[tuple] = ()
    parity_rtol: float = 0.0
