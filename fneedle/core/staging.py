"""Staging: an interpreter that records primitive applications into a jaxpr instead of running
them. `make_jaxpr`, `jit` and the control-flow primitives trace functions with it."""

import numpy as np

from fneedle.core.array import Array
from fneedle.core.interpreter import Interpreter, Tracer, get_aval, trace_with
from fneedle.core.jaxpr import ClosedJaxpr, Equation, Jaxpr, Literal, Var


class StagingTracer(Tracer):
    """A value being staged: it stands for jaxpr variable `jaxpr_var`. (Not `var`: that name
    is NumPy's variance method, which fneedle.numpy installs on tracers.)"""

    __slots__ = ("jaxpr_var",)

    def __init__(self, interp, var):
        self._interp = interp
        self.jaxpr_var = var

    @property
    def aval(self):
        return self.jaxpr_var.aval


def abstract_eval(primitive, avals, params):
    """Output aval(s) of `primitive` on `avals`, with weak types set by the primitive's rule."""
    out = primitive.rule("abstract_eval")(*avals, **params)
    weak = primitive.out_weak_type([a.weak_type for a in avals], params)
    if primitive.multiple_results:
        weaks = weak if type(weak) is list else [weak] * len(out)
        return [o if o.weak_type == w else o.update(weak_type=w) for o, w in zip(out, weaks)]
    return out if out.weak_type == weak else out.update(weak_type=weak)


class StagingInterpreter(Interpreter):
    """Builds a jaxpr from the primitives bound while it is current.

    Values it does not own (arrays, NumPy values, tracers of enclosing transformations)
    become constants of the jaxpr: scalars inline as literals, others as constvars.
    """

    def __init__(self, description="staging (make_jaxpr/jit)"):
        self.description = description
        self.inputs = []
        self.equations = []
        self._const_vars = {}  # id(value) -> Var
        self._consts = []  # (Var, value), value kept alive here

    def new_input(self, aval):
        var = Var(aval)
        self.inputs.append(var)
        return StagingTracer(self, var)

    def atom(self, x):
        """The Var or Literal that stands for x inside this jaxpr."""
        if isinstance(x, StagingTracer) and x._interp is self:
            return x.jaxpr_var
        if isinstance(x, Tracer):
            self.check_foreign(x)
            return self._constvar(x, x.aval)
        aval = get_aval(x)
        if not aval.shape:
            value = x._buf if type(x) is Array else x
            if type(x) is not Array or x.device.platform == "cpu":
                return Literal(_scalar(value, aval.dtype), aval)
        return self._constvar(x, aval)

    def _constvar(self, x, aval):
        var = self._const_vars.get(id(x))
        if var is None:
            var = self._const_vars[id(x)] = Var(aval)
            self._consts.append((var, x))
        return var

    def process_primitive(self, primitive, args, params):
        atoms = [self.atom(a) for a in args]
        out_avals = abstract_eval(primitive, [a.aval for a in atoms], params)
        if primitive.multiple_results:
            outvars = [Var(a) for a in out_avals]
            self.equations.append(Equation(primitive, atoms, params, outvars))
            return [StagingTracer(self, v) for v in outvars]
        var = Var(out_avals)
        self.equations.append(Equation(primitive, atoms, params, [var]))
        return StagingTracer(self, var)

    def build(self, outputs):
        """The ClosedJaxpr from this interpreter's inputs to `outputs` (values or tracers)."""
        out_atoms = [self.atom(o) for o in outputs]
        constvars = [v for v, _ in self._consts]
        consts = [c for _, c in self._consts]
        return ClosedJaxpr(Jaxpr(constvars, self.inputs, self.equations, out_atoms), consts)


def _scalar(value, dtype):
    return np.asarray(value, dtype)[()]


def trace_to_jaxpr(flat_fun, in_avals, description="staging (make_jaxpr/jit)"):
    """Traces `flat_fun(*inputs) -> list of outputs` on abstract inputs.

    Returns:
      A ClosedJaxpr. Constants closed over by the function, including
      tracers of enclosing transformations, become the jaxpr's consts.
    """
    interp = StagingInterpreter(description)
    tracers = [interp.new_input(a) for a in in_avals]
    return trace_with(interp, flat_fun, tracers, interp.build)
