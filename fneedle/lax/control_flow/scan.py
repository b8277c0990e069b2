"""`scan` and `map`: the `scan` primitive, a loop of a closed body jaxpr over the leading
axis of its xs that threads a carry and stacks its ys, with jvp, partial-eval, transpose and
batch rules. The operands are (consts, initial carry, xs); the body maps
(consts, carry, x slices) to (new carry, y slices)."""

import numpy as np

from fneedle.core import tree_util
from fneedle.core.aval import ShapedArray
from fneedle.core.errors import ShapeError
from fneedle.core.interpreter import get_aval, set_interpreter
from fneedle.core.jaxpr import Literal
from fneedle.core.linear import Zero, is_undefined_primal, tangent_aval
from fneedle.core.primitive import Primitive
from fneedle.lax.control_flow import common

scan_p = Primitive("scan", multiple_results=True)


# ---------------------------------------------------------------------------------------
# The user-facing functions.

def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """Loops f over the leading axis of xs, threading a carry and stacking the outputs.

    The semantics, in Python (with `reverse` the loop runs from the last slice to the first,
    and ys are still stored at their slice's index):

        carry = init; ys = []
        for x in xs:
            carry, y = f(carry, x)
            ys.append(y)
        return carry, stack(ys)

    f is traced once, whatever the length; reverse mode stores only the residuals the
    backward pass needs, stacked along the scan axis.

    Args:
      f: (carry, x) -> (carry, y); carry keeps its pytree structure, shapes and dtypes.
      init: the initial carry (a pytree of arrays).
      xs: a pytree of arrays with one leading axis of the same size, or None.
      length: the number of steps; required when xs is None, else checked against xs.
      reverse: scan from the end.
      unroll: accepted for JAX compatibility (a positive int or bool); the eager loop runs a
        compiled body per step either way.
    Returns:
      (final carry, ys stacked along a new leading axis).
    Example:
      total, partial_sums = fneedle.lax.scan(lambda c, x: (c + x, c + x), 0.0, xs)
    """
    if not callable(f):
        raise TypeError(f"scan's f must be callable, got {type(f).__name__}.")
    if isinstance(unroll, bool):
        unroll = 1
    if not isinstance(unroll, int) or unroll < 1:
        raise ValueError(f"scan's unroll must be a positive int or a bool, got {unroll!r}.")
    xs_leaves, xs_tree = tree_util.tree_flatten(xs)
    xs_avals = [get_aval(x) for x in xs_leaves]
    for a in xs_avals:
        if not a.shape:
            raise ShapeError(f"scan's xs must be arrays with a leading axis to scan over, but "
                             f"one has type {a.str_short()}.")
    lengths = sorted({a.shape[0] for a in xs_avals})
    if len(lengths) > 1:
        raise ShapeError(f"scan's xs must all have the same leading axis size, but they have "
                         f"sizes {lengths} (types "
                         f"{common.tree_type_str(xs_tree, xs_avals)}).")
    if length is not None:
        length = _static_int(length, "length")
        if lengths and lengths[0] != length:
            raise ShapeError(f"scan got length={length} but its xs have leading axis size "
                             f"{lengths[0]}.")
    elif lengths:
        length = lengths[0]
    else:
        raise ValueError("scan needs xs or an explicit length: with xs=None, pass length=N.")
    x_avals = [a.update(shape=a.shape[1:]) for a in xs_avals]
    init_leaves, init_tree = tree_util.tree_flatten(init)
    closed, consts, (_, y_tree) = _trace_body(f, init_leaves, init_tree, xs_tree, x_avals)
    outs = scan_p.bind(*consts, *_promoted_init(closed, consts, init_leaves),
                       *xs_leaves, jaxpr=closed, length=length, reverse=bool(reverse),
                       num_consts=len(consts), num_carry=len(init_leaves))
    n = len(init_leaves)
    return (tree_util.tree_unflatten(init_tree, outs[:n]),
            tree_util.tree_unflatten(y_tree, outs[n:]))


def _promoted_init(closed, consts, init_leaves):
    """The initial carry converted to the types the traced body takes (weak promotion)."""
    avals = closed.in_avals[len(consts):len(consts) + len(init_leaves)]
    return common.promote_leaves(
        init_leaves, [a.dtype if (get_aval(x).dtype != a.dtype or get_aval(x).weak_type
                                  != a.weak_type) else None
                      for x, a in zip(init_leaves, avals)])


def _trace_body(f, init_leaves, init_tree, xs_tree, x_avals):
    init_avals = [get_aval(x) for x in init_leaves]
    for _ in range(2):  # a second trace after promoting weakly typed carries
        in_tree = tree_util.tree_structure(
            (tree_util.tree_unflatten(init_tree, [0] * len(init_avals)),
             tree_util.tree_unflatten(xs_tree, [0] * len(x_avals))))
        closed, consts, (carry_tree, y_tree) = common.trace_fun(
            f, in_tree, init_avals + x_avals, "the body of scan", _split_carry_y)
        n = len(init_avals)
        carry_out = closed.out_avals[:n] if carry_tree == init_tree else []
        promote = (common.weak_promotions(init_avals, carry_out)
                   if carry_tree == init_tree else [None] * n)
        if not any(d is not None for d in promote):
            break
        init_avals = [a if d is None else ShapedArray(a.shape, d)
                      for a, d in zip(init_avals, promote)]
    common.check_carry("scan's body", init_tree, init_avals, carry_tree,
                       closed.out_avals[:carry_tree.num_leaves])
    return closed, consts, (carry_tree, y_tree)


def _split_carry_y(out):
    if not (isinstance(out, (tuple, list)) and len(out) == 2):
        raise TypeError(f"scan's body must return a pair (carry, y), but it returned "
                        f"{type(out).__name__}"
                        f"{'' if not isinstance(out, (tuple, list)) else f' of length {len(out)}'}"
                        f". Return (new_carry, None) if there is nothing to stack.")
    carry_leaves, carry_tree = tree_util.tree_flatten(out[0])
    y_leaves, y_tree = tree_util.tree_flatten(out[1])
    return carry_leaves + y_leaves, (carry_tree, y_tree)


def _static_int(x, what):
    try:
        return int(x)
    except Exception as e:
        raise TypeError(f"scan's {what} must be a Python int, got {x!r}.") from e


def map(f, xs):  # the lax name
    """f applied to each slice of xs along the leading axis, results stacked (a scan with
    no carry).

    Example:
      ys = fneedle.lax.map(lambda x: x @ w, xs)
    """
    _, ys = scan(lambda carry, x: (carry, f(x)), (), xs)
    return ys


# ---------------------------------------------------------------------------------------
# Evaluation and types.

def _split_operands(args, num_consts, num_carry):
    return (list(args[:num_consts]), list(args[num_consts:num_consts + num_carry]),
            list(args[num_consts + num_carry:]))


def _scan_abstract_eval(*avals, jaxpr, length, reverse, num_consts, num_carry):
    in_avals = jaxpr.in_avals
    n_xs = len(in_avals) - num_consts - num_carry
    if len(avals) != len(in_avals):
        raise TypeError(f"scan got {len(avals)} operands for a body of {len(in_avals)} inputs.")
    for k, (a, b) in enumerate(zip(avals, in_avals)):
        if k >= num_consts + num_carry:
            b = b.update(shape=(length,) + b.shape)
        if not common.same_type(a, b):
            raise TypeError(f"scan operand {k} has type {a.str_short()} but the body expects "
                            f"{b.str_short()}.")
    del n_xs
    carry = [a.strip_weak_type() for a in in_avals[num_consts:num_consts + num_carry]]
    ys = [ShapedArray((length,) + a.shape, a.dtype) for a in jaxpr.out_avals[num_carry:]]
    return carry + ys


def _scan_weak_type(in_weak, jaxpr, length, reverse, num_consts, num_carry):
    carry = jaxpr.in_avals[num_consts:num_consts + num_carry]
    return [a.weak_type for a in carry] + [a.weak_type for a in jaxpr.out_avals[num_carry:]]


def _scan_impl(*args, jaxpr, length, reverse, num_consts, num_carry):
    # The body is compiled once; the loop is Python over the executable: nothing re-traces.
    exe = common.executable(jaxpr)
    consts, carry, xs = _split_operands(args, num_consts, num_carry)
    y_avals = jaxpr.out_avals[num_carry:]
    ys = [np.empty((length,) + a.shape, a.dtype) for a in y_avals]
    carry_avals = jaxpr.in_avals[num_consts:num_consts + num_carry]
    carry = [np.asarray(c) for c in carry]
    for step in range(length):
        i = length - 1 - step if reverse else step
        outs = exe.run(consts + carry + [x[i, ...] for x in xs])
        carry = outs[:num_carry]
        for y, o in zip(ys, outs[num_carry:]):
            y[i] = o
    return [np.asarray(c, a.dtype) for c, a in zip(carry, carry_avals)] + ys


scan_p.def_impl(_scan_impl)
scan_p.def_abstract_eval(_scan_abstract_eval)
scan_p.weak_type_rule = _scan_weak_type


# ---------------------------------------------------------------------------------------
# Forward mode: a scan of the body's jvp. Which carries have nonzero tangents is a fixpoint:
# a carry whose tangent starts at zero may pick one up in the body.

def _scan_jvp(primals, tangents, jaxpr, length, reverse, num_consts, num_carry):
    from fneedle.lax.ad_rules import instantiate
    nz = [type(t) is not Zero for t in tangents]
    const_nz, init_nz, xs_nz = _split_operands(nz, num_consts, num_carry)
    n_ys = len(jaxpr.out_avals) - num_carry

    def carry_out_nz(carry_nz):
        return common.jvp_of(jaxpr, const_nz + carry_nz + xs_nz,
                             carry_nz + [False] * n_ys)[1][:num_carry]
    carry_nz = common.fixpoint(init_nz, carry_out_nz)
    key, inst = tuple(const_nz + carry_nz + xs_nz), tuple(carry_nz + [False] * n_ys)
    jvp_closed, out_nz = common.jvp_of(jaxpr, key, inst)
    ys_nz = out_nz[num_carry:]
    n_ct, n_cart, n_xt, n_yt = sum(const_nz), sum(carry_nz), sum(xs_nz), sum(ys_nz)
    # jvp_jaxpr's order is (primals, tangents), in and out; a scan's is (consts, carry, xs)
    # in and (carry, ys) out, so each group gets its tangents beside it.
    n_in, n_out, nc = len(nz), len(jaxpr.out_avals), num_consts
    in_order = (_r(0, nc) + _r(n_in, n_ct) + _r(nc, num_carry) + _r(n_in + n_ct, n_cart)
                + _r(nc + num_carry, n_in - nc - num_carry) + _r(n_in + n_ct + n_cart, n_xt))
    out_order = (_r(0, num_carry) + _r(n_out, n_cart) + _r(num_carry, n_ys)
                 + _r(n_out + n_cart, n_yt))
    body = common.cached(jaxpr, ("jvp-scan", key, inst),
                         lambda: common.reorder(jvp_closed, in_order, out_order))
    consts, init, xs = _split_operands(primals, num_consts, num_carry)
    const_t, init_t, xs_t = _split_operands(tangents, num_consts, num_carry)
    const_t = [t for t, z in zip(const_t, const_nz) if z]
    init_t = [instantiate(t) for t, z in zip(init_t, carry_nz) if z]
    xs_t = [t for t, z in zip(xs_t, xs_nz) if z]
    outs = scan_p.bind(*consts, *const_t, *init, *init_t, *xs, *xs_t, jaxpr=body,
                       length=length, reverse=reverse, num_consts=num_consts + n_ct,
                       num_carry=num_carry + n_cart)
    carry, carry_t, ys, ys_t = common.split_list(outs, [num_carry, n_cart, n_ys])
    it_c, it_y = iter(carry_t), iter(ys_t)
    out_t = ([next(it_c) if z else Zero(tangent_aval(get_aval(c)))
              for z, c in zip(carry_nz, carry)]
             + [next(it_y) if z else Zero(tangent_aval(get_aval(y))) for z, y in zip(ys_nz, ys)])
    return carry + ys, out_t


def _r(start, n):
    return list(range(start, start + n))


scan_p.def_jvp(_scan_jvp)


# ---------------------------------------------------------------------------------------
# Partial evaluation: the body splits into a known part, run now as a scan that also
# stacks the residuals, and an unknown part, staged as a scan that consumes them. Which
# carries are unknown is a fixpoint. Residuals that do not change from step to step
# (computed from the known consts only) are computed once and passed as consts instead of
# being stacked; residuals that are known xs slices are the known xs themselves.

def _scan_partial_eval(pe, args, params):
    from fneedle.core.staging import StagingInterpreter
    jaxpr, length, reverse = params["jaxpr"], params["length"], params["reverse"]
    num_consts, num_carry = params["num_consts"], params["num_carry"]
    unknowns = [pe.is_unknown(a) for a in args]
    const_uk, init_uk, xs_uk = _split_operands(unknowns, num_consts, num_carry)
    n_ys = len(jaxpr.out_avals) - num_carry

    def carry_out_uk(carry_uk):
        return common.partial_eval_of(jaxpr, const_uk + carry_uk + xs_uk,
                                      carry_uk + [False] * n_ys)[2][:num_carry]
    carry_uk = common.fixpoint(init_uk, carry_out_uk)
    key, inst = tuple(const_uk + carry_uk + xs_uk), tuple(carry_uk + [False] * n_ys)
    split = common.cached(jaxpr, ("scan-pe", key, inst),
                          lambda: _split_body(jaxpr, key, inst, num_consts, num_carry))
    (hoist, loop_body, unknown_body, out_uk, n_inv, fwd_xs, n_loop_res) = split
    consts, init, xs = _split_operands(args, num_consts, num_carry)
    k_consts = [c for c, u in zip(consts, const_uk) if not u]
    k_init = [c for c, u in zip(init, carry_uk) if not u]
    k_xs = [x for x, u in zip(xs, xs_uk) if not u]
    # Loop-invariant residuals, computed once from the known consts.
    with set_interpreter(pe.parent):
        hoisted = common.eval_closed(hoist, k_consts)
    inv_res, h_res = hoisted[:n_inv], hoisted[n_inv:]
    n_k_carry = num_carry - sum(carry_uk)
    n_k_ys = n_ys - sum(out_uk[num_carry:])
    known_outs = []
    if n_k_carry + n_k_ys + n_loop_res:
        known_outs = pe.parent.process_primitive(
            scan_p, list(h_res) + k_init + k_xs,
            {"jaxpr": loop_body, "length": length, "reverse": reverse,
             "num_consts": len(h_res), "num_carry": n_k_carry})
    k_carry, k_ys, stacked = common.split_list(known_outs, [n_k_carry, n_k_ys])
    stacked = iter(stacked)
    loop_res = [k_xs[j] if j is not None else next(stacked) for j in fwd_xs]
    u_consts = [c for c, u in zip(consts, const_uk) if u]
    u_init = [c for c, u in zip(init, carry_uk) if u]
    u_xs = [x for x, u in zip(xs, xs_uk) if u]
    unknown_outs = []
    if any(out_uk):
        unknown_outs = StagingInterpreter.process_primitive(
            pe, scan_p, list(inv_res) + u_consts + u_init + loop_res + u_xs,
            {"jaxpr": unknown_body, "length": length, "reverse": reverse,
             "num_consts": n_inv + len(u_consts), "num_carry": len(u_init)})
    known_iter = iter(list(k_carry) + list(k_ys))
    unknown_iter = iter(unknown_outs)
    return [next(unknown_iter) if u else next(known_iter) for u in out_uk]


def _split_body(jaxpr, unknowns, instantiate, num_consts, num_carry):
    """The jaxprs of scan's partial evaluation, for one pattern of unknown inputs.

    Returns:
      (hoist, loop_body, unknown_body, out_unknowns, n_invariant, fwd_xs, n_stacked):
      hoist maps the known consts to (invariant residuals, consts of loop_body); loop_body
      is the known scan's body, (those consts, known carry, known xs) -> (known carry,
      known ys, stacked residuals); unknown_body is the unknown scan's body,
      (invariant residuals, unknown consts, unknown carry, stacked residuals, unknown xs)
      -> (unknown carry, unknown ys). fwd_xs lists, per stacked residual, the index of the
      known xs it is (None: the known scan stacks it).
    """
    known, unknown, out_uk, n_res = common.partial_eval_of(jaxpr, unknowns, instantiate)
    const_uk, carry_uk, xs_uk = _split_operands(list(unknowns), num_consts, num_carry)
    n_kc, n_kcar, n_kx = (len(const_uk) - sum(const_uk), len(carry_uk) - sum(carry_uk),
                          len(xs_uk) - sum(xs_uk))
    n_known_out = len(known.out_avals) - n_res
    # Which residuals depend on the loop (carry or xs) rather than on the consts alone.
    hoist, loop, loop_uk, _ = common.partial_eval_of(
        known, [False] * n_kc + [True] * (n_kcar + n_kx), [True] * n_known_out
        + [False] * n_res)
    res_loop_dep = loop_uk[n_known_out:]
    n_inv = n_res - sum(res_loop_dep)
    # loop's outputs are (known carry, known ys, loop-dependent residuals); those that are
    # known xs inputs need not be stacked: the unknown scan reads the known xs directly.
    lj = loop.jaxpr
    n_h = len(lj.inputs) - n_kcar - n_kx
    xs_vars = {v: j for j, v in enumerate(lj.inputs[n_h + n_kcar:])}
    fwd_xs, keep = [], list(range(n_known_out))
    for k, v in enumerate(lj.outputs[n_known_out:]):
        j = xs_vars.get(v) if type(v) is not Literal else None
        fwd_xs.append(j)
        if j is None:
            keep.append(n_known_out + k)
    loop_body = common.take_outputs(loop, keep)
    # The unknown body takes (residuals, unknown inputs) in the residuals' original order;
    # reorder to (invariant residuals, unknown consts, unknown carry, stacked, unknown xs).
    inv_idx = [i for i, d in enumerate(res_loop_dep) if not d]
    dep_idx = [i for i, d in enumerate(res_loop_dep) if d]
    n_uc, n_ucar = sum(const_uk), sum(carry_uk)
    u = n_res
    order = (inv_idx + list(range(u, u + n_uc + n_ucar)) + dep_idx
             + list(range(u + n_uc + n_ucar, len(unknown.in_avals))))
    unknown_body = common.reorder(unknown, order)
    return (hoist, loop_body, unknown_body, tuple(out_uk), n_inv, fwd_xs,
            len(keep) - n_known_out)


scan_p.def_partial_eval(_scan_partial_eval)


# ---------------------------------------------------------------------------------------
# Transposition: a scan in the other direction of the body's transpose. Carry cotangents
# flow backwards as the carry; cotangents of the linear xs are stacked as ys; cotangents of
# the linear consts are summed over the steps in an extra carry.

def _scan_transpose(cts, *args, jaxpr, length, reverse, num_consts, num_carry):
    from fneedle.lax.ad_rules import instantiate, zeros_like_aval
    consts, init, xs = _split_operands(args, num_consts, num_carry)
    const_lin = tuple(is_undefined_primal(c) for c in consts)
    xs_lin = tuple(is_undefined_primal(x) for x in xs)
    # Carries are linear (tangents); a carry given as a value (e.g. instantiated zeros) is
    # treated as linear too, and its cotangent dropped.
    linear = const_lin + (True,) * num_carry + xs_lin
    body = common.cached(jaxpr, ("scan-transpose", linear),
                         lambda: _transpose_body(jaxpr, linear, num_consts, num_carry))
    res_consts = [c for c, lin in zip(consts, const_lin) if not lin]
    res_xs = [x for x, lin in zip(xs, xs_lin) if not lin]
    lin_const_avals = [tangent_aval(c.aval) for c in consts if is_undefined_primal(c)]
    carry_avals = [tangent_aval(a) for a in jaxpr.in_avals[num_consts:num_consts + num_carry]]
    cts = [instantiate(c) for c in cts]
    ct_carry, ct_ys = cts[:num_carry], cts[num_carry:]
    acc0 = [zeros_like_aval(a) for a in lin_const_avals]
    outs = scan_p.bind(*res_consts, *acc0, *ct_carry, *res_xs, *ct_ys, jaxpr=body,
                       length=length, reverse=not reverse, num_consts=len(res_consts),
                       num_carry=len(acc0) + num_carry)
    ct_consts, ct_init, ct_xs = common.split_list(outs, [len(acc0), num_carry])
    del carry_avals
    it_c, it_x = iter(ct_consts), iter(ct_xs)
    return ([next(it_c) if lin else None for lin in const_lin]
            + [c if is_undefined_primal(a) else None for c, a in zip(ct_init, init)]
            + [next(it_x) if lin else None for lin in xs_lin])


def _transpose_body(jaxpr, linear, num_consts, num_carry):
    """The transposed scan's body: (res consts, const-ct accumulators, carry cts, res xs,
    y cts) -> (accumulators + this step's const cts, input-carry cts, linear xs cts)."""
    from fneedle.core.staging import trace_to_jaxpr
    from fneedle.lax.arithmetic import add
    t = common.transpose_of(jaxpr, linear)
    const_lin, _, xs_lin = _split_operands(list(linear), num_consts, num_carry)
    in_avals = jaxpr.in_avals
    consts_av, carry_av, xs_av = _split_operands(in_avals, num_consts, num_carry)
    res_c_av = [a for a, lin in zip(consts_av, const_lin) if not lin]
    acc_av = [tangent_aval(a) for a, lin in zip(consts_av, const_lin) if lin]
    ct_carry_av = [tangent_aval(a) for a in carry_av]
    res_x_av = [a for a, lin in zip(xs_av, xs_lin) if not lin]
    ct_y_av = [tangent_aval(a) for a in jaxpr.out_avals[num_carry:]]
    n_rc, n_acc, n_cc, n_rx = len(res_c_av), len(acc_av), len(ct_carry_av), len(res_x_av)

    def body(*args):
        res_c, acc, ct_c, res_x, ct_y = common.split_list(args, [n_rc, n_acc, n_cc, n_rx])
        outs = common.eval_closed(t, res_c + res_x + ct_c + ct_y)
        ct_consts, ct_carry, ct_xs = common.split_list(outs, [n_acc, n_cc])
        return [add(a, c) for a, c in zip(acc, ct_consts)] + ct_carry + ct_xs

    return trace_to_jaxpr(body, res_c_av + acc_av + ct_carry_av + res_x_av + ct_y_av,
                          "transpose of a scan body")


scan_p.def_transpose(_scan_transpose)


# ---------------------------------------------------------------------------------------
# Batching: batched carries are a fixpoint (an unbatched carry becomes batched if the body
# mixes a batched value into it). Batch dims go to axis 0 of carries and axis 1 of xs and
# ys (axis 0 being the scan axis).

def _scan_batch(args, dims, jaxpr, length, reverse, num_consts, num_carry):
    from fneedle.lax.batch_rules import batch_size, bdim_at_front, move_axis
    size = batch_size(args, dims)
    const_dims, init_dims, xs_dims = _split_operands(list(dims), num_consts, num_carry)
    xs_b = [0 if d is not None else None for d in xs_dims]

    def body_dims(carry_b):
        return tuple(const_dims + [0 if b else None for b in carry_b] + xs_b)

    def carry_out_b(carry_b):
        out_dims = common.batch_of(jaxpr, size, body_dims(carry_b))[1]
        return [d is not None for d in out_dims[:num_carry]]
    carry_b = common.fixpoint([d is not None for d in init_dims], carry_out_b)
    in_dims = body_dims(carry_b)
    ys_b = [d is not None for d in common.batch_of(jaxpr, size, in_dims)[1][num_carry:]]
    want = tuple(0 if b else None for b in carry_b + ys_b)
    body, _ = common.batch_of(jaxpr, size, in_dims, want)
    consts, init, xs = _split_operands(args, num_consts, num_carry)
    init = [bdim_at_front(x, d, size) if b else x for x, d, b in zip(init, init_dims, carry_b)]
    xs = [move_axis(x, d, 1) if d is not None else x for x, d in zip(xs, xs_dims)]
    outs = scan_p.bind(*consts, *init, *xs, jaxpr=body, length=length, reverse=reverse,
                       num_consts=num_consts, num_carry=num_carry)
    return outs, [0 if b else None for b in carry_b] + [1 if b else None for b in ys_b]


scan_p.def_batch(_scan_batch)
