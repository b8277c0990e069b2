"""The fused register machine `_C.fused_elementwise` against a NumPy interpretation of the same
register code: every opcode in float32 and float64 over contiguous, broadcast, transposed and
reversed inputs, input and output dtype conversions, the row-sum epilogue, random programs
(Hypothesis), bad arguments; then `fneedle.jit` of random elementwise programs, fused against
unfused against eager.
"""

import numpy as np
import pytest
import scipy.special
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fneedle as fn
from fneedle import lax
from fneedle.backend import cpu as cpu_backend
from fneedle.backend.fused_ops import ARITY, OP_NAMES, OPCODE

C = cpu_backend._C if cpu_backend.available else None
pytestmark = pytest.mark.skipif(C is None or not hasattr(C, "fused_elementwise"),
                                reason="fneedle._C has no fused_elementwise")

FLOATS = (np.float32, np.float64)


# ---------------------------------------------------------------------------------------
# The reference: register code interpreted with NumPy in the compute dtype.

def _round_away(x):
    t = np.trunc(x)
    return np.where(np.abs(x - t) >= 0.5, t + np.copysign(1, x), t).astype(x.dtype)


def _integer_pow(x, y):
    """x**y by repeated squaring, as the kernel (and XLA) computes it."""
    e, acc, sq = abs(y), None, x.copy()
    if e == 0:
        return np.ones_like(x)
    while e:
        if e & 1:
            acc = sq.copy() if acc is None else acc * sq
        e >>= 1
        if e:
            sq = sq * sq
    return (1 / acc).astype(x.dtype) if y < 0 else acc


def _truth(b, dt):
    return np.asarray(b).astype(dt)


_UNARY_REF = {
    "neg": np.negative, "abs": np.abs, "sign": np.sign, "floor": np.floor, "ceil": np.ceil,
    "round_even": np.rint, "round_away": _round_away, "exp": np.exp, "exp2": np.exp2,
    "log": np.log, "log1p": np.log1p, "expm1": np.expm1, "sqrt": np.sqrt,
    "rsqrt": lambda x: (1 / np.sqrt(x)).astype(x.dtype), "cbrt": np.cbrt, "sin": np.sin,
    "cos": np.cos, "tan": np.tan, "asin": np.arcsin, "acos": np.arccos, "atan": np.arctan,
    "sinh": np.sinh, "cosh": np.cosh, "tanh": np.tanh, "asinh": np.arcsinh,
    "acosh": np.arccosh, "atanh": np.arctanh, "logistic": scipy.special.expit,
    "erf": scipy.special.erf, "erfc": scipy.special.erfc, "square": np.square,
    "is_finite": lambda x: _truth(np.isfinite(x), x.dtype),
    "logical_not": lambda x: _truth(x == 0, x.dtype), "copy": np.copy, "trunc": np.trunc,
}
_BINARY_REF = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide, "rem": np.fmod,
    "pow": np.power, "max": np.maximum, "min": np.minimum, "atan2": np.arctan2,
    "nextafter": np.nextafter,
    "eq": lambda x, y: _truth(x == y, x.dtype), "ne": lambda x, y: _truth(x != y, x.dtype),
    "lt": lambda x, y: _truth(x < y, x.dtype), "le": lambda x, y: _truth(x <= y, x.dtype),
    "gt": lambda x, y: _truth(x > y, x.dtype), "ge": lambda x, y: _truth(x >= y, x.dtype),
    "logical_and": lambda x, y: _truth((x != 0) & (y != 0), x.dtype),
    "logical_or": lambda x, y: _truth((x != 0) | (y != 0), x.dtype),
    "logical_xor": lambda x, y: _truth((x != 0) ^ (y != 0), x.dtype),
}
_TERNARY_REF = {
    "select": lambda w, x, y: np.where(w != 0, y, x),
    "clamp": lambda lo, x, hi: np.minimum(np.maximum(x, lo), hi),
}


def store_ref(v, dtype):
    """The kernel's store conversion: bool is v != 0; integers truncate and saturate, NaN
    becomes 0."""
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return v != 0
    if dtype.kind == "f":
        return v.astype(dtype)
    info = np.iinfo(dtype)
    t = np.trunc(v.astype(np.float64))
    out = np.zeros(v.shape, dtype)
    inside = (t > info.min) & (t < float(info.max))
    out[inside] = t[inside].astype(dtype)
    out[t <= info.min] = info.min
    out[t >= float(info.max)] = info.max
    out[np.isnan(t)] = 0
    return out


def interpret(code, inputs, consts, n_regs, outputs, compute, reduce_rows=0):
    """What fused_elementwise computes, op by op in NumPy; returns the output arrays."""
    dt = np.dtype(compute)
    shape = np.broadcast_shapes(*[x.shape for x in inputs]) if inputs else outputs[0][1].shape
    regs = [np.broadcast_to(x, shape).astype(dt) for x in inputs]
    regs += [np.full(shape, c, dt) for c in consts]
    regs += [None] * (n_regs - len(regs))
    with np.errstate(all="ignore"):
        for op, d, a, b, c in np.asarray(code).tolist():
            name = OP_NAMES[op]
            if name == "integer_pow":
                regs[d] = _integer_pow(regs[a], b)
            elif ARITY[name] == 1:
                regs[d] = np.asarray(_UNARY_REF[name](regs[a])).astype(dt)
            elif ARITY[name] == 2:
                regs[d] = np.asarray(_BINARY_REF[name](regs[a], regs[b])).astype(dt)
            else:
                regs[d] = np.asarray(_TERNARY_REF[name](regs[a], regs[b], regs[c])).astype(dt)
        results = []
        for r, out in outputs:
            v = regs[r]
            if out.shape != shape:
                rows = v.reshape(-1, reduce_rows) if reduce_rows else v.reshape(out.size, 0)
                v = rows.astype(np.float64).sum(axis=1).reshape(out.shape)
            results.append(store_ref(v, out.dtype))
    return results


def run(code, inputs, consts, n_regs, outputs, compute, reduce_rows=0, **kw):
    code = np.asarray(code, np.int32).reshape(-1, 5)
    consts = np.asarray(consts, np.float64)
    C.fused_elementwise(code, inputs, consts, n_regs, outputs, compute, reduce_rows, **kw)
    return [o for _, o in outputs]


def assert_close(got, want, ulps=0, atol=0.0):
    """Equal up to `ulps` units in the last place of `want` (NaNs and infinities must match)."""
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype
    if want.dtype.kind != "f":
        np.testing.assert_array_equal(got, want)
        return
    nan = np.isnan(want)
    np.testing.assert_array_equal(np.isnan(got), nan)
    g, w = got[~nan], want[~nan]
    inf = np.isinf(w)
    np.testing.assert_array_equal(g[inf], w[inf])
    g, w = g[~inf].astype(np.float64), w[~inf].astype(np.float64)
    tol = np.full(w.shape, float(atol))
    if ulps:
        tol += ulps * np.spacing(np.abs(w).astype(want.dtype)).astype(np.float64)
    bad = np.abs(g - w) > tol
    assert not bad.any(), (f"{bad.sum()} of {bad.size} differ; worst: got {g[bad][:5]}, "
                           f"want {w[bad][:5]}")


# ---------------------------------------------------------------------------------------
# Every opcode.

SPECIALS = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.5, -2.5, np.inf, -np.inf, np.nan]

# Where each op is interesting (and its libm implementations are well inside their bounds).
DOMAIN = {
    "exp": (-80, 80), "exp2": (-120, 120), "expm1": (-30, 30), "sinh": (-80, 80),
    "cosh": (-80, 80), "log": (1e-3, 1e3), "log1p": (-0.9, 1e3), "sqrt": (0, 1e4),
    "rsqrt": (1e-3, 1e4), "asin": (-1, 1), "acos": (-1, 1), "acosh": (1, 1e3),
    "atanh": (-0.999, 0.999), "tan": (-1.5, 1.5), "pow": (0.01, 10), "rem": (-100, 100),
}
# Largest error allowed, in ulps of the NumPy result: libmvec is within 4 ulps of the correctly
# rounded value and NumPy/SciPy within a few more; exact ops must match exactly.
ULPS = {name: 8 for name in OP_NAMES}
ULPS.update(dict.fromkeys(
    ["neg", "abs", "sign", "floor", "ceil", "round_even", "round_away", "square",
     "is_finite", "logical_not", "copy", "trunc", "add", "sub", "mul", "div", "rem", "max",
     "min", "nextafter", "eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or",
     "logical_xor", "select", "clamp", "sqrt"], 0))
ULPS.update({"rsqrt": 1, "integer_pow": 4, "logistic": 4, "erfc": 16, "tan": 16})


def op_inputs(name, dt, shape, rng):
    lo, hi = DOMAIN.get(name, (-4, 4))
    arity = 1 if name == "integer_pow" else ARITY[name]
    xs = []
    for k in range(arity):
        x = rng.uniform(lo, hi, shape)
        if name in ("select", "logical_and", "logical_or", "logical_xor", "logical_not") or \
                (name in ("eq", "ne", "le", "ge") and k == 1):
            x = np.where(rng.random(shape) < 0.5, 0.0, x)  # zeros and ties matter here
        if name in ("eq", "ne", "lt", "le", "gt", "ge", "max", "min") and k == 1:
            x = np.where(rng.random(shape) < 0.3, xs[0], x)
        flat = x.reshape(-1)
        flat[: len(SPECIALS)] = np.roll(SPECIALS, 3 * k)[: flat.size]
        xs.append(x.astype(dt))
    return xs


def layouts(xs):
    """The same values through several layouts: (name, arrays of shape (6, 40))."""
    yield "contiguous", [np.ascontiguousarray(x) for x in xs]
    yield "broadcast", [np.broadcast_to(x[:1], x.shape) for x in xs]
    yield "transposed", [np.ascontiguousarray(x.T).T for x in xs]
    yield "reversed", [np.ascontiguousarray(x[::-1, ::-1])[::-1, ::-1] for x in xs]


@pytest.mark.parametrize("dt", FLOATS, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("name", OP_NAMES)
def test_every_op_matches_numpy(name, dt):
    rng = np.random.default_rng(OPCODE[name])
    xs = op_inputs(name, dt, (6, 40), rng)
    arity = len(xs)
    imm = -3 if name == "integer_pow" else 0
    for y in ([-3, 0, 1, 2, 3, 5, 8] if name == "integer_pow" else [imm]):
        code = [(OPCODE[name], arity, 0, 1 if arity > 1 else y, 2 if arity > 2 else 0)]
        if name == "integer_pow":
            code = [(OPCODE[name], 1, 0, y, 0)]
        for layout, ins in layouts(xs):
            out = np.empty((6, 40), dt)
            got, = run(code, ins, [], arity + 1, [(arity, out)], np.dtype(dt).name)
            want, = interpret(code, ins, [], arity + 1, [(arity, out)], dt)
            try:
                assert_close(got, want, ULPS[name], atol=0 if name != "tan" else 1e-6)
            except AssertionError as e:
                raise AssertionError(f"{name} {layout} y={y}: {e}") from None


def _whole_range(name, dt):
    """Inputs over an op's whole float range: the edges of overflow and of the subnormals,
    subnormal inputs, signed zeros, infinities and NaN."""
    info = np.finfo(dt)
    big = float(np.log(info.max))
    tiny = float(np.log(info.smallest_subnormal))
    edges = {
        "exp": [big - 1e-3, big, big + 1e-3, tiny - 1, tiny, tiny + 1,
                float(np.log(info.tiny)), *np.linspace(tiny - 5, big + 5, 301)],
        "log": [float(info.smallest_subnormal), float(info.tiny) / 3, float(info.tiny),
                float(info.max), -1.0, -float(info.smallest_subnormal), 1 - info.eps, 1 + info.eps,
                *np.geomspace(float(info.smallest_subnormal), float(info.max) / 2, 301)],
        "tanh": [0.625, -0.625, float(np.nextafter(dt(0.625), dt(1))), 9.0, 10.0, 11.0, 1e-30,
                 float(info.smallest_subnormal), *np.linspace(-12, 12, 301)],
        "logistic": [-120.0, -103.0, -88.0, 88.0, 1e-30, *np.linspace(-110, 110, 301)],
    }[name]
    with np.errstate(over="ignore"):  # geomspace to float64's max overflows in passing
        return np.array(edges + SPECIALS, dt)


@pytest.mark.parametrize("dt", FLOATS, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("name", ["exp", "log", "tanh", "logistic"])
def test_vectorized_functions_over_their_whole_range(name, dt):
    # The AVX-512 versions (fused_simd.h) do their own range reduction and special cases;
    # every length from 1 to 40 also runs the masked tail of the vector loop.
    x = _whole_range(name, dt)
    code = [(OPCODE[name], 1, 0, 0, 0)]
    for n in [*range(1, 41), x.size]:
        xs = np.resize(x, n) if n <= x.size else x
        out = np.empty(xs.shape, dt)
        got, = run(code, [xs], [], 2, [(1, out)], np.dtype(dt).name)
        # the reference in float64, rounded once (SciPy's float32 expit overflows early)
        wide = np.empty(xs.shape, np.float64)
        want, = interpret(code, [xs.astype(np.float64)], [], 2, [(1, wide)], np.float64)
        assert_close(got, want.astype(dt), ULPS[name])


@pytest.mark.parametrize("dt", FLOATS, ids=lambda d: np.dtype(d).name)
def test_broadcast_and_scalar_inputs(dt):
    """Inputs of shape (n, 1), (m,), rank 0 and zero-stride views broadcast to (n, m)."""
    rng = np.random.default_rng(1)
    a = rng.standard_normal((37, 1)).astype(dt)
    b = rng.standard_normal(53).astype(dt)
    c = np.asarray(rng.standard_normal(), dt)
    d = np.broadcast_to(rng.standard_normal((1, 53)).astype(dt), (37, 53))
    code = [(OPCODE["mul"], 4, 0, 1, 0), (OPCODE["add"], 4, 4, 2, 0), (OPCODE["sub"], 4, 4, 3, 0)]
    out = np.empty((37, 53), dt)
    got, = run(code, [a, b, c, d], [], 5, [(4, out)], np.dtype(dt).name)
    np.testing.assert_array_equal(got, a * b + c - d)


def test_many_dims_and_strided_blocks():
    """A 5-d iteration space with a transposed input: rows shorter than a block."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, 4, 5, 6, 7)).astype(np.float32)
    y = np.ascontiguousarray(rng.standard_normal((7, 6, 5, 4, 3)).astype(np.float32)).T
    z = rng.standard_normal((5, 1, 7)).astype(np.float32)
    code = [(OPCODE["mul"], 3, 0, 1, 0), (OPCODE["add"], 3, 3, 2, 0)]
    out = np.empty(x.shape, np.float32)
    got, = run(code, [x, y, z], [], 4, [(3, out)], "float32")
    np.testing.assert_array_equal(got, x * y + z)


@pytest.mark.parametrize("n", [0, 1, 7, 1000, 4099, 300_001])
def test_sizes_across_blocks_and_threads(n):
    rng = np.random.default_rng(n)
    x = rng.standard_normal(n).astype(np.float32)
    code = [(OPCODE["tanh"], 2, 0, 0, 0), (OPCODE["mul"], 2, 2, 1, 0)]
    out = np.empty(n, np.float32)
    got, = run(code, [x], [2.0], 3, [(2, out)], "float32")
    assert_close(got, (np.tanh(x) * np.float32(2)), 8)


# ---------------------------------------------------------------------------------------
# Conversions on load and store.

@pytest.mark.parametrize("compute", ["float32", "float64"])
@pytest.mark.parametrize("in_dt", ["bool", "uint8", "int32", "uint32", "int64", "float32",
                                   "float64"])
def test_input_dtypes_convert_on_load(in_dt, compute):
    rng = np.random.default_rng(3)
    if in_dt == "bool":
        x = rng.random((9, 31)) < 0.5
    else:
        info = np.iinfo(in_dt) if np.dtype(in_dt).kind in "iu" else None
        lo, hi = (max(info.min, -10**6), min(info.max, 10**6)) if info else (-1e3, 1e3)
        x = rng.uniform(lo, hi, (9, 31)).astype(in_dt)
    y = rng.standard_normal((9, 31)).astype(compute)
    code = [(OPCODE["add"], 2, 0, 1, 0)]
    out = np.empty((9, 31), compute)
    got, = run(code, [x, y], [], 3, [(2, out)], compute)
    np.testing.assert_array_equal(got, x.astype(compute) + y)
    got, = run(code, [x.T, y.T], [], 3, [(2, np.empty((31, 9), compute))], compute)
    np.testing.assert_array_equal(got, x.T.astype(compute) + y.T)


def test_bool_input_reads_nonzero_bytes_as_true():
    raw = np.array([0, 1, 2, 255], np.uint8).view(np.bool_)
    out = np.empty(4, np.float32)
    got, = run([(OPCODE["copy"], 1, 0, 0, 0)], [raw], [], 2, [(1, out)], "float32")
    np.testing.assert_array_equal(got, [0, 1, 1, 1])


@pytest.mark.parametrize("compute", ["float32", "float64"])
@pytest.mark.parametrize("out_dt", ["bool", "uint8", "int32", "uint32", "int64", "float32",
                                    "float64"])
def test_output_dtypes_convert_on_store(out_dt, compute):
    vals = np.array([0.0, -0.0, 0.4, -0.6, 1.5, -2.5, 200.7, 300.2, -1e3, 3e9, -3e9, 1e19,
                     -1e19, 1e30, np.inf, -np.inf, np.nan, 2**31 - 1, -2**31, 2**24 + 1],
                    compute)
    out = np.empty(vals.shape, out_dt)
    got, = run([(OPCODE["copy"], 1, 0, 0, 0)], [vals], [], 2, [(1, out)], compute)
    np.testing.assert_array_equal(got, store_ref(vals, out_dt))


# ---------------------------------------------------------------------------------------
# The row-sum epilogue.

@pytest.mark.parametrize("shape,axes", [
    ((1000,), 1), ((37, 53), 1), ((37, 53), 2), ((5, 6, 7), 1), ((5, 6, 7), 2), ((2, 3), 0),
    ((3, 100_003), 1), ((400_000, 3), 1), ((4, 1), 1), ((1, 300_000), 2), ((2_000, 600), 1),
])
@pytest.mark.parametrize("dt", FLOATS, ids=lambda d: np.dtype(d).name)
def test_reduction_epilogue_matches_np_sum(shape, axes, dt):
    """Output 0 is full-size (x * 2), output 1 the sum of x * 2 over the last `axes` dims."""
    rng = np.random.default_rng(sum(shape))
    x = rng.standard_normal(shape).astype(dt)
    rows = int(np.prod(shape[len(shape) - axes:]))
    full = np.empty(shape, dt)
    red = np.empty(shape[:len(shape) - axes], dt)
    got_full, got_red = run([(OPCODE["mul"], 2, 0, 1, 0)], [x], [2.0], 3,
                            [(2, full), (2, red)], np.dtype(dt).name, rows)
    np.testing.assert_array_equal(got_full, x * 2)
    want = (x.astype(np.float64) * 2).sum(axis=tuple(range(len(shape) - axes, len(shape))))
    scale = np.sqrt(rows) * np.finfo(dt).eps * 4 + 1e-300
    np.testing.assert_allclose(got_red, want, rtol=0, atol=float(scale) * 4)


def test_reduction_is_as_accurate_as_numpy():
    """A long float32 row: pairwise/cascaded summation, no worse than np.sum's."""
    x = np.full(4_000_003, 0.1, np.float32)
    red = np.empty((), np.float32)
    got, = run([(OPCODE["copy"], 1, 0, 0, 0)], [x], [], 2, [(1, red)], "float32", x.size)
    exact = x.astype(np.float64).sum()
    assert abs(float(got) - exact) <= abs(float(np.sum(x)) - exact) + 1e-7 * exact


def test_reduction_of_empty_rows_is_zero():
    x = np.empty((4, 0), np.float32)
    red = np.full(4, np.nan, np.float32)
    got, = run([(OPCODE["copy"], 1, 0, 0, 0)], [x], [], 2, [(1, red)], "float32", 0)
    np.testing.assert_array_equal(got, 0)


def test_reduced_output_converts_to_its_dtype():
    x = (np.arange(24, dtype=np.float32).reshape(4, 6) > 10)
    red = np.empty(4, np.int32)
    got, = run([(OPCODE["copy"], 1, 0, 0, 0)], [x], [], 2, [(1, red)], "float32", 6)
    np.testing.assert_array_equal(got, x.sum(axis=1))


# ---------------------------------------------------------------------------------------
# Random programs.

EXACT_OPS = ["neg", "abs", "sign", "floor", "ceil", "round_even", "round_away", "square",
             "is_finite", "logical_not", "copy", "trunc", "integer_pow", "add", "sub", "mul",
             "div", "max", "min", "eq", "ne", "lt", "le", "gt", "ge", "logical_and",
             "logical_or", "logical_xor", "select", "clamp", "sqrt"]
SMOOTH_OPS = ["tanh", "sin", "cos", "atan", "logistic", "erf", "add", "mul", "neg", "sub"]


@st.composite
def programs(draw, ops):
    """(code, n_inputs, consts, n_regs, [(register, output dtype)]) with every read defined."""
    n_in = draw(st.integers(1, 3))
    consts = draw(st.lists(st.sampled_from([0.0, 1.0, -2.5, 0.5, 3.0]), max_size=2))
    base = n_in + len(consts)
    n_tmp = draw(st.integers(1, 4))
    defined = list(range(base))
    code = []
    for _ in range(draw(st.integers(1, 10))):
        name = draw(st.sampled_from(ops))
        a, b, c = (draw(st.sampled_from(defined)) for _ in range(3))
        if name == "integer_pow":
            b = draw(st.integers(-4, 6))
        dst = base + draw(st.integers(0, n_tmp - 1))
        code.append((OPCODE[name], dst, a, b, c))
        if dst not in defined:
            defined.append(dst)
    temps = [r for r in defined if r >= base]
    outs = draw(st.lists(st.tuples(st.sampled_from(temps),
                                   st.sampled_from(["float32", "float64", "bool", "int32"])),
                         min_size=1, max_size=3))
    return code, n_in, consts, base + n_tmp, outs


def _random_inputs(rng, n_in, shape, dt):
    vals = np.array([0.0, -1.0, 1.0, 0.5, -2.5, 3.0, np.nan, np.inf, -0.0])
    ins = []
    for k in range(n_in):
        x = np.where(rng.random(shape) < 0.3, rng.choice(vals, shape),
                     rng.standard_normal(shape) * 3)
        ins.append(x.astype(dt) if k != 2 else x.astype(dt)[:, :1])  # one broadcast input
    return ins


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs(EXACT_OPS), st.sampled_from(["float32", "float64"]), st.integers(0, 2**32 - 1))
def test_random_exact_programs_match_bit_for_bit(program, compute, seed):
    code, n_in, consts, n_regs, outs = program
    ins = _random_inputs(np.random.default_rng(seed), n_in, (13, 300), compute)
    outputs = [(r, np.empty((13, 300), dt)) for r, dt in outs]
    got = run(code, ins, consts, n_regs, outputs, compute)
    want = interpret(code, ins, consts, n_regs, outputs, compute)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs(SMOOTH_OPS), st.sampled_from(["float32", "float64"]), st.integers(0, 2**32 - 1))
def test_random_smooth_programs_match_closely(program, compute, seed):
    code, n_in, consts, n_regs, outs = program
    rng = np.random.default_rng(seed)
    ins = [rng.uniform(-2, 2, (7, 500)).astype(compute) for _ in range(n_in)]
    outputs = [(r, np.empty((7, 500), compute)) for r, _ in outs]
    got = run(code, ins, consts, n_regs, outputs, compute)
    want = interpret(code, ins, consts, n_regs, outputs, compute)
    tol = 1e-4 if compute == "float32" else 1e-11
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(g, w, rtol=tol, atol=tol)


# ---------------------------------------------------------------------------------------
# Bad arguments: a Python exception naming the mistake, never a crash.

def _good():
    x = np.ones((4, 5), np.float32)
    return {"code": np.array([[OPCODE["add"], 2, 0, 1, 0]], np.int32), "inputs": [x],
            "consts": np.array([1.0]), "n_regs": 3,
            "outputs": [(2, np.empty((4, 5), np.float32))], "compute_dtype": "float32"}


BAD = {
    "code dtype": ({"code": np.array([[OPCODE["add"], 2, 0, 1, 0]], np.int64)}, "int32"),
    "code shape": ({"code": np.zeros((1, 4), np.int32)}, "shape"),
    "opcode": ({"code": np.array([[999, 2, 0, 1, 0]], np.int32)}, "opcode"),
    "negative opcode": ({"code": np.array([[-1, 2, 0, 1, 0]], np.int32)}, "opcode"),
    "writes an input": ({"code": np.array([[OPCODE["add"], 0, 0, 1, 0]], np.int32)},
                        "temporaries"),
    "writes a constant": ({"code": np.array([[OPCODE["add"], 1, 0, 1, 0]], np.int32)},
                          "temporaries"),
    "reads out of range": ({"code": np.array([[OPCODE["add"], 2, 0, 7, 0]], np.int32)},
                           "reads register 7"),
    "reads unwritten": ({"code": np.array([[OPCODE["add"], 2, 0, 2, 0]], np.int32),
                         "n_regs": 3}, "before"),
    "n_regs too small": ({"n_regs": 1}, "n_regs"),
    "n_regs too large": ({"n_regs": 1 << 17}, "n_regs"),
    "output register": ({"outputs": [(9, np.empty((4, 5), np.float32))]}, "register 9"),
    "output never written": ({"n_regs": 4, "outputs": [(3, np.empty((4, 5), np.float32))]},
                             "no instruction writes"),
    "output shape": ({"outputs": [(2, np.empty((4, 6), np.float32))]}, "iteration shape"),
    "output strides": ({"outputs": [(2, np.empty((5, 4), np.float32).T)]}, "C-contiguous"),
    "output read-only": ({"outputs": [(2, np.broadcast_to(np.empty(5, np.float32), (4, 5)))]},
                         "read-only"),
    "output dtype": ({"outputs": [(2, np.empty((4, 5), np.complex64))]}, "dtype"),
    "output not a pair": ({"outputs": [np.empty((4, 5), np.float32)]}, "pair"),
    "input dtype": ({"inputs": [np.ones((4, 5), np.complex64)]}, "dtype"),
    "input not an array": ({"inputs": [[1.0, 2.0]]}, "numpy.ndarray"),
    "input shape": ({"inputs": [np.ones((3, 5), np.float32)],
                     "outputs": [(2, np.empty((3, 5), np.float32))],
                     "shape": (4, 5)}, "broadcast"),
    "inputs not a list": ({"inputs": np.ones((4, 5), np.float32)}, "list"),
    "compute dtype": ({"compute_dtype": "int32"}, "compute_dtype"),
    "consts dtype": ({"consts": np.array([1.0], np.float32)}, "float64"),
    "reduce without rows": ({"outputs": [(2, np.empty(4, np.float32))]}, "iteration shape"),
    "reduce rows mismatch": ({"outputs": [(2, np.empty(4, np.float32))], "reduce_rows": 4},
                             "iteration shape"),
    "negative reduce_rows": ({"reduce_rows": -1}, "reduce_rows"),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_bad_arguments_raise(case):
    change, match = BAD[case]
    args = {**_good(), **change}
    with pytest.raises((TypeError, ValueError), match=match):
        C.fused_elementwise(**args)


def test_good_arguments_run():
    args = _good()
    C.fused_elementwise(**args)
    np.testing.assert_array_equal(args["outputs"][0][1], 2.0)


def test_op_names_match_the_python_table():
    assert tuple(C.fused_op_names()) == OP_NAMES


# ---------------------------------------------------------------------------------------
# End to end: fneedle.jit of random elementwise programs, fused vs unfused vs eager.

_E2E_UNARY = [lax.tanh, lax.sin, lax.cos, lax.logistic, lax.abs, lax.neg, lax.square,
              lax.atan, lax.erf, lambda x: lax.exp(lax.tanh(x)), lambda x: lax.sqrt(lax.abs(x)),
              lambda x: lax.integer_pow(x, 3), lambda x: lax.log1p(lax.abs(x))]
_E2E_BINARY = [lax.add, lax.sub, lax.mul, lax.max, lax.min,
               lambda x, y: lax.select_n(lax.gt(x, y), y, x),
               lambda x, y: lax.clamp(-1.0, x, 1.0) * y,
               lambda x, y: x * 0.5 + y * 2.0]


@st.composite
def lax_programs(draw):
    """A list of steps (kind, op index, operand indices) over a growing list of values."""
    n_in = draw(st.integers(1, 3))
    steps = []
    n_vals = n_in
    for _ in range(draw(st.integers(2, 12))):
        if draw(st.booleans()):
            steps.append(("u", draw(st.integers(0, len(_E2E_UNARY) - 1)),
                          (draw(st.integers(0, n_vals - 1)),)))
        else:
            steps.append(("b", draw(st.integers(0, len(_E2E_BINARY) - 1)),
                          (draw(st.integers(0, n_vals - 1)), draw(st.integers(0, n_vals - 1)))))
        n_vals += 1
    n_out = draw(st.integers(1, 2))
    reduce = draw(st.sampled_from([None, (1,), (0, 1)]))
    return n_in, steps, n_out, reduce


def _build(n_in, steps, n_out, reduce):
    def f(*xs):
        vals = list(xs)
        for kind, k, args in steps:
            if kind == "u":
                vals.append(_E2E_UNARY[k](vals[args[0]]))
            else:
                vals.append(_E2E_BINARY[k](*[vals[i] for i in args]))
        outs = vals[-n_out:]
        if reduce is not None and len(outs[-1].shape) == 2:
            outs[-1] = lax.reduce_sum(outs[-1], reduce)
        return outs
    return f


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lax_programs(), st.sampled_from(["float32", "float64"]), st.integers(0, 2**32 - 1))
def test_jit_fused_matches_unfused_and_eager(program, dt, seed):
    from fneedle.transforms.compiler import fusion
    rng = np.random.default_rng(seed)
    n_in = program[0]
    shapes = [(64, 33), (64, 33), ()]  # rank-0 operands broadcast in lax
    xs = [rng.uniform(-2, 2, shapes[k]).astype(dt) for k in range(n_in)]
    f = _build(*program)
    eager = [np.asarray(v) for v in f(*xs)]
    fused = [np.asarray(v) for v in fn.jit(_build(*program))(*xs)]
    real_fuse = fusion.fuse
    fusion.fuse = lambda closed, min_ops=2: closed
    try:
        unfused = [np.asarray(v) for v in fn.jit(_build(*program))(*xs)]
    finally:
        fusion.fuse = real_fuse
    tol = 2e-4 if dt == "float32" else 1e-10
    for e, u, g in zip(eager, unfused, fused, strict=True):
        assert e.dtype == u.dtype == g.dtype and e.shape == u.shape == g.shape
        scale = 1 + np.max(np.abs(e), initial=0)
        np.testing.assert_allclose(u, e, rtol=tol, atol=tol * scale)
        np.testing.assert_allclose(g, e, rtol=tol, atol=tol * scale)


def test_jit_runs_the_chain_as_one_fused_kernel():
    def chain(x, a, b):
        return lax.tanh(x * a + b) * lax.exp(-x * x) + lax.sqrt(lax.abs(x)) + 1.0

    x = np.random.default_rng(0).standard_normal(10_000).astype(np.float32)
    a, b = np.float32(0.7), np.float32(0.3)
    jf = fn.jit(chain)
    got = np.asarray(jf(x, a, b))
    want = np.tanh(x * a + b) * np.exp(-x * x) + np.sqrt(np.abs(x)) + np.float32(1)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    text = jf.lower(x, a, b).as_text()
    assert "FusedKernel" in text and "_fused_impl" not in text
