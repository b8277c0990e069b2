"""A small toolkit for passes: rebuilding a jaxpr while substituting variables."""

from fneedle.core.jaxpr import ClosedJaxpr, Equation, Jaxpr, Var


class Rewriter:
    """Accumulates the equations of a new jaxpr; `subst` maps old variables to new atoms."""

    def __init__(self, closed):
        self.constvars = list(closed.jaxpr.constvars)
        self.consts = list(closed.consts)
        self.equations = []
        self.subst = {}

    def read(self, x):
        if type(x) is Var:
            return self.subst.get(x, x)
        return x

    def emit(self, eq, inputs=None, params=None):
        self.equations.append(Equation(eq.primitive,
                                       [self.read(x) for x in eq.inputs] if inputs is None
                                       else inputs,
                                       eq.params if params is None else params, eq.outputs))

    def add_const(self, value, aval):
        v = Var(aval)
        self.constvars.append(v)
        self.consts.append(value)
        return v

    def finish(self, closed):
        jaxpr = closed.jaxpr
        return ClosedJaxpr(Jaxpr(self.constvars, jaxpr.inputs, self.equations,
                                 [self.read(x) for x in jaxpr.outputs]), self.consts)
