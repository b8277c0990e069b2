"""The op table's machinery: finding the `rows_*.py` modules, expanding records into test
cases, drawing inputs, and comparing arrays with tolerances by dtype."""

import dataclasses
import importlib
import os
import pkgutil
import zlib
from pathlib import Path

import ml_dtypes
import numpy as np

import fneedle
from fneedle.core import dtypes

_PACKAGE = __name__.rpartition(".")[0]
_HERE = Path(__file__).parent

# Tolerances (atol, rtol) of the comparison with the NumPy reference, by dtype. 16-bit floats
# allow a rounding step of the 16-bit result (about 2^-10 and 2^-7 relative).
REFERENCE_TOLERANCE = {
    dtypes.float64: (1e-12, 1e-11),
    dtypes.float32: (1e-6, 1e-5),
    dtypes.float16: (1e-3, 2e-3),
    dtypes.bfloat16: (1e-2, 1.6e-2),
}
# Kernel vs NumPy impl: identical for float64 and integers, last ulps for the rest.
PARITY_TOLERANCE = {
    dtypes.float32: (1e-6, 1e-5),
    dtypes.float16: (1e-3, 2e-3),
    dtypes.bfloat16: (1e-2, 1.6e-2),
}
BATCH = 3  # the vmap batch size


# ---------------------------------------------------------------------------------------
# Finding records.

@dataclasses.dataclass(frozen=True)
class RowsModule:
    name: str  # e.g. "rows_elementwise"
    records: tuple
    error: str | None = None  # the import error, if the module could not be loaded


def rows_filter():
    """The rows modules named by the env var FNEEDLE_OPS_ROWS, or () for all of them."""
    return tuple(s.strip() for s in os.environ.get("FNEEDLE_OPS_ROWS", "").split(",")
                 if s.strip())


def load_rows_modules():
    """Every tests/ops/rows_*.py module, imported by name, so new files need no edits here.

    A module that fails to import is returned with its error (the harness reports it as one
    failing test) instead of breaking the collection of every other module's records.
    The env var FNEEDLE_OPS_ROWS (e.g. "rows_elementwise,rows_dot") selects some modules.
    """
    only = rows_filter()
    out = []
    for info in sorted(pkgutil.iter_modules([str(_HERE)]), key=lambda m: m.name):
        if not info.name.startswith("rows_") or (only and info.name not in only):
            continue
        try:
            module = importlib.import_module(f"{_PACKAGE}.{info.name}")
            records = tuple(module.ROWS)
        except Exception as e:  # noqa: BLE001 (reported as a test failure)
            out.append(RowsModule(info.name, (), f"{type(e).__name__}: {e}"))
            continue
        out.append(RowsModule(info.name, records))
    return out


@dataclasses.dataclass(frozen=True)
class Case:
    """One record at one shape case and one dtype."""

    record: object
    module: str
    shapes: tuple
    dtype: np.dtype

    @property
    def id(self):
        return f"{self.record.name}-{shape_case_id(self.shapes)}-{dtype_name(self.dtype)}"

    @property
    def seed(self):
        return zlib.crc32(self.id.encode())

    @property
    def arg_dtypes(self):
        return record_arg_dtypes(self.record, self.dtype, len(self.shapes))

    def kinds(self):
        return record_kinds(self.record, len(self.shapes))


def dtype_name(dtype):
    return np.dtype(dtype).name


def shape_case_id(shapes):
    return "_".join("x".join(map(str, s)) if s else "0d" for s in shapes) or "noargs"


def record_arg_dtypes(record, dtype, nargs):
    if record.arg_dtypes is not None:
        out = tuple(record.arg_dtypes(dtype))
    else:
        out = (dtype,) * nargs
    return tuple(dtypes.canonicalize(d) for d in out)


def record_kinds(record, nargs):
    kinds = record.inputs
    if isinstance(kinds, tuple):
        return kinds
    return (kinds,) * nargs


def cases(modules):
    """Every (record, shape case, dtype) of the table."""
    out = []
    for m in modules:
        for rec in m.records:
            for shapes in rec.shapes:
                for dt in rec.dtypes:
                    out.append(Case(rec, m.name, tuple(tuple(s) for s in shapes),
                                    dtypes.canonicalize(dt)))
    return out


def parity_cases(modules):
    """The cases of the kernel-vs-impl check: a record's parity_shapes if it has them (small
    shapes run the NumPy impl on both sides, as the backend falls back below a size
    threshold), else its ordinary shape cases."""
    out = []
    for m in modules:
        for rec in m.records:
            for shapes in getattr(rec, "parity_shapes", ()) or rec.shapes:
                for dt in rec.dtypes:
                    out.append(Case(rec, m.name, tuple(tuple(s) for s in shapes),
                                    dtypes.canonicalize(dt)))
    return out


def grad_cases(modules):
    """Every (record, shape case) whose record differentiates; they run in float64."""
    out = []
    for m in modules:
        for rec in m.records:
            if not rec.diff_argnums:
                continue
            for shapes in rec.shapes:
                out.append(Case(rec, m.name, tuple(tuple(s) for s in shapes), dtypes.float64))
    return out


# ---------------------------------------------------------------------------------------
# Inputs.

def _ints(rng, shape, dtype, lo, hi):
    if dtypes.is_unsigned(dtype):
        lo = max(lo, 0)
        hi = max(hi, lo + 1)
    return rng.integers(lo, hi, size=shape)


def make_input(rng, kind, shape, dtype):
    """A NumPy array of `shape` and `dtype` drawn as the record's `inputs` kind says.

    Kinds: "normal", "positive" (0.5..2), "unit" (-0.9..0.9), "int" (-5..5; 0..10 for
    unsigned dtypes), "nonneg_int" (0..5), "bool", or a callable (rng, shape, dtype).
    Integer and bool dtypes take the nearest meaningful values of a float kind.
    """
    dtype = np.dtype(dtype)
    shape = tuple(shape)
    if dtypes.is_complex(dtype) and not callable(kind):  # both parts drawn as `kind` says
        part = dtypes.real_dtype(dtype)
        re, im = make_input(rng, kind, shape, part), make_input(rng, kind, shape, part)
        return (re + 1j * im).astype(dtype)
    if callable(kind):
        value = np.asarray(kind(rng, shape, dtype))
        if value.shape != shape:
            raise ValueError(f"The input function {kind.__name__} returned shape "
                             f"{value.shape}, expected {shape}.")
        return value.astype(dtype, copy=False)
    is_float = dtypes.is_float(dtype)
    if kind == "bool" or (dtype == np.bool_ and kind in ("normal", "int", "unit")):
        value = rng.random(shape) < 0.5
    elif kind == "normal":
        value = rng.standard_normal(shape) if is_float else _ints(rng, shape, dtype, -5, 6)
    elif kind == "positive":
        value = rng.uniform(0.5, 2.0, shape) if is_float else _ints(rng, shape, dtype, 1, 6)
    elif kind == "unit":
        value = rng.uniform(-0.9, 0.9, shape) if is_float else _ints(rng, shape, dtype, -1, 2)
    elif kind == "int":
        value = rng.integers(0, 11, size=shape) if dtypes.is_unsigned(dtype) else \
            rng.integers(-5, 6, size=shape)
    elif kind == "nonneg_int":
        value = rng.integers(0, 6, size=shape)
    else:
        raise ValueError(f"Unknown input kind {kind!r}; use normal, positive, unit, int, "
                         f"nonneg_int, bool or a callable (rng, shape, dtype).")
    return np.asarray(value).astype(dtype)


def make_args(case, rng=None, shapes=None):
    """NumPy arguments for a case (optionally at other shapes), drawn with its seed."""
    rng = np.random.default_rng(case.seed) if rng is None else rng
    shapes = case.shapes if shapes is None else shapes
    return [make_input(rng, k, s, d)
            for k, s, d in zip(case.kinds(), shapes, case.arg_dtypes, strict=True)]


def to_fneedle(x):
    return fneedle.numpy.asarray(x)


# ---------------------------------------------------------------------------------------
# Comparing.

def leaves(tree):
    """The leaves of a function's output (a single array, tuple, list or dict of them)."""
    return fneedle.tree_leaves(tree)


def tolerance(table, dtype, atol=None, rtol=None):
    """(atol, rtol) for dtype from `table`; record overrides win for 32/64-bit floats and
    only loosen 16-bit ones. Integers and bools compare exactly; complex as its parts."""
    dtype = dtypes.real_dtype(dtype)
    if not dtypes.is_float(dtype):
        return 0.0, 0.0
    default = table.get(dtype, (0.0, 0.0))
    if dtype in (dtypes.float16, dtypes.bfloat16):
        return max(atol or 0.0, default[0]), max(rtol or 0.0, default[1])
    return (default[0] if atol is None else atol), (default[1] if rtol is None else rtol)


def _as_f64(x):
    x = np.asarray(x)
    if x.dtype.kind == "c":  # compared as (real, imag) pairs along a new last axis
        x = np.stack([x.real, x.imag], axis=-1)
    with np.errstate(invalid="ignore"):  # NaN payloads of bitcasts
        if x.dtype == ml_dtypes.bfloat16 or x.dtype == np.float16:
            x = x.astype(np.float32)
        return x.astype(np.float64) if x.dtype.kind == "f" else x


def assert_close(actual, expected, atol, rtol, what):
    """Elementwise |actual - expected| <= atol + rtol |expected|; NaNs must match NaNs and
    infinities must be equal. Integer and bool arrays must be equal."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    if actual.shape != expected.shape:
        raise AssertionError(f"{what}: shape {actual.shape}, expected {expected.shape}.")
    a, e = _as_f64(actual), _as_f64(expected)
    if a.dtype.kind != "f" and e.dtype.kind != "f":
        bad = a != e
        if bad.any():
            k = int(np.argmax(bad.ravel()))
            raise AssertionError(f"{what}: {int(bad.sum())} of {bad.size} elements differ; "
                                 f"first at flat index {k}: got {a.ravel()[k]!r}, expected "
                                 f"{e.ravel()[k]!r}.\ngot:      {a!r}\nexpected: {e!r}")
        return
    a, e = a.astype(np.float64), e.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        same = (a == e) | (np.isnan(a) & np.isnan(e))
        err = np.where(same, 0.0, np.abs(a - e))
        err = np.where(np.isnan(err), np.inf, err)
        bad = err > atol + rtol * np.abs(e)
    if bad.any():
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = np.where(same, 0.0, err / np.abs(e))
        k = int(np.argmax(bad.ravel()))
        raise AssertionError(
            f"{what}: {int(bad.sum())} of {bad.size} elements differ: max abs error "
            f"{float(err.max()):.3g}, max rel error {float(np.nanmax(rel)):.3g} "
            f"(atol {atol:.3g}, rtol {rtol:.3g}); first at flat index {k}: got "
            f"{a.ravel()[k]!r}, expected {e.ravel()[k]!r}.\ngot:      {a!r}\nexpected: {e!r}")


def assert_identical(actual, expected, what):
    """Bitwise-equal values (NaNs equal to NaNs) of the same dtype and shape."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    if actual.dtype != expected.dtype:
        raise AssertionError(f"{what}: dtype {actual.dtype}, expected {expected.dtype}.")
    if dtypes.is_inexact(actual.dtype):
        a, e = _as_f64(actual), _as_f64(expected)
        if np.array_equal(a, e, equal_nan=True) and np.array_equal(np.signbit(a),
                                                                   np.signbit(e)):
            return
    elif np.array_equal(actual, expected):
        return
    assert_close(actual, expected, 0.0, 0.0, what)
    raise AssertionError(f"{what}: values equal but signs of zeros differ.\ngot:      "
                         f"{actual!r}\nexpected: {expected!r}")


def assert_trees_close(actual, expected, table, what, atol=None, rtol=None):
    """Leafwise assert_close of two outputs of the same structure and dtypes."""
    a_leaves, e_leaves = leaves(actual), leaves(expected)
    if len(a_leaves) != len(e_leaves):
        raise AssertionError(f"{what}: {len(a_leaves)} outputs, expected {len(e_leaves)}.")
    for i, (a, e) in enumerate(zip(a_leaves, e_leaves)):
        a_dt, e_dt = np.asarray(a).dtype, np.asarray(e).dtype
        if a_dt != e_dt:
            raise AssertionError(f"{what}: output {i} has dtype {a_dt}, expected {e_dt}.")
        at, rt = tolerance(table, e_dt, atol, rtol)
        assert_close(a, e, at, rt, f"{what}, output {i} ({e_dt})")
