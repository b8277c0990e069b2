"""Fusion: chains of elementwise (and broadcast/convert) equations of one shape become one
`fused` equation, run as a single register program over blocks (csrc/kernels/fused.cc), so
intermediates never go to memory. A trailing sum over the last axes fuses as an epilogue.

The fused equation's impl evaluates its body jaxpr with the primitives' own impls, so the
NumPy specification still defines what it computes.
"""

import math

import numpy as np

from fneedle import lax
from fneedle.core import dtypes
from fneedle.core.jaxpr import ClosedJaxpr, Equation, Jaxpr, Literal, Var
from fneedle.core.primitive import Primitive
from fneedle.transforms.compiler.rewrite import Rewriter

_a, _e, _s = lax.arithmetic, lax.elementwise, lax.shape

# primitive -> opcode name in fneedle/backend/fused_ops.py (params picked by _opcode below)
FUSIBLE = {
    _e.neg_p: "neg", _e.abs_p: "abs", _e.sign_p: "sign", _e.floor_p: "floor",
    _e.ceil_p: "ceil", _e.round_p: "round", _e.exp_p: "exp", _e.exp2_p: "exp2",
    _e.log_p: "log", _e.log1p_p: "log1p", _e.expm1_p: "expm1", _e.sqrt_p: "sqrt",
    _e.rsqrt_p: "rsqrt", _e.cbrt_p: "cbrt", _e.sin_p: "sin", _e.cos_p: "cos",
    _e.tan_p: "tan", _e.asin_p: "asin", _e.acos_p: "acos", _e.atan_p: "atan",
    _e.sinh_p: "sinh", _e.cosh_p: "cosh", _e.tanh_p: "tanh", _e.asinh_p: "asinh",
    _e.acosh_p: "acosh", _e.atanh_p: "atanh", _e.logistic_p: "logistic", _e.erf_p: "erf",
    _e.erfc_p: "erfc", _e.square_p: "square", _e.integer_pow_p: "integer_pow",
    _e.is_finite_p: "is_finite",
    _a.add_p: "add", _a.sub_p: "sub", _a.mul_p: "mul", _a.div_p: "div", _a.rem_p: "rem",
    _a.pow_p: "pow", _a.max_p: "max", _a.min_p: "min", _a.atan2_p: "atan2",
    _a.nextafter_p: "nextafter",
    _a.eq_p: "eq", _a.ne_p: "ne", _a.lt_p: "lt", _a.le_p: "le", _a.gt_p: "gt", _a.ge_p: "ge",
    _a.select_n_p: "select", _a.clamp_p: "clamp",
    _a.convert_element_type_p: "convert",
}
_LOGICAL = {_a.and_p: "logical_and", _a.or_p: "logical_or", _a.xor_p: "logical_xor",
            _e.not_p: "logical_not"}


def _compute_dtype(eq):
    """The float dtype an equation computes in, or None if it cannot join a fused program.

    Comparisons and selects compute in their operands' float dtype and produce 0/1 values;
    bool logic joins when it only touches bools.
    """
    prim = eq.primitive
    if prim in _LOGICAL:
        return "bool" if all(x.aval.dtype == dtypes.bool_ for x in eq.inputs) else None
    if prim not in FUSIBLE:
        return None
    if any(dtypes.is_complex(x.aval.dtype) for x in eq.inputs):
        return None  # abs of a complex value is real, but the fused kernels are real-valued
    if prim is _a.select_n_p:
        if len(eq.inputs) != 3 or eq.inputs[0].aval.dtype not in (dtypes.bool_, dtypes.int32):
            return None
        dt = eq.outputs[0].aval.dtype
    elif prim is _a.convert_element_type_p:
        src, dst = eq.inputs[0].aval.dtype, eq.outputs[0].aval.dtype
        floats = [d for d in (src, dst) if d in (dtypes.float32, dtypes.float64)]
        if not floats or any(d not in _LOADABLE for d in (src, dst)):
            return None
        return floats[0] if len(floats) == 1 or src == dst else None
    elif eq.outputs[0].aval.dtype == dtypes.bool_:
        dt = eq.inputs[0].aval.dtype  # a comparison
    else:
        dt = eq.outputs[0].aval.dtype
    return dt if dt in (dtypes.float32, dtypes.float64) else None


_LOADABLE = frozenset({dtypes.float32, dtypes.float64, dtypes.int32, dtypes.int64,
                       dtypes.uint8, dtypes.uint32, dtypes.bool_})


fused_p = Primitive("fused", multiple_results=True)


class FusedProgram:
    """A fused cluster: its body jaxpr (the spec) and, once lowered, its register code.

    `reduced[k]` marks outputs that are sums over rows of `reduce_rows` trailing elements.
    """

    def __init__(self, body, shape, compute, reduced, reduce_rows=0):
        self.body = body  # ClosedJaxpr: cluster inputs -> cluster outputs
        self.shape = shape  # the iteration shape
        self.compute = compute  # float32 or float64
        self.reduced = reduced
        self.reduce_rows = reduce_rows
        self.kernel = None  # set by lowering when the register machine is available

    def __repr__(self):
        ops = len(self.body.jaxpr.equations)
        return f"<{ops} ops over {dtypes.short_name(self.compute)}{list(self.shape)}>"


def _fused_impl(*args, program, **_):
    """The spec: the body's primitives, each through its NumPy impl."""
    env = dict(zip(program.body.jaxpr.inputs, args))
    for eq in program.body.jaxpr.equations:
        ins = [x.val if type(x) is Literal else env[x] for x in eq.inputs]
        env[eq.outputs[0]] = np.asarray(eq.primitive.impl(*ins, **eq.params))
    return [env[v] for v in program.body.jaxpr.outputs]


def _fused_fallback(program):
    """Without the register machine: the body's kernels called one by one."""
    from fneedle.transforms.compiler.executable import Executable
    exe = Executable(program.body)
    return lambda *args: exe.run(args)


def _fused_jit_lowering(params):
    """The register-machine kernel where the C++ extension has it, else the NumPy spec."""
    from fneedle.transforms.compiler import fused_lowering
    program = params["program"]
    if fused_lowering.available():
        if program.kernel is None:
            program.kernel = fused_lowering.FusedKernel(program)
        return program.kernel, {}
    return _fused_fallback(program), {}


fused_p.def_impl(_fused_impl)
fused_p.jit_lowering = _fused_jit_lowering
fused_p.def_abstract_eval(lambda *avals, program, **_: list(program.body.out_avals))
fused_p.weak_type_rule = lambda in_weak, program, **_: [a.weak_type
                                                         for a in program.body.out_avals]


def fuse(closed, min_ops=2):
    """Groups fusible equations into `fused` equations (clusters of at least min_ops).

    A cluster is a run of fusible equations of one output shape and one float compute dtype
    (bool logic joins any cluster). Equations that do not read the open cluster are moved
    ahead of it, so independent work does not split a chain.
    """
    rw = Rewriter(closed)
    eqs = closed.jaxpr.equations
    uses = {}
    for i, eq in enumerate(eqs):
        for x in eq.inputs:
            if type(x) is Var:
                uses.setdefault(x, []).append(i)
    for x in closed.jaxpr.outputs:
        if type(x) is Var:
            uses.setdefault(x, []).append(len(eqs))

    cluster, cluster_vars, shape, compute = [], set(), None, None
    for i, eq in enumerate(eqs):
        dt = _compute_dtype(eq)
        out_shape = eq.outputs[0].aval.shape if dt is not None else None
        if dt is not None and cluster and out_shape == shape and (
                dt == "bool" or compute in (None, dt)):
            cluster.append(i)
            cluster_vars.update(eq.outputs)
            compute = compute if dt == "bool" else dt
            continue
        if dt is None and cluster and not any(type(x) is Var and x in cluster_vars
                                              for x in eq.inputs):
            rw.emit(eq)  # independent of the open cluster: run it first
            continue
        if cluster:
            _close(rw, eqs, cluster, shape, compute, uses, min_ops)
            cluster, cluster_vars, shape, compute = [], set(), None, None
        if dt is not None:
            cluster, cluster_vars = [i], set(eq.outputs)
            shape, compute = out_shape, (None if dt == "bool" else dt)
        else:
            rw.emit(eq)
    if cluster:
        _close(rw, eqs, cluster, shape, compute, uses, min_ops)
    return _fuse_reductions(rw.finish(closed))


def _close(rw, eqs, cluster, shape, compute, uses, min_ops):
    members = [eqs[i] for i in cluster]
    if len(members) < min_ops:
        for eq in members:
            rw.emit(eq)
        return
    in_cluster = set(cluster)
    defined = {v for eq in members for v in eq.outputs}
    inputs, seen = [], set()
    for eq in members:
        for x in eq.inputs:
            if type(x) is Var and x not in defined and x not in seen:
                seen.add(x)
                inputs.append(x)
    outputs = [v for eq in members for v in eq.outputs
               if any(u not in in_cluster for u in uses.get(v, []))]
    body_inputs = [Var(x.aval) for x in inputs]
    sub = dict(zip(inputs, body_inputs))
    body_eqs = [Equation(eq.primitive, [sub.get(x, x) if type(x) is Var else x
                                        for x in eq.inputs], eq.params, eq.outputs)
                for eq in members]
    body = ClosedJaxpr(Jaxpr([], body_inputs, body_eqs, outputs), [])
    program = FusedProgram(body, shape, compute or dtypes.float32, [False] * len(outputs))
    rw.equations.append(Equation(fused_p, [rw.read(x) for x in inputs],
                                 {"program": program}, outputs))


def _fuse_reductions(closed):
    """Folds a `reduce_sum` over the trailing axes of a fused output that is used only there
    into the fused equation, as an epilogue."""
    eqs = closed.jaxpr.equations
    uses = {}
    for i, eq in enumerate(eqs):
        for x in eq.inputs:
            if type(x) is Var:
                uses.setdefault(x, []).append(i)
    for x in closed.jaxpr.outputs:
        if type(x) is Var:
            uses.setdefault(x, []).append(-1)
    producer = {v: i for i, eq in enumerate(eqs) if eq.primitive is fused_p for v in eq.outputs}
    absorbed = {}  # index of fused eq -> index of the reduce eq it absorbs
    for i, eq in enumerate(eqs):
        if eq.primitive is not lax.reduction.reduce_sum_p:
            continue
        x = eq.inputs[0]
        j = producer.get(x)
        if j is None or uses.get(x) != [i] or j in absorbed:
            continue
        program = eqs[j].params["program"]
        nd, axes = len(program.shape), eq.params["axes"]
        if tuple(axes) != tuple(range(nd - len(axes), nd)) or x.aval.dtype != program.compute:
            continue
        absorbed[j] = i
    if not absorbed:
        return closed
    new_eqs = []
    dropped = set(absorbed.values())
    for i, eq in enumerate(eqs):
        if i in dropped:
            continue
        if i not in absorbed:
            new_eqs.append(eq)
            continue
        red_eq = eqs[absorbed[i]]
        x, out = red_eq.inputs[0], red_eq.outputs[0]
        p = eq.params["program"]
        body = p.body.jaxpr
        epilogue = Equation(red_eq.primitive, [x], red_eq.params, [out])
        new_body = ClosedJaxpr(Jaxpr([], body.inputs, body.equations + [epilogue],
                                     [out if o is x else o for o in body.outputs]), [])
        rows = math.prod([p.shape[a] for a in red_eq.params["axes"]])
        program = FusedProgram(new_body, p.shape, p.compute, [o is x for o in body.outputs],
                               rows)
        new_eqs.append(Equation(fused_p, eq.inputs, {"program": program},
                                [out if o is x else o for o in eq.outputs]))
    return ClosedJaxpr(Jaxpr(closed.jaxpr.constvars, closed.jaxpr.inputs, new_eqs,
                             closed.jaxpr.outputs), closed.consts)
