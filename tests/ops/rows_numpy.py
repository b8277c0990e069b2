"""Op-table rows for fneedle.numpy: every public function, against NumPy as the reference.

Rows are named fnp_<function>[_variant]. Most run in float64 only (where the derivative
checks run) with first-order gradient checks; functions with integer or boolean results do
not differentiate. tests/test_numpy_api.py checks that every public function has a row.
"""

import numpy as np

import fneedle.numpy as fnp

from . import inputs
from .records import OpRecord

F64 = (np.float64,)
F = (np.float32, np.float64)
I32 = (np.int32,)
ROWS = []

M = (((3, 4),),)
M3 = (((2, 3, 4),),)
V = (((5,),),)
SQ = (((3, 3),),)
PAIR = (((3, 4), (3, 4)), ((3, 1), (4,)), ((), (2, 3)))


def row(name, fn, reference, shapes=M, dtypes=F64, diff=(0,), **kw):
    ROWS.append(OpRecord(f"fnp_{name}", fn, reference, shapes, dtypes,
                         diff_argnums=diff, grad_order=kw.pop("grad_order", 1), **kw))


def nodiff(name, fn, reference, shapes=M, dtypes=F64, **kw):
    row(name, fn, reference, shapes, dtypes, diff=(), **kw)


def distinct(rng, shape, dtype):
    """Well-separated values in random order (no ties: sort-based ops are smooth there)."""
    n = int(np.prod(shape))
    vals = (np.arange(n) - n / 2) * 0.37 + rng.uniform(-0.1, 0.1, n)
    return rng.permutation(vals).reshape(shape).astype(dtype)


def spd(rng, shape, dtype):
    """Symmetric positive-definite matrices (batched over leading dims)."""
    a = rng.standard_normal(shape)
    return (a @ np.swapaxes(a, -1, -2) + shape[-1] * np.eye(shape[-1])).astype(dtype)


def with_nans(rng, shape, dtype):
    """Distinct values with about a quarter NaN; each last-axis row keeps two numbers."""
    x = distinct(rng, shape, np.float64)
    nan = rng.random(shape) < 0.25
    if len(shape):
        nan[..., :2] = False
    return np.where(nan, np.nan, x).astype(dtype)


def small_ints(rng, shape, dtype):
    return rng.integers(0, 4, size=shape).astype(dtype)


# ---------------------------------------------------------------------------------------
# Elementwise unary.

_UNARY = [
    ("sin", "normal"), ("cos", "normal"), ("tan", "unit"), ("arcsin", "unit"),
    ("arccos", "unit"), ("arctan", "normal"), ("sinh", "normal"), ("cosh", "normal"),
    ("tanh", "normal"), ("arcsinh", "normal"), ("arccosh", inputs.above_one),
    ("arctanh", "unit"), ("exp", "normal"), ("exp2", "normal"), ("log", "positive"),
    ("log1p", "unit"), ("expm1", "normal"), ("sqrt", "positive"), ("cbrt", inputs.nonzero),
    ("log2", "positive"), ("log10", "positive"), ("deg2rad", "normal"),
    ("rad2deg", "normal"), ("negative", "normal"), ("positive", "normal"),
    ("absolute", inputs.nonzero), ("fabs", inputs.nonzero), ("square", "normal"),
    ("reciprocal", inputs.nonzero), ("sinc", inputs.nonzero),
    ("floor", inputs.off_integers), ("ceil", inputs.off_integers),
    ("rint", inputs.off_halves), ("trunc", inputs.off_integers),
    ("sign", inputs.nonzero), ("conjugate", "normal"), ("real", "normal"),
]
_ALIASES = {"asin": "arcsin", "acos": "arccos", "atan": "arctan", "asinh": "arcsinh",
            "acosh": "arccosh", "atanh": "arctanh", "abs": "absolute", "conj": "conjugate",
            "radians": "deg2rad", "degrees": "rad2deg", "fix": "trunc"}
for _name, _kind in _UNARY:
    row(_name, getattr(fnp, _name), getattr(np, _name), (((2, 3),), ((),)), F, inputs=_kind)
for _alias, _name in _ALIASES.items():
    _kind = dict(_UNARY)[_name]
    row(_alias, getattr(fnp, _alias), getattr(np, _name), (((2, 3),),), F64, inputs=_kind)
row("rsqrt", fnp.rsqrt, lambda x: 1 / np.sqrt(x), inputs="positive")
row("imag", fnp.imag, np.imag)
# angle of a complex function of real x (the branch cut x + 3 < 0 is out of reach).
row("angle", lambda x: fnp.angle(x * (1 + 2j) + 3), lambda x: np.angle(x * (1 + 2j) + 3),
    (((2, 3),), ((),)), F)
row("angle_real_deg", lambda x: fnp.angle(x, deg=True), lambda x: np.angle(x, deg=True),
    inputs=inputs.nonzero)
row("around", lambda x: fnp.around(x, 1), lambda x: np.around(x, 1), inputs=inputs.off_halves)
row("round", lambda x: fnp.round(x, 2), lambda x: np.round(x, 2), M, F, inputs=inputs.off_halves)
row("round_", fnp.round_, np.round, inputs=inputs.off_halves)
row("nan_to_num", fnp.nan_to_num, np.nan_to_num, diff=())
nodiff("nan_to_num_nonfinite", fnp.nan_to_num, np.nan_to_num, inputs=inputs.with_nonfinite)
for _name in ("isfinite", "isnan", "isinf", "isposinf", "isneginf", "signbit"):
    nodiff(_name, getattr(fnp, _name), getattr(np, _name), inputs=inputs.with_nonfinite)
nodiff("logical_not", fnp.logical_not, np.logical_not, dtypes=(np.bool_, np.int32))
for _name in ("bitwise_not", "invert", "bitwise_invert"):
    nodiff(_name, getattr(fnp, _name), np.invert, dtypes=(np.int8, np.uint8, np.bool_))
row("modf", fnp.modf, np.modf, inputs=inputs.off_integers)
row("ldexp", lambda x, e: fnp.ldexp(x, e), lambda x, e: np.ldexp(x, e),
    (((2, 3), (2, 3)),), arg_dtypes=lambda d: (d, np.int32), inputs=("normal", "int"))

# ---------------------------------------------------------------------------------------
# Elementwise binary (with broadcasting).

_BINARY = [
    ("add", "normal"), ("subtract", "normal"), ("multiply", "normal"),
    ("divide", ("normal", inputs.nonzero)), ("true_divide", ("normal", inputs.nonzero)),
    ("maximum", "normal"), ("minimum", "normal"), ("fmax", "normal"), ("fmin", "normal"),
    ("arctan2", ("normal", inputs.nonzero)), ("hypot", inputs.nonzero),
    ("logaddexp", "normal"), ("logaddexp2", "normal"),
    ("power", ("positive", "normal")), ("float_power", ("positive", "normal")),
    ("copysign", inputs.nonzero),
]
for _name, _kind in _BINARY:
    row(_name, getattr(fnp, _name), getattr(np, _name), PAIR, F, inputs=_kind, diff=(0, 1))
row("pow", fnp.pow, np.power, ((((2, 3), (2, 3))),), inputs=("positive", "normal"),
    diff=(0, 1))
row("atan2", fnp.atan2, np.arctan2, ((((2, 3), (2, 3))),), inputs=("normal", inputs.nonzero),
    diff=(0, 1))
row("power_int_exponent", lambda x: fnp.power(x, 3), lambda x: x ** 3, (((2, 3),),), F)


def _away_from_multiples(rng, shape, dtype):
    x = rng.integers(-6, 7, size=shape) * 0.7 + rng.uniform(0.1, 0.6, size=shape)
    return x.astype(dtype)


for _name in ("floor_divide", "remainder", "mod", "fmod"):
    row(_name, getattr(fnp, _name), getattr(np, _name), PAIR, F,
        inputs=(_away_from_multiples, lambda r, s, d: np.full(s, 0.7, d)), diff=(0,))
    nodiff(f"{_name}_int", getattr(fnp, _name), getattr(np, _name), PAIR,
           (np.int32, np.int8, np.uint8), inputs=("int", inputs.nonzero))
row("divmod", fnp.divmod, np.divmod, PAIR[:1],
    inputs=(_away_from_multiples, lambda r, s, d: np.full(s, 0.7, d)))
nodiff("divmod_int", fnp.divmod, np.divmod, PAIR[:1], I32, inputs=("int", inputs.nonzero))
row("nextafter", fnp.nextafter, np.nextafter, PAIR, F, diff=())
row("heaviside", fnp.heaviside, np.heaviside, PAIR[:1], inputs=(inputs.nonzero, "normal"),
    diff=(1,))
for _name in ("equal", "not_equal", "less", "less_equal", "greater", "greater_equal"):
    nodiff(_name, getattr(fnp, _name), getattr(np, _name), PAIR, F + (np.int32,),
           inputs=small_ints)
for _name in ("logical_and", "logical_or", "logical_xor"):
    nodiff(_name, getattr(fnp, _name), getattr(np, _name), PAIR, (np.bool_, np.int32))
for _name in ("bitwise_and", "bitwise_or", "bitwise_xor"):
    nodiff(_name, getattr(fnp, _name), getattr(np, _name), PAIR, (np.int32, np.uint8, np.bool_))
for _name, _ref in (("left_shift", np.left_shift), ("right_shift", np.right_shift),
                    ("bitwise_left_shift", np.left_shift),
                    ("bitwise_right_shift", np.right_shift)):
    nodiff(_name, getattr(fnp, _name), _ref, PAIR, (np.int32, np.uint8),
           inputs=("int", small_ints))
nodiff("isclose", fnp.isclose, np.isclose, PAIR, F, inputs=small_ints)
nodiff("allclose", fnp.allclose, np.allclose, PAIR[:1], inputs=small_ints)
nodiff("array_equal", fnp.array_equal, np.array_equal, PAIR[:1], inputs=small_ints)
nodiff("array_equiv", fnp.array_equiv, np.array_equiv, PAIR[:2], inputs=small_ints)

# ---------------------------------------------------------------------------------------
# where, clip, select, choose.

row("where", lambda c, x, y: fnp.where(c > 0, x, y), lambda c, x, y: np.where(c > 0, x, y),
    (((3, 4), (3, 4), (3, 4)), ((3, 1), (4,), ())), diff=(1, 2))
row("clip", lambda x: fnp.clip(x, -0.5, 0.7), lambda x: np.clip(x, -0.5, 0.7),
    inputs=distinct)
row("clip_arrays", fnp.clip, np.clip, (((3, 4), (4,), (3, 1)),),
    inputs=(distinct, lambda r, s, d: np.full(s, -0.4, d), lambda r, s, d: np.full(s, 0.6, d)),
    diff=(0,))
row("select", lambda x: fnp.select([x > 0.5, x < -0.5], [x, -2 * x], 0.0),
    lambda x: np.select([x > 0.5, x < -0.5], [x, -2 * x], 0.0), inputs=distinct)
row("choose", lambda i, a, b: fnp.choose(i, [a, b]), lambda i, a, b: np.choose(i, [a, b]),
    (((3, 4), (3, 4), (4,)),), arg_dtypes=lambda d: (np.int32, d, d),
    inputs=(lambda r, s, d: r.integers(0, 2, s), "normal", "normal"), diff=(1, 2))

# ---------------------------------------------------------------------------------------
# Reductions.

_RED = ["sum", "prod", "mean", "var", "std", "max", "min", "amax", "amin", "ptp"]
for _name in _RED:
    _ref = getattr(np, _name)
    row(_name, lambda x, fname=_name: getattr(fnp, fname)(x, axis=-1),
        lambda x, r=_ref: r(x, axis=-1), M3, F, inputs=distinct)
    row(f"{_name}_axes_keepdims",
        lambda x, fname=_name: getattr(fnp, fname)(x, (0, 2), keepdims=True),
        lambda x, r=_ref: r(x, (0, 2), keepdims=True), M3, inputs=distinct)
    row(f"{_name}_all", getattr(fnp, _name), _ref, M, inputs=distinct)
_MASK = np.array([[True, False, True, True], [False, True, True, False], [True] * 4])
for _name in ("sum", "prod", "mean", "var", "std"):
    row(f"{_name}_where", lambda x, fname=_name: getattr(fnp, fname)(x, axis=1, where=_MASK),
        lambda x, rname=_name: getattr(np, rname)(x, axis=1, where=_MASK), M, inputs=distinct)
for _name in ("max", "min"):
    row(f"{_name}_where_initial",
        lambda x, fname=_name: getattr(fnp, fname)(x, axis=0, where=x > -0.5, initial=0.1),
        lambda x, rname=_name: getattr(np, rname)(x, axis=0, where=x > -0.5, initial=0.1), M,
        inputs=distinct)
row("var_ddof", lambda x: fnp.var(x, 0, ddof=1), lambda x: np.var(x, 0, ddof=1))
row("std_ddof", lambda x: fnp.std(x, None, ddof=1), lambda x: np.std(x, None, ddof=1),
    inputs=distinct)
nodiff("sum_int", lambda x: fnp.sum(x, 0), lambda x: np.sum(x, 0), M, (np.int8, np.uint8,
                                                                      np.int32, np.bool_))
nodiff("prod_int", lambda x: fnp.prod(x, 1), lambda x: np.prod(x, 1), M, I32)
nodiff("mean_int", lambda x: fnp.mean(x, 1), lambda x: np.mean(x, 1), M, I32)
for _name in ("all", "any"):
    nodiff(_name, lambda x, fname=_name: getattr(fnp, fname)(x > 0.5, axis=1),
           lambda x, rname=_name: getattr(np, rname)(x > 0.5, axis=1), M, F)
    nodiff(f"{_name}_int", getattr(fnp, _name), getattr(np, _name), M, I32, inputs=small_ints)
nodiff("count_nonzero", lambda x: fnp.count_nonzero(x, axis=0), lambda x: np.count_nonzero(
    x, axis=0), M, I32, inputs=small_ints)
for _name in ("argmax", "argmin"):
    nodiff(_name, lambda x, fname=_name: getattr(fnp, fname)(x, axis=-2),
           lambda x, rname=_name: getattr(np, rname)(x, axis=-2), M3, F, inputs=distinct)
    nodiff(f"{_name}_flat", getattr(fnp, _name), getattr(np, _name), M, inputs=distinct)
for _name in ("nanargmax", "nanargmin"):
    nodiff(_name, lambda x, fname=_name: getattr(fnp, fname)(x, axis=1),
           lambda x, rname=_name: getattr(np, rname)(x, axis=1), M, inputs=with_nans)
for _name in ("nansum", "nanprod", "nanmean", "nanvar", "nanstd", "nanmax", "nanmin"):
    row(_name, lambda x, fname=_name: getattr(fnp, fname)(x, axis=1),
        lambda x, rname=_name: getattr(np, rname)(x, axis=1), M, inputs=with_nans)
row("average", lambda x, w: fnp.average(x, axis=1, weights=w),
    lambda x, w: np.average(x, axis=1, weights=w), (((3, 4), (4,)),),
    inputs=("normal", "positive"), diff=(0, 1))
row("average_plain", lambda x: fnp.average(x, axis=0), lambda x: np.average(x, axis=0))
for _name in ("cumsum", "cumprod", "nancumsum", "nancumprod"):
    _inp = with_nans if _name.startswith("nan") else "normal"
    row(_name, lambda x, fname=_name: getattr(fnp, fname)(x, axis=-1),
        lambda x, rname=_name: getattr(np, rname)(x, axis=-1), M3, F, inputs=_inp)
row("cumsum_flat", fnp.cumsum, np.cumsum)
row("cumulative_prod", lambda x: fnp.cumulative_prod(x, axis=0),
    lambda x: np.cumprod(x, axis=0))
row("cumulative_sum", lambda x: fnp.cumulative_sum(x, axis=1, include_initial=True),
    lambda x: np.concatenate([np.zeros((x.shape[0], 1), x.dtype), np.cumsum(x, 1)], 1))
row("logsumexp", lambda x: fnp.logsumexp(x, axis=(0, 2)),
    lambda x: np.log(np.exp(x).sum((0, 2))), M3, F)
row("logsumexp_b", lambda x, b: fnp.logsumexp(x, axis=1, b=b, keepdims=True),
    lambda x, b: np.log((b * np.exp(x)).sum(1, keepdims=True)), (((3, 4), (4,)),),
    inputs=("normal", "positive"), diff=(0, 1))


def _qref(fn, *args, **kw):
    return lambda x: fn(x, *args, **kw)


for _method in ("linear", "lower", "higher", "nearest", "midpoint"):
    row(f"quantile_{_method}", lambda x, m=_method: fnp.quantile(x, [0.1, 0.5, 0.8],
                                                                 axis=1, method=m),
        _qref(np.quantile, [0.1, 0.5, 0.8], axis=1, method=_method), M3, F, inputs=distinct)
row("percentile", lambda x: fnp.percentile(x, 30.0, axis=(0, 2), keepdims=True),
    _qref(np.percentile, 30.0, axis=(0, 2), keepdims=True), M3, inputs=distinct)
row("median", lambda x: fnp.median(x, axis=0), _qref(np.median, axis=0), M, F,
    inputs=distinct)
row("median_all", fnp.median, np.median, M3, inputs=distinct)
row("nanquantile", lambda x: fnp.nanquantile(x, 0.3, axis=1), _qref(np.nanquantile, 0.3,
                                                                     axis=1), inputs=with_nans)
row("nanpercentile", lambda x: fnp.nanpercentile(x, 70.0, axis=1),
    _qref(np.nanpercentile, 70.0, axis=1), inputs=with_nans)
row("nanmedian", lambda x: fnp.nanmedian(x, axis=1), _qref(np.nanmedian, axis=1),
    inputs=with_nans)

# ---------------------------------------------------------------------------------------
# Creation.

row("array", lambda x: fnp.array([x, 2 * x]), lambda x: np.array([x, 2 * x]))
row("asarray", lambda x: fnp.asarray(x, "float32"), lambda x: np.asarray(x, np.float32), diff=())
row("copy", fnp.copy, np.copy)
for _name, _ref in (("zeros", np.zeros), ("ones", np.ones), ("empty", np.zeros)):
    nodiff(_name, lambda x, fname=_name: getattr(fnp, fname)((2, 3)) + x,
           lambda x, r=_ref: r((2, 3)) + x, (((),),))
for _name, _ref in (("zeros_like", np.zeros_like), ("ones_like", np.ones_like),
                    ("empty_like", np.zeros_like)):
    nodiff(_name, getattr(fnp, _name), _ref, M, F + I32)
row("full", lambda v: fnp.full((2, 3), v), lambda v: np.full((2, 3), v), (((),), ((3,),)))
row("full_like", lambda x, v: fnp.full_like(x, v), lambda x, v: np.full_like(x, v),
    (((3, 4), ()),), diff=(1,))
nodiff("arange", lambda x: fnp.arange(5) * x, lambda x: np.arange(5) * x, (((),),))
nodiff("arange_float", lambda x: fnp.arange(0.5, 3.0, 0.5) + x,
       lambda x: np.arange(0.5, 3.0, 0.5) + x, (((),),))
row("linspace", lambda a, b: fnp.linspace(a, b, 5), lambda a, b: np.linspace(a, b, 5),
    (((), ()), ((2,), ())), diff=(0, 1))
row("linspace_axis", lambda a, b: fnp.linspace(a, b, 4, endpoint=False, axis=-1),
    lambda a, b: np.linspace(a, b, 4, endpoint=False, axis=-1), (((3,), (3,)),), diff=(0, 1))
row("logspace", lambda a, b: fnp.logspace(a, b, 4), lambda a, b: np.logspace(a, b, 4),
    (((), ()),), inputs="unit", diff=(0, 1), rtol=1e-10)
row("geomspace", lambda a, b: fnp.geomspace(a, b, 4), lambda a, b: np.geomspace(a, b, 4),
    (((), ()),), inputs="positive", diff=(0, 1), rtol=1e-10)
for _name, _call in (("eye", lambda f: f(3, 4, 1)), ("identity", lambda f: f(3)),
                     ("tri", lambda f: f(3, 4, -1))):
    nodiff(_name, lambda x, fname=_name, c=_call: c(getattr(fnp, fname)) * x,
           lambda x, rname=_name, c=_call: c(getattr(np, rname)) * x, (((),),))
row("tril", lambda x: fnp.tril(x, 1), lambda x: np.tril(x, 1), M3)
row("triu", lambda x: fnp.triu(x, -1), lambda x: np.triu(x, -1), M3)
row("meshgrid", lambda x, y: fnp.meshgrid(x, y), lambda x, y: np.meshgrid(x, y),
    (((3,), (4,)),), diff=(0, 1))
row("meshgrid_ij", lambda x, y: fnp.meshgrid(x, y, indexing="ij", sparse=True),
    lambda x, y: np.meshgrid(x, y, indexing="ij", sparse=True), (((3,), (4,)),), diff=(0, 1))
row("diag", lambda v: fnp.diag(v, -1), lambda v: np.diag(v, -1), (((4,),), ((3, 4),)))
row("diagflat", lambda v: fnp.diagflat(v, 1), lambda v: np.diagflat(v, 1), (((2, 2),),))
nodiff("indices", lambda x: fnp.indices((2, 3)) + x, lambda x: np.indices((2, 3)) + x,
       (((),),), I32)
for _name in ("tril_indices", "triu_indices"):
    nodiff(_name, lambda x, fname=_name: x[getattr(fnp, fname)(3, 1)],
           lambda x, rname=_name: x[getattr(np, rname)(3, 1)], SQ)
    nodiff(f"{_name}_from", lambda x, fname=f"{_name}_from": x[getattr(fnp, fname)(x)],
           lambda x, rname=f"{_name}_from": x[getattr(np, rname)(x)], M)
nodiff("diag_indices", lambda x: x[fnp.diag_indices(3)], lambda x: x[np.diag_indices(3)], SQ)

# ---------------------------------------------------------------------------------------
# Shape manipulation.

row("reshape", lambda x: fnp.reshape(x, (4, -1)), lambda x: np.reshape(x, (4, -1)), M3)
row("ravel", fnp.ravel, np.ravel, M3)
row("transpose", lambda x: fnp.transpose(x, (2, 0, 1)), lambda x: np.transpose(x, (2, 0, 1)),
    M3)
row("permute_dims", lambda x: fnp.permute_dims(x, (1, 2, 0)),
    lambda x: np.transpose(x, (1, 2, 0)), M3)
row("matrix_transpose", fnp.matrix_transpose, lambda x: np.swapaxes(x, -1, -2), M3)
row("moveaxis", lambda x: fnp.moveaxis(x, (0, 1), (-1, 0)),
    lambda x: np.moveaxis(x, (0, 1), (-1, 0)), M3)
row("swapaxes", lambda x: fnp.swapaxes(x, 0, -1), lambda x: np.swapaxes(x, 0, -1), M3)
row("rollaxis", lambda x: fnp.rollaxis(x, 2, 0), lambda x: np.rollaxis(x, 2, 0), M3)
row("squeeze", lambda x: fnp.squeeze(x, 1), lambda x: np.squeeze(x, 1), (((3, 1, 2),),))
row("expand_dims", lambda x: fnp.expand_dims(x, (0, -1)), lambda x: np.expand_dims(x, (0, -1)))
row("broadcast_to", lambda x: fnp.broadcast_to(x, (2, 3, 4)),
    lambda x: np.broadcast_to(x, (2, 3, 4)), (((4,),), ((3, 1),)))
row("broadcast_arrays", fnp.broadcast_arrays, np.broadcast_arrays, PAIR, diff=(0, 1))
nodiff("broadcast_shapes", lambda x, y: fnp.zeros(fnp.broadcast_shapes(x.shape, y.shape)) + x,
       lambda x, y: np.zeros(np.broadcast_shapes(x.shape, y.shape)) + x, PAIR)
for _name in ("atleast_1d", "atleast_2d", "atleast_3d"):
    row(_name, getattr(fnp, _name), getattr(np, _name), (((),), ((4,),), ((3, 4),)))
for _name in ("concatenate", "concat"):
    row(_name, lambda x, y, fname=_name: getattr(fnp, fname)([x, y], axis=-1),
        lambda x, y: np.concatenate([x, y], axis=-1), (((3, 4), (3, 2)),), diff=(0, 1))
row("concatenate_none", lambda x, y: fnp.concatenate([x, y], axis=None),
    lambda x, y: np.concatenate([x, y], axis=None), (((3, 4), (2,)),), diff=(0, 1))
row("stack", lambda x, y: fnp.stack([x, y], axis=1), lambda x, y: np.stack([x, y], axis=1),
    (((3, 4), (3, 4)),), diff=(0, 1))
for _name in ("hstack", "vstack", "dstack", "column_stack", "row_stack"):
    _ref = np.vstack if _name == "row_stack" else getattr(np, _name)
    row(_name, lambda x, y, fname=_name: getattr(fnp, fname)([x, y]),
        lambda x, y, r=_ref: r([x, y]), (((4,), (4,)), ((3, 4), (3, 4))), diff=(0, 1))
row("append", lambda x, y: fnp.append(x, y, axis=0), lambda x, y: np.append(x, y, axis=0),
    (((3, 4), (1, 4)),), diff=(0, 1))
row("split", lambda x: fnp.split(x, 2, axis=-1), lambda x: np.split(x, 2, axis=-1), M3)
row("split_indices", lambda x: fnp.split(x, [1, 3], axis=2),
    lambda x: np.split(x, [1, 3], axis=2), M3)
row("array_split", lambda x: fnp.array_split(x, 3, axis=-1),
    lambda x: np.array_split(x, 3, axis=-1), M3)
for _name, _ax in (("hsplit", 2), ("vsplit", 2), ("dsplit", 2)):
    row(_name, lambda x, fname=_name, k=_ax: getattr(fnp, fname)(x, k),
        lambda x, rname=_name, k=_ax: getattr(np, rname)(x, k), (((2, 4, 2),),))
row("tile", lambda x: fnp.tile(x, (2, 1, 3)), lambda x: np.tile(x, (2, 1, 3)))
row("repeat", lambda x: fnp.repeat(x, 2, axis=1), lambda x: np.repeat(x, 2, axis=1))
row("repeat_list", lambda x: fnp.repeat(x, [1, 0, 3], axis=0),
    lambda x: np.repeat(x, [1, 0, 3], axis=0))
row("repeat_traced", lambda x, r: fnp.repeat(x, r, total_repeat_length=6),
    lambda x, r: np.repeat(x, r), (((3,), (3,)),), arg_dtypes=lambda d: (d, np.int32),
    inputs=("normal", lambda g, s, d: np.array([2, 1, 3])), batch=False)
row("flip", lambda x: fnp.flip(x, (0, 2)), lambda x: np.flip(x, (0, 2)), M3)
row("fliplr", fnp.fliplr, np.fliplr)
row("flipud", fnp.flipud, np.flipud)
row("rot90", lambda x: fnp.rot90(x, 3, (1, 2)), lambda x: np.rot90(x, 3, (1, 2)), M3)
row("roll", lambda x: fnp.roll(x, (1, -2), axis=(0, 2)),
    lambda x: np.roll(x, (1, -2), axis=(0, 2)), M3)
row("roll_flat", lambda x: fnp.roll(x, 5), lambda x: np.roll(x, 5))
for _mode in ("constant", "edge", "reflect", "symmetric", "wrap"):
    row(f"pad_{_mode}", lambda x, m=_mode: fnp.pad(x, ((1, 2), (3, 5)), mode=m),
        lambda x, m=_mode: np.pad(x, ((1, 2), (3, 5)), mode=m))

# ---------------------------------------------------------------------------------------
# Indexing.

_INDEXES = {
    "int": (1, 2), "slices": (slice(None, None, -1), slice(1, None, 2)),
    "ellipsis_none": (Ellipsis, None, 1), "array": (np.array([2, 0, 2]),),
    "arrays_broadcast": (np.array([[0], [2]]), np.array([1, 3])),
    "mixed": (slice(None), np.array([3, 0, 1])), "int_array": (1, np.array([0, 3])),
    "bool_mask": (np.array([True, False, True]),),
}
for _tag, _idx in _INDEXES.items():
    row(f"getitem_{_tag}", lambda x, i=_idx: x[i], lambda x, i=_idx: x[i])
row("getitem_traced_index", lambda x, i: x[i], lambda x, i: x[i], (((3, 4), (2,)),),
    arg_dtypes=lambda d: (d, np.int32), inputs=("normal", lambda g, s, d: g.integers(-3, 3, s)))
for _op, _np in (("set", None), ("add", np.add), ("multiply", np.multiply),
                 ("min", np.minimum), ("max", np.maximum)):
    def _ref(x, v, op=_op, ufunc=_np):
        x = x.copy()
        idx = (np.array([0, 2, 0]), slice(1, 3))
        if ufunc is None:
            x[idx] = v
        else:
            ufunc.at(x, idx, v)
        return x
    row(f"at_{_op}", lambda x, v, op=_op: getattr(x.at[fnp.asarray([0, 2, 0]), 1:3], op)(v),
        _ref, (((3, 4), (3, 2)),), diff={"add": (0, 1), "multiply": (0,)}.get(_op, ()),
        inputs=(distinct, distinct) if _op != "set" else ("normal", lambda g, s, d: np.ones(
            s, d)))
row("at_get", lambda x: x.at[fnp.asarray([1, 5])].get(mode="fill", fill_value=0.0),
    lambda x: np.stack([x[1], np.zeros_like(x[0])]))
row("take", lambda x: fnp.take(x, fnp.asarray([[0, 2], [-1, 1]]), axis=1),
    lambda x: np.take(x, [[0, 2], [-1, 1]], axis=1))
row("take_flat", lambda x: fnp.take(x, fnp.asarray([0, 7, 11])), lambda x: np.take(x, [0, 7, 11]))
row("take_along_axis", lambda x: fnp.take_along_axis(x, fnp.argsort(x, axis=0), 0),
    lambda x: np.take_along_axis(x, np.argsort(x, axis=0), 0), inputs=distinct)
row("put_along_axis", lambda x, v: fnp.put_along_axis(x, fnp.asarray([[1], [0], [3]]), v, 1,
                                                      inplace=False),
    lambda x, v: _put_along(x, v), (((3, 4), (3, 1)),), diff=())
# (No derivative rows for put_along_axis: the harness transposes its jaxpr, and lax's
# scatter transposes only with unique_indices=True; tests/test_numpy_api.py checks grads.)


def _put_along(x, v):
    x = x.copy()
    np.put_along_axis(x, np.array([[1], [0], [3]]), v, 1)
    return x


nodiff("nonzero", lambda x: fnp.nonzero(x > 0, size=8), lambda x: tuple(
    np.pad(i, (0, 8 - i.size))[:8] for i in np.nonzero(x > 0)), M)
nodiff("flatnonzero", lambda x: fnp.flatnonzero(x > 0, size=6, fill_value=-1),
       lambda x: np.pad(np.flatnonzero(x > 0), (0, 6), constant_values=-1)[:6], M)
nodiff("argwhere", lambda x: fnp.argwhere(x > 0, size=5),
       lambda x: np.pad(np.argwhere(x > 0), ((0, 5), (0, 0)))[:5], M)
row("compress", lambda x: fnp.compress(fnp.asarray([True, False, True]), x, axis=0),
    lambda x: np.compress([True, False, True], x, axis=0))
row("extract", lambda x: fnp.extract(x > 0, x, size=6),
    lambda x: np.pad(np.extract(x > 0, x), (0, 12))[:6], inputs=distinct, batch=False)
nodiff("unravel_index", lambda i: fnp.unravel_index(i, (3, 4)),
       lambda i: np.unravel_index(i, (3, 4)), V, I32,
       inputs=lambda g, s, d: g.integers(0, 12, s))
nodiff("ravel_multi_index", lambda i, j: fnp.ravel_multi_index((i, j), (3, 4)),
       lambda i, j: np.ravel_multi_index((i, j), (3, 4)), (((5,), (5,)),), I32,
       inputs=(lambda g, s, d: g.integers(0, 3, s), lambda g, s, d: g.integers(0, 4, s)))

# ---------------------------------------------------------------------------------------
# Sorting and searching.

row("sort", lambda x: fnp.sort(x, axis=0), lambda x: np.sort(x, axis=0), M3, F,
    inputs=distinct)
row("sort_flat", lambda x: fnp.sort(x, axis=None), lambda x: np.sort(x, axis=None),
    inputs=distinct)
nodiff("argsort", lambda x: fnp.argsort(x, axis=-1), lambda x: np.argsort(x, axis=-1), M3, F,
       inputs=distinct)
nodiff("argsort_ties", fnp.argsort, lambda x: np.argsort(x, kind="stable"), V, I32,
       inputs=small_ints)
nodiff("lexsort", lambda a, b: fnp.lexsort((a, b)), lambda a, b: np.lexsort((a, b)),
       (((6,), (6,)),), I32, inputs=small_ints)
row("partition", lambda x: fnp.partition(x, 2)[..., 2], lambda x: np.partition(x, 2)[..., 2],
    inputs=distinct)
nodiff("argpartition", lambda x: fnp.take_along_axis(x, fnp.argpartition(x, 1), -1)[..., 1],
       lambda x: np.take_along_axis(x, np.argpartition(x, 1), -1)[..., 1], inputs=distinct)
for _side in ("left", "right"):
    for _method in ("compare_all", "sort"):
        nodiff(f"searchsorted_{_side}_{_method}",
               lambda a, v, s=_side, m=_method: fnp.searchsorted(fnp.sort(a), v, side=s,
                                                                 method=m),
               lambda a, v, s=_side: np.searchsorted(np.sort(a), v, side=s),
               (((6,), (2, 3)),), F + I32, inputs=small_ints)
nodiff("unique", lambda x: fnp.unique(x, size=10, fill_value=-1, return_counts=True),
       lambda x: _unique_padded(x), (((3, 4),),), I32 + F, inputs=small_ints)
def _pad_to(v, n, fill):
    return np.pad(v, (0, n - v.size), constant_values=fill)


def _unique_padded(x):
    values, counts = np.unique(x, return_counts=True)
    return _pad_to(values, 10, -1), _pad_to(counts, 10, 0)


_SMALL = (lambda g, s, d: g.integers(0, 4, s))
nodiff("unique_values", lambda x: fnp.unique_values(x, size=4, fill_value=9),
       lambda x: _pad_to(np.unique(x), 4, 9), V, I32, inputs=_SMALL)
nodiff("unique_counts", lambda x: fnp.unique_counts(x, size=4, fill_value=9),
       lambda x: (_pad_to(np.unique(x), 4, 9),
                  _pad_to(np.unique(x, return_counts=True)[1], 4, 0)), V, I32, inputs=_SMALL)
nodiff("unique_inverse", lambda x: fnp.unique_inverse(x, size=4, fill_value=9),
       lambda x: (_pad_to(np.unique(x), 4, 9), np.unique(x, return_inverse=True)[1]), V, I32,
       inputs=_SMALL)


# ---------------------------------------------------------------------------------------
# Histograms and interpolation.

nodiff("bincount", lambda x: fnp.bincount(x, length=6), lambda x: np.bincount(x, minlength=6),
       V, I32, inputs=small_ints)
row("bincount_weights", lambda x, w: fnp.bincount(x, w, length=5),
    lambda x, w: np.bincount(x, w, minlength=5), (((6,), (6,)),),
    arg_dtypes=lambda d: (np.int32, d), inputs=(small_ints, "normal"), diff=(1,))
row("histogram", lambda x: fnp.histogram(x, bins=4, range=(-2.0, 2.0))[0],
    lambda x: np.histogram(x, bins=4, range=(-2.0, 2.0))[0].astype(np.int32), (((20,),),),
    diff=())
row("histogram_weights", lambda x, w: fnp.histogram(x, bins=3, weights=w),
    lambda x, w: np.histogram(x, bins=3, weights=w), (((20,), (20,)),), diff=(1,),
    inputs=(distinct, "normal"), batch=True)
row("histogram_bin_edges", lambda x: fnp.histogram_bin_edges(x, 5),
    lambda x: np.histogram_bin_edges(x, 5), (((20,),),), inputs=distinct)
nodiff("digitize", lambda x, b: fnp.digitize(x, fnp.sort(b)),
       lambda x, b: np.digitize(x, np.sort(b)), (((2, 3), (5,)),), F, inputs=distinct)
row("interp", lambda x, fp: fnp.interp(x, fnp.asarray([-1.0, 0.0, 0.5, 2.0]), fp),
    lambda x, fp: np.interp(x, [-1.0, 0.0, 0.5, 2.0], fp), (((2, 5), (4,)),),
    inputs=(distinct, "normal"), diff=(0, 1))

# ---------------------------------------------------------------------------------------
# Products, einsum, diagonals.

row("matmul", fnp.matmul, np.matmul, (((3, 4), (4, 2)), ((2, 3, 4), (4,)), ((4,), (5, 4, 2)),
                                      ((2, 1, 3, 4), (5, 4, 2))), F, diff=(0, 1))
row("dot", fnp.dot, np.dot, (((3, 4), (4, 2)), ((2, 3, 4), (5, 4, 2)), ((4,), (4,)),
                             ((), (3,))), F, diff=(0, 1))
row("vdot", fnp.vdot, np.vdot, (((3, 4), (4, 3)),), diff=(0, 1))
row("vecdot", fnp.vecdot, np.vecdot, (((3, 4), (4,)),), diff=(0, 1))
row("inner", fnp.inner, np.inner, (((3, 4), (2, 4)),), diff=(0, 1))
row("outer", fnp.outer, np.outer, (((3,), (2, 2)),), diff=(0, 1))
row("tensordot", lambda a, b: fnp.tensordot(a, b, ((1, 2), (0, 1))),
    lambda a, b: np.tensordot(a, b, ((1, 2), (0, 1))), (((2, 3, 4), (3, 4, 2)),), diff=(0, 1))
row("kron", fnp.kron, np.kron, (((2, 3), (3, 2)),), diff=(0, 1))
row("cross", fnp.cross, np.cross, (((4, 3), (4, 3)), ((3,), (2, 3))), diff=(0, 1))
row("diagonal", lambda x: fnp.diagonal(x, 1, 0, 2), lambda x: np.diagonal(x, 1, 0, 2), M3)
row("trace", lambda x: fnp.trace(x, -1, 2, 1), lambda x: np.trace(x, -1, 2, 1), M3)
for _spec, _shapes in (("ij,jk->ik", ((3, 4), (4, 2))), ("bij,bjk->bik", ((2, 3, 4), (2, 4, 3))),
                       ("ii->i", ((3, 3),)), ("...j,j", ((2, 3, 4), (4,))),
                       ("ij,jk,kl->il", ((2, 3), (3, 4), (4, 2)))):
    row(f"einsum_{_spec.replace(',', '_').replace('->', '_to_').replace('...', 'E')}",
        lambda *ops, s=_spec: fnp.einsum(s, *ops), lambda *ops, s=_spec: np.einsum(s, *ops),
        (_shapes,), diff=tuple(range(len(_shapes))))
nodiff("einsum_path", lambda x: x * len(fnp.einsum_path("ij,jk,kl", x, x, x)[0]),
       lambda x: x * len(np.einsum_path("ij,jk,kl", x, x, x, optimize="greedy")[0]), SQ)

# ---------------------------------------------------------------------------------------
# fneedle.numpy.linalg.

la = fnp.linalg
BSPD = (((3, 3),), ((2, 3, 3),))
row("linalg_inv", la.inv, np.linalg.inv, BSPD, inputs=spd)
row("linalg_solve", la.solve, np.linalg.solve, (((3, 3), (3,)), ((2, 3, 3), (2, 3, 2))),
    inputs=(spd, "normal"), diff=(0, 1))
row("linalg_det", la.det, np.linalg.det, BSPD, inputs=spd)
row("linalg_slogdet", la.slogdet, lambda a: tuple(np.linalg.slogdet(a)), BSPD, inputs=spd)
row("linalg_cholesky", la.cholesky, np.linalg.cholesky, BSPD, inputs=spd)
def _positive_diagonal(r):
    """R of a QR decomposition with its rows signed so its diagonal is positive (unique)."""
    return r * np.sign(np.diagonal(r, 0, -2, -1))[..., None]


row("linalg_qr", lambda a: la.qr(a).R * fnp.sign(fnp.diagonal(la.qr(a).R, 0, -2, -1))[..., None],
    lambda a: _positive_diagonal(np.linalg.qr(a).R), (((4, 3),),), inputs=distinct)
row("linalg_eigh", lambda a: la.eigh(a).eigenvalues, lambda a: np.linalg.eigh(a).eigenvalues,
    BSPD, inputs=spd)
row("linalg_eigvalsh", la.eigvalsh, np.linalg.eigvalsh, BSPD, inputs=spd)
row("linalg_svd", lambda a: la.svd(a, compute_uv=False),
    lambda a: np.linalg.svd(a, compute_uv=False), (((4, 3),),), inputs=distinct)
row("linalg_svdvals", la.svdvals, lambda a: np.linalg.svd(a, compute_uv=False), (((3, 4),),),
    inputs=distinct)
row("linalg_pinv", la.pinv, np.linalg.pinv, (((4, 3),),), inputs=distinct)
row("linalg_lstsq", lambda a, b: la.lstsq(a, b)[0], lambda a, b: np.linalg.lstsq(a, b)[0],
    (((5, 3), (5,)),), inputs=(distinct, "normal"), diff=(0, 1))
nodiff("linalg_matrix_rank", la.matrix_rank, np.linalg.matrix_rank, (((4, 3),),),
       inputs=distinct)
row("linalg_matrix_power", lambda a: la.matrix_power(a, 3),
    lambda a: np.linalg.matrix_power(a, 3), SQ)
row("linalg_matrix_power_neg", lambda a: la.matrix_power(a, -2),
    lambda a: np.linalg.matrix_power(a, -2), SQ, inputs=spd)
row("linalg_multi_dot", lambda a, b, c: la.multi_dot([a, b, c]),
    lambda a, b, c: np.linalg.multi_dot([a, b, c]), (((2, 3), (3, 4), (4,)),),
    diff=(0, 1, 2))
for _ord in (None, "fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf):
    row(f"linalg_norm_matrix_{_ord}", lambda x, o=_ord: la.norm(x, ord=o, axis=(2, 0)),
        lambda x, o=_ord: np.linalg.norm(x, ord=o, axis=(2, 0)), M3, inputs=distinct)
for _ord in (None, 1, 2, 3, np.inf, -np.inf):
    row(f"linalg_norm_vector_{_ord}", lambda x, o=_ord: la.norm(x, ord=o, axis=-1),
        lambda x, o=_ord: np.linalg.norm(x, ord=o, axis=-1), M3, inputs=distinct)
row("linalg_norm", la.norm, np.linalg.norm, M3)
row("linalg_vector_norm", lambda x: la.vector_norm(x, axis=1, ord=3),
    lambda x: np.linalg.norm(x, 3, axis=1), inputs=distinct)
row("linalg_matrix_norm", lambda x: la.matrix_norm(x, ord=1),
    lambda x: np.linalg.norm(x, 1, axis=(-2, -1)), M3, inputs=distinct)
