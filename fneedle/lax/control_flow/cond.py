"""`cond` and `switch`: the `cond` primitive, carrying one closed jaxpr per branch and
choosing one by an int32 index, with its jvp, partial-eval, transpose and batch rules."""

import numpy as np

from fneedle.core import dtypes, tree_util
from fneedle.core.config import config
from fneedle.core.errors import DtypeError, ShapeError
from fneedle.core.interpreter import Tracer, get_aval
from fneedle.core.jaxpr import ClosedJaxpr, Jaxpr, Var
from fneedle.core.linear import Zero, is_undefined_primal, tangent_aval
from fneedle.core.primitive import Primitive
from fneedle.lax.control_flow import common

cond_p = Primitive("cond", multiple_results=True)


# ---------------------------------------------------------------------------------------
# The user-facing functions.

def cond(pred, true_fun, false_fun, *operands):
    """true_fun(*operands) if pred else false_fun(*operands), as one primitive.

    Both branches are traced; they must return the same types (pytree structure, shapes,
    dtypes). Unlike Python `if`, this works on traced predicates (under jit and vmap; with a
    batched predicate both branches run and the results are selected per batch member).

    Args:
      pred: a scalar bool (or integer: nonzero is true).
      true_fun, false_fun: functions of `operands` (pytrees of arrays).
      operands: the branches' arguments.
    Returns:
      The chosen branch's output.
    Example:
      y = fneedle.lax.cond(x > 0, lambda x: x * 2.0, lambda x: -x, x)
    """
    for name, f in (("true_fun", true_fun), ("false_fun", false_fun)):
        if not callable(f):
            raise TypeError(f"cond's {name} must be callable, got {type(f).__name__}.")
    aval = get_aval(pred)
    if aval.shape != ():
        raise ShapeError(f"cond's predicate must be a scalar, but it has shape {aval.shape}. "
                         f"For elementwise choices use fneedle.lax.select_n or "
                         f"fneedle.numpy.where; under vmap the predicate may be batched.")
    if aval.dtype != np.bool_ and not dtypes.is_integer(aval.dtype):
        raise DtypeError(f"cond's predicate must be a bool (or integer) scalar, got "
                         f"{aval.str_short()}. Compare it first, e.g. cond(x > 0, ...).")
    if config.disable_jit and not isinstance(pred, Tracer):
        return (true_fun if bool(np.asarray(pred)) else false_fun)(*operands)
    from fneedle.lax import arithmetic
    if aval.dtype != np.bool_:
        pred = arithmetic.ne(pred, 0)
    index = arithmetic.convert_element_type(pred, dtypes.int32)
    return _bind(index, (false_fun, true_fun), ("false_fun", "true_fun"), operands)


def switch(index, branches, *operands):
    """branches[index](*operands), index clamped to [0, len(branches) - 1].

    Args:
      index: a scalar integer (traced or not).
      branches: a sequence of functions of `operands` returning the same types.
    Returns:
      The chosen branch's output.
    Example:
      y = fneedle.lax.switch(k, [lambda x: x, lambda x: x * 2.0, lambda x: -x], x)
    """
    branches = list(branches)
    if not branches:
        raise ValueError("switch needs at least one branch.")
    for i, f in enumerate(branches):
        if not callable(f):
            raise TypeError(f"switch's branch {i} must be callable, got {type(f).__name__}.")
    aval = get_aval(index)
    if aval.shape != () or not dtypes.is_integer(aval.dtype):
        raise TypeError(f"switch's index must be a scalar integer, got {aval.str_short()}.")
    if len(branches) == 1:
        return branches[0](*operands)
    n = len(branches)
    if not isinstance(index, Tracer):
        i = int(np.clip(np.asarray(index), 0, n - 1))
        if config.disable_jit:
            return branches[i](*operands)
        index = np.int32(i)
    else:
        from fneedle.lax import arithmetic
        index = arithmetic.convert_element_type(index, dtypes.int32)
        index = arithmetic.clamp(0, index, n - 1)
    from fneedle.core.array import Array
    if not isinstance(index, Tracer):
        index = Array(np.asarray(index, np.int32))
    return _bind(index, branches, [f"branch {i}" for i in range(n)], operands)


def _bind(index, funs, names, operands):
    leaves, in_tree = tree_util.tree_flatten(tuple(operands))
    avals = [get_aval(x) for x in leaves]
    traced = [common.trace_fun(f, in_tree, avals, f"{name} of cond")
              for f, name in zip(funs, names)]
    _check_branch_types(traced, names)
    out_tree = traced[0][2]
    # Closure conversion: every branch takes the captured tracers of all branches first.
    all_consts = [c for _, consts, _ in traced for c in consts]
    branches, start = [], 0
    for closed, consts, _ in traced:
        end = start + len(consts)
        closed = common.with_unused_inputs(closed, 0, [get_aval(c) for c in all_consts[:start]])
        closed = common.with_unused_inputs(closed, end,
                                           [get_aval(c) for c in all_consts[end:]])
        branches.append(closed)
        start = end
    outs = cond_p.bind(index, *all_consts, *leaves, branches=tuple(branches))
    return tree_util.tree_unflatten(out_tree, outs)


def _check_branch_types(traced, names):
    first_closed, _, first_tree = traced[0]
    for (closed, _, tree), name in zip(traced[1:], names[1:]):
        a, b = first_closed.out_avals, closed.out_avals
        if tree != first_tree or len(a) != len(b) or not all(
                common.same_type(x, y) for x, y in zip(a, b)):
            raise TypeError(
                f"cond branches must return the same types (pytree structure, shapes and "
                f"dtypes), but {names[0]} returns {common.tree_type_str(first_tree, a)} and "
                f"{name} returns {common.tree_type_str(tree, b)}. Make every branch return "
                f"values of the same structure, shapes and dtypes.")


# ---------------------------------------------------------------------------------------
# Evaluation and types.

def _cond_abstract_eval(index, *avals, branches):
    if index.shape != () or index.dtype != dtypes.int32:
        raise TypeError(f"cond's index must be an int32 scalar, got {index.str_short()}.")
    for b in branches:
        if len(b.in_avals) != len(avals) or not all(
                common.same_type(x, y) for x, y in zip(b.in_avals, avals)):
            raise TypeError(
                f"cond's operands {[a.str_short() for a in avals]} do not match its branch "
                f"inputs {[a.str_short() for a in b.in_avals]}.")
    return [a.strip_weak_type() for a in branches[0].out_avals]


def _cond_weak_type(in_weak, branches):
    return [all(b.out_avals[k].weak_type for b in branches)
            for k in range(len(branches[0].out_avals))]


def _cond_impl(index, *args, branches):
    # Only the chosen branch runs, as a compiled executable.
    i = int(np.clip(np.asarray(index), 0, len(branches) - 1))
    return common.run(common.executable(branches[i]), args)


cond_p.def_impl(_cond_impl)
cond_p.def_abstract_eval(_cond_abstract_eval)
cond_p.weak_type_rule = _cond_weak_type


# ---------------------------------------------------------------------------------------
# Forward mode: the jvp of every branch, with one pattern of nonzero output tangents.

def _cond_jvp(primals, tangents, branches):
    from fneedle.lax.ad_rules import instantiate
    index, *ops = primals
    nonzeros = [type(t) is not Zero for t in tangents[1:]]
    n_out = len(branches[0].out_avals)
    out_nz = [any(common.jvp_of(b, nonzeros)[1][k] for b in branches) for k in range(n_out)]
    new = tuple(common.jvp_of(b, nonzeros, out_nz)[0] for b in branches)
    ts = [instantiate(t) for t in tangents[1:] if type(t) is not Zero]
    outs = cond_p.bind(index, *ops, *ts, branches=new)
    it = iter(outs[n_out:])
    out_t = [next(it) if nz else Zero(tangent_aval(a))
             for nz, a in zip(out_nz, branches[0].out_avals)]
    return outs[:n_out], out_t


cond_p.def_jvp(_cond_jvp)


# ---------------------------------------------------------------------------------------
# Partial evaluation: each branch splits into a known and an unknown part. The known cond
# computes the known outputs and the residuals of whichever branch runs; residual slots are
# shared by all branches (a branch fills the slots it does not use with zeros, as in JAX).

def _cond_partial_eval(pe, args, params):
    from fneedle.core.staging import StagingInterpreter
    branches = params["branches"]
    index, *ops = args
    if pe.is_unknown(index):  # which branch runs is not known: stage the whole cond
        return StagingInterpreter.process_primitive(pe, cond_p, args, params)
    unknowns = [pe.is_unknown(a) for a in ops]
    n_out = len(branches[0].out_avals)
    out_uk = [any(common.partial_eval_of(b, unknowns)[2][k] for b in branches)
              for k in range(n_out)]
    splits = [common.partial_eval_of(b, unknowns, out_uk) for b in branches]
    known_b, unknown_b, res_avals = _join_residuals(splits, n_out - sum(out_uk))
    known_ops = [a for a, u in zip(ops, unknowns) if not u]
    unknown_ops = [a for a, u in zip(ops, unknowns) if u]
    n_known = n_out - sum(out_uk)
    known_outs = []
    if n_known or res_avals:
        known_outs = pe.parent.process_primitive(cond_p, [index] + known_ops,
                                                 {"branches": known_b})
    residuals = list(known_outs[n_known:])
    unknown_outs = []
    if any(out_uk):
        unknown_outs = StagingInterpreter.process_primitive(
            pe, cond_p, [index] + residuals + unknown_ops, {"branches": unknown_b})
    k, u = iter(known_outs[:n_known]), iter(unknown_outs)
    return [next(u) if unk else next(k) for unk in out_uk]


def _join_residuals(splits, n_known):
    """Known and unknown branches sharing residual slots: a slot holds one residual of each
    branch that has one of its type; the known branch zero-fills slots it leaves empty."""
    from fneedle.core.staging import trace_to_jaxpr
    from fneedle.lax.shape import full
    slots, per_branch = [], []
    for known, _, _, n_res in splits:
        res = known.out_avals[len(known.out_avals) - n_res:]
        used, mine = set(), []
        for a in res:
            s = next((i for i, b in enumerate(slots)
                      if i not in used and common.same_type(a, b)), None)
            if s is None:
                s = len(slots)
                slots.append(a.strip_weak_type())
            used.add(s)
            mine.append(s)
        per_branch.append(mine)
    known_branches, unknown_branches = [], []
    for (known, unknown, _, n_res), mine in zip(splits, per_branch):
        def fill(*ins, known=known, mine=mine):
            outs = common.eval_closed(known, ins)
            filled = [full(a.shape, 0, a.dtype) for a in slots]
            for s, r in zip(mine, outs[n_known:]):
                filled[s] = r
            return list(outs[:n_known]) + filled
        known_branches.append(trace_to_jaxpr(fill, known.in_avals, "known part of cond"))
        uj = unknown.jaxpr
        slot_vars = [Var(a) for a in slots]
        for s, v in zip(mine, uj.inputs[:n_res]):
            slot_vars[s] = v
        unknown_branches.append(ClosedJaxpr(
            Jaxpr(uj.constvars, slot_vars + uj.inputs[n_res:], uj.equations, uj.outputs),
            unknown.consts))
    return tuple(known_branches), tuple(unknown_branches), slots


cond_p.def_partial_eval(_cond_partial_eval)


# ---------------------------------------------------------------------------------------
# Transposition: the transpose of every branch, chosen by the same index.

def _cond_transpose(cts, index, *ops, branches):
    from fneedle.lax.ad_rules import instantiate
    if is_undefined_primal(index):
        raise TypeError("cond's index cannot be a linear input when transposing.")
    linear = [is_undefined_primal(a) for a in ops]
    new = tuple(common.transpose_of(b, linear) for b in branches)
    cts = [instantiate(c) for c in cts]
    outs = cond_p.bind(index, *[a for a in ops if not is_undefined_primal(a)], *cts,
                       branches=new)
    it = iter(outs)
    return [None] + [next(it) if lin else None for lin in linear]


cond_p.def_transpose(_cond_transpose)


# ---------------------------------------------------------------------------------------
# Batching. A batched index: run every (batched) branch and select per batch member. An
# unbatched index: batch the branches, with one batch dim per output shared by all of them.

def _cond_batch(args, dims, branches):
    from fneedle.lax.arithmetic import select_n
    from fneedle.lax.batch_rules import batch_size, move_to_front
    from fneedle.lax.shape import broadcast_in_dim
    index, *ops = args
    index_dim, *op_dims = dims
    size = batch_size(args, dims)
    n_out = len(branches[0].out_avals)
    if index_dim is not None:
        index = move_to_front(index, index_dim)
        results = [common.eval_closed(common.batch_of(b, size, op_dims, [0] * n_out)[0], ops)
                   for b in branches]
        outs = []
        for k in range(n_out):
            cases = [r[k] for r in results]
            which = broadcast_in_dim(index, get_aval(cases[0]).shape, (0,))
            outs.append(select_n(which, *cases))
        return outs, [0] * n_out
    want = [0 if any(common.batch_of(b, size, op_dims)[1][k] is not None for b in branches)
            else None for k in range(n_out)]
    new = tuple(common.batch_of(b, size, op_dims, want)[0] for b in branches)
    return cond_p.bind(index, *ops, branches=new), want


cond_p.def_batch(_cond_batch)
