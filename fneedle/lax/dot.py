"""Tensor contraction: `dot_general` (XLA's DotGeneral) and `dot`.

dimension_numbers = ((lhs_contracting, rhs_contracting), (lhs_batch, rhs_batch)); the output
holds the batch dims, then lhs's free dims, then rhs's free dims, each in operand order. The
impl transposes both operands into one batched matmul (B, M, K) @ (B, K, N) so floats go to
BLAS; integers accumulate in 64 bits (wrapping to the output width), 16-bit floats in float32.
"""

import math

import numpy as np

from fneedle.core import dtypes
from fneedle.core.aval import ShapedArray
from fneedle.core.errors import DtypeError, ShapeError
from fneedle.core.interpreter import get_aval
from fneedle.core.linear import Zero, is_undefined_primal, tangent_aval
from fneedle.core.primitive import Primitive
from fneedle.lax.ad_rules import add_tangents
from fneedle.lax.batch_rules import move_to_front

_16BIT = (dtypes.float16, dtypes.bfloat16)

dot_general_p = Primitive("dot_general")


def dot_general(lhs, rhs, dimension_numbers, precision=None, preferred_element_type=None):
    """Contracts lhs and rhs over paired dims, batching over other paired dims.

    Args:
      lhs, rhs: arrays of one dtype.
      dimension_numbers: ((lhs_contracting, rhs_contracting), (lhs_batch, rhs_batch)),
        sequences of dims (negative ones count from the end).
      precision: accepted for JAX compatibility; CPU results are computed at full precision.
      preferred_element_type: the output (accumulation) dtype, e.g. int32 for int8 inputs
        or float32 for bfloat16 inputs; None keeps the input dtype.
    Returns:
      An array of shape batch + lhs free + rhs free.
    Example:
      dot_general(x, w, (((1,), (0,)), ((), ())))  # x @ w
      dot_general(a, b, (((2,), (1,)), ((0,), (0,))))  # batched matmul
    """
    la, ra = get_aval(lhs), get_aval(rhs)
    try:
        (lc, rc), (lb, rb) = dimension_numbers
    except (TypeError, ValueError):
        raise ShapeError(f"dot_general's dimension_numbers must be ((lhs_contracting, "
                         f"rhs_contracting), (lhs_batch, rhs_batch)), got "
                         f"{dimension_numbers!r}.") from None
    dn = ((_dims(lc, la.ndim, "lhs"), _dims(rc, ra.ndim, "rhs")),
          (_dims(lb, la.ndim, "lhs"), _dims(rb, ra.ndim, "rhs")))
    if preferred_element_type is not None:
        preferred_element_type = dtypes.canonicalize(preferred_element_type)
    return dot_general_p.bind(lhs, rhs, dimension_numbers=dn, precision=_precision(precision),
                              preferred_element_type=preferred_element_type)


def dot(lhs, rhs, precision=None, preferred_element_type=None):
    """Vector/matrix products of arrays of rank 1 or 2: contracts lhs's last dim with rhs's
    first. Example: dot(matrix, vector)."""
    la, ra = get_aval(lhs), get_aval(rhs)
    if la.ndim not in (1, 2) or ra.ndim not in (1, 2):
        raise ShapeError(f"dot takes arrays of rank 1 or 2, got {la.str_short()} and "
                         f"{ra.str_short()}. Use dot_general for higher ranks.")
    return dot_general(lhs, rhs, (((la.ndim - 1,), (0,)), ((), ())), precision,
                       preferred_element_type)


def _dims(ds, ndim, side):
    if isinstance(ds, (int, np.integer)):
        ds = (ds,)
    out = []
    for d in ds:
        d = int(d)
        if not -ndim <= d < ndim:
            raise ShapeError(f"dot_general: {side} dimension {d} is out of bounds for an "
                             f"operand of rank {ndim}.")
        out.append(d % ndim)
    return tuple(out)


def _precision(precision):
    if isinstance(precision, list):
        precision = tuple(precision)
    if precision is not None:
        hash(precision)  # params must be hashable
    return precision


def _free(ndim, contracting, batch):
    return tuple(d for d in range(ndim) if d not in contracting and d not in batch)


def _check_preferred(in_dtype, preferred):
    """JAX's rules: (int, int), (int, float), (float, float of at least the input width)."""
    if preferred is None or preferred == in_dtype:
        return
    bad = None
    if in_dtype == dtypes.bool_ or preferred == dtypes.bool_:
        bad = "bool inputs or outputs cannot change dtype"
    elif dtypes.is_float(in_dtype) and not dtypes.is_float(preferred):
        bad = "floating-point inputs cannot accumulate in an integer dtype"
    elif dtypes.is_integer(in_dtype) and dtypes.is_integer(preferred):
        if dtypes.is_unsigned(in_dtype) != dtypes.is_unsigned(preferred):
            bad = "integer inputs need a preferred integer dtype of the same signedness"
        elif preferred.itemsize < in_dtype.itemsize:
            bad = "the preferred dtype must not be narrower than the inputs"
    elif dtypes.is_float(in_dtype) and preferred.itemsize < in_dtype.itemsize:
        bad = "the preferred dtype must not be narrower than the inputs"
    if bad:
        raise DtypeError(f"dot_general cannot compute {dtypes.short_name(in_dtype)} inputs "
                         f"with preferred_element_type={dtypes.short_name(preferred)}: {bad}.")


def _dot_general_abstract_eval(lhs, rhs, dimension_numbers, precision, preferred_element_type):
    (lc, rc), (lb, rb) = dimension_numbers
    where = f"dot_general of {lhs.str_short()} and {rhs.str_short()}"
    if len(lc) != len(rc) or len(lb) != len(rb):
        raise ShapeError(f"{where}: lhs and rhs need as many contracting dims as each other "
                         f"and as many batch dims, got contracting {lc} / {rc} and batch "
                         f"{lb} / {rb}.")
    for side, c, b in (("lhs", lc, lb), ("rhs", rc, rb)):
        if len(set(c + b)) != len(c) + len(b):
            raise ShapeError(f"{where}: the {side} contracting dims {c} and batch dims {b} "
                             f"must all be different.")
    for kind, ls, rs in (("contracting", lc, rc), ("batch", lb, rb)):
        for dl, dr in zip(ls, rs):
            if lhs.shape[dl] != rhs.shape[dr]:
                raise ShapeError(f"{where}: {kind} dims must match in size, but lhs dim {dl} "
                                 f"has size {lhs.shape[dl]} and rhs dim {dr} has size "
                                 f"{rhs.shape[dr]}.")
    if lhs.dtype != rhs.dtype:
        raise DtypeError(f"{where}: the operands need one dtype. Convert one with "
                         f"convert_element_type (fneedle.numpy.matmul promotes for you).")
    _check_preferred(lhs.dtype, preferred_element_type)
    shape = (tuple(lhs.shape[d] for d in lb) + tuple(lhs.shape[d] for d in _free(lhs.ndim, lc, lb))
             + tuple(rhs.shape[d] for d in _free(rhs.ndim, rc, rb)))
    return ShapedArray(shape, preferred_element_type or lhs.dtype)


def _compute_dtype(in_dtype, out_dtype):
    if in_dtype == dtypes.bool_ and out_dtype == dtypes.bool_:
        return np.dtype(np.bool_)
    if dtypes.is_complex(out_dtype):
        return np.dtype(out_dtype)
    if dtypes.is_float(out_dtype):
        if out_dtype == dtypes.float64 or in_dtype == dtypes.float64:
            return np.dtype(np.float64)
        return np.dtype(np.float32)  # 16-bit floats accumulate in float32
    return np.dtype(np.uint64 if dtypes.is_unsigned(out_dtype) else np.int64)


# Matrix-matrix products of 2-D float operands contracting one dimension each: (lhs
# contracting dim, rhs contracting dim) -> whether to transpose each. BLAS reads transposed
# views directly, so these cost one call and no copies.
_MATRIX_FORMS = {((1,), (0,)): (False, False), ((1,), (1,)): (False, True),
                 ((0,), (0,)): (True, False), ((0,), (1,)): (True, True)}
_BLAS_FLOATS = frozenset([np.dtype(np.float32), np.dtype(np.float64)])


def _dot_general_impl(lhs, rhs, dimension_numbers, precision, preferred_element_type):
    (lc, rc), (lb, rb) = dimension_numbers
    out_dtype = preferred_element_type or lhs.dtype
    form = _MATRIX_FORMS.get((lc, rc)) if lhs.ndim == 2 == rhs.ndim and not lb else None
    if form is not None and lhs.dtype == out_dtype and out_dtype in _BLAS_FLOATS:
        return np.matmul(lhs.T if form[0] else lhs, rhs.T if form[1] else rhs)
    compute = _compute_dtype(lhs.dtype, out_dtype)
    lf, rf = _free(lhs.ndim, lc, lb), _free(rhs.ndim, rc, rb)
    size = lambda shape, ds: math.prod([shape[d] for d in ds])
    b, m, k, n = size(lhs.shape, lb), size(lhs.shape, lf), size(lhs.shape, lc), size(rhs.shape, rf)
    a = np.transpose(lhs, lb + lf + lc).reshape(b, m, k).astype(compute, copy=False)
    c = np.transpose(rhs, rb + rc + rf).reshape(b, k, n).astype(compute, copy=False)
    out = np.matmul(a[0], c[0])[None] if b == 1 else np.matmul(a, c)
    shape = (tuple(lhs.shape[d] for d in lb) + tuple(lhs.shape[d] for d in lf)
             + tuple(rhs.shape[d] for d in rf))
    return out.reshape(shape).astype(out_dtype, copy=False)


def _dot_general_jvp(primals, tangents, **params):
    (lhs, rhs), (tl, tr) = primals, tangents
    out = dot_general_p.bind(lhs, rhs, **params)
    total = Zero(tangent_aval(get_aval(out)))
    if type(tl) is not Zero:
        total = add_tangents(total, dot_general_p.bind(tl, rhs, **params))
    if type(tr) is not Zero:
        total = add_tangents(total, dot_general_p.bind(lhs, tr, **params))
    return out, total


def _transpose_operand(ct, other, dimension_numbers, x_aval, swap):
    """The cotangent of one operand x of dot_general(x, other) (or (other, x) when swap):
    contract ct's dims that came from `other` with other's free dims, then put the dims back
    in x's order."""
    from fneedle.lax.arithmetic import convert_element_type
    from fneedle.lax.shape import transpose
    (xc, oc), (xb, ob) = dimension_numbers
    if swap:
        (oc, xc), (ob, xb) = dimension_numbers
    o_ndim = get_aval(other).ndim
    xf, of = _free(x_aval.ndim, xc, xb), _free(o_ndim, oc, ob)
    nb = len(xb)
    # ct's dims: batch, lhs free, rhs free; other's free dims sit first or last among them.
    start = nb if swap else nb + len(xf)
    ct_other = tuple(range(start, start + len(of)))
    ct_dtype = get_aval(ct).dtype
    if get_aval(other).dtype != ct_dtype:
        other = convert_element_type(other, ct_dtype)
    res = dot_general_p.bind(ct, other, dimension_numbers=((ct_other, of),
                                                           (tuple(range(nb)), ob)),
                             precision=None, preferred_element_type=None)
    # res dims: batch, x's free dims in order, then other's contracting dims in increasing
    # order; each of x's contracting dims takes the place of its partner.
    sorted_oc = sorted(oc)
    src = [0] * x_aval.ndim
    for i, d in enumerate(xb):
        src[d] = i
    for i, d in enumerate(xf):
        src[d] = nb + i
    for dx, do in zip(xc, oc):
        src[dx] = nb + len(xf) + sorted_oc.index(do)
    res = transpose(res, tuple(src))
    if get_aval(res).dtype != x_aval.dtype:
        res = convert_element_type(res, x_aval.dtype)
    return res


def _dot_general_transpose(ct, lhs, rhs, dimension_numbers, precision,
                           preferred_element_type):
    if is_undefined_primal(lhs) and is_undefined_primal(rhs):
        raise ValueError("dot_general is not linear in both operands at once; cannot "
                         "transpose it.")
    if is_undefined_primal(lhs):
        return [_transpose_operand(ct, rhs, dimension_numbers, lhs.aval, swap=False), None]
    return [None, _transpose_operand(ct, lhs, dimension_numbers, rhs.aval, swap=True)]


def _dot_general_batch(args, dims, dimension_numbers, precision, preferred_element_type):
    (lhs, rhs), (ld, rd) = args, dims
    (lc, rc), (lb, rb) = dimension_numbers
    shift = lambda ds: tuple(d + 1 for d in ds)
    if ld is not None and rd is not None:  # a new shared batch dim
        lhs, rhs = move_to_front(lhs, ld), move_to_front(rhs, rd)
        dn = ((shift(lc), shift(rc)), ((0,) + shift(lb), (0,) + shift(rb)))
        out_dim = 0
    elif ld is not None:  # a new free dim of lhs, its first
        lhs = move_to_front(lhs, ld)
        dn = ((shift(lc), rc), (shift(lb), rb))
        out_dim = len(lb)
    else:  # a new free dim of rhs, its first
        rhs = move_to_front(rhs, rd)
        dn = ((lc, shift(rc)), (lb, shift(rb)))
        out_dim = len(lb) + len(_free(get_aval(lhs).ndim, lc, lb))
    out = dot_general_p.bind(lhs, rhs, dimension_numbers=dn, precision=precision,
                             preferred_element_type=preferred_element_type)
    return out, out_dim


dot_general_p.def_impl(_dot_general_impl)
dot_general_p.def_abstract_eval(_dot_general_abstract_eval)
dot_general_p.def_jvp(_dot_general_jvp)
dot_general_p.def_transpose(_dot_general_transpose)
dot_general_p.def_batch(_dot_general_batch)
dot_general_p.weak_type_rule = (
    lambda in_weak, preferred_element_type, **params:
    preferred_element_type is None and all(in_weak))
