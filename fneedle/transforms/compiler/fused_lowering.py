"""Lowers a fused program (a body jaxpr) to register code for the C++ register machine
`_C.fused_elementwise` (csrc/kernels/fused.cc): one instruction per equation, registers
reused once their value is dead."""

import struct

import numpy as np

from fneedle import lax
from fneedle.backend import cpu as cpu_backend
from fneedle.core import dtypes
from fneedle.core.jaxpr import Literal

_a, _e = lax.arithmetic, lax.elementwise


def available():
    return cpu_backend.available and hasattr(cpu_backend._C, "fused_elementwise")


def _opcodes():
    from fneedle.backend.fused_ops import OPCODE
    return OPCODE


def _instruction(eq, regs, OP):
    """(opcode, a, b, c) for one body equation, given the registers of its inputs."""
    from fneedle.transforms.compiler.fusion import _LOGICAL, FUSIBLE
    prim = eq.primitive
    r = regs
    if prim is _e.round_p:
        return OP["round_even" if eq.params["rounding_method"] == 1 else "round_away"], \
            r[0], 0, 0
    if prim is _e.integer_pow_p:
        return OP["integer_pow"], r[0], eq.params["y"], 0
    if prim is _a.convert_element_type_p:
        dst = eq.params["new_dtype"]
        if dst == dtypes.bool_:
            return OP["ne"], r[0], None, 0  # None: a zero constant, filled in by the caller
        if dtypes.is_integer(dst) and dtypes.is_float(eq.inputs[0].aval.dtype):
            return OP["trunc"], r[0], 0, 0
        return OP["copy"], r[0], 0, 0
    if prim is _e.not_p:
        return OP["logical_not"], r[0], 0, 0
    name = _LOGICAL.get(prim) or FUSIBLE[prim]
    if len(r) == 1:
        return OP[name], r[0], 0, 0
    if len(r) == 2:
        return OP[name], r[0], r[1], 0
    return OP[name], r[0], r[1], r[2]


class FusedKernel:
    """The compiled form of a FusedProgram: register code plus how to feed and store it."""

    def __init__(self, program):
        OP = _opcodes()
        body = program.body.jaxpr
        n_in = len(body.inputs)
        consts = []
        const_reg = {}

        def const(value):
            value = float(value)
            key = struct.pack("<d", value)  # by bits: keeps -0.0 apart from 0.0, finds NaN
            if key not in const_reg:
                const_reg[key] = len(consts)
                consts.append(value)
            return const_reg[key]

        # First pass: constants get registers after the inputs.
        for eq in body.equations:
            for x in eq.inputs:
                if type(x) is Literal:
                    const(np.asarray(x.val).item())
            if eq.primitive is _a.convert_element_type_p and \
                    eq.params["new_dtype"] == dtypes.bool_:
                const(0.0)
        base = n_in + len(consts)
        reg = {v: i for i, v in enumerate(body.inputs)}
        last_use = {}
        for i, eq in enumerate(body.equations):
            for x in eq.inputs:
                if type(x) is not Literal:
                    last_use[x] = i
        outputs = set(body.outputs)
        free, n_regs, code = [], base, []
        for i, eq in enumerate(body.equations):
            if eq.primitive is lax.reduction.reduce_sum_p:  # the epilogue: stored as sums
                reg[eq.outputs[0]] = reg[eq.inputs[0]]
                continue
            ins = [n_in + const(np.asarray(x.val).item()) if type(x) is Literal
                   else reg[x] for x in eq.inputs]
            op, a, b, c = _instruction(eq, ins, OP)
            if b is None:
                b = n_in + const(0.0)
            for x in set(eq.inputs):  # registers of values dead after this instruction
                if (type(x) is not Literal and last_use.get(x) == i and x not in outputs
                        and reg[x] >= base):
                    free.append(reg[x])
            if free:
                dst = free.pop()
            else:
                dst, n_regs = n_regs, n_regs + 1
            code.append((op, dst, a, b, c))
            reg[eq.outputs[0]] = dst
        self.code = np.asarray(code, np.int32).reshape(-1, 5)
        self.consts = np.asarray(consts, np.float64)
        self.n_regs = n_regs
        self.shape = tuple(program.shape)
        self.compute = program.compute.name
        self.out_regs = [reg[v] for v in body.outputs]
        self.out_avals = [v.aval for v in body.outputs]
        self.out_types = [(a.shape, a.dtype) for a in self.out_avals]
        self.reduce_rows = program.reduce_rows

    def __call__(self, *inputs):
        # The kernel broadcasts lower-rank and size-1 inputs to the iteration shape itself.
        empty = cpu_backend.empty
        outs = [empty(shape, dtype) for shape, dtype in self.out_types]
        cpu_backend._C.fused_elementwise(self.code, inputs, self.consts, self.n_regs,
                                         list(zip(self.out_regs, outs)), self.compute,
                                         self.reduce_rows, self.shape)
        return outs
