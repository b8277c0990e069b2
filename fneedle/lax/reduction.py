"""Reduction primitives: reduce_sum, reduce_prod, reduce_max, reduce_min, reduce_and, reduce_or
over a set of axes, and argmax/argmin along one axis.

16-bit floats accumulate in float32. An empty reduction gives the operation's identity (0, 1,
-inf/+inf or the integer extremes, all-ones bits / 0 for and / or).
"""

import math

import numpy as np

from fneedle.backend import cpu as cpu_backend
from fneedle.core import dtypes
from fneedle.core.aval import ShapedArray
from fneedle.core.errors import DtypeError, ShapeError
from fneedle.core.interpreter import get_aval
from fneedle.core.linear import Zero, tangent_aval
from fneedle.core.primitive import Primitive
from fneedle.lax.ad_rules import deflinear
from fneedle.lax.shape import broadcast_in_dim

_16BIT = (dtypes.float16, dtypes.bfloat16)


def _canonical_axes(axes, ndim):
    if isinstance(axes, (int, np.integer)):
        axes = (axes,)
    out = []
    for a in axes:
        a = int(a)
        if not -ndim <= a < ndim:
            raise ShapeError(f"Axis {a} is out of bounds for an array of rank {ndim}; use an "
                             f"axis in [{-ndim}, {ndim}).")
        out.append(a % ndim)
    if len(set(out)) != len(out):
        raise ShapeError(f"Repeated axis in {tuple(axes)}; name each axis once.")
    return tuple(sorted(out))


def reduced_aval(x, axes, dtype=None):
    return ShapedArray(tuple(s for i, s in enumerate(x.shape) if i not in axes),
                       dtype or x.dtype)


def reduction_batch(primitive):
    """Batching for a reduction with an `axes` param: shift the axes past the batch dim."""
    def rule(args, dims, axes, **params):
        (x,), (d,) = args, dims
        moved = tuple(a + (a >= d) for a in axes)
        # The batch dim keeps its place among the kept dims.
        out_dim = d - sum(1 for a in moved if a < d)
        return primitive.bind(x, axes=moved, **params), out_dim
    primitive.def_batch(rule)


def _kept(ndim, axes):
    return tuple(i for i in range(ndim) if i not in axes)


def _register_cpu(primitive, op, fallback):
    """Uses the C++ reduction kernel for `op` where the backend has one."""
    if cpu_backend.available and op in cpu_backend.REDUCE_OPS:
        primitive.def_lowering("cpu", cpu_backend.reduce_kernel(op, fallback))


def _reduction_primitive(name, impl, abstract_eval):
    prim = Primitive(name)
    prim.def_impl(impl)
    prim.def_abstract_eval(abstract_eval)
    reduction_batch(prim)
    return prim


def _bind_reduce(primitive, x, axes):
    axes = _canonical_axes(axes, get_aval(x).ndim)
    if not axes:
        return x
    return primitive.bind(x, axes=axes)


def _no_bool(name):
    def abstract_eval(x, axes):
        if x.dtype == dtypes.bool_:
            raise DtypeError(f"{name} does not accept bool operands; convert them to an "
                             f"integer dtype first, e.g. convert_element_type(x, 'int32').")
        return reduced_aval(x, axes)
    return abstract_eval


def _accumulating(ufunc):
    """impl of a sum/product: 16-bit floats accumulate in float32; ints wrap around."""
    def impl(x, axes):
        acc = np.float32 if x.dtype in _16BIT else x.dtype
        return np.asarray(ufunc.reduce(x, axis=axes, dtype=acc)).astype(x.dtype, copy=False)
    impl.__name__ = f"reduce_{ufunc.__name__}"
    return impl


# ---------------------------------------------------------------------------------------
# reduce_sum (linear)

def reduce_sum(x, axes):
    """The sum of x over `axes` (ints; negative ones count from the end).

    Example: reduce_sum(x, (0, -1)) sums a (2, 3, 4) array to shape (3,).
    """
    return _bind_reduce(reduce_sum_p, x, axes)


def _reduce_sum_transpose(ct, x, axes):
    shape = x.aval.shape
    return [broadcast_in_dim(ct, shape, _kept(len(shape), axes))]


_reduce_sum_impl = _accumulating(np.add)
reduce_sum_p = _reduction_primitive("reduce_sum", _reduce_sum_impl, _no_bool("reduce_sum"))
deflinear(reduce_sum_p, _reduce_sum_transpose)
_register_cpu(reduce_sum_p, "sum", _reduce_sum_impl)


# ---------------------------------------------------------------------------------------
# reduce_prod

def reduce_prod(x, axes):
    """The product of x over `axes`. Example: reduce_prod(x, (-1,))."""
    return _bind_reduce(reduce_prod_p, x, axes)


def _reduce_prod_jvp(primals, tangents, axes):
    """d prod = sum_i t_i prod_{j != i} x_j, computed as JAX does: the product rule through a
    balanced tree of pairwise products, which needs no division and so is exact at zeros
    (and its own derivatives are too)."""
    from fneedle.lax.arithmetic import add, lt, mul, select_n
    from fneedle.lax.segment import iota, resize_axis
    from fneedle.lax.shape import reshape, transpose
    (x,), (t,) = primals, tangents
    out = reduce_prod_p.bind(x, axes=axes)
    aval = get_aval(x)
    if type(t) is Zero or not dtypes.is_float(aval.dtype):
        return out, Zero(tangent_aval(get_aval(out)))
    kept = _kept(aval.ndim, axes)
    n = math.prod([aval.shape[a] for a in axes])
    rest = tuple(aval.shape[k] for k in kept)
    perm = axes + kept
    x = reshape(transpose(x, perm), (n,) + rest)
    t = reshape(transpose(t, perm), (n,) + rest)
    m = 1 << max(n - 1, 0).bit_length()  # pad with ones (tangent 0) to a power of two
    if m != n:
        inside = lt(iota(dtypes.int32, (m,) + rest, 0), n)
        x = resize_axis(x, 0, m)
        x = select_n(inside, _ones_like(x), x)
        t = resize_axis(t, 0, m)
    while m > 1:
        h = m // 2
        xa, xb = resize_axis(x, 0, h), resize_axis(x, 0, h, start=h)
        ta, tb = resize_axis(t, 0, h), resize_axis(t, 0, h, start=h)
        x, t = mul(xa, xb), add(mul(ta, xb), mul(xa, tb))
        m = h
    return out, reshape(t, rest)


def _ones_like(x):
    from fneedle.lax.shape import full_like
    return full_like(x, 1)


_reduce_prod_impl = _accumulating(np.multiply)
reduce_prod_p = _reduction_primitive("reduce_prod", _reduce_prod_impl,
                                     _no_bool("reduce_prod"))
reduce_prod_p.def_jvp(_reduce_prod_jvp)
_register_cpu(reduce_prod_p, "prod", _reduce_prod_impl)


# ---------------------------------------------------------------------------------------
# reduce_max, reduce_min

def reduce_max(x, axes):
    """The maximum of x over `axes`; NaN propagates; -inf (or the integer minimum) if empty."""
    return _bind_reduce(reduce_max_p, x, axes)


def reduce_min(x, axes):
    """The minimum of x over `axes`; NaN propagates; +inf (or the integer maximum) if empty."""
    return _bind_reduce(reduce_min_p, x, axes)


def _extreme_identity(dtype, is_max):
    if dtype == dtypes.bool_:
        return not is_max
    if dtypes.is_float(dtype):
        return -np.inf if is_max else np.inf
    info = np.iinfo(dtype)
    return info.min if is_max else info.max


def _extreme_impl(ufunc, is_max):
    def impl(x, axes):
        work = x.astype(np.float32) if x.dtype in _16BIT else x
        out = ufunc.reduce(work, axis=axes, initial=_extreme_identity(x.dtype, is_max))
        return np.asarray(out).astype(x.dtype, copy=False)
    impl.__name__ = f"reduce_{ufunc.__name__}"
    return impl


def _chooser_jvp(primitive):
    """The tangent at the locations attaining the extremum, averaged over ties (as JAX)."""
    def jvp(primals, tangents, axes):
        from fneedle.lax.arithmetic import convert_element_type, div, eq, mul
        (x,), (t,) = primals, tangents
        out = primitive.bind(x, axes=axes)
        aval = get_aval(x)
        if type(t) is Zero or not dtypes.is_float(aval.dtype):
            return out, Zero(tangent_aval(get_aval(out)))
        where = eq(x, broadcast_in_dim(out, aval.shape, _kept(aval.ndim, axes)))
        where = convert_element_type(where, aval.dtype)
        counts = reduce_sum(where, axes)
        return out, div(reduce_sum(mul(t, where), axes), counts)
    primitive.def_jvp(jvp)


def _any_dtype(x, axes):
    return reduced_aval(x, axes)


_reduce_max_impl = _extreme_impl(np.maximum, True)
_reduce_min_impl = _extreme_impl(np.minimum, False)
reduce_max_p = _reduction_primitive("reduce_max", _reduce_max_impl, _any_dtype)
reduce_min_p = _reduction_primitive("reduce_min", _reduce_min_impl, _any_dtype)
_chooser_jvp(reduce_max_p)
_chooser_jvp(reduce_min_p)
_register_cpu(reduce_max_p, "max", _reduce_max_impl)
_register_cpu(reduce_min_p, "min", _reduce_min_impl)


# ---------------------------------------------------------------------------------------
# reduce_and, reduce_or (logical for bool, bitwise for integers)

def reduce_and(x, axes):
    """All of x over `axes` (bitwise and for integers). Example: reduce_and(mask, (0,))."""
    return _bind_reduce(reduce_and_p, x, axes)


def reduce_or(x, axes):
    """Any of x over `axes` (bitwise or for integers). Example: reduce_or(mask, (0,))."""
    return _bind_reduce(reduce_or_p, x, axes)


def _bitwise_abstract_eval(name):
    def abstract_eval(x, axes):
        if dtypes.is_float(x.dtype):
            raise DtypeError(f"{name} needs a bool or integer operand, got {x.str_short()}. "
                             f"Compare it first, e.g. ne(x, 0.0), to get a bool array.")
        return reduced_aval(x, axes)
    return abstract_eval


def _bitwise_impl(logical, bitwise, all_ones):
    def impl(x, axes):
        if x.dtype == np.bool_:
            return np.asarray(logical.reduce(x, axis=axes))
        init = np.invert(np.zeros((), x.dtype)) if all_ones else np.zeros((), x.dtype)
        return np.asarray(bitwise.reduce(x, axis=axes, initial=init)).astype(x.dtype,
                                                                             copy=False)
    return impl


def _zero_jvp(primitive):
    def jvp(primals, tangents, **params):
        out = primitive.bind(*primals, **params)
        return out, Zero(tangent_aval(get_aval(out)))
    primitive.def_jvp(jvp)


_reduce_and_impl = _bitwise_impl(np.logical_and, np.bitwise_and, True)
_reduce_or_impl = _bitwise_impl(np.logical_or, np.bitwise_or, False)
reduce_and_p = _reduction_primitive("reduce_and", _reduce_and_impl,
                                    _bitwise_abstract_eval("reduce_and"))
reduce_or_p = _reduction_primitive("reduce_or", _reduce_or_impl,
                                   _bitwise_abstract_eval("reduce_or"))
_zero_jvp(reduce_and_p)
_zero_jvp(reduce_or_p)
_register_cpu(reduce_and_p, "and", _reduce_and_impl)
_register_cpu(reduce_or_p, "or", _reduce_or_impl)


# ---------------------------------------------------------------------------------------
# argmax, argmin

def argmax(operand, axis, index_dtype=dtypes.int32):
    """The index of the first maximum along `axis` (a NaN counts as the maximum).

    Example: argmax(x, -1, 'int32') has x's shape without its last dim.
    """
    return _bind_arg(argmax_p, operand, axis, index_dtype)


def argmin(operand, axis, index_dtype=dtypes.int32):
    """The index of the first minimum along `axis` (a NaN counts as the minimum)."""
    return _bind_arg(argmin_p, operand, axis, index_dtype)


def _bind_arg(primitive, x, axis, index_dtype):
    (axis,) = _canonical_axes((axis,), get_aval(x).ndim)
    return primitive.bind(x, axis=axis, index_dtype=dtypes.canonicalize(index_dtype))


def _arg_abstract_eval(name):
    def abstract_eval(x, axis, index_dtype):
        if not dtypes.is_integer(index_dtype):
            raise DtypeError(f"{name}'s index_dtype must be an integer dtype, got "
                             f"{index_dtype}; use e.g. 'int32'.")
        if x.shape[axis] == 0:
            raise ShapeError(f"{name} along axis {axis} of {x.str_short()}: the axis is "
                             f"empty, so there is no {name[3:]}imum to find.")
        return reduced_aval(x, (axis,), index_dtype)
    return abstract_eval


def _arg_impl(np_fn):
    def impl(x, axis, index_dtype):
        if x.dtype in _16BIT:
            x = x.astype(np.float32)
        return np.asarray(np_fn(x, axis=axis)).astype(index_dtype)
    return impl


def _arg_batch(primitive):
    def rule(args, dims, axis, index_dtype):
        (x,), (d,) = args, dims
        moved = axis + (axis >= d)
        out_dim = d - (moved < d)
        return primitive.bind(x, axis=moved, index_dtype=index_dtype), out_dim
    primitive.def_batch(rule)


_argmax_impl = _arg_impl(np.argmax)
_argmin_impl = _arg_impl(np.argmin)
argmax_p = Primitive("argmax")
argmin_p = Primitive("argmin")
for _p, _impl in ((argmax_p, _argmax_impl), (argmin_p, _argmin_impl)):
    _p.def_impl(_impl)
    _p.def_abstract_eval(_arg_abstract_eval(_p.name))
    _p.weak_type_rule = lambda in_weak, **params: False
    _zero_jvp(_p)
    _arg_batch(_p)
_argreduce_kernel = getattr(cpu_backend, "argreduce_kernel", None)
if cpu_backend.available and _argreduce_kernel is not None:
    _ARG_OPS = getattr(cpu_backend, "ARGREDUCE_OPS", ("argmax", "argmin"))
    for _p, _impl in ((argmax_p, _argmax_impl), (argmin_p, _argmin_impl)):
        if _p.name in _ARG_OPS:
            _p.def_lowering("cpu", _argreduce_kernel(_p.name, _impl))
