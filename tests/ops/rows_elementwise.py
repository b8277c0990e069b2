"""Op-table rows for the primitives of fneedle/lax/elementwise.py, arithmetic.py and shape.py,
and reduce_sum: unary math, binary arithmetic and comparisons, select_n, clamp, dtype
conversion, the shape primitives and sums over axis subsets. References are NumPy and SciPy."""

import functools

import ml_dtypes
import numpy as np
import scipy.special

from fneedle import lax
from fneedle.core import dtypes

from . import inputs
from .records import OpRecord

BF16 = ml_dtypes.bfloat16
F = (np.float32, np.float64)
FLOATS = (np.float32, np.float64, np.float16, BF16)
SINTS = (np.int8, np.int32, np.int64)
INTS = SINTS + (np.uint8, np.uint32)
BOOL = (np.bool_,)
_16BIT = (np.dtype(np.float16), np.dtype(BF16))

UNARY = (((2, 3),), ((),))
BINARY = (((2, 3), (2, 3)), ((2, 3), ()), ((), (2, 3)))
# Above every kernel's size threshold (fneedle/backend/cpu.py), for the parity check; the
# rank-0 operand exercises the kernels' zero-stride broadcasting.
BIG = (96, 97)
UNARY_BIG = ((BIG,),)
BINARY_BIG = ((BIG, BIG), (BIG, ()))
# The C++ kernels of transcendental functions use another libm than NumPy: in float64 they
# may differ from the NumPy impl in the last bit or two (exactly rounded ops stay identical).
LIBM = 1e-15


def _ref(fn, out=None):
    """A reference computing 16-bit floats in float32 and rounding back (as the impls do);
    the result is cast to `out`, by default the first argument's dtype."""
    def ref(*xs):
        dt = xs[0].dtype
        up = [x.astype(np.float32) if x.dtype in _16BIT else x for x in xs]
        with np.errstate(all="ignore"):
            return np.asarray(fn(*up)).astype(out or dt)
    ref.__name__ = getattr(fn, "__name__", "ref")
    return ref


# ---------------------------------------------------------------------------------------
# Unary.

def _unary(name, fn, reference, inputs_="normal", dtypes_=FLOATS, diff=True, **kw):
    return OpRecord(name, fn, reference, UNARY, dtypes_, inputs=inputs_,
                    diff_argnums=(0,) if diff else (), parity_shapes=UNARY_BIG, **kw)


def _round_half_away(x):
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def _not(x):
    return np.logical_not(x) if x.dtype == np.bool_ else np.invert(x)


_UNARY_FLOAT = [
    # name, reference, inputs
    ("exp", np.exp, "normal"),
    ("exp2", np.exp2, "normal"),
    ("log", np.log, "positive"),
    ("log1p", np.log1p, "unit"),
    ("expm1", np.expm1, "normal"),
    ("sqrt", np.sqrt, "positive"),
    ("rsqrt", lambda x: 1 / np.sqrt(x), "positive"),
    ("cbrt", np.cbrt, inputs.nonzero),
    ("sin", np.sin, "normal"),
    ("cos", np.cos, "normal"),
    ("tan", np.tan, "unit"),
    ("asin", np.arcsin, "unit"),
    ("acos", np.arccos, "unit"),
    ("atan", np.arctan, "normal"),
    ("sinh", np.sinh, "normal"),
    ("cosh", np.cosh, "normal"),
    ("tanh", np.tanh, "normal"),
    ("asinh", np.arcsinh, "normal"),
    ("acosh", np.arccosh, inputs.above_one),
    ("atanh", np.arctanh, "unit"),
    ("logistic", scipy.special.expit, "normal"),
    ("erf", scipy.special.erf, "normal"),
    ("erfc", scipy.special.erfc, "normal"),
    ("erf_inv", scipy.special.erfinv, "unit"),
    ("lgamma", scipy.special.gammaln, "positive"),
    ("digamma", scipy.special.digamma, "positive"),
    ("floor", np.floor, inputs.off_integers),
    ("ceil", np.ceil, inputs.off_integers),
]

_EXACT = {"sqrt", "floor", "ceil"}  # correctly rounded in every implementation
# 16-bit floats share one path (computed in float32, rounded back): a sample of ops covers it.
_WITH_16BIT = {"exp", "log", "sqrt", "sin", "tanh", "logistic", "erf", "lgamma", "floor"}
ROWS = [_unary(name, getattr(lax, name), _ref(ref), kind,
               dtypes_=FLOATS if name in _WITH_16BIT else F,
               parity_rtol=0.0 if name in _EXACT else LIBM)
        for name, ref, kind in _UNARY_FLOAT]
ROWS += [
    _unary("neg", lax.neg, _ref(np.negative), dtypes_=FLOATS + INTS),
    _unary("sign", lax.sign, _ref(np.sign), inputs.nonzero, FLOATS + INTS),
    _unary("abs", lax.abs, _ref(np.abs), inputs.nonzero, FLOATS + SINTS),
    _unary("square", lax.square, _ref(np.square), dtypes_=FLOATS + INTS),
    _unary("round_away", functools.partial(lax.round, rounding_method=0),
           _ref(_round_half_away), inputs.off_halves),
    _unary("round_even", functools.partial(lax.round, rounding_method=1), _ref(np.round),
           inputs.off_halves),
    # Exact ties tell the methods apart (no derivatives: ties are jumps).
    _unary("round_away_ties", functools.partial(lax.round, rounding_method=0),
           _ref(_round_half_away), inputs.halves, diff=False),
    _unary("round_even_ties", functools.partial(lax.round, rounding_method=1),
           _ref(np.round), inputs.halves, diff=False),
    _unary("polygamma_1", functools.partial(lax.polygamma, 1),
           _ref(functools.partial(scipy.special.polygamma, 1)), "positive"),
    _unary("polygamma_2", functools.partial(lax.polygamma, 2),
           _ref(functools.partial(scipy.special.polygamma, 2)), "positive"),
    _unary("is_finite", lax.is_finite, _ref(np.isfinite, bool), inputs.with_nonfinite,
           diff=False),
    _unary("not", lax.bitwise_not, _not, dtypes_=INTS + BOOL, diff=False),
]
for _y in (0, 1, 2, 3):
    ROWS.append(_unary(f"integer_pow_{_y}", functools.partial(lax.integer_pow, y=_y),
                       _ref(lambda x, y=_y: np.power(x, y)), dtypes_=F + SINTS))
ROWS.append(_unary("integer_pow_neg2", functools.partial(lax.integer_pow, y=-2),
                   _ref(lambda x: 1 / (x * x)), "positive"))


# ---------------------------------------------------------------------------------------
# Binary arithmetic, bitwise ops and comparisons (rank-0 operands broadcast).

def _binary(name, fn, reference, inputs_="normal", dtypes_=FLOATS, diff=(0, 1), **kw):
    return OpRecord(name, fn, reference, BINARY, dtypes_, inputs=inputs_, diff_argnums=diff,
                    parity_shapes=BINARY_BIG, **kw)


def _trunc_div(x, y):
    """Integer division rounding toward zero (C semantics), computed in float64."""
    return np.trunc(x.astype(np.float64) / y.astype(np.float64))


def _shift_ref(kind):
    """Shifts on Python ints: out-of-range amounts give 0 (or the sign fill for arithmetic
    right shifts); signed values are two's complement."""
    def ref(x, y):
        x, y = np.broadcast_arrays(x, y)
        bits = x.dtype.itemsize * 8
        mask = (1 << bits) - 1
        out = np.empty(x.shape, x.dtype)
        for idx in np.ndindex(x.shape):
            a, s = int(x[idx]), int(y[idx])
            in_range = 0 <= s < bits
            if kind == "left":
                r = (a << s) & mask if in_range else 0
            elif kind == "logical":
                r = (a & mask) >> s if in_range else 0
            else:
                r = (a >> s) & mask if in_range else (mask if a < 0 else 0)
            if x.dtype.kind == "i" and r >= 1 << (bits - 1):
                r -= 1 << bits
            out[idx] = r
        return out
    ref.__name__ = f"shift_{kind}"
    return ref


ROWS += [
    _binary("add", lax.add, _ref(np.add), dtypes_=FLOATS + INTS + BOOL),
    _binary("sub", lax.sub, _ref(np.subtract), dtypes_=FLOATS + INTS),
    _binary("mul", lax.mul, _ref(np.multiply), dtypes_=FLOATS + INTS + BOOL),
    _binary("div", lax.div, _ref(np.divide), ("normal", inputs.nonzero)),
    _binary("div_int", lax.div, _ref(_trunc_div), ("int", inputs.nonzero), INTS, diff=()),
    _binary("rem", lax.rem, _ref(np.fmod), ("normal", inputs.nonzero), F),
    _binary("rem_int", lax.rem, _ref(np.fmod), ("int", inputs.nonzero), INTS, diff=()),
    _binary("pow", lax.pow, _ref(np.power), ("positive", "normal"), F, parity_rtol=LIBM),
    _binary("pow_int", lax.pow, _ref(np.power), ("int", "nonneg_int"), INTS, diff=()),
    _binary("max", lax.max, _ref(np.maximum), dtypes_=FLOATS + INTS + BOOL),
    _binary("min", lax.min, _ref(np.minimum), dtypes_=F + INTS + BOOL),
    _binary("atan2", lax.atan2, _ref(np.arctan2), dtypes_=F, parity_rtol=LIBM),
    _binary("nextafter", lax.nextafter, np.nextafter, diff=()),
    _binary("and", lax.bitwise_and, np.bitwise_and, inputs.full_range, INTS, diff=()),
    _binary("or", lax.bitwise_or, np.bitwise_or, inputs.full_range, INTS, diff=()),
    _binary("xor", lax.bitwise_xor, np.bitwise_xor, inputs.full_range, INTS, diff=()),
    _binary("and_bool", lax.bitwise_and, np.logical_and, "bool", BOOL, diff=()),
    _binary("or_bool", lax.bitwise_or, np.logical_or, "bool", BOOL, diff=()),
    _binary("xor_bool", lax.bitwise_xor, np.logical_xor, "bool", BOOL, diff=()),
    _binary("shift_left", lax.shift_left, _shift_ref("left"),
            (inputs.full_range, inputs.shift_amounts), INTS, diff=()),
    _binary("shift_right_logical", lax.shift_right_logical, _shift_ref("logical"),
            (inputs.full_range, inputs.shift_amounts), INTS, diff=()),
    _binary("shift_right_arithmetic", lax.shift_right_arithmetic, _shift_ref("arithmetic"),
            (inputs.full_range, inputs.shift_amounts), INTS, diff=()),
    # Python scalars are weakly typed: they take the array's dtype.
    OpRecord("mul_python_scalar", lambda x: lax.mul(x, 2), _ref(lambda x: x * 2), UNARY,
             FLOATS + INTS),
    OpRecord("sub_python_scalar_left", lambda x: lax.sub(1, x), _ref(lambda x: 1 - x), UNARY,
             FLOATS + SINTS),
]
# Small integers (also as floats) make ties, so == and <= meet equal operands.
for _name, _ref_fn in [("eq", np.equal), ("ne", np.not_equal), ("lt", np.less),
                       ("le", np.less_equal), ("gt", np.greater), ("ge", np.greater_equal)]:
    ROWS.append(_binary(_name, getattr(lax, _name), _ref(_ref_fn, bool), "int",
                        FLOATS + INTS + BOOL if _name in ("eq", "lt") else
                        F + (np.int32, np.uint8, np.bool_), diff=()))


# ---------------------------------------------------------------------------------------
# select_n and clamp.

def _select_bool(which, a, b):
    return np.where(which, b, a)


def _select_int(which, *cases):
    return np.choose(which, np.broadcast_arrays(*cases))


ROWS += [
    OpRecord("select_n_bool", lax.select_n, _select_bool,
             (((2, 3),) * 3, ((), (2, 3), (2, 3)), ((2, 3), (2, 3), ())),
             FLOATS + (np.int32, np.bool_), arg_dtypes=lambda dt: (np.bool_, dt, dt),
             inputs=("bool", "normal", "normal"), diff_argnums=(1, 2)),
    OpRecord("select_n_int32", lax.select_n, _select_int,
             (((2, 3),) * 4, ((), (2, 3), (2, 3), (2, 3))),
             F + (np.int32,), arg_dtypes=lambda dt: (np.int32, dt, dt, dt),
             inputs=(inputs.choice3, "normal", "normal", "normal"), diff_argnums=(1, 2, 3)),
    OpRecord("clamp", lax.clamp, lambda lo, x, hi: np.clip(x, lo, hi),
             (((), (2, 3), ()), ((2, 3), (2, 3), (2, 3))), FLOATS + (np.int32,),
             inputs=(inputs.lower_bound, "normal", inputs.upper_bound), diff_argnums=(0, 1, 2)),
]


# ---------------------------------------------------------------------------------------
# Dtype conversion: from each supported dtype to every other one (one record per source,
# one output per target), and round trips through the narrower floats for derivatives (a
# conversion's jvp converts the tangent).

def _convert_ref(target):
    target = np.dtype(target)

    def ref(x):
        if target == np.bool_:
            return x != 0
        if dtypes.is_complex(x.dtype) and not dtypes.is_complex(target):
            x = x.real  # as convert_element_type, without NumPy's ComplexWarning
        if dtypes.is_float(x.dtype) and dtypes.is_integer(target):
            return np.trunc(x.astype(np.float64)).astype(target)  # toward zero
        return x.astype(target)
    return ref


def _convert_row(name, src, targets, **kw):
    """One record converting `src` to each of `targets` (a tuple of outputs)."""
    refs = [_convert_ref(t) for t in targets]
    return OpRecord(
        name, lambda x: tuple(lax.convert_element_type(x, t) for t in targets),
        lambda x: tuple(ref(x) for ref in refs), (((2, 3),), ((),)), (src,),
        inputs=inputs.convertible_to(targets), diff_argnums=(), **kw)


for _src in dtypes.SUPPORTED:
    _others = [d for d in dtypes.SUPPORTED if d != _src]
    _name = f"convert_from_{dtypes.short_name(_src)}"
    if dtypes.is_inexact(_src):  # negative floats have no unsigned value: those separately
        ROWS.append(_convert_row(_name, _src, [d for d in _others if not dtypes.is_unsigned(d)]))
        ROWS.append(_convert_row(_name + "_to_unsigned", _src,
                                 [d for d in _others if dtypes.is_unsigned(d)]))
    else:
        ROWS.append(_convert_row(_name, _src, _others))
ROWS.append(OpRecord("convert_f64_to_f32", lambda x: lax.convert_element_type(x, np.float32),
                     lambda x: x.astype(np.float32), UNARY, (np.float64,), grad_atol=1e-3,
                     grad_rtol=1e-3))


def _round_trip(narrow):
    def fn(x):
        return lax.convert_element_type(lax.convert_element_type(x, narrow), np.float64)
    return fn


# Large steps make the differences of a rounding function exact up to one rounding.
for _narrow, _eps, _tol in [(np.float32, 1e-4, 1e-3), (np.float16, 0.1, 0.02), (BF16, 0.1, 0.1)]:
    ROWS.append(OpRecord(
        f"convert_round_trip_{dtypes.short_name(np.dtype(_narrow))}", _round_trip(_narrow),
        lambda x, n=_narrow: x.astype(n).astype(np.float64), UNARY, (np.float64,),
        atol=0.0, rtol=0.0, grad_atol=_tol, grad_rtol=_tol, eps=_eps))


# Bitcasts from each dtype to the others of its width (bool excluded: not every byte is a
# valid bool). Integer sources draw every bit pattern, NaNs included.
def _bitcast_row(src, targets):
    return OpRecord(
        f"bitcast_from_{dtypes.short_name(src)}",
        lambda x: tuple(lax.bitcast_convert_type(x, t) for t in targets),
        lambda x: tuple(np.ascontiguousarray(x).view(t) for t in targets), (((2, 3),),),
        (src,), inputs="normal" if dtypes.is_inexact(src) else inputs.full_range,
        diff_argnums=())


for _src in dtypes.SUPPORTED:
    _same_width = [d for d in dtypes.SUPPORTED
                   if d.itemsize == _src.itemsize and d not in (_src, dtypes.bool_)]
    if _src != dtypes.bool_ and _same_width:
        ROWS.append(_bitcast_row(_src, _same_width))


# ---------------------------------------------------------------------------------------
# Shape primitives. Parameters derive from the operand's shape, so each record runs at
# several shapes (and under vmap, where the function sees one example's shape).

SHAPE_DTYPES = (np.float32, np.float64, BF16, np.int32, np.bool_)


def _shape_row(name, fn, reference, shapes, dtypes_=SHAPE_DTYPES, **kw):
    return OpRecord(name, fn, reference, shapes, dtypes_, diff_argnums=(0,), **kw)


def _stretched(shape):
    return tuple(4 if s == 1 else s for s in shape)


ROWS += [
    _shape_row("broadcast_in_dim_leading",
               lambda x: lax.broadcast_in_dim(x, (2,) + x.shape, tuple(range(1, x.ndim + 1))),
               lambda x: np.broadcast_to(x, (2,) + x.shape), (((3,),), ((2, 3),), ((),))),
    _shape_row("broadcast_in_dim_trailing",
               lambda x: lax.broadcast_in_dim(x, x.shape + (2,), tuple(range(x.ndim))),
               lambda x: np.broadcast_to(x[..., None], x.shape + (2,)), (((3,),), ((2, 3),))),
    _shape_row("broadcast_in_dim_stretch",
               lambda x: lax.broadcast_in_dim(x, _stretched(x.shape), tuple(range(x.ndim))),
               lambda x: np.broadcast_to(x, _stretched(x.shape)), (((1, 3),), ((2, 1, 1),))),
    _shape_row("broadcast_in_dim_middle",
               lambda x: lax.broadcast_in_dim(x, (x.shape[0], 2, x.shape[1]), (0, 2)),
               lambda x: np.broadcast_to(x[:, None, :], (x.shape[0], 2, x.shape[1])),
               (((3, 4),), ((1, 4),))),
    _shape_row("broadcast", lambda x: lax.broadcast(x, (2, 3)),
               lambda x: np.broadcast_to(x, (2, 3) + x.shape), (((4,),), ((),))),
    _shape_row("reshape_flatten", lambda x: lax.reshape(x, (x.size,)),
               lambda x: x.reshape(-1), (((2, 3),), ((2, 3, 2),), ((),))),
    _shape_row("reshape_split", lambda x: lax.reshape(x, (2, x.size // 2)),
               lambda x: x.reshape(2, -1), (((6,),), ((2, 2, 3),))),
    _shape_row("reshape_to_scalar", lambda x: lax.reshape(x, ()),
               lambda x: x.reshape(()), (((1, 1),), ((1,),))),
    _shape_row("transpose_reverse", lambda x: lax.transpose(x, tuple(range(x.ndim))[::-1]),
               lambda x: x.T, (((2, 3),), ((2, 3, 4),))),
    _shape_row("transpose_roll", lambda x: lax.transpose(x, (1, 2, 0)),
               lambda x: np.transpose(x, (1, 2, 0)), (((2, 3, 4),), ((1, 2, 3),))),
    _shape_row("squeeze_ones",
               lambda x: lax.squeeze(x, tuple(i for i, s in enumerate(x.shape) if s == 1)),
               np.squeeze, (((1, 3),), ((2, 1, 1),), ((1,),))),
    _shape_row("squeeze_negative", lambda x: lax.squeeze(x, (-1,)),
               lambda x: np.squeeze(x, -1), (((3, 1),), ((2, 3, 1),))),
    _shape_row("expand_dims_front", lambda x: lax.expand_dims(x, (0,)),
               lambda x: np.expand_dims(x, 0), (((2, 3),), ((),))),
    _shape_row("expand_dims_both_ends", lambda x: lax.expand_dims(x, (0, -1)),
               lambda x: np.expand_dims(x, (0, -1)), (((2, 3),), ((4,),))),
    _shape_row("full_like", lambda x: lax.full_like(x, 2.5),
               lambda x: np.full_like(x, 2.5), (((2, 3),), ((),)), FLOATS + (np.int32,)),
]


# ---------------------------------------------------------------------------------------
# reduce_sum over subsets of axes. 16-bit floats accumulate in float32.

def _sum_ref(axes):
    def ref(x):
        ax = tuple(range(x.ndim)) if axes is None else axes
        acc = np.float32 if x.dtype in _16BIT else x.dtype
        return np.sum(x, axis=ax, dtype=acc).astype(x.dtype)
    return ref


def _sum_row(name, axes, shapes):
    return OpRecord(
        name, lambda x: lax.reduce_sum(x, tuple(range(x.ndim)) if axes is None else axes),
        _sum_ref(axes), shapes, FLOATS + (np.int32, np.int8, np.uint8),
        parity_shapes=(((24, 20, 21),),), parity_rtol=1e-13)  # NumPy sums pairwise


ROWS += [
    _sum_row("reduce_sum_first", (0,), (((3, 4),), ((2, 3, 4),))),
    _sum_row("reduce_sum_last", (-1,), (((3, 4),), ((5,),))),
    _sum_row("reduce_sum_middle", (1,), (((2, 3, 4),), ((2, 1, 3),))),
    _sum_row("reduce_sum_outer_pair", (0, 2), (((2, 3, 4),),)),
    _sum_row("reduce_sum_all", None, (((3, 4),), ((2, 3, 4),), ((),))),
]
