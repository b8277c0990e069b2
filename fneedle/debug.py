"""Debugging inside transformed code: `fneedle.debug.print` and `fneedle.debug.callback`, and
the NaN check (`fneedle.config.update('debug_nans', True)`)."""

import numpy as np

from fneedle.core import tree_util
from fneedle.core.interpreter import get_aval
from fneedle.core.jaxpr import pp_equation, _Names
from fneedle.core.primitive import Primitive

debug_callback_p = Primitive("debug_callback", multiple_results=True)
debug_callback_p.effectful = True


def _callback_impl(*args, callback, in_tree):
    callback(*tree_util.tree_unflatten(in_tree, [np.asarray(a) for a in args]))
    return []


def _callback_batch(args, dims, callback, in_tree):
    from fneedle.lax.batch_rules import bdim_at_front
    size = next(get_aval(a).shape[d] for a, d in zip(args, dims) if d is not None)
    debug_callback_p.bind(*[bdim_at_front(a, d, size) for a, d in zip(args, dims)],
                          callback=callback, in_tree=in_tree)
    return [], []


def _callback_jvp(primals, tangents, callback, in_tree):
    debug_callback_p.bind(*primals, callback=callback, in_tree=in_tree)
    return [], []


debug_callback_p.def_impl(_callback_impl)
debug_callback_p.def_abstract_eval(lambda *avals, callback, in_tree: [])
debug_callback_p.def_batch(_callback_batch)
debug_callback_p.def_jvp(_callback_jvp)
# Inside a linear (tangent) program a callback prints nothing on the way back.
debug_callback_p.def_transpose(lambda cts, *args, callback, in_tree: [None] * len(args))


def callback(fn, *args, **kwargs):
    """Calls fn(*args, **kwargs) with concrete NumPy values, also from inside jit/vmap/grad.

    The call happens when the values exist: at run time under jit, once per batch (with the
    whole batch) under vmap.
    """
    leaves, in_tree = tree_util.tree_flatten((args, kwargs))

    def call(a, kw):
        fn(*a, **kw)
    debug_callback_p.bind(*leaves, callback=_Unpack(call), in_tree=in_tree)


class _Unpack:
    """Calls fn(args, kwargs) from the (args, kwargs) pair a callback receives."""

    def __init__(self, fn):
        self.fn = fn

    def __call__(self, args, kwargs):
        self.fn(args, kwargs)

    def __repr__(self):
        return "callback"


def print(fmt, *args, **kwargs):  # noqa: A001 (fneedle.debug.print, as jax.debug.print)
    """Prints `fmt.format(*args, **kwargs)` with the run-time values, also inside jit.

    Example: fneedle.debug.print("loss = {}", loss)
    """
    import builtins
    callback(lambda *a, **k: builtins.print(fmt.format(*a, **k)), *args, **kwargs)


# ---------------------------------------------------------------------------------------
# NaN checking.

def _has_nan(x):
    x = np.asarray(x)
    return x.dtype.kind == "f" and x.size and bool(np.isnan(x).any())


def check_nans_in_jaxpr(closed, args):
    """Re-runs a jaxpr op by op; raises FloatingPointError at the first equation that turns
    NaN-free inputs into a NaN."""
    from fneedle.core.eval import eval_interpreter
    from fneedle.core.jaxpr import Literal
    jaxpr = closed.jaxpr
    env = dict(zip(jaxpr.constvars, closed.consts))
    env.update(zip(jaxpr.inputs, args))
    names = _Names()
    for i, eq in enumerate(jaxpr.equations):
        ins = [x.val if type(x) is Literal else env[x] for x in eq.inputs]
        out = eval_interpreter.process_primitive(eq.primitive, ins, eq.params)
        outs = out if eq.primitive.multiple_results else [out]
        env.update(zip(eq.outputs, outs))
        if any(_has_nan(o) for o in outs) and not any(_has_nan(x) for x in ins):
            raise FloatingPointError(
                f"NaN produced by primitive '{eq.primitive.name}' (equation {i}: "
                f"{pp_equation(eq, names)}). Its inputs had no NaN. Check the inputs to this "
                f"operation (log of a negative number, 0/0, inf-inf, sqrt of a negative...).")


__all__ = ["print", "callback", "check_nans_in_jaxpr"]
