"""Batching: the batch interpreter and `vmap`. Each value carries the position of its batch
dimension (or None when it is the same for every batch member)."""

from fneedle.core import tree_util
from fneedle.core.api_util import flatten_fun, fun_name
from fneedle.core.errors import BatchAxisError, ConcretizationTypeError, user_location
from fneedle.core.interpreter import (Interpreter, Tracer, current_interpreter, get_aval,
                                      set_interpreter, trace_with)


class BatchTracer(Tracer):
    """A batch of values stacked along `batch_dim` of `val`."""

    __slots__ = ("val", "batch_dim")

    def __init__(self, interp, val, batch_dim):
        self._interp = interp
        self.val = val
        self.batch_dim = batch_dim

    @property
    def aval(self):
        aval = get_aval(self.val)
        shape = aval.shape[:self.batch_dim] + aval.shape[self.batch_dim + 1:]
        return aval.update(shape=shape)


class BatchInterpreter(Interpreter):
    """Runs each primitive's batch rule under its parent interpreter."""

    def __init__(self, parent, axis_size, description="vmap"):
        self.parent = parent
        self.axis_size = axis_size
        self.description = description

    def lift(self, x):
        if isinstance(x, BatchTracer) and x._interp is self:
            return x.val, x.batch_dim
        if isinstance(x, Tracer):
            self.check_foreign(x)
        return x, None

    def process_primitive(self, primitive, args, params):
        vals, dims = [], []
        for a in args:
            v, d = self.lift(a)
            vals.append(v)
            dims.append(d)
        if all(d is None for d in dims):
            return self.parent.process_primitive(primitive, vals, params)
        with set_interpreter(self.parent):
            out, out_dim = primitive.rule("batch")(vals, dims, **params)
        if primitive.multiple_results:
            return [self.pack(o, d) for o, d in zip(out, out_dim, strict=True)]
        return self.pack(out, out_dim)

    def pack(self, val, dim):
        return val if dim is None else BatchTracer(self, val, dim)

    def concretize(self, tracer, purpose):
        raise ConcretizationTypeError(
            f"A value batched by {self.description} was used where a concrete value is needed "
            f"({purpose}()) at {user_location()}: it holds a different value for each batch "
            f"member. Use fneedle.numpy.where or fneedle.lax.cond / select_n instead of Python "
            f"control flow on it.")


def batch_flat(flat_fun, args, in_dims, axis_size, description="vmap"):
    """Runs flat_fun on batched args; returns (output values, output batch dims)."""
    interp = BatchInterpreter(current_interpreter(), axis_size, description)
    ins = [interp.pack(a, d) for a, d in zip(args, in_dims, strict=True)]
    pairs = trace_with(interp, flat_fun, ins, lambda outs: [interp.lift(o) for o in outs])
    return [v for v, _ in pairs], [d for _, d in pairs]


def _leaf_axes(axes, tree, what, fun):
    """One axis (or None) per leaf of `tree`, from a pytree prefix `axes`."""
    whose = "arguments" if what == "in_axes" else "outputs"
    try:
        return tree_util.broadcast_prefix(axes, tree, is_leaf=lambda x: x is None)
    except ValueError as e:
        raise BatchAxisError(f"vmap of {fun_name(fun)}: {what} must be an int, None, or a "
                             f"pytree prefix of the {whose}; {e}") from None


def vmap(fun, in_axes=0, out_axes=0, axis_size=None):
    """Vectorizes fun over a batch axis of its inputs.

    Args:
      fun: a function of pytrees of arrays.
      in_axes: an int, None, or a tuple with one entry (a pytree prefix) per positional
        argument, giving the batch axis of each input leaf (None: not batched).
      out_axes: likewise, where the batch axis goes in each output.
      axis_size: the batch size, needed only when no input is batched.
    Returns:
      The batched function.
    Example:
      per_example = fneedle.vmap(fneedle.grad(loss), in_axes=(None, 0, 0))(params, xs, ys)
    """
    if isinstance(in_axes, list):
        in_axes = tuple(in_axes)

    def batched(*args, **kwargs):
        if kwargs:
            raise TypeError(f"vmap of {fun_name(fun)}: pass batched arguments positionally; "
                            f"keyword arguments are not supported.")
        if isinstance(in_axes, tuple) and len(in_axes) != len(args):
            raise BatchAxisError(f"vmap of {fun_name(fun)}: in_axes has {len(in_axes)} "
                                 f"entries but the function was called with {len(args)} "
                                 f"positional arguments; give one entry per argument.")
        axes_tree = in_axes if isinstance(in_axes, tuple) else (in_axes,) * len(args)
        leaves, in_tree = tree_util.tree_flatten((args, {}))
        dims = []
        per_arg = [_leaf_axes(ax, arg, "in_axes", fun) for ax, arg in zip(axes_tree, args)]
        size = axis_size
        arg_of_leaf = [i for i, arg in enumerate(args) for _ in tree_util.tree_leaves(arg)]
        flat_axes = [a for axes in per_arg for a in axes]
        for leaf, ax, argi in zip(leaves, flat_axes, arg_of_leaf, strict=True):
            if ax is None:
                dims.append(None)
                continue
            if not isinstance(ax, int):
                raise BatchAxisError(f"vmap of {fun_name(fun)}: in_axes entries must be ints "
                                     f"or None, got {ax!r} for argument {argi}.")
            shape = get_aval(leaf).shape
            if not -len(shape) <= ax < len(shape):
                raise BatchAxisError(
                    f"vmap of {fun_name(fun)}: in_axes={ax} is out of range for argument "
                    f"{argi} of shape {shape} (rank {len(shape)}).")
            ax %= len(shape)
            if size is None:
                size = shape[ax]
            elif shape[ax] != size:
                raise BatchAxisError(
                    f"vmap of {fun_name(fun)} got inconsistent batch sizes: argument {argi} "
                    f"of shape {shape} has size {shape[ax]} along axis {ax}, but the batch "
                    f"size is {size} (from an earlier argument or axis_size).")
            dims.append(ax)
        if size is None:
            raise BatchAxisError(f"vmap of {fun_name(fun)}: no argument is batched "
                                 f"(in_axes={in_axes!r}); pass axis_size to set the size.")
        flat, store = flatten_fun(fun, in_tree)
        outs, out_dims = batch_flat(flat, leaves, dims, size, f"vmap of {fun_name(fun)}")
        out_tree = store()
        out_struct = tree_util.tree_unflatten(out_tree, [0] * len(outs))
        want = _leaf_axes(out_axes, out_struct, "out_axes", fun)
        return tree_util.tree_unflatten(
            out_tree, [_move_out(o, d, w, size, fun) for o, d, w in zip(outs, out_dims, want)])
    batched.__name__ = f"vmap({fun_name(fun)})"
    return batched


def _move_out(x, dim, want, size, fun):
    from fneedle.lax.batch_rules import move_axis
    from fneedle.lax.shape import broadcast
    if want is None:
        if dim is not None:
            raise BatchAxisError(f"vmap of {fun_name(fun)}: an output has out_axes=None but "
                                 f"it varies across the batch; give it a batch axis.")
        return x
    if dim is None:
        x, dim = broadcast(x, (size,)), 0
    ndim = get_aval(x).ndim
    if not -ndim <= want < ndim:
        raise BatchAxisError(f"vmap of {fun_name(fun)}: out_axes={want} is out of range for an "
                             f"output of rank {ndim}.")
    return move_axis(x, dim, want % ndim)


def batch_jaxpr(closed, axis_size, in_dims, out_dims=None):
    """A closed jaxpr batched along `in_dims` (int or None per input).

    Args:
      out_dims: None to keep each output's natural batch dim, or per output an int (move or
        broadcast the output's batch dim there) or None (keep as it comes out).
    Returns:
      (batched ClosedJaxpr, out_dims: int or None per output).
    """
    from fneedle.core.jaxpr import eval_jaxpr
    from fneedle.core.staging import trace_to_jaxpr
    from fneedle.lax.batch_rules import bdim_at_front, move_axis
    want = [None] * len(closed.jaxpr.outputs) if out_dims is None else list(out_dims)
    box = []

    def f(*args):
        outs, dims = batch_flat(lambda *xs: eval_jaxpr(closed.jaxpr, closed.consts, *xs),
                                args, in_dims, axis_size, "vmap of a jaxpr")
        final, final_dims = [], []
        for o, d, w in zip(outs, dims, want):
            if w is not None:
                o = bdim_at_front(o, d, axis_size)
                o = move_axis(o, 0, w)
                d = w
            final.append(o)
            final_dims.append(d)
        box.append(final_dims)
        return final

    in_avals = []
    for a, d in zip(closed.in_avals, in_dims):
        if d is None:
            in_avals.append(a)
        else:
            shape = list(a.shape)
            shape.insert(d, axis_size)
            in_avals.append(a.update(shape=tuple(shape)))
    out = trace_to_jaxpr(f, in_avals, "vmap of a jaxpr")
    return out, box[-1]
