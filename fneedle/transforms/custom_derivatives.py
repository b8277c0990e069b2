"""User-defined derivative rules: `custom_jvp`, `custom_vjp` and `stop_gradient`.

A custom function is staged to a jaxpr and bound as a primitive carrying it and the user's
rule. Its jvp rule calls the user's rule; its batch rule vmaps both the jaxpr and the rule;
everything else sees the plain function.
"""

import functools

from fneedle.core import tree_util
from fneedle.core.api_util import flatten_fun, fun_name
from fneedle.core.interpreter import Tracer, get_aval
from fneedle.core.linear import Zero, tangent_aval
from fneedle.core.primitive import Primitive
from fneedle.core.staging import trace_to_jaxpr
from fneedle.transforms.call_primitive import define_call_primitive


def _trace_custom(fun, args, nondiff_argnums, what):
    """(closed jaxpr of fun over the differentiable args, their leaves, in/out trees)."""
    diff_args = [a for i, a in enumerate(args) if i not in nondiff_argnums]
    static = {i: args[i] for i in nondiff_argnums}

    def with_static(*dargs):
        it = iter(dargs)
        return fun(*[static[i] if i in static else next(it) for i in range(len(args))])

    leaves, in_tree = tree_util.tree_flatten((tuple(diff_args), {}))
    flat, store = flatten_fun(with_static, in_tree)
    closed = trace_to_jaxpr(flat, [get_aval(x) for x in leaves], f"{what} of {fun_name(fun)}")
    return closed, leaves, in_tree, store(), static


class custom_jvp:
    """A function with a hand-written jvp rule.

    Example:
      @fneedle.custom_jvp
      def f(x): return fnp.sin(x)
      @f.defjvp
      def f_jvp(primals, tangents):
          (x,), (t,) = primals, tangents
          return f(x), fnp.cos(x) * t
    """

    def __init__(self, fun, nondiff_argnums=()):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.nondiff_argnums = tuple(nondiff_argnums)
        self.jvp = None

    def defjvp(self, jvp):
        """Sets the rule jvp(primals, tangents) -> (primal_out, tangent_out); returns it."""
        self.jvp = jvp
        return jvp

    def defjvps(self, *tangent_fns):
        """Sets the jvp as a sum of per-argument terms tangent_fns[i](t_i, ans, *args)."""
        def jvp(primals, tangents):
            ans = self(*primals)
            total = None
            for fn, t in zip(tangent_fns, tangents):
                if fn is None:
                    continue
                term = fn(t, ans, *primals)
                total = term if total is None else tree_util.tree_map(
                    lambda a, b: a + b, total, term)
            return ans, total
        self.jvp = jvp

    def __call__(self, *args):
        if self.jvp is None:
            raise AttributeError(f"custom_jvp function {fun_name(self.fun)} has no jvp rule; "
                                 f"define one with @{fun_name(self.fun)}.defjvp.")
        nondiff = tuple(i % len(args) for i in self.nondiff_argnums)
        closed, leaves, in_tree, out_tree, static = _trace_custom(
            self.fun, args, nondiff, "custom_jvp")
        n_consts = _closure_operands(closed)
        rule = functools.partial(_flat_jvp_rule, self.jvp, in_tree, out_tree, static,
                                 len(args))
        outs = custom_jvp_call_p.bind(*closed.consts[:n_consts], *leaves,
                                      call_jaxpr=_without_leading_consts(closed, n_consts),
                                      jvp=rule, num_consts=n_consts)
        return tree_util.tree_unflatten(out_tree, outs)


def _closure_operands(closed):
    """Moves closed-over tracers to the front of the consts; returns how many there are."""
    tracers = [i for i, c in enumerate(closed.consts) if isinstance(c, Tracer)]
    if not tracers:
        return 0
    others = [i for i in range(len(closed.consts)) if i not in tracers]
    order = tracers + others
    closed.jaxpr.constvars[:] = [closed.jaxpr.constvars[i] for i in order]
    closed.consts[:] = [closed.consts[i] for i in order]
    return len(tracers)


def _without_leading_consts(closed, n):
    """The jaxpr with its first n constvars turned into leading inputs."""
    from fneedle.core.jaxpr import ClosedJaxpr, Jaxpr
    if not n:
        return closed
    j = closed.jaxpr
    return ClosedJaxpr(Jaxpr(j.constvars[n:], j.constvars[:n] + j.inputs, j.equations,
                             j.outputs), closed.consts[n:])


def _flat_jvp_rule(jvp, in_tree, out_tree, static, nargs, primals, tangents):
    """Calls the user's jvp(*nondiff_args, primals, tangents) on pytrees rebuilt from flat
    primals and tangents of the differentiable arguments."""
    from fneedle.lax.ad_rules import instantiate
    p_args, _ = tree_util.tree_unflatten(in_tree, primals)
    t_args, _ = tree_util.tree_unflatten(in_tree, [instantiate(t) for t in tangents])
    nondiff = [static[i] for i in sorted(static)]
    out, t_out = jvp(*nondiff, tuple(p_args), tuple(t_args))
    out_leaves, tree = tree_util.tree_flatten(out)
    t_leaves, t_tree = tree_util.tree_flatten(t_out)
    if tree != out_tree or t_tree != out_tree:
        raise TypeError(f"A custom_jvp rule must return (primal_out, tangent_out) shaped like "
                        f"the function's output {out_tree}; it returned {tree} and {t_tree}.")
    return out_leaves, t_leaves


custom_jvp_call_p = Primitive("custom_jvp_call", multiple_results=True)


def _custom_jvp_call_jvp(primals, tangents, call_jaxpr, jvp, num_consts):
    if any(type(t) is not Zero for t in tangents[:num_consts]):
        raise TypeError("A custom_jvp function closes over a value that is being "
                        "differentiated; pass that value as an argument instead.")
    return jvp(primals[num_consts:], tangents[num_consts:])


def _custom_jvp_call_batch(args, dims, call_jaxpr, jvp, num_consts):
    from fneedle.transforms.vmap import batch_jaxpr
    size = next(get_aval(a).shape[d] for a, d in zip(args, dims) if d is not None)
    n_out = len(call_jaxpr.out_avals)
    batched, _ = batch_jaxpr(call_jaxpr, size, dims, [0] * n_out)
    user_dims = list(dims[num_consts:])

    def batched_jvp(primals, tangents):
        from fneedle.lax.ad_rules import instantiate
        from fneedle.transforms.vmap import batch_flat
        from fneedle.lax.batch_rules import bdim_at_front
        k = len(primals)

        def flat(*xs):
            outs, touts = jvp(list(xs[:k]), list(xs[k:]))
            return list(outs) + list(touts)
        tangents = [instantiate(t) for t in tangents]
        outs, out_dims = batch_flat(flat, list(primals) + tangents, user_dims + user_dims, size)
        outs = [bdim_at_front(o, d, size) for o, d in zip(outs, out_dims)]
        return outs[:n_out], outs[n_out:]
    outs = custom_jvp_call_p.bind(*args, call_jaxpr=batched, jvp=batched_jvp,
                                  num_consts=num_consts)
    return outs, [0] * n_out


define_call_primitive(custom_jvp_call_p, "call_jaxpr")
custom_jvp_call_p.def_jvp(_custom_jvp_call_jvp)
custom_jvp_call_p.def_batch(_custom_jvp_call_batch)


# ---------------------------------------------------------------------------------------
# custom_vjp

class custom_vjp:
    """A function with a hand-written reverse-mode rule: fwd saves residuals, bwd uses them.

    Example:
      @fneedle.custom_vjp
      def f(x): return fnp.sin(x)
      def f_fwd(x): return fnp.sin(x), fnp.cos(x)        # (output, residuals)
      def f_bwd(res, g): return (res * g,)                # one cotangent per argument
      f.defvjp(f_fwd, f_bwd)
    """

    def __init__(self, fun, nondiff_argnums=()):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.nondiff_argnums = tuple(nondiff_argnums)
        self.fwd = self.bwd = None

    def defvjp(self, fwd, bwd):
        """fwd(*args) -> (output, residuals); bwd(*nondiff_args, residuals, g) -> tuple of
        cotangents, one per differentiable argument."""
        self.fwd, self.bwd = fwd, bwd

    def __call__(self, *args):
        if self.fwd is None:
            raise AttributeError(f"custom_vjp function {fun_name(self.fun)} has no rule; "
                                 f"define one with {fun_name(self.fun)}.defvjp(fwd, bwd).")
        nondiff = tuple(i % len(args) for i in self.nondiff_argnums)
        closed, leaves, in_tree, out_tree, static = _trace_custom(
            self.fun, args, nondiff, "custom_vjp")
        n_consts = _closure_operands(closed)
        fwd = functools.partial(_flat_fwd, self.fwd, in_tree, out_tree, static, len(args))
        bwd = functools.partial(_flat_bwd, self.bwd, in_tree, out_tree, static, len(args),
                                [get_aval(x) for x in leaves])
        outs = custom_vjp_call_p.bind(*closed.consts[:n_consts], *leaves,
                                      call_jaxpr=_without_leading_consts(closed, n_consts),
                                      fwd=fwd, bwd=bwd, num_consts=n_consts)
        return tree_util.tree_unflatten(out_tree, outs)


def _full_args(static, nargs, dargs):
    it = iter(dargs)
    return tuple(static[i] if i in static else next(it) for i in range(nargs))


def _flat_fwd(fwd, in_tree, out_tree, static, nargs, primals):
    """(flat outputs, flat residuals, residual tree) from the user's fwd."""
    args, _ = tree_util.tree_unflatten(in_tree, primals)
    result = fwd(*_full_args(static, nargs, args))
    if not (isinstance(result, tuple) and len(result) == 2):
        raise TypeError("A custom_vjp fwd function must return a pair (output, residuals).")
    out, res = result
    out_leaves, tree = tree_util.tree_flatten(out)
    if tree != out_tree:
        raise TypeError(f"custom_vjp fwd returned an output of structure {tree}, but the "
                        f"function returns {out_tree}; they must match.")
    res_leaves, res_tree = tree_util.tree_flatten(res)
    return out_leaves, res_leaves, res_tree


def _flat_bwd(bwd, in_tree, out_tree, static, nargs, in_avals, res_tree, residuals, cts):
    res = tree_util.tree_unflatten(res_tree, residuals)
    g = tree_util.tree_unflatten(out_tree, cts)
    nondiff_vals = [static[i] for i in sorted(static)]
    cts_in = bwd(*nondiff_vals, res, g)
    args_tree = tree_util.tree_structure(tree_util.tree_unflatten(in_tree, [0] *
                                                                  in_tree.num_leaves)[0])
    if not isinstance(cts_in, tuple):
        raise TypeError(f"A custom_vjp bwd function must return a tuple with one cotangent "
                        f"per differentiable argument; it returned {type(cts_in).__name__}.")
    leaves, tree = tree_util.tree_flatten(cts_in, is_leaf=lambda x: x is None)
    if tree != args_tree:
        # None stands for a zero cotangent of a whole argument, as in JAX.
        full = []
        arg_vals = tree_util.tree_unflatten(in_tree, [0] * in_tree.num_leaves)[0]
        if len(cts_in) != len(arg_vals):
            raise TypeError(f"custom_vjp bwd returned {len(cts_in)} cotangents for "
                            f"{len(arg_vals)} differentiable arguments.")
        for c, a in zip(cts_in, arg_vals):
            n = len(tree_util.tree_leaves(a))
            full.extend([None] * n if c is None else tree_util.tree_leaves(c))
        leaves = full
    from fneedle.lax.ad_rules import zeros_like_aval
    return [zeros_like_aval(tangent_aval(a)) if c is None else c
            for c, a in zip(leaves, in_avals)]


custom_vjp_call_p = Primitive("custom_vjp_call", multiple_results=True)
custom_lin_p = Primitive("custom_lin", multiple_results=True)


def _custom_vjp_call_jvp(primals, tangents, call_jaxpr, fwd, bwd, num_consts):
    if any(type(t) is not Zero for t in tangents[:num_consts]):
        raise TypeError("A custom_vjp function closes over a value that is being "
                        "differentiated; pass that value as an argument instead.")
    outs, residuals, res_tree = fwd(primals[num_consts:])
    user_tangents = tangents[num_consts:]
    if all(type(t) is Zero for t in user_tangents):
        return outs, [Zero(tangent_aval(get_aval(o))) for o in outs]
    from fneedle.lax.ad_rules import instantiate
    out_avals = tuple(tangent_aval(get_aval(o)) for o in outs)
    lin = custom_lin_p.bind(*residuals, *[instantiate(t) for t in user_tangents],
                            num_res=len(residuals), bwd=functools.partial(bwd, res_tree),
                            out_avals=out_avals)
    return outs, lin


def _custom_lin_impl(*args, **params):
    raise TypeError("Forward-mode differentiation (jvp, jacfwd) of a custom_vjp function is "
                    "not supported: it only defines a reverse-mode rule. Use vjp/grad/jacrev, "
                    "or define the function with custom_jvp.")


def _custom_lin_transpose(cts, *args, num_res, bwd, out_avals):
    from fneedle.lax.ad_rules import instantiate
    residuals = args[:num_res]
    cts = [instantiate(c) for c in cts]
    cts_in = bwd(list(residuals), cts)
    return [None] * num_res + list(cts_in)


def _custom_vjp_call_batch(args, dims, call_jaxpr, fwd, bwd, num_consts):
    from fneedle.lax.batch_rules import bdim_at_front
    from fneedle.transforms.vmap import batch_flat, batch_jaxpr
    size = next(get_aval(a).shape[d] for a, d in zip(args, dims) if d is not None)
    n_out = len(call_jaxpr.out_avals)
    batched, _ = batch_jaxpr(call_jaxpr, size, dims, [0] * n_out)
    user_dims = list(dims[num_consts:])
    box = {}

    def batched_fwd(primals):
        def flat(*xs):
            outs, res, res_tree = fwd(list(xs))
            box["res_tree"] = res_tree
            box["n_res"] = len(res)
            return list(outs) + list(res)
        outs, out_dims = batch_flat(flat, list(primals), user_dims, size)
        outs = [bdim_at_front(o, d, size) for o, d in zip(outs, out_dims)]
        return outs[:n_out], outs[n_out:], box["res_tree"]

    def batched_bwd(res_tree, residuals, cts):
        n_res = len(residuals)

        def flat(*xs):
            return list(bwd(res_tree, list(xs[:n_res]), list(xs[n_res:])))
        outs, out_dims = batch_flat(flat, list(residuals) + list(cts),
                                    [0] * n_res + [0] * len(cts), size)
        return [bdim_at_front(o, d, size) for o, d in zip(outs, out_dims)]
    outs = custom_vjp_call_p.bind(*args, call_jaxpr=batched, fwd=batched_fwd,
                                  bwd=batched_bwd, num_consts=num_consts)
    return outs, [0] * n_out


define_call_primitive(custom_vjp_call_p, "call_jaxpr")
custom_vjp_call_p.def_jvp(_custom_vjp_call_jvp)
custom_vjp_call_p.def_batch(_custom_vjp_call_batch)
custom_lin_p.def_impl(_custom_lin_impl)
custom_lin_p.def_abstract_eval(lambda *avals, num_res, bwd, out_avals: list(out_avals))
custom_lin_p.def_transpose(_custom_lin_transpose)


# ---------------------------------------------------------------------------------------
# stop_gradient

stop_gradient_p = Primitive("stop_gradient")
stop_gradient_p.def_impl(lambda x: x)
stop_gradient_p.def_abstract_eval(lambda x: x.strip_weak_type())
stop_gradient_p.def_jvp(lambda primals, tangents: (
    stop_gradient_p.bind(primals[0]), Zero(tangent_aval(get_aval(primals[0])))))
stop_gradient_p.def_batch(lambda args, dims: (stop_gradient_p.bind(args[0]), dims[0]))


def stop_gradient(x):
    """x, with zero derivative: gradients do not flow through it (works on pytrees)."""
    return tree_util.tree_map(stop_gradient_p.bind, x)

