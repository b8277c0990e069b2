"""`associative_scan`: a work-efficient parallel prefix scan (Blelloch; JAX's odd/even
recursion) built from slicing ops, so every transformation comes from theirs."""

from fneedle.core import tree_util
from fneedle.core.errors import ShapeError
from fneedle.core.interpreter import get_aval


def associative_scan(fn, elems, reverse=False, axis=0):
    """All prefix combinations of elems along `axis` under an associative fn.

    With fn = add this is a cumulative sum: out[i] = fn(... fn(elems[0], elems[1]) ...,
    elems[i]). It takes O(log n) rounds of vectorized calls to fn and O(n) work in all.

    Args:
      fn: an associative function of two pytrees shaped like elems, applied to whole
        slices along `axis` at once (it must be elementwise in that axis: e.g. lax.add,
        lax.max, or a composition of matrix products written with a batch axis).
      elems: a pytree of arrays with the same size along `axis`.
      reverse: scan from the end (suffix combinations).
      axis: the axis to scan along.
    Returns:
      A pytree shaped like elems.
    Example:
      cumsum = fneedle.lax.associative_scan(fneedle.lax.add, x)
    """
    from fneedle.lax import slicing
    if not callable(fn):
        raise TypeError(f"associative_scan's fn must be callable, got {type(fn).__name__}.")
    leaves, tree = tree_util.tree_flatten(elems)
    if not leaves:
        return elems
    avals = [get_aval(x) for x in leaves]
    for a in avals:
        if not -a.ndim <= axis < a.ndim:
            raise ShapeError(f"associative_scan's axis={axis} is out of range for an element "
                             f"of type {a.str_short()}.")
    axis = axis % avals[0].ndim
    sizes = sorted({a.shape[axis] for a in avals})
    if len(sizes) > 1:
        raise ShapeError(f"associative_scan's elems must have the same size along axis "
                         f"{axis}, got sizes {sizes}.")

    def combine(a, b):
        out = fn(tree_util.tree_unflatten(tree, a), tree_util.tree_unflatten(tree, b))
        out_leaves, out_tree = tree_util.tree_flatten(out)
        if out_tree != tree:
            raise TypeError(f"associative_scan's fn must return the structure of elems "
                            f"{tree}, but it returned {out_tree}.")
        return out_leaves

    def sl(x, start, limit=None, stride=1):
        return slicing.slice_in_dim(x, start, limit, stride, axis)

    def scan_(xs):
        n = get_aval(xs[0]).shape[axis]
        if n < 2:
            return xs
        # Combine adjacent pairs, scan the half-length result (the odd positions), then
        # fill in the even positions from it.
        reduced = combine([sl(x, 0, -1, 2) for x in xs], [sl(x, 1, None, 2) for x in xs])
        odd = scan_(reduced)
        if n % 2 == 0:
            even = combine([sl(x, 0, -1) for x in odd], [sl(x, 2, None, 2) for x in xs])
        else:
            even = combine(odd, [sl(x, 2, None, 2) for x in xs])
        even = [slicing.concatenate([sl(x, 0, 1), e], axis) for x, e in zip(xs, even)]
        return [_interleave(e, o, axis) for e, o in zip(even, odd)]

    if reverse:
        leaves = [slicing.rev(x, (axis,)) for x in leaves]
    out = scan_(leaves)
    if reverse:
        out = [slicing.rev(x, (axis,)) for x in out]
    return tree_util.tree_unflatten(tree, out)


def _interleave(a, b, axis):
    """[a0, b0, a1, b1, ...] along axis; a has as many elements as b, or one more."""
    import numpy as np

    from fneedle.lax import arithmetic, slicing
    aa, ba = get_aval(a), get_aval(b)
    same = aa.shape[axis] == ba.shape[axis]
    a_cfg = [(0, 0, 0)] * aa.ndim
    b_cfg = [(0, 0, 0)] * aa.ndim
    a_cfg[axis] = (0, 1 if same else 0, 1)
    b_cfg[axis] = (1, 0 if same else 1, 1)
    zero = False if aa.dtype == np.bool_ else 0
    op = arithmetic.bitwise_or if aa.dtype == np.bool_ else arithmetic.add
    return op(slicing.pad(a, zero, a_cfg), slicing.pad(b, zero, b_cfg))
