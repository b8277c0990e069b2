"""`checkpoint` (alias `remat`): save less in the forward pass, recompute in the backward pass.

`remat_p` is a call primitive. Under linearize, its partial-eval rule computes the primal
outputs and keeps as residuals only the remat call's own inputs plus what the policy allows
(e.g. dot products); the staged linear equation is a remat call of the whole jvp jaxpr, and
its transpose rule recomputes the rest from those residuals before transposing.
"""

import functools

from fneedle.core import tree_util
from fneedle.core.api_util import flatten_fun, fun_name
from fneedle.core.interpreter import Tracer, get_aval
from fneedle.core.jaxpr import ClosedJaxpr, Jaxpr, Var, eval_jaxpr
from fneedle.core.linear import Zero, is_undefined_primal, tangent_aval
from fneedle.core.primitive import Primitive
from fneedle.core.staging import StagingInterpreter, trace_to_jaxpr
from fneedle.transforms.call_primitive import define_call_primitive


# --- policies: which values computed inside the checkpointed function may be saved --------

def nothing_saveable(primitive, params):
    """Save nothing: recompute everything in the backward pass."""
    return False


def everything_saveable(primitive, params):
    """Save everything (no recompute: the same as no checkpoint)."""
    return True


def dots_saveable(primitive, params):
    """Save the results of matrix products; recompute the cheap elementwise work."""
    return primitive.name == "dot_general"


checkpoint_policies = type("checkpoint_policies", (), {
    "nothing_saveable": staticmethod(nothing_saveable),
    "everything_saveable": staticmethod(everything_saveable),
    "dots_saveable": staticmethod(dots_saveable),
    "checkpoint_dots": staticmethod(dots_saveable),
})


remat_p = Primitive("checkpoint", multiple_results=True)


def _remat_jvp(primals, tangents, jaxpr, policy, prevent_cse):
    from fneedle.transforms.jvp import jvp_jaxpr
    nonzeros = [type(t) is not Zero for t in tangents]
    new, out_nz = jvp_jaxpr(jaxpr, nonzeros)
    outs = remat_p.bind(*primals, *[t for t in tangents if type(t) is not Zero], jaxpr=new,
                        policy=policy, prevent_cse=prevent_cse)
    n = len(jaxpr.out_avals)
    it = iter(outs[n:])
    return outs[:n], [next(it) if nz else Zero(tangent_aval(a))
                      for nz, a in zip(out_nz, jaxpr.out_avals)]


def _remat_batch(args, dims, jaxpr, policy, prevent_cse):
    from fneedle.transforms.vmap import batch_jaxpr
    size = next(get_aval(a).shape[d] for a, d in zip(args, dims) if d is not None)
    new, out_dims = batch_jaxpr(jaxpr, size, list(dims))
    return remat_p.bind(*args, jaxpr=new, policy=policy, prevent_cse=prevent_cse), out_dims


def _saved_residuals(known, n_known_outs, policy):
    """Which residual outputs of the known jaxpr the policy lets us keep. Residuals that are
    inputs, constants or literals are never saved: the recomputation has them anyway."""
    producer = {}
    for eq in known.jaxpr.equations:
        for v in eq.outputs:
            producer[v] = eq
    saved = []
    for x in known.jaxpr.outputs[n_known_outs:]:
        eq = producer.get(x) if type(x) is Var else None
        saved.append(eq is not None and bool(policy(eq.primitive, eq.params)))
    return saved


def _remat_partial_eval(pe, args, params):
    """Known outputs now; the unknown ones staged as a remat of the jvp jaxpr that
    recomputes what was not saved."""
    from fneedle.transforms.compiler.passes import dce
    from fneedle.transforms.partial_eval import partial_eval_jaxpr
    jaxpr, policy = params["jaxpr"], params["policy"]
    unknowns = [pe.is_unknown(a) for a in args]
    known, unknown, out_unk, n_res = partial_eval_jaxpr(jaxpr, unknowns)
    n_known_outs = len(known.jaxpr.outputs) - n_res
    saved = _saved_residuals(known, n_known_outs, policy)
    # The known side returns its outputs plus the residuals the policy saves.
    kj = known.jaxpr
    keep_outs = kj.outputs[:n_known_outs] + [x for x, s in zip(kj.outputs[n_known_outs:], saved)
                                             if s]
    known_kept = dce(ClosedJaxpr(Jaxpr(kj.constvars, kj.inputs, kj.equations, keep_outs),
                                 known.consts))
    known_args = [a for a, u in zip(args, unknowns) if not u]
    outs = pe.parent.process_primitive(remat_p, known_args, {**params, "jaxpr": known_kept})
    known_outs, saved_vals = outs[:n_known_outs], outs[n_known_outs:]
    # The staged side recomputes the unsaved residuals from the known inputs.
    recompute = _recompute_jaxpr(known, n_known_outs, saved, unknown)
    unknown_args = [a for a, u in zip(args, unknowns) if u]
    staged = StagingInterpreter.process_primitive(
        pe, remat_p, known_args + list(saved_vals) + unknown_args,
        {**params, "jaxpr": recompute})
    k, u = iter(known_outs), iter(staged)
    return [next(u) if unk else next(k) for unk in out_unk]


def _recompute_jaxpr(known, n_known_outs, saved, unknown):
    """A jaxpr of (known inputs, saved residuals, unknown inputs) -> unknown outputs that
    recomputes the residuals not saved."""
    from fneedle.transforms.compiler.passes import dce
    kj = known.jaxpr
    residual_vars = kj.outputs[n_known_outs:]
    saved_vars = [x for x, s in zip(residual_vars, saved) if s]
    # Fresh input variables stand for the saved residuals; equations defining them go.
    saved_inputs = [Var(x.aval) for x in saved_vars]
    subst = {x: n for x, n in zip(saved_vars, saved_inputs) if type(x) is Var}
    body = []
    for eq in kj.equations:
        if any(v in subst for v in eq.outputs):
            continue
        body.append(type(eq)(eq.primitive, [subst.get(x, x) if type(x) is Var else x
                                             for x in eq.inputs], eq.params, eq.outputs))
    unknown_res_inputs = unknown.jaxpr.inputs[:len(residual_vars)]
    unknown_rest = unknown.jaxpr.inputs[len(residual_vars):]
    # Link the unknown jaxpr's residual inputs to the (recomputed or saved) values.
    link = {}
    for r_in, r in zip(unknown_res_inputs, residual_vars):
        link[r_in] = subst.get(r, r) if type(r) is Var else r
    for eq in unknown.jaxpr.equations:
        body.append(type(eq)(eq.primitive, [link.get(x, x) if type(x) is Var else x
                                             for x in eq.inputs], eq.params, eq.outputs))
    outs = [link.get(x, x) if type(x) is Var else x for x in unknown.jaxpr.outputs]
    closed = ClosedJaxpr(Jaxpr(kj.constvars, kj.inputs + saved_inputs + unknown_rest, body,
                               outs), known.consts)
    return dce(closed)


def _remat_transpose(cts, *args, jaxpr, policy, prevent_cse):
    """Recompute the non-linear part from the known inputs, then transpose the rest."""
    from fneedle.lax.ad_rules import instantiate
    from fneedle.transforms.grad import backward_pass
    from fneedle.transforms.partial_eval import partial_eval_jaxpr
    linear = [is_undefined_primal(a) for a in args]
    known, unknown, out_unk, n_res = partial_eval_jaxpr(jaxpr, linear)
    known_vals = eval_jaxpr(known.jaxpr, known.consts,
                            *[a for a, lin in zip(args, linear) if not lin])
    residuals = known_vals[len(known_vals) - n_res:]
    lin_args = [a for a in args if is_undefined_primal(a)]
    cts_unknown = [instantiate(c) if not isinstance(c, Zero) else c
                   for c, u in zip(cts, out_unk) if u]
    cts_in = backward_pass(unknown.jaxpr, unknown.consts, list(residuals) + lin_args,
                           cts_unknown)[n_res:]
    it = iter(cts_in)
    return [next(it) if lin else None for lin in linear]


define_call_primitive(remat_p, "jaxpr")
remat_p.def_jvp(_remat_jvp)
remat_p.def_batch(_remat_batch)
remat_p.def_partial_eval(_remat_partial_eval)
remat_p.def_transpose(_remat_transpose)


def checkpoint(fun=None, *, policy=None, prevent_cse=True, static_argnums=()):
    """fun, recomputed during the backward pass instead of storing its intermediates.

    Args:
      policy: which intermediates may still be saved: checkpoint_policies.nothing_saveable
        (the default) or dots_saveable (keep matrix products, recompute elementwise work).
      static_argnums: arguments passed as Python values.
    Example:
      layer = fneedle.checkpoint(layer, policy=fneedle.checkpoint_policies.dots_saveable)
    """
    if fun is None:
        return functools.partial(checkpoint, policy=policy, prevent_cse=prevent_cse,
                                 static_argnums=static_argnums)
    policy = nothing_saveable if policy is None else policy
    static = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums)

    @functools.wraps(fun)
    def wrapped(*args):
        static_vals = {i % len(args): args[i] for i in static}
        dyn = [a for i, a in enumerate(args) if i not in static_vals]

        def with_static(*d):
            it = iter(d)
            return fun(*[static_vals[i] if i in static_vals else next(it)
                         for i in range(len(args))])
        leaves, in_tree = tree_util.tree_flatten((tuple(dyn), {}))
        flat, store = flatten_fun(with_static, in_tree)
        closed = trace_to_jaxpr(flat, [get_aval(x) for x in leaves],
                                f"checkpoint of {fun_name(fun)}")
        tracers = [c for c in closed.consts if isinstance(c, Tracer)]
        if tracers:  # closed-over tracers become explicit (differentiable) operands
            j = closed.jaxpr
            idx = [i for i, c in enumerate(closed.consts) if isinstance(c, Tracer)]
            rest = [i for i in range(len(closed.consts)) if i not in idx]
            closed = ClosedJaxpr(Jaxpr([j.constvars[i] for i in rest],
                                       [j.constvars[i] for i in idx] + j.inputs,
                                       j.equations, j.outputs),
                                 [closed.consts[i] for i in rest])
        outs = remat_p.bind(*tracers, *leaves, jaxpr=closed, policy=policy,
                            prevent_cse=prevent_cse)
        return tree_util.tree_unflatten(store(), outs)
    return wrapped


remat = checkpoint
