"""Forward mode: the JVP interpreter and `jvp`. Tangents may be symbolic zeros, which cost
nothing: a primitive whose inputs all have zero tangents runs only its primal."""

from fneedle.core import tree_util
from fneedle.core.api_util import flatten_fun, fun_name
from fneedle.core.interpreter import (Interpreter, Tracer, current_interpreter, get_aval,
                                      set_interpreter, trace_with)
from fneedle.core.linear import Zero, tangent_aval


class JVPTracer(Tracer):
    """A primal value paired with its tangent."""

    __slots__ = ("primal", "tangent")

    def __init__(self, interp, primal, tangent):
        self._interp = interp
        self.primal = primal
        self.tangent = tangent

    @property
    def aval(self):
        return get_aval(self.primal)


class JVPInterpreter(Interpreter):
    """Runs each primitive's jvp rule under its parent interpreter."""

    def __init__(self, parent, description="jvp"):
        self.parent = parent
        self.description = description

    def lift(self, x):
        """(primal, tangent) of x; values this interpreter does not own have zero tangent."""
        if isinstance(x, JVPTracer) and x._interp is self:
            return x.primal, x.tangent
        if isinstance(x, Tracer):
            self.check_foreign(x)
        return x, Zero(tangent_aval(get_aval(x)))

    def process_primitive(self, primitive, args, params):
        primals, tangents = [], []
        for a in args:
            p, t = self.lift(a)
            primals.append(p)
            tangents.append(t)
        with set_interpreter(self.parent):
            if all(type(t) is Zero for t in tangents):
                return primitive.bind(*primals, **params)
            out, out_tangent = primitive.rule("jvp")(primals, tangents, **params)
        if primitive.multiple_results:
            return [self.pack(p, t) for p, t in zip(out, out_tangent, strict=True)]
        return self.pack(out, out_tangent)

    def pack(self, primal, tangent):
        return primal if type(tangent) is Zero else JVPTracer(self, primal, tangent)

    def concretize(self, tracer, purpose):
        # Under forward mode the primal is known: Python control flow on it is fine.
        return tracer.primal


def jvp_flat(flat_fun, primals, tangents, description="jvp"):
    """Runs flat_fun on JVP tracers; returns (primal outputs, tangent outputs or Zero)."""
    interp = JVPInterpreter(current_interpreter(), description)
    ins = [interp.pack(p, t) for p, t in zip(primals, tangents, strict=True)]
    pairs = trace_with(interp, flat_fun, ins, lambda outs: [interp.lift(o) for o in outs])
    return [p for p, _ in pairs], [t for _, t in pairs]


def jvp(fun, primals, tangents, has_aux=False):
    """Evaluates fun and its directional derivative: (fun(*primals), J @ tangents).

    Args:
      fun: a function of pytrees of arrays.
      primals, tangents: tuples of arguments and of tangents of the same structure.
      has_aux: fun returns (output, aux); aux is returned third, undifferentiated.
    Returns:
      (primals_out, tangents_out[, aux]).
    Example:
      y, dy = fneedle.jvp(fneedle.numpy.sin, (x,), (1.0,))  # dy == cos(x)
    """
    from fneedle.core.array import Array
    from fneedle.lax.ad_rules import instantiate
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError("jvp takes tuples (or lists) of primals and tangents, e.g. "
                        "jvp(f, (x,), (t,)).")
    p_leaves, p_tree = tree_util.tree_flatten(tuple(primals))
    t_leaves, t_tree = tree_util.tree_flatten(tuple(tangents))
    if p_tree != t_tree:
        raise TypeError(f"jvp: primals and tangents must have the same structure; got "
                        f"{p_tree} and {t_tree}.")
    t_in = []
    for i, (p, t) in enumerate(zip(p_leaves, t_leaves)):
        pa, ta = get_aval(p), get_aval(t)
        if pa.shape != ta.shape:
            raise ValueError(f"jvp: primal {i} has shape {pa.shape} but its tangent has "
                             f"shape {ta.shape}; they must match.")
        if isinstance(t, (bool, int, float)) and not isinstance(t, Tracer):
            import numpy as np
            t = Array(np.asarray(t, pa.dtype))
        t_in.append(t)
    flat, store = flatten_fun(fun, tree_util.tree_structure((tuple(primals), {})))
    out_p, out_t = jvp_flat(flat, p_leaves, t_in,
                            description=f"jvp of {fun_name(fun)}")
    out_tree = store()
    out_t = [instantiate(t) for t in out_t]
    if has_aux:  # fun returned (output, aux): aux's tangents are dropped
        out_p_tree, aux = tree_util.tree_unflatten(out_tree, out_p)
        main_tree = tree_util.tree_structure(out_p_tree)
        return out_p_tree, tree_util.tree_unflatten(main_tree,
                                                     out_t[:main_tree.num_leaves]), aux
    return (tree_util.tree_unflatten(out_tree, out_p),
            tree_util.tree_unflatten(out_tree, out_t))



def jvp_jaxpr(closed, nonzeros, instantiate=False):
    """The jvp of a closed jaxpr, as a jaxpr of (primals, nonzero tangents).

    Args:
      closed: the ClosedJaxpr. nonzeros: per input, whether its tangent is nonzero.
      instantiate: bool or per-output list: output tangents to materialize even if zero.
    Returns:
      (jvp ClosedJaxpr returning primal outputs then the nonzero output tangents,
       out_nonzeros).
    """
    from fneedle.core.jaxpr import eval_jaxpr
    from fneedle.core.staging import trace_to_jaxpr
    from fneedle.lax.ad_rules import instantiate as materialize
    n_out = len(closed.jaxpr.outputs)
    inst = [instantiate] * n_out if isinstance(instantiate, bool) else list(instantiate)
    in_avals = closed.in_avals
    box = []

    def f(*args):
        primals = args[:len(in_avals)]
        it = iter(args[len(in_avals):])
        tangents = [next(it) if nz else Zero(tangent_aval(a))
                    for nz, a in zip(nonzeros, in_avals)]
        out_p, out_t = jvp_flat(lambda *xs: eval_jaxpr(closed.jaxpr, closed.consts, *xs),
                                primals, tangents)
        out_t = [materialize(t) if want else t for t, want in zip(out_t, inst)]
        box.append([type(t) is not Zero for t in out_t])
        return list(out_p) + [t for t in out_t if type(t) is not Zero]

    t_avals = [tangent_aval(a) for a, nz in zip(in_avals, nonzeros) if nz]
    out = trace_to_jaxpr(f, list(in_avals) + t_avals, "jvp of a jaxpr")
    return out, box[-1]
