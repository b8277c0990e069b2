"""Generic passes: inlining nested calls, dead-code elimination, common-subexpression
elimination and constant folding. Each takes and returns a ClosedJaxpr."""

import numpy as np

from fneedle.core.array import Array
from fneedle.core.eval import eval_interpreter
from fneedle.core.jaxpr import ClosedJaxpr, Equation, Jaxpr, Literal, Var
from fneedle.transforms.compiler.rewrite import Rewriter


def inline_calls(closed):
    """Replaces each equation of a call-like primitive (nested jit, checkpoint, custom rules:
    those with an `inline_param`) by the body of the jaxpr it carries."""
    rw = Rewriter(closed)
    # A stack of (equations iterator, variable map of that body) walks nested bodies.
    stack = [(iter(closed.jaxpr.equations), None)]
    while stack:
        eqs, env = stack[-1]
        eq = next(eqs, None)
        if eq is None:
            stack.pop()
            continue

        def read(x, env=env):
            if type(x) is not Var:
                return x
            x = env.get(x, x) if env is not None else x
            return rw.read(x)
        if eq.primitive.inline_param is not None:
            inner = eq.params[eq.primitive.inline_param]
            body_env = {}
            for v, x in zip(inner.jaxpr.inputs, eq.inputs, strict=True):
                body_env[v] = read(x)
            for v, c in zip(inner.jaxpr.constvars, inner.consts, strict=True):
                body_env[v] = rw.add_const(c, v.aval)
            # The body's outputs are bound once the body is done: use a sentinel equation.
            stack.append((_then(iter(inner.jaxpr.equations), inner.jaxpr.outputs, eq.outputs),
                          body_env))
            continue
        if eq.primitive is _BIND_OUTPUTS:
            for out_var, inner_atom in zip(eq.outputs, eq.inputs):
                rw.subst[out_var] = read(inner_atom)
            continue
        new_outs = eq.outputs
        if env is not None:  # variables of an inlined body get fresh names
            new_outs = [Var(v.aval) for v in eq.outputs]
            for v, n in zip(eq.outputs, new_outs):
                env[v] = n
        rw.equations.append(Equation(eq.primitive, [read(x) for x in eq.inputs], eq.params,
                                     new_outs))
    return rw.finish(closed)


class _BindOutputs:
    name = "<bind outputs>"
    inline_param = None


_BIND_OUTPUTS = _BindOutputs()


def _then(eqs, inner_outputs, outer_outputs):
    yield from eqs
    yield Equation(_BIND_OUTPUTS, list(inner_outputs), {}, list(outer_outputs))


def dce(closed):
    """Removes equations whose outputs are never used (effectful ones stay)."""
    jaxpr = closed.jaxpr
    live = {x for x in jaxpr.outputs if type(x) is Var}
    kept = []
    for eq in reversed(jaxpr.equations):
        if eq.primitive.effectful or any(v in live for v in eq.outputs):
            kept.append(eq)
            live.update(x for x in eq.inputs if type(x) is Var)
    kept.reverse()
    used = [(v, c) for v, c in zip(jaxpr.constvars, closed.consts) if v in live]
    return ClosedJaxpr(Jaxpr([v for v, _ in used], jaxpr.inputs, kept, jaxpr.outputs),
                       [c for _, c in used])


def _atom_key(x):
    if type(x) is Literal:
        return ("lit", x.aval.dtype.str, x.aval.weak_type, np.asarray(x.val).item())
    return id(x)


def cse(closed):
    """Merges equations that apply the same primitive to the same inputs and params."""
    rw = Rewriter(closed)
    seen = {}
    for eq in closed.jaxpr.equations:
        ins = [rw.read(x) for x in eq.inputs]
        key = None
        if not eq.primitive.effectful:
            try:
                key = (eq.primitive, tuple(_atom_key(x) for x in ins),
                       tuple(sorted(eq.params.items())))
                hash(key)
            except TypeError:
                key = None
        prev = seen.get(key) if key is not None else None
        if prev is not None:
            for v, p in zip(eq.outputs, prev):
                rw.subst[v] = p
            continue
        if key is not None:
            seen[key] = eq.outputs
        rw.emit(eq, ins)
    return rw.finish(closed)


FOLD_MAX_ELEMENTS = 1 << 20


def fold_constants(closed):
    """Evaluates, at compile time, equations whose inputs are all known constants.

    Equations that would only inflate a constant (a broadcast) are left to run, so folding
    never trades a cheap op for a large constant.
    """
    rw = Rewriter(closed)
    known = {v: c for v, c in zip(closed.jaxpr.constvars, closed.consts)
             if type(c) is Array or isinstance(c, np.ndarray)}
    for eq in closed.jaxpr.equations:
        ins = [rw.read(x) for x in eq.inputs]
        foldable = (not eq.primitive.effectful and eq.primitive.impl is not None and ins
                    and all(type(x) is Literal or x in known for x in ins))
        if foldable:
            in_size = max((x.aval.size for x in ins), default=1)
            out_size = sum(v.aval.size for v in eq.outputs)
            foldable = out_size <= FOLD_MAX_ELEMENTS and out_size <= max(in_size, 1)
        if not foldable:
            rw.emit(eq, ins)
            continue
        vals = [x.val if type(x) is Literal else known[x] for x in ins]
        out = eval_interpreter.process_primitive(eq.primitive, vals, eq.params)
        outs = out if eq.primitive.multiple_results else [out]
        for v, o in zip(eq.outputs, outs):
            if not v.aval.shape:
                rw.subst[v] = Literal(np.asarray(o._buf)[()], v.aval)
            else:
                c = rw.add_const(o, v.aval)
                known[c] = o
                rw.subst[v] = c
    return rw.finish(closed)
