"""Reverse mode: transposing linear jaxprs, and `vjp`, `grad`, `value_and_grad`, `jacrev`,
`jacfwd`, `jacobian`, `hessian`, `linear_transpose` built on it and on `linearize`."""

import numpy as np

from fneedle.core import dtypes
from fneedle.core import tree_util
from fneedle.core.api_util import flatten_fun, fun_name, normalize_argnums
from fneedle.core.array import Array
from fneedle.core.interpreter import Tracer, bind, get_aval
from fneedle.core.jaxpr import Literal, Var
from fneedle.core.linear import UndefinedPrimal, Zero, tangent_aval
from fneedle.transforms.partial_eval import linearize_flat


def backward_pass(jaxpr, consts, args, cotangents):
    """Transposes `jaxpr` with respect to its UndefinedPrimal inputs.

    Args:
      jaxpr: the program, linear in the inputs given as UndefinedPrimal.
      consts: values of its constvars. args: one per input, a value or an UndefinedPrimal.
      cotangents: one per output (arrays or Zero).
    Returns:
      One cotangent per input: an array, or Zero where nothing flowed back.
    """
    from fneedle.lax.ad_rules import add_tangents, instantiate
    primal_env = dict(zip(jaxpr.constvars, consts, strict=True))
    linear = set()
    for v, a in zip(jaxpr.inputs, args, strict=True):
        if type(a) is UndefinedPrimal:
            linear.add(v)
        else:
            primal_env[v] = a

    def read(x):
        return x.val if type(x) is Literal else primal_env[x]

    linear_eqs = []
    for eq in jaxpr.equations:  # evaluate the non-linear part forward first
        if any(type(x) is Var and x in linear for x in eq.inputs):
            linear_eqs.append(eq)
            linear.update(eq.outputs)
        else:
            out = bind(eq.primitive, [read(x) for x in eq.inputs], eq.params)
            outs = out if eq.primitive.multiple_results else [out]
            primal_env.update(zip(eq.outputs, outs))

    ct_env = {}

    def accumulate(v, ct):
        if ct is None or type(ct) is Zero:
            return
        ct_env[v] = add_tangents(ct_env[v], ct) if v in ct_env else ct

    for v, ct in zip(jaxpr.outputs, cotangents, strict=True):
        if type(v) is Var and v in linear:
            accumulate(v, ct)
    for eq in reversed(linear_eqs):
        cts = [ct_env.pop(v, None) for v in eq.outputs]
        if all(c is None for c in cts):
            continue
        if eq.primitive.multiple_results:
            ct = [instantiate(Zero(tangent_aval(v.aval))) if c is None else c
                  for c, v in zip(cts, eq.outputs)]
        else:
            ct = cts[0]
        ins = [UndefinedPrimal(x.aval) if type(x) is Var and x in linear else read(x)
               for x in eq.inputs]
        cts_in = eq.primitive.rule("transpose")(ct, *ins, **eq.params)
        for x, c in zip(eq.inputs, cts_in, strict=True):
            if type(x) is Var and x in linear:
                accumulate(x, c)
    return [ct_env.get(v, Zero(tangent_aval(v.aval))) if type(a) is UndefinedPrimal else None
            for v, a in zip(jaxpr.inputs, args)]


def _as_array(x, aval):
    if isinstance(x, (bool, int, float)) and not isinstance(x, Tracer):
        return Array(np.asarray(x, aval.dtype))
    return x


def vjp_flat(flat_fun, primals, description="vjp"):
    """(primal outputs, pullback(list of output cotangents) -> list of input cotangents)."""
    from fneedle.lax.ad_rules import instantiate
    out_primals, linear = linearize_flat(flat_fun, primals, description)
    in_avals = [tangent_aval(get_aval(p)) for p in primals]
    out_avals = [tangent_aval(get_aval(p)) for p in out_primals]

    def pullback(cts):
        cts = [_as_array(c, a) for c, a in zip(cts, out_avals, strict=True)]
        cts_in = backward_pass(linear.jaxpr, linear.consts,
                               [UndefinedPrimal(a) for a in in_avals], cts)
        return [instantiate(c) for c in cts_in]
    return out_primals, pullback


def vjp(fun, *primals, has_aux=False, _description=None):
    """fun(*primals) and its pullback: a function from output cotangents to input cotangents.

    Returns:
      (primals_out, vjp_fun[, aux]); vjp_fun(ct) returns a tuple, one entry per primal.
    Example:
      y, f_vjp = fneedle.vjp(fneedle.numpy.sin, x); (ct_x,) = f_vjp(fneedle.numpy.ones_like(y))
    """
    leaves, in_tree = tree_util.tree_flatten((primals, {}))
    flat, store = flatten_fun(fun, in_tree)
    out_leaves, pullback = vjp_flat(flat, leaves, _description or f"vjp of {fun_name(fun)}")
    out_tree = store()
    if has_aux:
        out, aux = _split_aux(out_tree, out_leaves, fun)
        main_tree = tree_util.tree_structure(out)
        n_main = main_tree.num_leaves
    else:
        out, main_tree, n_main = tree_util.tree_unflatten(out_tree, out_leaves), out_tree, \
            len(out_leaves)

    def vjp_fun(ct):
        ct_leaves, ct_tree = tree_util.tree_flatten(ct)
        if ct_tree != main_tree:
            raise TypeError(f"The pullback of {fun_name(fun)} takes cotangents shaped like "
                            f"its output {main_tree}, got {ct_tree}.")
        for i, (c, o) in enumerate(zip(ct_leaves, out_leaves)):
            if get_aval(c).shape != get_aval(o).shape:
                raise ValueError(f"Cotangent {i} has shape {get_aval(c).shape}, but the "
                                 f"output it pulls back has shape {get_aval(o).shape}.")
        extra = [Zero(tangent_aval(get_aval(o))) for o in out_leaves[n_main:]]
        cts_in = pullback(list(ct_leaves) + extra)
        args, _ = tree_util.tree_unflatten(in_tree, cts_in)
        return tuple(args)
    if has_aux:
        return out, vjp_fun, aux
    return out, vjp_fun


def _split_aux(out_tree, out_leaves, fun):
    out = tree_util.tree_unflatten(out_tree, out_leaves)
    if not (isinstance(out, (tuple, list)) and len(out) == 2):
        raise TypeError(f"With has_aux=True, {fun_name(fun)} must return a pair "
                        f"(output, auxiliary data); it returned {out_tree}.")
    return out[0], out[1]


def _check_diff_input(x, i, name):
    aval = get_aval(x)
    if not dtypes.is_float(aval.dtype):
        raise TypeError(f"{name} requires floating-point inputs, but argument {i} has dtype "
                        f"{aval.dtype}. Convert it (x.astype('float32')), or leave it out of "
                        f"argnums.")


def value_and_grad(fun, argnums=0, has_aux=False):
    """A function returning fun's value and its gradient with respect to `argnums`.

    fun must return a scalar (or (scalar, aux) with has_aux=True).
    Example:
      loss, grads = fneedle.value_and_grad(loss_fn)(params, x, y)
    """
    def wrapped(*args, **kwargs):
        nums, single = normalize_argnums(argnums, len(args))
        diff_args = [args[i] for i in nums]
        for i in nums:
            for leaf in tree_util.tree_leaves(args[i]):
                _check_diff_input(leaf, i, "grad")

        def partial_fun(*dargs):
            full = list(args)
            for i, a in zip(nums, dargs):
                full[i] = a
            return fun(*full, **kwargs)
        what = f"grad of {fun_name(fun)}"  # how errors name this transformation
        if has_aux:
            out, f_vjp, aux = vjp(partial_fun, *diff_args, has_aux=True, _description=what)
        else:
            out, f_vjp = vjp(partial_fun, *diff_args, _description=what)
        leaves = tree_util.tree_leaves(out)
        aval = get_aval(out) if len(leaves) == 1 and not isinstance(out, (tuple, list, dict)) \
            else None
        if aval is None or aval.shape != ():
            shape = aval.str_short() if aval is not None else str(tree_util.tree_structure(out))
            raise TypeError(f"grad requires {fun_name(fun)} to return a scalar, but it "
                            f"returned {shape}. Reduce it to a scalar (e.g. .sum() or "
                            f"mean), or use vjp / jacrev for non-scalar outputs.")
        if not dtypes.is_float(aval.dtype):
            raise TypeError(f"grad requires a floating-point output, but {fun_name(fun)} "
                            f"returned {aval.str_short()}.")
        grads = f_vjp(Array(np.ones((), aval.dtype)))
        g = grads[0] if single else grads
        return ((out, aux), g) if has_aux else (out, g)
    wrapped.__name__ = f"value_and_grad({fun_name(fun)})"
    return wrapped


def grad(fun, argnums=0, has_aux=False):
    """The gradient of a scalar-valued fun with respect to argument(s) `argnums`.

    Args:
      fun: returns a scalar float (or (scalar, aux) with has_aux=True).
      argnums: an int or a tuple of ints; the gradient has the structure of those args.
    Returns:
      A function of the same arguments returning the gradient (and aux if has_aux).
    Example:
      grads = fneedle.grad(loss)(params, x, y)  # a pytree shaped like params
    """
    vg = value_and_grad(fun, argnums, has_aux)

    def wrapped(*args, **kwargs):
        (value, g) = vg(*args, **kwargs)
        if has_aux:
            return g, value[1]
        return g
    wrapped.__name__ = f"grad({fun_name(fun)})"
    return wrapped


def transpose_jaxpr(closed, linear):
    """The transpose of a closed jaxpr with respect to the inputs marked `linear`.

    Returns:
      A ClosedJaxpr taking (non-linear inputs, output cotangents) and returning the
      cotangents of the linear inputs (zeros where none flowed back).
    """
    from fneedle.core.staging import trace_to_jaxpr
    from fneedle.lax.ad_rules import instantiate
    in_avals = closed.in_avals
    lin_avals = [a for a, lin in zip(in_avals, linear) if lin]
    nonlin_avals = [a for a, lin in zip(in_avals, linear) if not lin]
    out_avals = [tangent_aval(a) for a in closed.out_avals]

    def f(*args):
        nonlin = iter(args[:len(nonlin_avals)])
        cts = args[len(nonlin_avals):]
        ins = [UndefinedPrimal(tangent_aval(a)) if lin else next(nonlin)
               for a, lin in zip(in_avals, linear)]
        cts_in = backward_pass(closed.jaxpr, closed.consts, ins, list(cts))
        return [instantiate(c) for c, lin in zip(cts_in, linear) if lin]

    del lin_avals
    return trace_to_jaxpr(f, nonlin_avals + out_avals, "transpose of a jaxpr")


def linear_transpose(fun, *primals):
    """The transpose of a linear function, given example primals for its input types.

    Args:
      fun: a function linear in its arguments (pytrees of float arrays).
      primals: arguments of the right shapes and dtypes (their values are not used).
    Returns:
      A function taking output cotangents and returning a tuple of input cotangents.
    Example:
      t = fneedle.linear_transpose(lambda x: 2.0 * x, x); (ct_x,) = t(ct)  # ct_x == 2 * ct
    """
    from fneedle.core.staging import trace_to_jaxpr
    from fneedle.lax.ad_rules import instantiate
    leaves, in_tree = tree_util.tree_flatten((primals, {}))
    in_avals = [tangent_aval(get_aval(x)) for x in leaves]
    flat, store = flatten_fun(fun, in_tree)
    closed = trace_to_jaxpr(flat, in_avals, f"linear_transpose of {fun_name(fun)}")
    out_tree = store()
    out_avals = closed.out_avals

    def transposed(ct):
        ct_leaves, ct_tree = tree_util.tree_flatten(ct)
        if ct_tree != out_tree:
            raise TypeError(f"The transpose of {fun_name(fun)} takes cotangents shaped like "
                            f"its output {out_tree}, got {ct_tree}.")
        cts = [_as_array(c, a) for c, a in zip(ct_leaves, out_avals)]
        for i, (c, a) in enumerate(zip(cts, out_avals)):
            if get_aval(c).shape != a.shape:
                raise ValueError(f"Cotangent {i} has shape {get_aval(c).shape}; the output "
                                 f"it transposes has shape {a.shape}.")
        cts_in = backward_pass(closed.jaxpr, closed.consts,
                               [UndefinedPrimal(a) for a in in_avals], cts)
        args, _ = tree_util.tree_unflatten(in_tree, [instantiate(c) for c in cts_in])
        return tuple(args)
    return transposed
