"""`while_loop` and `fori_loop`: the `while` primitive, carrying a closed cond jaxpr and a
closed body jaxpr, with jvp, partial-eval and batch rules. Its number of steps is not known
ahead, so it has no transpose: reverse mode goes through `scan` (fori_loop with static
bounds, or while_loop with max_steps)."""

import numpy as np

from fneedle.core import dtypes, tree_util
from fneedle.core.aval import ShapedArray
from fneedle.core.config import config
from fneedle.core.interpreter import Tracer, get_aval
from fneedle.core.linear import Zero, tangent_aval
from fneedle.core.primitive import Primitive
from fneedle.lax.control_flow import common

while_p = Primitive("while", multiple_results=True)


# ---------------------------------------------------------------------------------------
# The user-facing functions.

def while_loop(cond_fun, body_fun, init_val, max_steps=None):
    """Repeats `val = body_fun(val)` while `cond_fun(val)`; returns the final val.

    Semantics, in Python:

        val = init_val
        while cond_fun(val):
            val = body_fun(val)
        return val

    Forward mode and vmap work on any while_loop (under vmap with a batched condition the
    loop runs until every batch member is done, finished members keeping their value).
    Reverse mode needs a bound on the number of steps: with `max_steps=N` the loop becomes a
    scan of N steps that stops changing the value once cond_fun is false, and grad works
    (iterations beyond N are not run).

    Args:
      cond_fun: val -> scalar bool.
      body_fun: val -> val, of the same pytree structure, shapes and dtypes.
      init_val: the initial value (a pytree of arrays).
      max_steps: None, or a Python int bounding the number of steps (reverse-mode
        differentiable).
    Returns:
      The final value.
    Example:
      n = fneedle.lax.while_loop(lambda n: n < 10, lambda n: n * 2, 1)  # 16
    """
    for name, f in (("cond_fun", cond_fun), ("body_fun", body_fun)):
        if not callable(f):
            raise TypeError(f"while_loop's {name} must be callable, got {type(f).__name__}.")
    if max_steps is not None:
        return _bounded_while(cond_fun, body_fun, init_val, max_steps)
    leaves, tree = tree_util.tree_flatten(init_val)
    if config.disable_jit and not any(isinstance(x, Tracer) for x in leaves):
        val = init_val
        while cond_fun(val):
            val = body_fun(val)
        return val
    avals = [get_aval(x) for x in leaves]
    in_tree = tree_util.tree_structure((tree_util.tree_unflatten(tree, [0] * len(avals)),))
    for _ in range(2):  # a second trace after promoting weakly typed carries
        body, body_consts, body_tree = common.trace_fun(body_fun, in_tree, avals,
                                                        "the body of while_loop")
        same_tree = body_tree == tree
        promote = (common.weak_promotions(avals, body.out_avals) if same_tree
                   else [None] * len(avals))
        if not any(d is not None for d in promote):
            break
        avals = [a if d is None else ShapedArray(a.shape, d) for a, d in zip(avals, promote)]
        leaves = common.promote_leaves(leaves, promote)
    common.check_carry("while_loop's body_fun", tree, avals, body_tree, body.out_avals)
    cond, cond_consts, cond_tree = common.trace_fun(cond_fun, in_tree, avals,
                                                    "the cond_fun of while_loop")
    if cond_tree.num_leaves != 1 or not common.scalar_bool_aval(cond.out_avals[0]):
        got = common.tree_type_str(cond_tree, cond.out_avals)
        raise TypeError(f"while_loop's cond_fun must return a scalar bool, but it returned "
                        f"{got}. Compare to get a bool, e.g. lambda val: val[0] < n.")
    outs = while_p.bind(*cond_consts, *body_consts, *leaves, cond_jaxpr=cond,
                        body_jaxpr=body, cond_nconsts=len(cond_consts),
                        body_nconsts=len(body_consts))
    return tree_util.tree_unflatten(tree, outs)


def _bounded_while(cond_fun, body_fun, init_val, max_steps):
    """while_loop as a scan of max_steps steps: once cond_fun is false the value stops
    changing (cond_fun of an unchanged value stays false: a done mask)."""
    from fneedle.lax.control_flow.cond import cond
    from fneedle.lax.control_flow.scan import scan
    if not isinstance(max_steps, (int, np.integer)) or isinstance(max_steps, bool) \
            or max_steps < 0:
        raise TypeError(f"while_loop's max_steps must be a non-negative Python int, got "
                        f"{max_steps!r}.")

    def step(val, _):
        return cond(cond_fun(val), body_fun, lambda v: v, val), None

    val, _ = scan(_checkpointed(step), init_val, None, length=int(max_steps))
    return val


def _checkpointed(fn):
    """fn under checkpoint, so reverse mode saves the carry per step and recomputes the
    body (when fneedle.transforms.checkpoint is available)."""
    try:
        from fneedle.transforms.checkpoint import checkpoint
    except ImportError:
        return fn
    return checkpoint(fn)


def fori_loop(lower, upper, body_fun, init_val):
    """Runs `val = body_fun(i, val)` for i in range(lower, upper); returns the final val.

    With Python-int bounds this is a scan of upper - lower steps, so reverse mode works;
    with traced bounds it is a while_loop (forward mode and vmap only).

    Args:
      lower, upper: the loop bounds (ints, or scalar integer arrays).
      body_fun: (i, val) -> val of the same types.
      init_val: the initial value (a pytree of arrays).
    Returns:
      The final value.
    Example:
      x = fneedle.lax.fori_loop(0, 10, lambda i, x: x * 0.5 + i, 1.0)
    """
    from fneedle.core.array import Array
    from fneedle.lax import arithmetic
    if not callable(body_fun):
        raise TypeError(f"fori_loop's body_fun must be callable, got {type(body_fun).__name__}.")
    for name, b in (("lower", lower), ("upper", upper)):
        a = get_aval(b)
        if a.shape != () or not dtypes.is_integer(a.dtype):
            raise TypeError(f"fori_loop's {name} bound must be a scalar integer, got "
                            f"{a.str_short()}.")
    dtype = _index_dtype(lower, upper)
    if not isinstance(lower, Tracer) and not isinstance(upper, Tracer):
        lo, hi = int(np.asarray(lower)), int(np.asarray(upper))
        if config.disable_jit:
            val = init_val
            for i in range(lo, hi):
                val = body_fun(Array(np.asarray(i, dtype)), val)
            return val
        from fneedle.lax.control_flow.scan import scan

        def step(carry, _):
            i, val = carry
            return (arithmetic.add(i, 1), body_fun(i, val)), None

        (_, val), _ = scan(step, (Array(np.asarray(lo, dtype)), init_val), None,
                           length=max(hi - lo, 0))
        return val
    lower = arithmetic.convert_element_type(lower, dtype)
    upper = arithmetic.convert_element_type(upper, dtype)
    _, _, val = while_loop(lambda c: arithmetic.lt(c[0], c[1]),
                           lambda c: (arithmetic.add(c[0], 1), c[1], body_fun(c[0], c[2])),
                           (lower, upper, init_val))
    return val


def _index_dtype(lower, upper):
    avals = [get_aval(b) for b in (lower, upper)]
    return dtypes.result_type(*[(a.dtype, a.weak_type) for a in avals])[0]


# ---------------------------------------------------------------------------------------
# Evaluation and types.

def _split(args, cond_nconsts, body_nconsts):
    return common.split_list(args, [cond_nconsts, body_nconsts])


def _while_abstract_eval(*avals, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    carry = body_jaxpr.in_avals[body_nconsts:]
    return [a.strip_weak_type() for a in carry]


def _while_weak_type(in_weak, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    return [a.weak_type for a in body_jaxpr.in_avals[body_nconsts:]]


def _while_impl(*args, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    cond_exe, body_exe = common.executable(cond_jaxpr), common.executable(body_jaxpr)
    cc, bc, carry = _split(args, cond_nconsts, body_nconsts)
    carry = [np.asarray(c) for c in carry]
    while bool(cond_exe.run(cc + carry)[0]):
        carry = body_exe.run(bc + carry)
    avals = body_jaxpr.in_avals[body_nconsts:]
    return [np.asarray(c, a.dtype) for c, a in zip(carry, avals)]


while_p.def_impl(_while_impl)
while_p.def_abstract_eval(_while_abstract_eval)
while_p.weak_type_rule = _while_weak_type


# ---------------------------------------------------------------------------------------
# Forward mode: the loop carries the tangents too; which carries have nonzero tangents is a
# fixpoint. The cond ignores the tangents.

def _while_jvp(primals, tangents, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    from fneedle.lax.ad_rules import instantiate
    nz = [type(t) is not Zero for t in tangents]
    _, bc_nz, init_nz = _split(nz, cond_nconsts, body_nconsts)
    n_carry = len(init_nz)
    carry_nz = common.fixpoint(
        init_nz, lambda carry_nz: common.jvp_of(body_jaxpr, bc_nz + carry_nz, carry_nz)[1])
    key, inst = tuple(bc_nz + carry_nz), tuple(carry_nz)
    body_jvp, _ = common.jvp_of(body_jaxpr, key, inst)
    n_bct, n_ct = sum(bc_nz), sum(carry_nz)
    nb = body_nconsts
    # jvp order (consts, carry, const tangents, carry tangents) -> (consts, const tangents,
    # carry, carry tangents); the outputs (carry, carry tangents) are in order already.
    order = (list(range(nb)) + list(range(nb + n_carry, nb + n_carry + n_bct))
             + list(range(nb, nb + n_carry))
             + list(range(nb + n_carry + n_bct, nb + n_carry + n_bct + n_ct)))
    body = common.cached(body_jaxpr, ("jvp-while", key, inst),
                         lambda: common.reorder(body_jvp, order))
    t_avals = [tangent_aval(a) for a, z in zip(body_jaxpr.in_avals[nb:], carry_nz) if z]
    cond = common.cached(cond_jaxpr, ("jvp-while", tuple(carry_nz)),
                         lambda: common.with_unused_inputs(
                             cond_jaxpr, len(cond_jaxpr.in_avals), t_avals))
    cc, bc, init = _split(primals, cond_nconsts, body_nconsts)
    _, bc_t, init_t = _split(tangents, cond_nconsts, body_nconsts)
    bc_t = [t for t, z in zip(bc_t, bc_nz) if z]
    init_t = [instantiate(t) for t, z in zip(init_t, carry_nz) if z]
    outs = while_p.bind(*cc, *bc, *bc_t, *init, *init_t, cond_jaxpr=cond, body_jaxpr=body,
                        cond_nconsts=cond_nconsts, body_nconsts=nb + n_bct)
    carry, carry_t = outs[:n_carry], iter(outs[n_carry:])
    out_avals = _while_abstract_eval(cond_jaxpr=cond_jaxpr, body_jaxpr=body_jaxpr,
                                     cond_nconsts=cond_nconsts, body_nconsts=body_nconsts)
    return carry, [next(carry_t) if z else Zero(tangent_aval(a))
                   for z, a in zip(carry_nz, out_avals)]


while_p.def_jvp(_while_jvp)


# ---------------------------------------------------------------------------------------
# Partial evaluation (as in JAX): the carries that stay known are computed now by a loop of
# the known part of the body; the unknown carries come from the whole loop, staged, which
# recomputes the known part (a while loop keeps no per-step residuals).

def _while_partial_eval(pe, args, params):
    from fneedle.core.staging import StagingInterpreter
    cond_jaxpr, body_jaxpr = params["cond_jaxpr"], params["body_jaxpr"]
    cond_nconsts, body_nconsts = params["cond_nconsts"], params["body_nconsts"]
    unknowns = [pe.is_unknown(a) for a in args]
    cc_uk, bc_uk, init_uk = _split(unknowns, cond_nconsts, body_nconsts)
    n_carry = len(init_uk)
    carry_uk = common.fixpoint(
        init_uk,
        lambda carry_uk: common.partial_eval_of(body_jaxpr, bc_uk + carry_uk, carry_uk)[2])
    cond_known, _, cond_uk, _ = common.partial_eval_of(cond_jaxpr, cc_uk + carry_uk)
    if cond_uk[0] or all(carry_uk):  # nothing stays known: stage the whole loop
        return StagingInterpreter.process_primitive(pe, while_p, args, params)
    body_known = common.partial_eval_of(body_jaxpr, bc_uk + carry_uk, carry_uk)[0]
    n_known = n_carry - sum(carry_uk)
    body_k = common.cached(body_known, ("while-known",),
                           lambda: common.take_outputs(body_known, range(n_known)))
    cond_k = common.cached(cond_known, ("while-known",),
                           lambda: common.take_outputs(cond_known, [0]))
    cc, bc, init = _split(args, cond_nconsts, body_nconsts)
    k_cc = [x for x, u in zip(cc, cc_uk) if not u]
    k_bc = [x for x, u in zip(bc, bc_uk) if not u]
    k_init = [x for x, u in zip(init, carry_uk) if not u]
    known = pe.parent.process_primitive(
        while_p, k_cc + k_bc + k_init,
        {"cond_jaxpr": cond_k, "body_jaxpr": body_k, "cond_nconsts": len(k_cc),
         "body_nconsts": len(k_bc)})
    if not any(carry_uk):
        return known
    everything = StagingInterpreter.process_primitive(pe, while_p, args, params)
    known = iter(known)
    return [e if u else next(known) for e, u in zip(everything, carry_uk)]


while_p.def_partial_eval(_while_partial_eval)


def _while_transpose(cts, *args, **params):
    raise ValueError(
        "Reverse-mode differentiation (grad, vjp) of while_loop is not supported: its number "
        "of steps is not known before it runs, so the steps cannot be replayed backwards. "
        "Use fori_loop with static (Python int) bounds, or scan, or give the loop a bound "
        "with while_loop(cond_fun, body_fun, init_val, max_steps=N). Forward mode (jvp, "
        "jacfwd) works on any while_loop.")


while_p.def_transpose(_while_transpose)


# ---------------------------------------------------------------------------------------
# Batching. Batched carries are a fixpoint. With a batched condition every carry is
# batched; the loop runs while any batch member's condition holds, and each step keeps the
# old value of the members that are done (select_n).

def _while_batch(args, dims, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    from fneedle.lax.batch_rules import batch_size, bdim_at_front
    size = batch_size(args, dims)
    cc_d, bc_d, init_d = _split(list(dims), cond_nconsts, body_nconsts)
    n_carry = len(init_d)

    def carry_out_b(carry_b):
        out_d = common.batch_of(body_jaxpr, size, bc_d + [0 if b else None for b in carry_b])[1]
        return [d is not None for d in out_d]
    carry_b = common.fixpoint([d is not None for d in init_d], carry_out_b)
    pred_d = common.batch_of(cond_jaxpr, size, cc_d + [0 if b else None for b in carry_b])[1]
    pred_batched = pred_d[0] is not None
    if pred_batched:
        carry_b = [True] * n_carry
    body_dims = tuple(bc_d + [0 if b else None for b in carry_b])
    cond_dims = tuple(cc_d + [0 if b else None for b in carry_b])
    want = tuple(0 if b else None for b in carry_b)
    body_b, _ = common.batch_of(body_jaxpr, size, body_dims, want)
    cc, bc, init = _split(args, cond_nconsts, body_nconsts)
    init = [bdim_at_front(x, d, size) if b else x for x, d, b in zip(init, init_d, carry_b)]
    if not pred_batched:
        cond_b, _ = common.batch_of(cond_jaxpr, size, cond_dims, (None,))
        outs = while_p.bind(*cc, *bc, *init, cond_jaxpr=cond_b, body_jaxpr=body_b,
                            cond_nconsts=cond_nconsts, body_nconsts=body_nconsts)
        return outs, list(want)
    cond_b, _ = common.batch_of(cond_jaxpr, size, cond_dims, (0,))
    new_cond, new_body = common.cached(
        cond_b, ("while-any", body_b),
        lambda: _masked_loop(cond_b, body_b, cond_nconsts, body_nconsts))
    outs = while_p.bind(*cc, *cc, *bc, *init, cond_jaxpr=new_cond, body_jaxpr=new_body,
                        cond_nconsts=cond_nconsts, body_nconsts=cond_nconsts + body_nconsts)
    return outs, [0] * n_carry


def _masked_loop(cond_b, body_b, cond_nconsts, body_nconsts):
    """(cond: any member's predicate holds, body: step the members whose predicate holds)
    for a batched predicate; the body takes the cond's consts before its own."""
    from fneedle.core.staging import trace_to_jaxpr
    from fneedle.lax import arithmetic
    from fneedle.lax.reduction import reduce_sum
    from fneedle.lax.shape import broadcast_in_dim

    def any_running(*args):
        (pred,) = common.eval_closed(cond_b, args)
        count = reduce_sum(arithmetic.convert_element_type(pred, dtypes.int32), (0,))
        return [arithmetic.gt(count, 0)]

    def masked_body(*args):
        cc, bc, carry = common.split_list(args, [cond_nconsts, body_nconsts])
        (pred,) = common.eval_closed(cond_b, cc + carry)
        new = common.eval_closed(body_b, bc + carry)
        out = []
        for old, x in zip(carry, new):
            shape = get_aval(x).shape
            which = broadcast_in_dim(pred, shape, (0,))
            out.append(arithmetic.select_n(which, old, x))
        return out

    new_cond = trace_to_jaxpr(any_running, cond_b.in_avals, "batched while_loop cond")
    carry_avals = cond_b.in_avals[cond_nconsts:]
    new_body = trace_to_jaxpr(masked_body, cond_b.in_avals[:cond_nconsts]
                              + body_b.in_avals[:body_nconsts] + carry_avals,
                              "batched while_loop body")
    return new_cond, new_body


while_p.def_batch(_while_batch)
