"""The C++ CPU kernels (fneedle._C, wrapped by fneedle.backend.cpu) against NumPy references.

Every op runs over several shapes (0-d, empty, odd sizes, 1e5), dtypes and layouts
(contiguous, transposed, negative strides, zero-stride broadcasts); bad inputs must raise
Python exceptions. The whole module skips when the extension is not built.
"""

import itertools

import numpy as np
import pytest
import scipy.special

from fneedle.backend import cpu

if not cpu.available:
    pytest.skip(f"the C++ extension is not built ({cpu.unavailable_reason})",
                allow_module_level=True)

_C = cpu._C
RNG = np.random.default_rng(1234)
FLOATS = ("float32", "float64")
SHAPES = [(), (0,), (1,), (7,), (3, 5, 4), (2, 0, 3), (100_000,)]


def layouts(x):
    """x and views of it with other strides: transposed, reversed, strided, broadcast."""
    yield "contiguous", x
    if x.ndim == 0:
        return
    yield "transposed", x.T
    yield "reversed", x[::-1]
    if x.ndim >= 2:
        yield "mixed", x[::-1, ..., ::2].transpose(*range(x.ndim - 1, -1, -1))
    yield "broadcast", np.broadcast_to(x[:1], x.shape)
    if x.shape[0] >= 2:
        yield "step2", x[::2]


def tolerance(dtype):
    # libmvec (and libm) results are within 4 ULP; NumPy's own SIMD code within a few ULP.
    if np.dtype(dtype) == np.float32:
        return {"rtol": 4e-6, "atol": 1e-6}
    return {"rtol": 1e-13, "atol": 1e-14}


def assert_matches(got, want, dtype=None, exact=False, **tol):
    want = np.asarray(want)
    assert got.shape == want.shape, (got.shape, want.shape)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    if exact or want.dtype.kind in "biu":
        np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_allclose(got, want, equal_nan=True, **(tol or tolerance(want.dtype)))


# ---------------------------------------------------------------------------------------
# unary

def _round_away(x):
    t = np.trunc(x)
    return np.where(np.abs(x - t) >= 0.5, t + np.copysign(1, x), t).astype(x.dtype)


UNARY_REF = {
    "neg": np.negative, "sign": np.sign, "floor": np.floor, "ceil": np.ceil, "round": np.round,
    "round_away": _round_away, "abs": np.abs, "exp": np.exp, "exp2": np.exp2, "log": np.log,
    "log1p": np.log1p, "expm1": np.expm1, "sqrt": np.sqrt, "rsqrt": lambda x: 1 / np.sqrt(x),
    "cbrt": np.cbrt, "sin": np.sin, "cos": np.cos, "tan": np.tan, "asin": np.arcsin,
    "acos": np.arccos, "atan": np.arctan, "sinh": np.sinh, "cosh": np.cosh, "tanh": np.tanh,
    "asinh": np.arcsinh, "acosh": np.arccosh, "atanh": np.arctanh,
    "logistic": scipy.special.expit, "erf": scipy.special.erf, "erfc": scipy.special.erfc,
    "is_finite": np.isfinite, "square": np.square, "reciprocal": lambda x: 1 / x,
    "not": lambda x: np.logical_not(x) if x.dtype == bool else np.invert(x),
}
# Input ranges inside each function's domain (and away from float32 overflow).
DOMAIN = {"log": (0.01, 50), "sqrt": (0, 50), "rsqrt": (0.01, 50), "asin": (-1, 1),
          "acos": (-1, 1), "atanh": (-0.99, 0.99), "acosh": (1, 50), "log1p": (-0.99, 50),
          "exp": (-80, 80), "exp2": (-120, 120), "expm1": (-80, 80), "sinh": (-80, 80),
          "cosh": (-80, 80), "tan": (-1.5, 1.5), "reciprocal": (0.1, 50), "erfc": (-5, 9),
          "round": (-8, 8), "round_away": (-8, 8)}


def sample(shape, dtype, lo=-10.0, hi=10.0):
    dtype = np.dtype(dtype)
    if dtype == bool:
        return np.asarray(RNG.random(shape) < 0.5)
    if dtype.kind in "iu":
        lo_i = 0 if dtype.kind == "u" else -100
        return np.asarray(RNG.integers(lo_i, 100, shape)).astype(dtype)
    x = np.asarray(RNG.uniform(lo, hi, shape)).astype(dtype)
    if x.size > 4 and lo < 0 < hi:  # exact halves and zeros for the rounding ops
        x.flat[:4] = np.array([0.5, -2.5, -0.0, 0.0], dtype)
    return x


def test_op_tables_match_the_extension():
    assert set(_C.unary_ops()) == cpu.UNARY_OPS
    assert set(_C.binary_ops()) == cpu.BINARY_OPS
    assert set(_C.reduce_ops()) == cpu.REDUCE_OPS
    assert set(_C.scan_ops()) == cpu.SCAN_OPS
    assert cpu.max_threads() >= 1


@pytest.mark.parametrize("op", sorted(cpu.UNARY_OPS))
def test_unary(op):
    code, dtypes = cpu._UNARY[op]
    for dtype in dtypes:
        for shape in SHAPES:
            if shape == (100_000,) and dtype != np.float32:
                continue
            x = sample(shape, dtype, *DOMAIN.get(op, (-10.0, 10.0)))
            for name, view in layouts(x):
                with np.errstate(all="ignore"):
                    want = np.asarray(UNARY_REF[op](view))
                got = _C.unary(code, view)
                try:
                    assert_matches(got, want.astype(got.dtype) if op != "is_finite" else want)
                except AssertionError as e:
                    raise AssertionError(f"{op} {dtype} {shape} {name}") from e


@pytest.mark.parametrize("op", sorted(cpu.UNARY_OPS - {"not"}))
def test_unary_special_values(op):
    code = cpu._UNARY[op][0]
    for dtype in FLOATS:
        x = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1e-30, 1e30],
                     dtype)
        with np.errstate(all="ignore"):
            want = np.asarray(UNARY_REF[op](x))
        got = _C.unary(code, x)
        # erf/erfc/logistic of +-inf and NaN follow C99; compare everything, NaN to NaN.
        assert_matches(got, want.astype(got.dtype) if op != "is_finite" else want)


def test_unary_output_follows_input_layout():
    x = sample((30, 40), "float32")
    got = _C.unary(cpu._UNARY["exp"][0], x.T)
    assert got.flags.f_contiguous and not got.flags.c_contiguous
    assert_matches(got, np.exp(x.T))


def test_integer_edge_cases_wrap():
    for dtype in ("int32", "int64"):
        lo = np.iinfo(dtype).min
        x = np.array([lo, -1, 0, 5], dtype)
        assert_matches(_C.unary(cpu._UNARY["neg"][0], x), np.negative(x))
        assert_matches(_C.unary(cpu._UNARY["abs"][0], x), np.abs(x))
        assert_matches(_C.unary(cpu._UNARY["square"][0], x), np.square(x))


# ---------------------------------------------------------------------------------------
# binary

def _int_div(x, y):
    safe = np.where(y == 0, 1, y)
    return np.where(y == 0, 0, np.fix(x.astype(np.float64) / safe)).astype(x.dtype)


def _int_rem(x, y):
    return np.where(y == 0, 0, np.fmod(x, np.where(y == 0, 1, y))).astype(x.dtype)


def _shift(kind):
    def ref(x, y):
        bits = x.dtype.itemsize * 8
        yi = y.astype(np.int64)
        big = (yi < 0) | (yi >= bits)
        ys = np.where(big, 0, yi).astype(x.dtype)
        if kind == "left":
            return np.where(big, 0, np.left_shift(x, ys)).astype(x.dtype)
        u = x.view(np.dtype(f"u{x.dtype.itemsize}"))
        logical = np.right_shift(u, ys.astype(u.dtype)).view(x.dtype)
        if kind == "logical" or x.dtype.kind == "u":
            return np.where(big, 0, logical).astype(x.dtype)
        return np.where(big, np.where(x < 0, -1, 0), np.right_shift(x, ys)).astype(x.dtype)
    return ref


BINARY_REF = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "pow": np.power,
    "max": np.maximum, "min": np.minimum, "atan2": np.arctan2, "nextafter": np.nextafter,
    "and": np.bitwise_and, "or": np.bitwise_or, "xor": np.bitwise_xor, "eq": np.equal,
    "ne": np.not_equal, "lt": np.less, "le": np.less_equal, "gt": np.greater,
    "ge": np.greater_equal, "shift_left": _shift("left"),
    "shift_right_logical": _shift("logical"), "shift_right_arithmetic": _shift("arith"),
    "div": lambda x, y: _int_div(x, y) if x.dtype.kind in "iu" else x / y,
    "rem": lambda x, y: _int_rem(x, y) if x.dtype.kind in "iu" else np.fmod(x, y),
}


def binary_operands(op, shape, dtype):
    dtype = np.dtype(dtype)
    if op.startswith("shift"):
        bits = dtype.itemsize * 8
        x = sample(shape, dtype)
        lo = 0 if dtype.kind == "u" else -2
        y = RNG.integers(lo, bits + 3, shape).astype(dtype)
        return x, y
    if op == "pow" and dtype.kind == "f":
        return sample(shape, dtype, 0.1, 4), sample(shape, dtype, -3, 3)
    x, y = sample(shape, dtype), sample(shape, dtype)
    if dtype.kind == "f" and x.size > 3:
        x.flat[0], y.flat[1] = np.nan, np.nan
        y.flat[2] = x.flat[2]
    return x, y


@pytest.mark.parametrize("op", sorted(cpu.BINARY_OPS))
def test_binary(op):
    code, dtypes = cpu._BINARY[op]
    for dtype in dtypes:
        for shape in SHAPES:
            if shape == (100_000,) and dtype not in (np.float32, np.int32):
                continue
            x, y = binary_operands(op, shape, dtype)
            for (nx, vx), (ny, vy) in zip(layouts(x), layouts(y)):
                pairs = [(vx, vy)] + ([(vx, y), (x, vy)] if vx.shape == x.shape else [])
                for a, b in pairs:
                    with np.errstate(all="ignore"):
                        want = np.asarray(BINARY_REF[op](a, b))
                    got = _C.binary(code, a, b)
                    try:
                        assert_matches(got, want)
                    except AssertionError as e:
                        raise AssertionError(f"{op} {dtype} {shape} {nx}/{ny}") from e


def test_binary_scalar_broadcast_fast_paths():
    x = sample((1000,), "float32")
    s = np.broadcast_to(np.float32(3), x.shape)
    code = cpu._BINARY["sub"][0]
    assert_matches(_C.binary(code, x, s), x - np.float32(3))
    assert_matches(_C.binary(code, s, x), np.float32(3) - x)
    row, col = np.broadcast_arrays(x[None, :50], x[:40, None])
    assert_matches(_C.binary(code, row, col), x[None, :50] - x[:40, None])


def test_integer_division_edge_cases():
    for dtype in ("int32", "int64"):
        lo = np.iinfo(dtype).min
        x = np.array([7, -7, 7, -7, 5, lo, lo, 3], dtype)
        y = np.array([2, 2, -2, -2, 0, -1, 2, 0], dtype)
        assert_matches(_C.binary(cpu._BINARY["div"][0], x, y),
                       np.array([3, -3, -3, 3, 0, lo, lo // 2, 0], dtype))
        assert_matches(_C.binary(cpu._BINARY["rem"][0], x, y),
                       np.array([1, -1, 1, -1, 0, 0, 0, 0], dtype))


# ---------------------------------------------------------------------------------------
# reductions

REDUCE_REF = {"sum": np.add, "prod": np.multiply, "max": np.maximum, "min": np.minimum,
              "and": np.bitwise_and, "or": np.bitwise_or}


def reduce_ref(op, x, axes):
    if op in ("sum", "prod") and x.dtype.kind == "f":  # the kernels accumulate in float64
        return REDUCE_REF[op].reduce(x.astype(np.float64), axis=axes).astype(x.dtype)
    if op in ("and", "or"):
        out = x
        for a in sorted(axes, reverse=True):
            out = REDUCE_REF[op].reduce(out, axis=a)
        return np.asarray(out)
    return np.asarray(REDUCE_REF[op].reduce(x, axis=axes, dtype=x.dtype))


@pytest.mark.parametrize("op", sorted(cpu.REDUCE_OPS))
def test_reduce_every_axis_subset(op):
    code, dtypes = cpu._REDUCE[op]
    for dtype in dtypes:
        lo, hi = (0.5, 1.5) if op == "prod" else (-10, 10)
        x = sample((3, 4, 5), dtype, lo, hi)
        for name, view in layouts(x):
            for k in range(4):
                for axes in itertools.combinations(range(3), k):
                    got = _C.reduce(code, view, axes)
                    try:
                        assert_matches(got, reduce_ref(op, view, axes), rtol=2e-6, atol=1e-6)
                    except AssertionError as e:
                        raise AssertionError(f"{op} {dtype} {name} axes={axes}") from e


@pytest.mark.parametrize("shape,axes", [((100_000,), (0,)), ((300, 400), (0,)),
                                        ((300, 400), (1,)), ((300, 400), (0, 1)),
                                        ((3, 40_000), (1,)), ((40_000, 3), (0,)),
                                        ((7, 1, 9), (1,)), ((), ()), ((2, 0, 3), (1,)),
                                        ((2, 0, 3), (0, 2))])
def test_reduce_large_and_degenerate(shape, axes):
    x = sample(shape, "float32", 0.5, 1.5)
    for op in ("sum", "max", "min"):
        code = cpu._REDUCE[op][0]
        for view in (x, x[::-1] if x.ndim else x):
            got = _C.reduce(code, view, axes)
            if op == "sum":
                assert_matches(got, reduce_ref(op, view, axes), rtol=1e-6)
            elif view.size or not axes:
                assert_matches(got, reduce_ref(op, view, axes))
            else:  # an empty reduction gives the identity (as in JAX)
                want = -np.inf if op == "max" else np.inf
                assert np.all(got == want)


def test_reduce_nan_propagates_and_float64_sum_is_accurate():
    x = np.ones(100_001)
    x[5000] = np.nan
    for op in ("max", "min"):
        assert np.isnan(_C.reduce(cpu._REDUCE[op][0], x, (0,)))
    y = np.full(1_000_000, 0.1)  # pairwise summation keeps the error near eps * log(n)
    total = _C.reduce(cpu._REDUCE["sum"][0], y, (0,))
    assert abs(total - 100_000.0) < 1e-8
    z = np.full(1_000_000, 0.1, np.float32)
    assert abs(_C.reduce(cpu._REDUCE["sum"][0], z, (0,)) - 100_000.0) < 0.1


def test_reduce_is_deterministic():
    x = sample((1_000_000,), "float32")
    code = cpu._REDUCE["sum"][0]
    first = _C.reduce(code, x, (0,))
    assert all(_C.reduce(code, x, (0,)) == first for _ in range(5))


@pytest.mark.parametrize("op", ["argmax", "argmin"])
def test_argreduce(op):
    ref = np.argmax if op == "argmax" else np.argmin
    for dtype in ("float32", "float64", "int32", "int64", "uint8", "bool"):
        for shape in [(7,), (3, 4, 5), (2, 50_000), (50_000, 3)]:
            if shape[0] * shape[-1] > 10_000 and dtype not in ("float32", "int32"):
                continue
            x = sample(shape, dtype)
            if np.dtype(dtype).kind == "f" and x.size > 10:
                x.flat[x.size // 2] = np.nan
                x.flat[x.size // 3] = np.nan
            x = np.round(x) if x.dtype.kind == "f" else x  # ties: the first occurrence wins
            for name, view in layouts(x):
                for axis in range(x.ndim):
                    for idt in ("int32", "int64"):
                        got = _C.argreduce(op, view, axis, idt)
                        want = ref(view, axis=axis).astype(idt)
                        try:
                            assert_matches(got, want)
                        except AssertionError as e:
                            raise AssertionError(f"{op} {dtype} {shape} {name} {axis}") from e


# ---------------------------------------------------------------------------------------
# scans

SCAN_REF = {"cumsum": lambda x, a: np.cumsum(x, a, dtype=x.dtype),
            "cumprod": lambda x, a: np.cumprod(x, a, dtype=x.dtype),
            "cummax": np.maximum.accumulate, "cummin": np.minimum.accumulate,
            "cumlogsumexp": np.logaddexp.accumulate}


def scan_ref(op, x, axis, reverse):
    if reverse:
        x = np.flip(x, axis)
    work = x.astype(np.float64) if x.dtype.kind == "f" else x
    out = np.asarray(SCAN_REF[op](work, axis)).astype(x.dtype)
    return np.flip(out, axis) if reverse else out


@pytest.mark.parametrize("op", sorted(cpu.SCAN_OPS))
def test_scan_every_axis_both_directions(op):
    code, dtypes = cpu._SCAN[op]
    for dtype in dtypes:
        lo, hi = (0.9, 1.1) if op == "cumprod" else (-3, 3)
        x = sample((3, 4, 5), dtype, lo, hi)
        for name, view in layouts(x):
            for axis in range(3):
                for reverse in (False, True):
                    got = _C.scan(code, view, axis, reverse)
                    try:
                        assert_matches(got, scan_ref(op, view, axis, reverse), rtol=1e-5,
                                       atol=1e-5)
                    except AssertionError as e:
                        raise AssertionError(f"{op} {dtype} {name} {axis} {reverse}") from e


@pytest.mark.parametrize("shape,axis", [((200_000,), 0), ((3, 70_000), 1), ((70_000, 3), 0),
                                        ((300, 400), 0), ((0, 5), 1), ((1,), 0)])
def test_scan_long_rows_in_parallel_blocks(shape, axis):
    x = sample(shape, "int64")
    for op in ("cumsum", "cummax", "cummin"):
        for reverse in (False, True):
            got = _C.scan(cpu._SCAN[op][0], x, axis, reverse)
            assert_matches(got, scan_ref(op, x, axis, reverse))
    xf = sample(shape, "float64", 0, 1)
    for op in ("cumsum", "cumlogsumexp"):
        got = _C.scan(cpu._SCAN[op][0], xf[::-1] if xf.ndim else xf, axis, False)
        assert_matches(got, scan_ref(op, xf[::-1], axis, False), rtol=1e-12, atol=1e-9)


def test_scan_nan_and_infinities():
    x = np.array([1.0, np.nan, 3.0, 0.0])
    assert np.array_equal(_C.scan(cpu._SCAN["cummax"][0], x, 0, False),
                          [1, np.nan, np.nan, np.nan], equal_nan=True)
    y = np.array([-np.inf, -np.inf, 0.0, np.inf, 1.0])
    assert_matches(_C.scan(cpu._SCAN["cumlogsumexp"][0], y, 0, False),
                   np.logaddexp.accumulate(y))


# ---------------------------------------------------------------------------------------
# copy and transpose

@pytest.mark.parametrize("dtype", ["float32", "float64", "int8", "float16", "complex128",
                                   "bool", "V3"])
def test_copy_and_transpose(dtype):
    raw = RNG.bytes(6 * 7 * 5 * np.dtype(dtype).itemsize)
    x = np.frombuffer(raw, dtype=dtype).reshape(6, 7, 5)
    if dtype == "bool":
        x = x.view(np.uint8) % 2 == 1
    for name, view in layouts(x):
        got = _C.copy(view)
        assert got.flags.c_contiguous and got.shape == view.shape
        assert got.tobytes() == np.ascontiguousarray(view).tobytes(), name
    for perm in itertools.permutations(range(3)):
        got = _C.transpose(x[:, ::-1], perm)
        assert got.flags.c_contiguous
        assert got.tobytes() == np.ascontiguousarray(np.transpose(x[:, ::-1], perm)).tobytes()
    scalar = _C.copy(x[1, 2, 3, ...])
    assert scalar.shape == () and scalar.tobytes() == x[1, 2, 3, ...].tobytes()


def test_large_transpose_and_unaligned_copy():
    x = sample((600, 700), "float32")
    assert np.array_equal(_C.transpose(x, (1, 0)), x.T)
    assert np.array_equal(cpu.transpose(x, (1, 0)), x.T)
    assert np.array_equal(cpu.copy(x[::-3, ::2]), x[::-3, ::2])
    buf = np.zeros(4 * 100 + 1, np.uint8)[1:].view(np.float32)  # not 4-byte aligned
    buf[:] = np.arange(100)
    assert np.array_equal(_C.copy(buf[::2]), np.arange(0, 100, 2, dtype=np.float32))


# ---------------------------------------------------------------------------------------
# segment_sum and bincount

def segment_ref(data, ids, n):
    out = np.zeros((n,) + data.shape[1:], data.dtype)
    keep = (ids >= 0) & (ids < n)
    np.add.at(out, ids[keep], data[keep])
    return out


@pytest.mark.parametrize("n,segments,tail", [(0, 3, ()), (1, 1, ()), (100, 5, ()),
                                             (100_000, 7, (3,)), (100_000, 50_000, ()),
                                             (3_000, 10, (200,)), (1_000, 20, (3, 4)),
                                             (50, 0, ())])
def test_segment_sum(n, segments, tail):
    for dtype in ("float32", "float64", "int32", "int64"):
        if n * max(1, int(np.prod(tail))) > 10_000 and dtype in ("float64", "int32"):
            continue
        data = sample((n,) + tail, dtype)
        for idt in ("int32", "int64"):
            ids = RNG.integers(-2, segments + 2, n).astype(idt)  # some ids out of range
            views = [data, data[::-1]] + ([data.transpose(0, 2, 1)] if data.ndim == 3 else [])
            for view in views:
                got = _C.segment_sum(view, ids, segments)
                want = segment_ref(view.astype(np.float64) if dtype == "float32" else view, ids,
                                   segments).astype(dtype)
                assert_matches(got, want, rtol=1e-4, atol=1e-3)
                assert_matches(cpu.segment_sum(view, ids, segments), got, rtol=1e-5, atol=1e-4)


def test_bincount():
    ids = RNG.integers(-3, 60, 100_000)
    keep = (ids >= 0) & (ids < 50)
    want = np.bincount(ids[keep], minlength=50)[:50].astype(np.int64)
    assert_matches(_C.bincount(ids, None, 50), want)
    assert_matches(cpu.bincount(ids, None, 50), want)
    assert_matches(cpu.bincount(ids[:10], None, 50), np.bincount(ids[:10][keep[:10]],
                                                                 minlength=50)[:50])
    w = sample((100_000,), "float64")
    assert_matches(_C.bincount(ids, w, 50), np.bincount(ids[keep], w[keep], minlength=50)[:50],
                   rtol=1e-12, atol=1e-9)


# ---------------------------------------------------------------------------------------
# bad input: Python exceptions, never a crash

def test_bad_inputs_raise():
    f4 = np.ones(4, np.float32)
    add, exp, total = cpu._BINARY["add"][0], cpu._UNARY["exp"][0], cpu._REDUCE["sum"][0]
    cases = [
        (TypeError, lambda: _C.unary(exp, [1.0, 2.0])),
        (TypeError, lambda: _C.unary(exp, np.ones(3, np.float16))),
        (TypeError, lambda: _C.unary(exp, np.ones(3, ">f4"))),
        (TypeError, lambda: _C.unary(exp, np.ones(3, np.int32))),
        (ValueError, lambda: _C.unary(10_000, f4)),
        (TypeError, lambda: _C.binary(add, f4, np.ones(4))),
        (ValueError, lambda: _C.binary(add, f4, np.ones(5, np.float32))),
        (TypeError, lambda: _C.binary(cpu._BINARY["shift_left"][0], f4, f4)),
        (ValueError, lambda: _C.reduce(total, f4, (1,))),
        (ValueError, lambda: _C.reduce(total, np.ones((2, 2)), (1, 0))),
        (TypeError, lambda: _C.reduce(total, np.ones(2, bool), (0,))),
        (ValueError, lambda: _C.argreduce("argmax", np.ones((0, 3)), 0, "int64")),
        (ValueError, lambda: _C.argreduce("median", f4, 0, "int64")),
        (TypeError, lambda: _C.argreduce("argmax", f4, 0, "float32")),
        (ValueError, lambda: _C.scan(cpu._SCAN["cumsum"][0], f4, 1, False)),
        (ValueError, lambda: _C.transpose(np.ones((2, 3)), (0, 0))),
        (TypeError, lambda: _C.copy(np.array([object()]))),
        (ValueError, lambda: _C.segment_sum(f4, np.zeros(3, np.int64), 2)),
        (TypeError, lambda: _C.segment_sum(f4, np.zeros(4, np.float32), 2)),
        (ValueError, lambda: _C.segment_sum(f4, np.zeros(4, np.int64), -1)),
        (ValueError, lambda: _C.unary(exp, np.zeros(4 * 5 + 1, np.uint8)[1:].view(np.float32))),
    ]
    for exc, call in cases:
        with pytest.raises(exc) as info:
            call()
        assert str(info.value).endswith(".") and len(str(info.value)) > 30, str(info.value)


# ---------------------------------------------------------------------------------------
# the wrappers' dispatch

def test_wrappers_fall_back_to_numpy():
    calls = []

    def fallback(x):
        calls.append(x.dtype)
        return np.exp(x)
    k = cpu.unary_kernel("exp", fallback)
    big = sample((100_000,), "float32")
    assert_matches(k(big), np.exp(big))
    assert calls == []
    k(big.astype(np.float16))  # no kernel for float16
    k(big[:3])  # below the threshold
    assert calls == [np.float16, np.float32]
    with pytest.raises(ValueError, match="no unary kernel"):
        cpu.unary_kernel("frobnicate", fallback)
    assert cpu.segment_sum(np.ones((3, 2), np.float16), np.array([0, 1, 1]), 2).dtype == np.float16
    kr = cpu.reduce_kernel("sum", lambda x, axes: np.sum(x, axes))
    assert kr(big, axes=(0,)).dtype == np.float32
    ks = cpu.scan_kernel("cumsum", lambda x, axis, reverse: np.cumsum(x, axis))
    assert ks(big, axis=0, reverse=True).shape == big.shape
    ka = cpu.argreduce_kernel("argmax", lambda x, axis, index_dtype: np.argmax(x, axis))
    assert ka(big, axis=0, index_dtype=np.int32) == np.argmax(big)
