"""concatenate: operands joined along one dimension."""

import builtins
import operator

import numpy as np

from fneedle.core.aval import ShapedArray
from fneedle.core.errors import DtypeError, ShapeError
from fneedle.core.interpreter import get_aval
from fneedle.core.linear import is_undefined_primal
from fneedle.core.primitive import Primitive
from fneedle.lax.ad_rules import linear_jvp, primal_aval
from fneedle.lax.batch_rules import batch_size, bdim_at_front
from fneedle.lax.static_slicing import slice
from fneedle.lax.wrapper_checks import checked_bind

# ---------------------------------------------------------------------------------------
# concatenate

concatenate_p = Primitive("concatenate")


def concatenate(operands, dimension):
    """The operands joined along `dimension`; their other dimensions and dtypes must agree.

    Example: concatenate([x, y], 0) stacks the rows of x above those of y.
    """
    operands = list(operands)
    if not operands:
        raise ValueError("concatenate needs at least one operand.")
    if len(operands) == 1:
        return operands[0]
    ndim = get_aval(operands[0]).ndim
    dimension = operator.index(dimension)
    if ndim and -ndim <= dimension < 0:
        dimension += ndim
    return checked_bind(concatenate_p, *operands, dimension=dimension)


def _concatenate_abstract_eval(*avals, dimension):
    first = avals[0]
    listing = ", ".join(a.str_short() for a in avals)
    if not 0 <= dimension < first.ndim:
        raise ShapeError(f"concatenate along dimension {dimension} needs operands of rank > "
                         f"{dimension}, got {listing}.")
    for a in avals[1:]:
        if a.dtype != first.dtype:
            raise DtypeError(f"concatenate needs operands of one dtype, got {listing}. "
                             f"Convert them with convert_element_type first.")
        if a.ndim != first.ndim or any(m != n for d, (m, n) in enumerate(
                zip(a.shape, first.shape)) if d != dimension):
            raise ShapeError(f"concatenate along dimension {dimension} needs operands whose "
                             f"other dimensions agree, got {listing}.")
    size = builtins.sum(a.shape[dimension] for a in avals)
    shape = first.shape[:dimension] + (size,) + first.shape[dimension + 1:]
    return ShapedArray(shape, first.dtype)


def _concatenate_transpose(ct, *operands, dimension):
    ct_shape = get_aval(ct).shape
    out, offset = [], 0
    for x in operands:
        n = primal_aval(x).shape[dimension]
        if is_undefined_primal(x):
            start = tuple(offset if d == dimension else 0 for d in range(len(ct_shape)))
            limit = tuple(offset + n if d == dimension else s for d, s in enumerate(ct_shape))
            out.append(slice(ct, start, limit))
        else:
            out.append(None)
        offset += n
    return out


def _concatenate_batch(args, dims, dimension):
    size = batch_size(args, dims)
    moved = [bdim_at_front(x, d, size) for x, d in zip(args, dims)]
    return concatenate_p.bind(*moved, dimension=dimension + 1), 0


concatenate_p.def_impl(lambda *xs, dimension: np.concatenate(xs, axis=dimension))
concatenate_p.def_abstract_eval(_concatenate_abstract_eval)
linear_jvp(concatenate_p)
concatenate_p.def_transpose(_concatenate_transpose)
concatenate_p.def_batch(_concatenate_batch)
