"""The jaxpr IR: variables, literals, equations and jaxprs; printing, type checking, evaluation.

A jaxpr is a typed, first-order program: `Jaxpr(constvars, inputs, equations, outputs)`.
Each `Equation(primitive, inputs, params, outputs)` applies one primitive. Text looks like
JAX's: `{ lambda ; a:f32[3]. let b:f32[3] = sin a in (b,) }`.
"""

import numpy as np

from fneedle.core import dtypes
from fneedle.core.aval import ShapedArray
from fneedle.core.errors import JaxprTypeError
from fneedle.core.interpreter import bind


class Var:
    """A jaxpr variable, identified by object identity; named only when printed."""

    __slots__ = ("aval",)

    def __init__(self, aval):
        self.aval = aval

    def __repr__(self):
        return f"Var({self.aval.str_short()})"


class Literal:
    """A scalar constant written inline in a jaxpr (e.g. `2.0:f32[]`)."""

    __slots__ = ("val", "aval")

    def __init__(self, val, aval):
        self.val = val
        self.aval = aval

    def __repr__(self):
        return f"Literal({self.val!r})"


class Equation:
    """`outputs = primitive[params] inputs`."""

    __slots__ = ("primitive", "inputs", "params", "outputs")

    def __init__(self, primitive, inputs, params, outputs):
        self.primitive = primitive
        self.inputs = inputs
        self.params = params
        self.outputs = outputs

    def __repr__(self):
        return pp_equation(self, _Names())


class Jaxpr:
    """A program: constvars and inputs are Vars; outputs are Vars or Literals."""

    __slots__ = ("constvars", "inputs", "equations", "outputs", "__weakref__")

    def __init__(self, constvars, inputs, equations, outputs):
        self.constvars = list(constvars)
        self.inputs = list(inputs)
        self.equations = list(equations)
        self.outputs = list(outputs)

    in_avals = property(lambda self: [v.aval for v in self.inputs])
    out_avals = property(lambda self: [v.aval for v in self.outputs])

    def __str__(self):
        return pp_jaxpr(self)

    __repr__ = __str__


class ClosedJaxpr:
    """A jaxpr with values for its constvars. Printing shows the jaxpr."""

    __slots__ = ("jaxpr", "consts", "__weakref__")

    def __init__(self, jaxpr, consts):
        if len(jaxpr.constvars) != len(consts):
            raise ValueError(f"ClosedJaxpr got {len(consts)} consts for "
                             f"{len(jaxpr.constvars)} constvars.")
        self.jaxpr = jaxpr
        self.consts = list(consts)

    in_avals = property(lambda self: self.jaxpr.in_avals)
    out_avals = property(lambda self: self.jaxpr.out_avals)
    equations = property(lambda self: self.jaxpr.equations)

    def __call__(self, *args):
        return eval_jaxpr(self.jaxpr, self.consts, *args)

    def __str__(self):
        return pp_jaxpr(self.jaxpr)

    __repr__ = __str__


def literal(value, aval=None):
    """A Literal for a scalar value (Python or NumPy) with its (weak) aval."""
    if aval is None:
        from fneedle.core.interpreter import get_aval
        aval = get_aval(value)
    return Literal(np.asarray(value, aval.dtype)[()], aval)


# ---------------------------------------------------------------------------------------
# Evaluation.

def eval_jaxpr(jaxpr, consts, *args):
    """Runs `jaxpr` with the current interpreter (so it can itself be transformed)."""
    env = {}
    for v, x in zip(jaxpr.constvars, consts, strict=True):
        env[v] = x
    if len(args) != len(jaxpr.inputs):
        raise TypeError(f"The jaxpr takes {len(jaxpr.inputs)} inputs but got {len(args)}.")
    for v, x in zip(jaxpr.inputs, args):
        env[v] = x
    for eq in jaxpr.equations:
        ins = [x.val if type(x) is Literal else env[x] for x in eq.inputs]
        out = bind(eq.primitive, ins, eq.params)
        if eq.primitive.multiple_results:
            for v, o in zip(eq.outputs, out, strict=True):
                env[v] = o
        else:
            env[eq.outputs[0]] = out
    return [x.val if type(x) is Literal else env[x] for x in jaxpr.outputs]


# ---------------------------------------------------------------------------------------
# Type checking.

def typecheck_jaxpr(jaxpr):
    """Checks that every variable is defined once before use and that each equation's
    declared output types are what its primitive infers from its inputs.

    Raises:
      JaxprTypeError naming the equation and the disagreeing types.
    """
    names = _Names()
    defined = set()

    def define(v, where):
        if not isinstance(v, Var):
            raise JaxprTypeError(f"{where} must be a Var, got {v!r}.")
        if v in defined:
            raise JaxprTypeError(f"Variable {names[v]} is defined twice ({where}).")
        defined.add(v)

    def use(x, where):
        if isinstance(x, Literal):
            return
        if x not in defined:
            raise JaxprTypeError(f"Variable {names[x]}:{x.aval.str_short()} is used in "
                                 f"{where} before it is defined.")

    for v in jaxpr.constvars:
        define(v, "a constvar")
    for v in jaxpr.inputs:
        define(v, "an input")
    for i, eq in enumerate(jaxpr.equations):
        where = f"equation {i} ({pp_equation(eq, names)})"
        for x in eq.inputs:
            use(x, where)
        in_avals = [x.aval for x in eq.inputs]
        try:
            out = eq.primitive.rule("abstract_eval")(*in_avals, **eq.params)
        except Exception as e:
            raise JaxprTypeError(f"In {where}: the inputs "
                                 f"{', '.join(a.str_short() for a in in_avals)} are invalid "
                                 f"for '{eq.primitive.name}': {e}") from e
        out = list(out) if eq.primitive.multiple_results else [out]
        if len(out) != len(eq.outputs):
            raise JaxprTypeError(f"In {where}: '{eq.primitive.name}' produces {len(out)} "
                                 f"outputs but the equation declares {len(eq.outputs)}.")
        for k, (want, v) in enumerate(zip(out, eq.outputs)):
            if (want.shape, want.dtype) != (v.aval.shape, v.aval.dtype):
                raise JaxprTypeError(
                    f"In {where}: output {k} is declared {v.aval.str_short()} but "
                    f"'{eq.primitive.name}' of {', '.join(a.str_short() for a in in_avals)} "
                    f"gives {want.str_short()}. Fix the declared type or the inputs.")
            define(v, where)
    for x in jaxpr.outputs:
        use(x, "the jaxpr's outputs")


# ---------------------------------------------------------------------------------------
# Printing.

class _Names(dict):
    """Names variables a, b, ..., z, ba, bb, ... in order of first appearance."""

    def __missing__(self, var):
        n = len(self)
        s = ""
        while True:
            s = chr(ord("a") + n % 26) + s
            n //= 26
            if n == 0:
                break
        self[var] = s
        return s


def _pp_atom(x, names):
    if isinstance(x, Literal):
        return f"{_pp_value(x.val)}:{x.aval.str_short()}"
    return names[x]


def _pp_value(v):
    v = np.asarray(v)
    if v.ndim == 0:
        item = v.item()
        return repr(item) if not isinstance(item, float) else repr(float(item))
    return np.array2string(v, separator=",").replace("\n", "")


def _pp_param(value, indent):
    if isinstance(value, ClosedJaxpr):
        value = value.jaxpr
    if isinstance(value, Jaxpr):
        return pp_jaxpr(value, indent)
    if isinstance(value, np.dtype):
        return dtypes.short_name(value) if value in dtypes.SUPPORTED else str(value)
    if isinstance(value, (tuple, list)) and value and all(
            isinstance(v, (Jaxpr, ClosedJaxpr)) for v in value):
        inner = (",\n" + " " * (indent + 2)).join(_pp_param(v, indent + 2) for v in value)
        return "(\n" + " " * (indent + 2) + inner + "\n" + " " * indent + ")"
    if isinstance(value, ShapedArray):
        return value.str_short()
    if callable(value) and hasattr(value, "__name__"):
        return value.__name__
    return repr(value)


def pp_equation(eq, names, indent=0):
    outs = " ".join(f"{names[v]}:{v.aval.str_short()}" for v in eq.outputs)
    ins = " ".join(_pp_atom(x, names) for x in eq.inputs)
    lhs = outs if outs else "_"
    params = sorted(eq.params.items())
    nested = any(isinstance(v, (Jaxpr, ClosedJaxpr)) or (
        isinstance(v, (tuple, list)) and any(isinstance(w, (Jaxpr, ClosedJaxpr)) for w in v))
        for _, v in params)
    if not params:
        return f"{lhs} = {eq.primitive.name} {ins}".rstrip()
    if not nested:
        p = " ".join(f"{k}={_pp_param(v, indent)}" for k, v in params)
        line = f"{lhs} = {eq.primitive.name}[{p}] {ins}".rstrip()
        if len(line) + indent <= 100:
            return line
    pad = " " * (indent + 2)
    body = "\n".join(f"{pad}{k}={_pp_param(v, indent + 2)}" for k, v in params)
    return f"{lhs} = {eq.primitive.name}[\n{body}\n{' ' * indent}] {ins}".rstrip()


def pp_jaxpr(jaxpr, indent=0):
    """The jaxpr's text, JAX style; short jaxprs print on one line."""
    names = _Names()
    consts = " ".join(f"{names[v]}:{v.aval.str_short()}" for v in jaxpr.constvars)
    ins = " ".join(f"{names[v]}:{v.aval.str_short()}" for v in jaxpr.inputs)
    head = "{ lambda " + (consts + "; " if consts else "; ") + ins + ". let"
    eqs = [pp_equation(eq, names, indent + 4) for eq in jaxpr.equations]
    outs = "(" + ", ".join(_pp_atom(x, names) for x in jaxpr.outputs) + \
        ("," if len(jaxpr.outputs) == 1 else "") + ")"
    one_line = f"{head} {' '.join(eqs)}{' ' if eqs else ''}in {outs} }}"
    if len(eqs) <= 1 and "\n" not in one_line and len(one_line) + indent <= 100:
        return one_line
    pad = " " * (indent + 4)
    lines = [head] + [pad + e for e in eqs] + [" " * (indent + 2) + f"in {outs} }}"]
    return "\n".join(lines)
