"""Algebraic simplification: a table of local rewrites (x*1, x+0, neg of neg, transpose of
transpose, reshape chains, no-op converts and broadcasts, broadcasts of scalars)."""

import numpy as np

from fneedle import lax
from fneedle.core.jaxpr import Equation, Literal, Var
from fneedle.transforms.compiler.rewrite import Rewriter

# Elementwise primitives whose rank-0 operands broadcast (fneedle/lax/arithmetic.py).
SCALAR_BROADCASTING = frozenset([
    lax.arithmetic.add_p, lax.arithmetic.sub_p, lax.arithmetic.mul_p, lax.arithmetic.div_p,
    lax.arithmetic.rem_p, lax.arithmetic.pow_p, lax.arithmetic.max_p, lax.arithmetic.min_p,
    lax.arithmetic.atan2_p, lax.arithmetic.eq_p, lax.arithmetic.ne_p, lax.arithmetic.lt_p,
    lax.arithmetic.le_p, lax.arithmetic.gt_p, lax.arithmetic.ge_p, lax.arithmetic.and_p,
    lax.arithmetic.or_p, lax.arithmetic.xor_p, lax.arithmetic.select_n_p,
    lax.arithmetic.clamp_p])

_IDENTITY = {  # primitive -> (identity value, which operand positions may hold it)
    lax.arithmetic.mul_p: (1, (0, 1)), lax.arithmetic.add_p: (0, (0, 1)),
    lax.arithmetic.sub_p: (0, (1,)), lax.arithmetic.div_p: (1, (1,)),
}


def _is_literal(x, value):
    return type(x) is Literal and np.asarray(x.val).item() == value


def _same_type(a, b):
    return a.shape == b.shape and a.dtype == b.dtype


def simplify(closed):
    rw = Rewriter(closed)
    producer = {}  # var -> the (rewritten) equation that defines it
    for eq in closed.jaxpr.equations:
        ins = [rw.read(x) for x in eq.inputs]
        prim, out = eq.primitive, eq.outputs[0] if eq.outputs else None
        replacement = None
        if prim in _IDENTITY:
            value, positions = _IDENTITY[prim]
            for pos in positions:
                other = ins[1 - pos]
                if _is_literal(ins[pos], value) and _same_type(other.aval, out.aval):
                    replacement = other
        elif prim is lax.elementwise.neg_p:
            src = producer.get(ins[0])
            if src is not None and src.primitive is lax.elementwise.neg_p:
                replacement = src.inputs[0]
        elif prim is lax.arithmetic.convert_element_type_p:
            if _same_type(ins[0].aval, out.aval):
                replacement = ins[0]
        elif prim is lax.shape.transpose_p:
            src = producer.get(ins[0])
            if src is not None and src.primitive is lax.shape.transpose_p:
                p1, p2 = src.params["permutation"], eq.params["permutation"]
                perm = tuple(p1[p] for p in p2)
                if perm == tuple(range(len(perm))):
                    replacement = src.inputs[0]
                else:
                    ins, eq = [src.inputs[0]], _with(eq, permutation=perm)
        elif prim is lax.shape.reshape_p:
            src = producer.get(ins[0])
            if src is not None and src.primitive is lax.shape.reshape_p:
                ins = [src.inputs[0]]
            if ins[0].aval.shape == out.aval.shape:
                replacement = ins[0]
        elif prim is lax.shape.broadcast_in_dim_p:
            if ins[0].aval.shape == out.aval.shape:
                replacement = ins[0]
        if prim in SCALAR_BROADCASTING:
            ins = _unbroadcast_scalars(ins, producer, out.aval.shape, _anchors(prim, len(ins)))
        if replacement is not None:
            rw.subst[out] = replacement
            continue
        new = Equation(eq.primitive, ins, eq.params, eq.outputs)
        rw.equations.append(new)
        for v in eq.outputs:
            producer[v] = new
    return rw.finish(closed)


def _with(eq, **params):
    return Equation(eq.primitive, eq.inputs, {**eq.params, **params}, eq.outputs)


def _anchors(prim, n):
    """Operand positions of which one must keep the full shape: select_n's selector and
    clamp's bounds cannot be the only full-shaped operand."""
    if prim is lax.arithmetic.select_n_p:
        return range(1, n)
    if prim is lax.arithmetic.clamp_p:
        return (1,)
    return range(n)


def _unbroadcast_scalars(ins, producer, out_shape, anchors):
    """Feeds rank-0 values straight to an op that broadcasts them, skipping a broadcast."""
    new = list(ins)
    for i, x in enumerate(ins):
        src = producer.get(x) if type(x) is Var else None
        if (src is not None and src.primitive is lax.shape.broadcast_in_dim_p
                and not src.inputs[0].aval.shape):
            candidate = new[:i] + [src.inputs[0]] + new[i + 1:]
            if any(candidate[k].aval.shape == out_shape for k in anchors):
                new = candidate
    return new
