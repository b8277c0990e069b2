"""Elementwise binary primitives (add, mul, comparisons, ...), select_n, clamp and dtype
conversion.

Operands have equal shapes and dtypes, except that a rank-0 operand broadcasts against the
others (so `mul a 2.0:f32[]` needs no broadcast equation). Python scalars passed to these
functions take the other operand's dtype and stay weakly typed.
"""

import builtins

import numpy as np

from fneedle.backend import cpu as cpu_backend
from fneedle.core import dtypes
from fneedle.core.array import Array
from fneedle.core.aval import ShapedArray
from fneedle.core.errors import DtypeError, ShapeError
from fneedle.core.interpreter import get_aval
from fneedle.core.linear import Zero, is_undefined_primal, tangent_aval
from fneedle.core.primitive import Primitive
from fneedle.lax.ad_rules import add_tangents, defjvp, defjvp_ans, instantiate
from fneedle.lax.batch_rules import move_to_front

_PY_SCALARS = (bool, int, float)


def _result_shape(name, avals):
    shape = ()
    for a in avals:
        if a.shape:
            if shape and a.shape != shape:
                raise ShapeError(f"'{name}' needs operands of equal shapes (or rank-0 ones), "
                                 f"got {', '.join(b.str_short() for b in avals)}. Broadcast "
                                 f"them first (fneedle.numpy broadcasts for you).")
            shape = a.shape
    return shape


def _same_dtype(name, avals):
    dt = avals[0].dtype
    for a in avals[1:]:
        if a.dtype != dt:
            raise DtypeError(f"'{name}' needs operands of one dtype, got "
                             f"{', '.join(b.str_short() for b in avals)}. Convert them with "
                             f"convert_element_type (fneedle.numpy promotes for you).")
    return dt


def _kind_ok(dtype, kind):
    # "real": anything but complex (orderings); "real_numeric": neither bool nor complex.
    return {"numeric": dtype != dtypes.bool_, "float": dtypes.is_float(dtype),
            "int_or_bool": not dtypes.is_inexact(dtype), "int": dtypes.is_integer(dtype),
            "real": not dtypes.is_complex(dtype),
            "real_numeric": dtype != dtypes.bool_ and not dtypes.is_complex(dtype),
            "any": True}[kind]


def elementwise_batch_rule(primitive, scalars_broadcast=True):
    """Batching for elementwise primitives whose rank-0 operands broadcast.

    With scalars_broadcast=False (select_n, clamp: not every operand may broadcast), every
    operand is brought to the full batched shape unless all already have it.
    """
    def rule(args, dims, **params):
        from fneedle.lax.shape import broadcast_in_dim
        avals = [get_aval(x) for x in args]
        examples = [tuple(s for k, s in enumerate(a.shape) if k != d)
                    for a, d in zip(avals, dims)]
        out_example = builtins.max(examples, key=len)
        first = next(d for d in dims if d is not None)
        if all(d == first and e == out_example or
               scalars_broadcast and d is None and not a.shape
               for a, d, e in zip(avals, dims, examples)):
            return primitive.bind(*args, **params), first
        size = next(a.shape[d] for a, d in zip(avals, dims) if d is not None)
        full = (size,) + out_example
        moved = []
        for x, a, d, e in zip(args, avals, dims, examples):
            if d is None:
                if a.shape or not scalars_broadcast:
                    x = broadcast_in_dim(x, full, tuple(range(len(full) - a.ndim, len(full))))
            else:
                x = move_to_front(x, d)
                if e != out_example:  # a batch of scalars meeting arrays
                    x = broadcast_in_dim(x, full, (0,))
            moved.append(x)
        return primitive.bind(*moved, **params), 0
    primitive.def_batch(rule)


def binary_primitive(name, impl, kind, out_dtype=None):
    prim = Primitive(name)
    prim.def_impl(impl)

    def abstract_eval(x, y, **params):
        shape = _result_shape(name, (x, y))
        dt = _same_dtype(name, (x, y))
        if not _kind_ok(dt, kind):
            raise DtypeError(f"'{name}' does not accept {dtypes.short_name(dt)} operands.")
        return ShapedArray(shape, out_dtype or dt)
    prim.def_abstract_eval(abstract_eval)
    allowed = frozenset(d for d in dtypes.SUPPORTED if _kind_ok(d, kind))
    prim.eager_check = lambda x, y: (x.dtype is y.dtype and x.dtype in allowed and (
        x.shape == y.shape or not x.shape or not y.shape))
    elementwise_batch_rule(prim)
    if cpu_backend.available and name in cpu_backend.BINARY_OPS:
        prim.def_lowering("cpu", cpu_backend.binary_kernel(name, impl))
    return prim


_16BIT_FLOATS = frozenset({dtypes.float16, dtypes.bfloat16})


def _float16_safe(fn):
    """fn computed in float32 for 16-bit floats; operands of one dtype keep it in NumPy."""
    def impl(x, y):
        if x.dtype in _16BIT_FLOATS:
            return fn(x.astype(np.float32), y.astype(np.float32)).astype(x.dtype)
        return fn(x, y)
    impl.__name__ = getattr(fn, "__name__", "impl")
    return impl


def _int_div(x, y):
    if dtypes.is_integer(x.dtype):
        with np.errstate(divide="ignore", invalid="ignore"):
            safe = np.where(y == 0, 1, y)
            q = np.abs(x) // np.abs(safe) * (np.sign(x) * np.sign(safe))
            return np.where(y == 0, 0, q).astype(np.result_type(x, y))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.true_divide(x, y)).astype(np.result_type(x, y), copy=False)


def _rem(x, y):
    if dtypes.is_integer(x.dtype):
        with np.errstate(divide="ignore", invalid="ignore"):
            safe = np.where(y == 0, 1, y)
            return np.where(y == 0, 0, np.fmod(x, safe)).astype(np.result_type(x, y))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.fmod(x, y)).astype(np.result_type(x, y), copy=False)


def _pow(x, y):
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if dtypes.is_integer(x.dtype):
            return np.power(x, np.maximum(y, 0)).astype(np.result_type(x, y))
        return np.asarray(np.power(x, y)).astype(np.result_type(x, y), copy=False)


def _shift(kind):
    def impl(x, y):
        bits = x.dtype.itemsize * 8
        big = (y < 0) | (y >= bits)
        ys = np.where(big, 0, y).astype(x.dtype)
        if kind == "left":
            out = np.left_shift(x, ys)
            return np.where(big, 0, out).astype(x.dtype)
        if kind == "logical":
            u = x.view(np.dtype(f"u{x.dtype.itemsize}"))
            out = np.right_shift(u, ys.view(u.dtype)).view(x.dtype)
            return np.where(big, 0, out).astype(x.dtype)
        out = np.right_shift(x, ys)
        fill = np.where(x < 0, -1, 0) if not dtypes.is_unsigned(x.dtype) else 0
        return np.where(big, fill, out).astype(x.dtype)
    return impl


def _cmp(fn):
    return lambda x, y: np.asarray(fn(x, y))


add_p = binary_primitive("add", _float16_safe(np.add), "any")
sub_p = binary_primitive("sub", _float16_safe(np.subtract), "numeric")
mul_p = binary_primitive("mul", _float16_safe(np.multiply), "any")
div_p = binary_primitive("div", _int_div, "numeric")
rem_p = binary_primitive("rem", _rem, "real_numeric")
pow_p = binary_primitive("pow", _pow, "numeric")
max_p = binary_primitive("max", _float16_safe(np.maximum), "real")
min_p = binary_primitive("min", _float16_safe(np.minimum), "real")
atan2_p = binary_primitive("atan2", _float16_safe(np.arctan2), "float")
nextafter_p = binary_primitive("nextafter", _float16_safe(np.nextafter), "float")
and_p = binary_primitive("and", _cmp(np.bitwise_and), "int_or_bool")
or_p = binary_primitive("or", _cmp(np.bitwise_or), "int_or_bool")
xor_p = binary_primitive("xor", _cmp(np.bitwise_xor), "int_or_bool")
shift_left_p = binary_primitive("shift_left", _shift("left"), "int")
shift_right_logical_p = binary_primitive("shift_right_logical", _shift("logical"), "int")
shift_right_arithmetic_p = binary_primitive("shift_right_arithmetic", _shift("arith"), "int")
eq_p = binary_primitive("eq", _cmp(np.equal), "any", dtypes.bool_)
ne_p = binary_primitive("ne", _cmp(np.not_equal), "any", dtypes.bool_)
lt_p = binary_primitive("lt", _cmp(np.less), "real", dtypes.bool_)
le_p = binary_primitive("le", _cmp(np.less_equal), "real", dtypes.bool_)
gt_p = binary_primitive("gt", _cmp(np.greater), "real", dtypes.bool_)
ge_p = binary_primitive("ge", _cmp(np.greater_equal), "real", dtypes.bool_)


def _scalars_like(x, y):
    """Python scalars take the other operand's dtype (weakly typed), as in fneedle.numpy."""
    if isinstance(x, _PY_SCALARS) and not isinstance(y, _PY_SCALARS):
        x = Array(np.asarray(x, get_aval(y).dtype), weak_type=True)
    elif isinstance(y, _PY_SCALARS) and not isinstance(x, _PY_SCALARS):
        y = Array(np.asarray(y, get_aval(x).dtype), weak_type=True)
    return x, y


def _binary(prim):
    def op(x, y):
        return prim.bind(*_scalars_like(x, y))
    op.__name__ = prim.name
    op.__doc__ = f"Elementwise '{prim.name}' of two arrays of one dtype (rank-0 broadcasts)."
    return op


add = _binary(add_p)
sub = _binary(sub_p)
mul = _binary(mul_p)
div = _binary(div_p)
rem = _binary(rem_p)
pow = _binary(pow_p)  # noqa: A001 (the lax name)
max = _binary(max_p)  # noqa: A001
min = _binary(min_p)  # noqa: A001
atan2 = _binary(atan2_p)
nextafter = _binary(nextafter_p)
bitwise_and = _binary(and_p)
bitwise_or = _binary(or_p)
bitwise_xor = _binary(xor_p)
shift_left = _binary(shift_left_p)
shift_right_logical = _binary(shift_right_logical_p)
shift_right_arithmetic = _binary(shift_right_arithmetic_p)
eq = _binary(eq_p)
ne = _binary(ne_p)
lt = _binary(lt_p)
le = _binary(le_p)
gt = _binary(gt_p)
ge = _binary(ge_p)


# ---------------------------------------------------------------------------------------
# select_n and clamp.

select_n_p = Primitive("select_n")


def select_n(which, *cases):
    """cases[which] elementwise; `which` is bool (two cases) or int32, array or rank-0."""
    return select_n_p.bind(which, *cases)


def _select_n_abstract_eval(which, *cases):
    if not cases:
        raise ValueError("select_n needs at least one case.")
    shape = _result_shape("select_n", cases)
    dt = _same_dtype("select_n", cases)
    if which.shape and which.shape != shape:
        raise ShapeError(f"select_n's selector has shape {which.shape} but the cases have "
                         f"shape {shape}; it must match them or be rank-0.")
    if which.dtype == dtypes.bool_:
        if len(cases) > 2:
            raise DtypeError("A bool selector picks between at most two cases.")
    elif which.dtype != dtypes.int32:
        raise DtypeError(f"select_n's selector must be bool or int32, got {which.dtype}.")
    return ShapedArray(shape, dt)


def _select_n_impl(which, *cases):
    if len(cases) == 2:  # np.where is many times faster than np.choose
        return np.asarray(np.where(which, cases[1], cases[0]), cases[0].dtype)
    if which.dtype == np.bool_:
        which = which.astype(np.int32)
    return np.asarray(np.choose(which, np.broadcast_arrays(*cases)), cases[0].dtype)


def _select_n_jvp(primals, tangents):
    which, *cases = primals
    out = select_n(which, *cases)
    if all(type(t) is Zero for t in tangents[1:]):
        return out, Zero(tangent_aval(get_aval(out)))
    ts = [_bcast(instantiate(t), get_aval(out).shape) for t in tangents[1:]]
    return out, select_n(which, *ts)


def _select_n_transpose(ct, which, *cases):
    from fneedle.lax.ad_rules import zeros_like_aval
    if is_undefined_primal(which):
        raise ValueError("select_n is not linear in its selector; cannot transpose it.")
    zeros = zeros_like_aval(get_aval(ct))
    out = [None]
    for i, c in enumerate(cases):
        if is_undefined_primal(c):
            picked = select_n(which, *[ct if j == i else zeros for j in range(len(cases))])
            out.append(_unbroadcast(picked, c.aval))
        else:
            out.append(None)
    return out


select_n_p.def_impl(_select_n_impl)
select_n_p.def_abstract_eval(_select_n_abstract_eval)
select_n_p.def_jvp(_select_n_jvp)
select_n_p.def_transpose(_select_n_transpose)
select_n_p.weak_type_rule = lambda in_weak: all(in_weak[1:])
elementwise_batch_rule(select_n_p, scalars_broadcast=False)


def clamp(lo, x, hi):
    """min(max(x, lo), hi) elementwise; lo and hi are rank-0 or shaped like x."""
    lo, x = _scalars_like(lo, x)
    hi, x = _scalars_like(hi, x)
    return clamp_p.bind(lo, x, hi)


clamp_p = Primitive("clamp")
clamp_p.def_impl(lambda lo, x, hi: np.asarray(np.minimum(np.maximum(x, lo), hi), x.dtype))
clamp_p.def_abstract_eval(lambda lo, x, hi: ShapedArray(
    _result_shape("clamp", (lo, x, hi)), _same_dtype("clamp", (lo, x, hi))))
clamp_p.weak_type_rule = lambda in_weak: in_weak[1]
elementwise_batch_rule(clamp_p, scalars_broadcast=False)


def _clamp_jvp(primals, tangents):
    lo, x, hi = primals
    out = clamp(lo, x, hi)
    shape = get_aval(out).shape
    t_lo, t_x, t_hi = tangents
    total = Zero(tangent_aval(get_aval(out)))
    zero = 0.0
    if type(t_x) is not Zero:
        inside = bitwise_and(ge(x, lo), le(x, hi))
        total = add_tangents(total, select_n(inside, _bcast(mul(t_x, zero), shape), t_x))
    if type(t_lo) is not Zero:
        total = add_tangents(total, select_n(lt(x, lo), _bcast(mul(t_lo, zero), shape),
                                             _bcast(t_lo, shape)))
    if type(t_hi) is not Zero:
        total = add_tangents(total, select_n(gt(x, hi), _bcast(mul(t_hi, zero), shape),
                                             _bcast(t_hi, shape)))
    return out, total


clamp_p.def_jvp(_clamp_jvp)


# ---------------------------------------------------------------------------------------
# Dtype conversion.

convert_element_type_p = Primitive("convert_element_type")


def convert_element_type(x, new_dtype, weak_type=False):
    """x converted to `new_dtype` (float -> int truncates toward zero; complex -> real keeps
    the real part, as NumPy does, without its ComplexWarning)."""
    new_dtype = dtypes.canonicalize(new_dtype)
    aval = get_aval(x)
    if aval.dtype == new_dtype and aval.weak_type == weak_type:
        return x
    return convert_element_type_p.bind(x, new_dtype=new_dtype, weak_type=bool(weak_type))


def _convert_impl(x, new_dtype, weak_type):
    if dtypes.is_complex(x.dtype) and not dtypes.is_complex(new_dtype) and new_dtype != np.bool_:
        x = x.real
    if dtypes.is_float(x.dtype) and not dtypes.is_inexact(new_dtype) and new_dtype != np.bool_:
        with np.errstate(invalid="ignore"):
            return np.trunc(x).astype(new_dtype)
    return x.astype(new_dtype)


convert_element_type_p.def_impl(_convert_impl)
convert_element_type_p.def_abstract_eval(
    lambda x, new_dtype, weak_type: ShapedArray(x.shape, new_dtype, weak_type))
convert_element_type_p.weak_type_rule = lambda in_weak, new_dtype, weak_type: weak_type
elementwise_batch_rule(convert_element_type_p)


def _convert_jvp(primals, tangents, new_dtype, weak_type):
    (x,), (t,) = primals, tangents
    out = convert_element_type_p.bind(x, new_dtype=new_dtype, weak_type=weak_type)
    if type(t) is Zero or not (dtypes.is_inexact(get_aval(x).dtype) and
                               dtypes.is_inexact(new_dtype)):
        return out, Zero(tangent_aval(get_aval(out)))
    return out, convert_element_type_p.bind(t, new_dtype=new_dtype, weak_type=False)


def _convert_transpose(ct, x, new_dtype, weak_type):
    return [convert_element_type_p.bind(ct, new_dtype=x.aval.dtype, weak_type=False)]


convert_element_type_p.def_jvp(_convert_jvp)
convert_element_type_p.def_transpose(_convert_transpose)

bitcast_convert_type_p = Primitive("bitcast_convert_type")


def bitcast_convert_type(x, new_dtype):
    """Reinterprets the bits of x as `new_dtype` of the same width (e.g. f32 <-> u32)."""
    return bitcast_convert_type_p.bind(x, new_dtype=dtypes.canonicalize(new_dtype))


def _bitcast_abstract_eval(x, new_dtype):
    if x.dtype.itemsize != new_dtype.itemsize:
        raise DtypeError(f"bitcast_convert_type needs dtypes of one width; "
                         f"{x.dtype} has {x.dtype.itemsize} bytes, {new_dtype} has "
                         f"{new_dtype.itemsize}.")
    return ShapedArray(x.shape, new_dtype)


bitcast_convert_type_p.def_impl(
    lambda x, new_dtype: np.ascontiguousarray(x).view(new_dtype).reshape(x.shape))
bitcast_convert_type_p.def_abstract_eval(_bitcast_abstract_eval)
bitcast_convert_type_p.weak_type_rule = lambda in_weak, new_dtype: False
elementwise_batch_rule(bitcast_convert_type_p)


def _no_tangent_jvp(prim):
    def jvp(primals, tangents, **params):
        out = prim.bind(*primals, **params)
        return out, Zero(tangent_aval(get_aval(out)))
    prim.def_jvp(jvp)


_no_tangent_jvp(bitcast_convert_type_p)


# ---------------------------------------------------------------------------------------
# Differentiation rules of the binary primitives.

def _bcast(t, shape):
    """t broadcast to `shape` (t is rank-0 or already that shape)."""
    aval = get_aval(t)
    if aval.shape == tuple(shape):
        return t
    from fneedle.lax.shape import broadcast_in_dim
    return broadcast_in_dim(t, tuple(shape), ())


def _unbroadcast(ct, aval):
    """A cotangent summed down to a rank-0 operand's shape where that operand broadcast."""
    if aval.shape == get_aval(ct).shape:
        return ct
    from fneedle.lax.reduction import reduce_sum
    return reduce_sum(ct, tuple(range(get_aval(ct).ndim)))


def _linear_binary_jvp(prim, sign_y):
    def jvp(primals, tangents):
        x, y = primals
        out = prim.bind(x, y)
        shape = get_aval(out).shape
        tx, ty = tangents
        if type(tx) is Zero and type(ty) is Zero:
            return out, Zero(tangent_aval(get_aval(out)))
        if type(ty) is Zero:
            return out, _bcast(tx, shape)
        ty = ty if sign_y > 0 else neg(ty)
        if type(tx) is Zero:
            return out, _bcast(ty, shape)
        return out, add(tx, ty)
    return jvp


def neg(x):
    from fneedle.lax.elementwise import neg as _neg
    return _neg(x)


add_p.def_jvp(_linear_binary_jvp(add_p, +1))
sub_p.def_jvp(_linear_binary_jvp(sub_p, -1))
add_p.def_transpose(lambda ct, x, y: [
    _unbroadcast(ct, x.aval) if is_undefined_primal(x) else None,
    _unbroadcast(ct, y.aval) if is_undefined_primal(y) else None])
sub_p.def_transpose(lambda ct, x, y: [
    _unbroadcast(ct, x.aval) if is_undefined_primal(x) else None,
    _unbroadcast(neg(ct), y.aval) if is_undefined_primal(y) else None])


def _mul_transpose(ct, x, y):
    if is_undefined_primal(x) and is_undefined_primal(y):
        raise ValueError("mul is not linear in both operands at once; cannot transpose it.")
    if is_undefined_primal(x):
        return [_unbroadcast(mul(ct, y), x.aval), None]
    return [None, _unbroadcast(mul(x, ct), y.aval)]


def _div_transpose(ct, x, y):
    if is_undefined_primal(y):
        raise ValueError("div is not linear in its divisor; cannot transpose it.")
    return [_unbroadcast(div(ct, y), x.aval), None]


defjvp(mul_p, lambda g, x, y: mul(g, y), lambda g, x, y: mul(x, g))
mul_p.def_transpose(_mul_transpose)
defjvp_ans(div_p, lambda g, ans, x, y: div(g, y),
           lambda g, ans, x, y: neg(mul(g, div(ans, y))))
div_p.def_transpose(_div_transpose)


def _rem_jvp_y(g, x, y):
    from fneedle.lax.elementwise import floor, abs as _abs, sign
    q = div(x, y)
    return neg(mul(g, mul(sign(q), floor(_abs(q)))))


defjvp(rem_p, lambda g, x, y: _bcast(g, _result_shape("rem", (get_aval(x), get_aval(y)))),
       _rem_jvp_y)


def _pow_jvp_x(g, x, y):
    # d/dx x**y = y * x**(y-1)
    ym1 = sub(y, 1.0)
    return mul(g, mul(y, pow(x, ym1)))


def _pow_jvp_y(g, ans, x, y):
    from fneedle.lax.elementwise import log as _log
    zero = mul(x, 0.0)
    safe_x = select_n(eq(x, zero), x, add(zero, 1.0))
    return mul(g, select_n(eq(x, zero), mul(ans, _log(safe_x)), mul(ans, 0.0)))


def _pow_jvp(primals, tangents):
    x, y = primals
    out = pow(x, y)
    tx, ty = tangents
    total = Zero(tangent_aval(get_aval(out)))
    if type(tx) is not Zero:
        total = add_tangents(total, _pow_jvp_x(tx, x, y))
    if type(ty) is not Zero:
        total = add_tangents(total, _pow_jvp_y(ty, out, x, y))
    if type(total) is not Zero:
        total = _bcast(total, get_aval(out).shape)
    return out, total


pow_p.def_jvp(_pow_jvp)


def _balanced_eq(x, ans, y):
    """1 where x alone attains the max/min, 0.5 where x and y tie, else 0."""
    one = mul(ans, 0.0)
    one = add(one, 1.0)
    x_is = select_n(eq(x, ans), mul(one, 0.0), one)
    both = bitwise_and(eq(x, ans), eq(y, ans))
    return select_n(both, x_is, mul(one, 0.5))


defjvp_ans(max_p, lambda g, ans, x, y: mul(g, _balanced_eq(x, ans, y)),
           lambda g, ans, x, y: mul(g, _balanced_eq(y, ans, x)))
defjvp_ans(min_p, lambda g, ans, x, y: mul(g, _balanced_eq(x, ans, y)),
           lambda g, ans, x, y: mul(g, _balanced_eq(y, ans, x)))


# atan2(x, y): d/dx = y / (x^2 + y^2), d/dy = -x / (x^2 + y^2)
defjvp(atan2_p, lambda g, x, y: mul(g, div(y, add(mul(x, x), mul(y, y)))),
       lambda g, x, y: neg(mul(g, div(x, add(mul(x, x), mul(y, y))))))
for _p in (nextafter_p, and_p, or_p, xor_p, shift_left_p, shift_right_logical_p,
           shift_right_arithmetic_p, eq_p, ne_p, lt_p, le_p, gt_p, ge_p):
    _no_tangent_jvp(_p)
