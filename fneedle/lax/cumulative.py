"""Cumulative (prefix-scan) primitives along one axis: cumsum, cumprod, cummax, cummin and
cumlogsumexp, each with `reverse` to scan from the end.

cumsum is linear; its transpose is a cumsum the other way. The others differentiate as JAX
does, through a parallel prefix scan of their combining function: the product rule for
cumprod (exact at zeros), the tie-averaging rule of max/min, and logaddexp's weights.
"""

import numpy as np

from fneedle.backend import cpu as cpu_backend
from fneedle.core import dtypes
from fneedle.core.aval import ShapedArray
from fneedle.core.errors import DtypeError, ShapeError
from fneedle.core.interpreter import get_aval
from fneedle.core.linear import Zero, tangent_aval
from fneedle.core.primitive import Primitive
from fneedle.lax.ad_rules import deflinear

_16BIT = (dtypes.float16, dtypes.bfloat16)


def _canonical_axis(axis, ndim):
    axis = int(axis)
    if not -ndim <= axis < ndim:
        raise ShapeError(f"Axis {axis} is out of bounds for an array of rank {ndim}; use an "
                         f"axis in [{-ndim}, {ndim}).")
    return axis % ndim


def _scan_along(np_scan, x, axis, reverse, acc=None):
    if reverse:
        x = np.flip(x, axis)
    out = np_scan(x, axis, acc)
    return np.flip(out, axis) if reverse else out


def _make_impl(np_scan, float_acc):
    """impl(x, axis, reverse): 16-bit floats work in float32; the result has x's dtype."""
    def impl(x, axis, reverse):
        acc = np.float32 if x.dtype in _16BIT else x.dtype
        work = x.astype(np.float32) if (x.dtype in _16BIT and float_acc) else x
        out = _scan_along(np_scan, work, axis, reverse, acc)
        return np.ascontiguousarray(out).astype(x.dtype, copy=False)
    return impl


_cumsum_impl = _make_impl(lambda x, axis, acc: np.cumsum(x, axis, dtype=acc), False)
_cumprod_impl = _make_impl(lambda x, axis, acc: np.cumprod(x, axis, dtype=acc), False)
_cummax_impl = _make_impl(lambda x, axis, acc: np.maximum.accumulate(x, axis), True)
_cummin_impl = _make_impl(lambda x, axis, acc: np.minimum.accumulate(x, axis), True)
_cumlogsumexp_impl = _make_impl(lambda x, axis, acc: np.logaddexp.accumulate(x, axis), True)

_NUMERIC, _ANY, _FLOAT = "numeric", "any", "float"


def _abstract_eval(name, kind):
    def abstract_eval(x, axis, reverse):
        if kind == _NUMERIC and x.dtype == dtypes.bool_:
            raise DtypeError(f"{name} does not accept bool operands; convert them to an "
                             f"integer dtype first, e.g. convert_element_type(x, 'int32').")
        if kind == _FLOAT and not dtypes.is_float(x.dtype):
            raise DtypeError(f"{name} needs a floating-point operand, got {x.str_short()}. "
                             f"Convert it first, e.g. convert_element_type(x, 'float32').")
        return ShapedArray(x.shape, x.dtype)
    return abstract_eval


def _batch(primitive):
    def rule(args, dims, axis, reverse):
        (x,), (d,) = args, dims
        return primitive.bind(x, axis=axis + (axis >= d), reverse=reverse), d
    primitive.def_batch(rule)


def _cumulative_primitive(name, impl, kind):
    prim = Primitive(name)
    prim.def_impl(impl)
    prim.def_abstract_eval(_abstract_eval(name, kind))
    _batch(prim)
    scan_ops = getattr(cpu_backend, "SCAN_OPS", ())
    scan_kernel = getattr(cpu_backend, "scan_kernel", None)
    if cpu_backend.available and scan_kernel is not None:
        for key in (name, name[3:]):  # "cumsum" or "sum", whichever the backend names
            if key in scan_ops:
                prim.def_lowering("cpu", scan_kernel(key, impl))
                break
    return prim


def _binder(primitive):
    def op(operand, axis=0, reverse=False):
        aval = get_aval(operand)
        if aval.ndim == 0:
            raise ShapeError(f"{primitive.name} scans along an axis, but got a rank-0 "
                             f"operand {aval.str_short()}; reshape it to shape (1,).")
        return primitive.bind(operand, axis=_canonical_axis(axis, aval.ndim),
                              reverse=bool(reverse))
    op.__name__ = primitive.name
    return op


cumsum_p = _cumulative_primitive("cumsum", _cumsum_impl, _NUMERIC)
cumprod_p = _cumulative_primitive("cumprod", _cumprod_impl, _NUMERIC)
cummax_p = _cumulative_primitive("cummax", _cummax_impl, _ANY)
cummin_p = _cumulative_primitive("cummin", _cummin_impl, _ANY)
cumlogsumexp_p = _cumulative_primitive("cumlogsumexp", _cumlogsumexp_impl, _FLOAT)

cumsum = _binder(cumsum_p)
cumsum.__doc__ = """Running sums along `axis` (from the end if reverse). Example: cumsum(x, -1)."""
cumprod = _binder(cumprod_p)
cumprod.__doc__ = """Running products along `axis`. Example: cumprod(x, 0, reverse=True)."""
cummax = _binder(cummax_p)
cummax.__doc__ = """Running maxima along `axis`; NaN propagates. Example: cummax(x, 1)."""
cummin = _binder(cummin_p)
cummin.__doc__ = """Running minima along `axis`; NaN propagates. Example: cummin(x, 1)."""
cumlogsumexp = _binder(cumlogsumexp_p)
cumlogsumexp.__doc__ = """log(cumsum(exp(x))) along `axis`, computed stably."""


# ---------------------------------------------------------------------------------------
# Differentiation.

deflinear(cumsum_p, lambda ct, x, axis, reverse: [
    cumsum_p.bind(ct, axis=axis, reverse=not reverse)])


def prefix_scan(combine, x, axis, reverse=False):
    """An inclusive scan of an associative `combine` along `axis`, written with lax ops.

    Hillis-Steele: in round k each position combines with the one 2**k before it, so there
    are ceil(log2 n) rounds. The jvp rules differentiate through it.
    """
    from fneedle.lax.arithmetic import ge, lt, select_n
    from fneedle.lax.batch_rules import move_axis
    from fneedle.lax.segment import iota, take_rows
    x = move_axis(x, axis, 0)
    shape = get_aval(x).shape
    n = shape[0]
    pos = iota(dtypes.int32, shape, 0)
    rows = np.arange(n, dtype=np.int32)
    step = 1
    while step < n:
        # Position i combines with i - step (i + step in reverse); out-of-range rows read 0
        # and the select keeps those positions as they are.
        src = rows + step if reverse else rows - step
        earlier = take_rows(x, src)
        alone = ge(pos, n - step) if reverse else lt(pos, step)
        x = select_n(alone, combine(earlier, x), x)
        step *= 2
    return move_axis(x, 0, axis)


def _logaddexp(a, b):
    """log(exp(a) + exp(b)) without overflow; equal infinities give that infinity."""
    from fneedle.lax.arithmetic import add, ne, select_n, sub
    from fneedle.lax.arithmetic import max as _max
    from fneedle.lax.elementwise import abs as absolute
    from fneedle.lax.elementwise import exp, log1p, neg
    m = _max(a, b)
    d = neg(absolute(sub(a, b)))
    return select_n(ne(d, d), add(m, log1p(exp(d))), m)


def _combine_fns():
    from fneedle.lax.arithmetic import max as _max
    from fneedle.lax.arithmetic import min as _min
    from fneedle.lax.arithmetic import mul
    return {"cumprod": mul, "cummax": _max, "cummin": _min, "cumlogsumexp": _logaddexp}


def _scan_jvp(primitive):
    """The primal from the primitive; the tangent from the jvp of the prefix scan."""
    def jvp(primals, tangents, axis, reverse):
        from fneedle.transforms.jvp import jvp_flat
        (x,), (t,) = primals, tangents
        out = primitive.bind(x, axis=axis, reverse=reverse)
        if type(t) is Zero or not dtypes.is_float(get_aval(x).dtype):
            return out, Zero(tangent_aval(get_aval(out)))
        combine = _combine_fns()[primitive.name]
        _, (t_out,) = jvp_flat(lambda v: [prefix_scan(combine, v, axis, reverse)], [x], [t],
                               description=f"the jvp rule of {primitive.name}")
        return out, t_out
    primitive.def_jvp(jvp)


for _p in (cumprod_p, cummax_p, cummin_p, cumlogsumexp_p):
    _scan_jvp(_p)
