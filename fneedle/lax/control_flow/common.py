"""Shared by the control-flow primitives: tracing Python functions of pytrees to closed
jaxprs (with closure conversion), checking that bodies and branches agree on types, small
jaxpr surgery (reordering inputs and outputs), and running bodies as compiled executables."""


import numpy as np

from fneedle.core import tree_util
from fneedle.core.derived_cache import DerivedCache
from fneedle.core.interpreter import Tracer, get_aval
from fneedle.core.jaxpr import ClosedJaxpr, Jaxpr, Var
from fneedle.core.staging import trace_to_jaxpr

# ---------------------------------------------------------------------------------------
# Tracing.

def trace_fun(fun, in_tree, in_avals, description, check_out=None):
    """Traces `fun(*args)`, args being `in_tree` unflattened over abstract inputs.

    Args:
      fun: a Python function of pytrees of arrays.
      in_tree: the PyTreeDef of the tuple of arguments; in_avals: one aval per leaf.
      description: names the tracing in error messages (e.g. "the body of scan").
      check_out: optional; called with fun's output, returns (leaves, out_info) so callers
        can split structured outputs (e.g. scan's (carry, y) pair); default tree_flatten.
    Returns:
      (closed, consts, out_info): `closed` takes the hoisted constants first, then the
      flattened arguments. Constants captured by `fun` that are tracers of enclosing
      transformations become explicit operands (`consts`, closure conversion), so that the
      primitive carrying `closed` sees, and transformations differentiate, them.
    """
    box = []

    def flat(*leaves):
        args = tree_util.tree_unflatten(in_tree, leaves)
        out = fun(*args)
        out_leaves, info = (check_out or tree_util.tree_flatten)(out)
        box.append(info)
        return list(out_leaves)

    closed = trace_to_jaxpr(flat, list(in_avals), description)
    closed, consts = hoist_tracer_consts(closed)
    return closed, consts, box[-1]


def hoist_tracer_consts(closed):
    """Moves the consts of `closed` that are tracers to leading inputs.

    Returns:
      (ClosedJaxpr taking those consts first, the list of tracer values).
    """
    jaxpr = closed.jaxpr
    moved = [i for i, c in enumerate(closed.consts) if isinstance(c, Tracer)]
    if not moved:
        return closed, []
    kept = [i for i in range(len(jaxpr.constvars)) if i not in set(moved)]
    new = Jaxpr([jaxpr.constvars[i] for i in kept],
                [jaxpr.constvars[i] for i in moved] + jaxpr.inputs,
                jaxpr.equations, jaxpr.outputs)
    return ClosedJaxpr(new, [closed.consts[i] for i in kept]), [closed.consts[i] for i in moved]


def eval_closed(closed, args):
    """Evaluates a closed jaxpr with the current interpreter."""
    from fneedle.core.jaxpr import eval_jaxpr
    return eval_jaxpr(closed.jaxpr, closed.consts, *args)


# ---------------------------------------------------------------------------------------
# Types.

class _Short:
    """Prints as an aval's short form, so a pytree of them reads like `(f32[3], i32[])`."""

    def __init__(self, aval):
        self.aval = aval

    def __repr__(self):
        return self.aval.str_short() + ("*" if self.aval.weak_type else "")


def tree_type_str(tree, avals):
    """A pytree of avals as text, e.g. `{'a': f32[3], 'b': (i32[], f32[])}` (* = weak)."""
    return repr(tree_util.tree_unflatten(tree, [_Short(a) for a in avals]))


def same_type(a, b):
    """Shape and dtype agree (weak types may differ: they are resolved by promotion)."""
    return a.shape == b.shape and a.dtype == b.dtype


def weak_promotions(in_avals, out_avals):
    """Per carry: the dtype to convert a weakly typed input to, or None.

    A carry that comes in weakly typed (a Python scalar) takes the type the body gives it,
    as in JAX: `fori_loop(0, 3, lambda i, x: x * w, 1.0)` with w float64 carries float64.
    """
    out = []
    for a, b in zip(in_avals, out_avals, strict=True):
        if a.weak_type and a.shape == b.shape and (a.dtype != b.dtype or not b.weak_type):
            out.append(b.dtype)
        else:
            out.append(None)
    return out


def promote_leaves(leaves, dtypes_to):
    """Converts the leaves whose entry in `dtypes_to` is not None to that (strong) dtype."""
    from fneedle.lax.arithmetic import convert_element_type
    return [x if d is None else convert_element_type(x, d, weak_type=False)
            for x, d in zip(leaves, dtypes_to, strict=True)]


def check_carry(what, tree_in, avals_in, tree_out, avals_out):
    """Raises a TypeError naming both types if a loop's carry changes type in the body."""
    if tree_in != tree_out or len(avals_in) != len(avals_out) or not all(
            same_type(a, b) for a, b in zip(avals_in, avals_out)):
        raise TypeError(
            f"{what} must return a carry of the same type as its input (pytree structure, "
            f"shapes and dtypes), but the input carry has type "
            f"{tree_type_str(tree_in, avals_in)} and the returned carry has type "
            f"{tree_type_str(tree_out, avals_out)}. Make the body return values shaped and "
            f"typed like the initial value (e.g. cast with .astype).")


def scalar_bool_aval(aval):
    return aval.shape == () and aval.dtype == np.bool_


# ---------------------------------------------------------------------------------------
# Jaxpr surgery: cheap rebuilds that reorder, drop or add inputs and outputs.

def reorder(closed, inputs=None, outputs=None):
    """A closed jaxpr whose i-th input is old input inputs[i] and whose j-th output is old
    output outputs[j] (None keeps the order). Every old input must appear exactly once."""
    jaxpr = closed.jaxpr
    ins = jaxpr.inputs if inputs is None else [jaxpr.inputs[i] for i in inputs]
    if inputs is not None:
        assert sorted(inputs) == list(range(len(jaxpr.inputs))), inputs
    outs = jaxpr.outputs if outputs is None else [jaxpr.outputs[i] for i in outputs]
    return ClosedJaxpr(Jaxpr(jaxpr.constvars, ins, jaxpr.equations, outs), closed.consts)


def with_unused_inputs(closed, position, avals):
    """A closed jaxpr that takes extra, ignored inputs of `avals` before input `position`."""
    jaxpr = closed.jaxpr
    extra = [Var(a) for a in avals]
    ins = jaxpr.inputs[:position] + extra + jaxpr.inputs[position:]
    return ClosedJaxpr(Jaxpr(jaxpr.constvars, ins, jaxpr.equations, jaxpr.outputs),
                       closed.consts)


def dce_jaxpr(closed):
    """Removes equations whose outputs are not used (none of ours has side effects)."""
    from fneedle.core.jaxpr import Literal
    jaxpr = closed.jaxpr
    live = {x for x in jaxpr.outputs if type(x) is not Literal}
    kept = []
    for eq in reversed(jaxpr.equations):
        if eq.primitive.effectful or any(v in live for v in eq.outputs):
            kept.append(eq)
            live.update(x for x in eq.inputs if type(x) is not Literal)
    kept.reverse()
    return ClosedJaxpr(Jaxpr(jaxpr.constvars, jaxpr.inputs, kept, jaxpr.outputs),
                       closed.consts)


def take_outputs(closed, keep):
    """The closed jaxpr computing only the outputs at positions `keep`, dead code removed."""
    return dce_jaxpr(reorder(closed, outputs=list(keep)))


def split_list(xs, sizes):
    """Splits xs into consecutive pieces of `sizes` (and the rest, if any, last)."""
    out, i = [], 0
    for n in sizes:
        out.append(list(xs[i:i + n]))
        i += n
    out.append(list(xs[i:]))
    return out


# ---------------------------------------------------------------------------------------
# Derived jaxprs are cached per jaxpr object, so transforming the same loop repeatedly (a
# jitted training step, grad of grad) reuses them and their compiled executables.

cached = DerivedCache().get


def jvp_of(closed, nonzeros, instantiate=False):
    """Cached `jvp_jaxpr`: (jvp jaxpr of (primals, nonzero tangents), out_nonzeros)."""
    from fneedle.transforms.jvp import jvp_jaxpr
    key = ("jvp", tuple(nonzeros), _flags(instantiate))
    return cached(closed, key, lambda: jvp_jaxpr(closed, list(nonzeros), _arg(instantiate)))


def partial_eval_of(closed, unknowns, instantiate=False):
    """Cached `partial_eval_jaxpr`: (known, unknown, out_unknowns, num_residuals)."""
    from fneedle.transforms.partial_eval import partial_eval_jaxpr
    key = ("pe", tuple(unknowns), _flags(instantiate))
    return cached(closed, key,
                  lambda: partial_eval_jaxpr(closed, list(unknowns), _arg(instantiate)))


def batch_of(closed, size, in_dims, out_dims=None):
    """Cached `batch_jaxpr`: (batched jaxpr, out_dims)."""
    from fneedle.transforms.vmap import batch_jaxpr
    out_dims = None if out_dims is None else tuple(out_dims)
    key = ("batch", size, tuple(in_dims), out_dims)
    return cached(closed, key, lambda: batch_jaxpr(closed, size, tuple(in_dims), out_dims))


def transpose_of(closed, linear):
    """Cached `transpose_jaxpr`: (non-linear inputs, output cts) -> linear inputs' cts."""
    from fneedle.transforms.grad import transpose_jaxpr
    return cached(closed, ("transpose", tuple(linear)),
                  lambda: transpose_jaxpr(closed, list(linear)))


def _flags(x):
    return x if isinstance(x, bool) else tuple(x)


def _arg(x):
    return x if isinstance(x, bool) else list(x)


def fixpoint(flags, step):
    """The least flags >= `flags` (elementwise, False < True) that `step` maps below
    themselves: e.g. the carries with nonzero tangents, given that a carry whose tangent is
    zero on entry may leave the body with a nonzero one.

    Args:
      flags: a list of bools, one per carry. step: flags -> list of bools, per carry.
    """
    flags = list(flags)
    for _ in range(len(flags) + 1):
        new = [a or b for a, b in zip(flags, step(flags), strict=True)]
        if new == flags:
            return flags
        flags = new
    raise AssertionError("unreachable: each round adds a flag")


# ---------------------------------------------------------------------------------------
# Eager evaluation of bodies.

def executable(closed):
    """The compiled Executable of a closed jaxpr (compiled once per jaxpr object)."""
    from fneedle.transforms.compiler import compile_jaxpr
    return compile_jaxpr(closed)


def run(exe, bufs):
    """Runs an Executable on NumPy buffers; returns NumPy arrays."""
    return [o if type(o) is np.ndarray else np.asarray(o) for o in exe.run(list(bufs))]


def aval_of(x):
    return get_aval(x)
