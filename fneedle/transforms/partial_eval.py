"""Partial evaluation and `linearize` (DESIGN.md 2.2: reverse mode = jvp + partial eval +
transpose).

The partial-eval interpreter sorts values into *known* ones, computed now by its parent, and
*unknown* ones (tangents), whose operations it stages into a linear jaxpr. Known values that
the staged operations use become that jaxpr's constants: the residuals.
"""

from fneedle.core import tree_util
from fneedle.core.api_util import flatten_fun, fun_name
from fneedle.core.errors import ConcretizationTypeError
from fneedle.core.interpreter import current_interpreter, get_aval, set_interpreter
from fneedle.core.linear import tangent_aval
from fneedle.core.staging import StagingInterpreter, StagingTracer
from fneedle.transforms.jvp import JVPInterpreter, JVPTracer


class PartialEvalInterpreter(StagingInterpreter):
    """Stages operations on unknown values; hands operations on known values to its parent."""

    def __init__(self, parent, description="partial evaluation"):
        super().__init__(description)
        self.parent = parent

    def is_unknown(self, x):
        return isinstance(x, StagingTracer) and x._interp is self

    def process_primitive(self, primitive, args, params):
        if not any(self.is_unknown(a) for a in args):
            return self.parent.process_primitive(primitive, args, params)
        if primitive.partial_eval is not None:
            return primitive.partial_eval(self, args, params)
        return super().process_primitive(primitive, args, params)

    def concretize(self, tracer, purpose):
        raise ConcretizationTypeError(
            f"A tangent (linear) value was used where a concrete value is needed "
            f"({purpose}()); tangents are never concrete while {self.description} runs.")


def linearize_flat(flat_fun, primals, description="linearize"):
    """Runs flat_fun forward on `primals` and stages its linearization.

    Returns:
      (primal outputs, ClosedJaxpr from input tangents to output tangents; its consts are
      the residuals).
    """
    from fneedle.lax.ad_rules import instantiate
    pe = PartialEvalInterpreter(current_interpreter(), f"{description} (tangents)")
    jvp_interp = JVPInterpreter(pe, description)
    tangents = [pe.new_input(tangent_aval(get_aval(p))) for p in primals]
    ins = [JVPTracer(jvp_interp, p, t) for p, t in zip(primals, tangents)]
    try:
        with set_interpreter(jvp_interp):
            outs = flat_fun(*ins)
        pairs = [jvp_interp.lift(o) for o in outs]
        with set_interpreter(pe):
            out_tangents = [instantiate(t) for _, t in pairs]
        linear = pe.build(out_tangents)
    finally:
        jvp_interp.alive = False
        pe.alive = False
    return [p for p, _ in pairs], linear


def linearize(fun, *primals):
    """fun(*primals) and a linear function computing its jvp at primals.

    The linear function's staged program is available as `f_jvp.jaxpr`.
    Returns:
      (primals_out, f_jvp) with f_jvp(*tangents) == jvp(fun, primals, tangents)[1].
    Example:
      y, f_jvp = fneedle.linearize(fneedle.numpy.sin, x); f_jvp(1.0)  # == cos(x)
    """
    from fneedle.core.array import Array
    from fneedle.core.jaxpr import eval_jaxpr
    leaves, in_tree = tree_util.tree_flatten((primals, {}))
    flat, store = flatten_fun(fun, in_tree)
    out_primals, linear = linearize_flat(flat, leaves, f"linearize of {fun_name(fun)}")
    out_tree = store()
    in_avals = [tangent_aval(get_aval(x)) for x in leaves]

    def f_jvp(*tangents):
        t_leaves, t_tree = tree_util.tree_flatten((tangents, {}))
        if t_tree != in_tree:
            raise TypeError(f"The linearized function takes tangents shaped like the primals "
                            f"{in_tree}, got {t_tree}.")
        import numpy as np
        t_leaves = [Array(np.asarray(t, a.dtype)) if isinstance(t, (int, float)) else t
                    for t, a in zip(t_leaves, in_avals)]
        outs = eval_jaxpr(linear.jaxpr, linear.consts, *t_leaves)
        return tree_util.tree_unflatten(out_tree, outs)
    f_jvp.jaxpr = linear
    return tree_util.tree_unflatten(out_tree, out_primals), f_jvp



def partial_eval_jaxpr(closed, unknowns, instantiate=False):
    """Splits a closed jaxpr into the part computable from its known inputs and the rest.

    Args:
      unknowns: per input, whether it is unknown. instantiate: bool or per-output list of
        outputs to make unknown even if they are known.
    Returns:
      (known, unknown, out_unknowns, num_residuals): `known` maps the known inputs to the
      known outputs followed by the residuals; `unknown` maps (residuals, unknown inputs) to
      the unknown outputs.
    """
    from fneedle.core.jaxpr import ClosedJaxpr, Jaxpr, eval_jaxpr
    n_out = len(closed.jaxpr.outputs)
    inst = [instantiate] * n_out if isinstance(instantiate, bool) else list(instantiate)
    known_interp = StagingInterpreter("partial evaluation (known part)")
    pe = PartialEvalInterpreter(known_interp, "partial evaluation (unknown part)")
    args = [pe.new_input(a) if unk else known_interp.new_input(a)
            for a, unk in zip(closed.in_avals, unknowns)]
    try:
        with set_interpreter(pe):
            outs = eval_jaxpr(closed.jaxpr, closed.consts, *args)
        out_unknowns = [pe.is_unknown(o) or want for o, want in zip(outs, inst)]
        unknown = pe.build([o for o, u in zip(outs, out_unknowns) if u])
        residuals = unknown.consts
        known = known_interp.build([o for o, u in zip(outs, out_unknowns) if not u]
                                   + residuals)
    finally:
        pe.alive = False
        known_interp.alive = False
    uj = unknown.jaxpr
    unknown = ClosedJaxpr(Jaxpr([], uj.constvars + uj.inputs, uj.equations, uj.outputs), [])
    return known, unknown, out_unknowns, len(residuals)
