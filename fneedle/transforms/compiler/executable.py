"""Lowering: an optimized jaxpr becomes an `Executable`, a flat list of kernel calls over
numbered buffer slots. Buffers are released right after their last use."""

import numpy as np

from fneedle.core.array import Array
from fneedle.core.config import config
from fneedle.core.jaxpr import Literal, pp_jaxpr


class Executable:
    """Runs a jaxpr's equations as kernel calls; `run(buffers) -> list of buffers`."""

    def __init__(self, closed):
        jaxpr = closed.jaxpr
        self.closed = closed
        slot = {}
        template = []

        def new_slot(value=None):
            template.append(value)
            return len(template) - 1

        for v, c in zip(jaxpr.constvars, closed.consts):
            slot[v] = new_slot(c._buf if type(c) is Array else np.asarray(c))
        self.in_slots = [slot.setdefault(v, new_slot()) for v in jaxpr.inputs]

        def read(x):
            if type(x) is Literal:
                return new_slot(np.asarray(x.val, x.aval.dtype))
            return slot[x]

        last_use = {}
        for i, eq in enumerate(jaxpr.equations):
            for x in eq.inputs:
                if type(x) is not Literal:
                    last_use[x] = i
        outputs = {x for x in jaxpr.outputs if type(x) is not Literal}
        steps = []
        numpy_impl = config.numpy_impl
        for i, eq in enumerate(jaxpr.equations):
            prim = eq.primitive
            lowering = getattr(prim, "jit_lowering", None)
            params = eq.params
            if numpy_impl:
                fn = prim.rule("impl")
            elif lowering is not None:
                fn, params = lowering(eq.params)
            else:
                fn = prim.cpu_kernel or prim.rule("impl")
            ins = tuple(read(x) for x in eq.inputs)
            outs = tuple(slot.setdefault(v, new_slot()) for v in eq.outputs)
            frees = tuple(slot[x] for x in set(eq.inputs) if type(x) is not Literal
                          and last_use.get(x) == i and x not in outputs
                          and x not in jaxpr.constvars)
            steps.append((fn, ins, outs if prim.multiple_results else outs[0], params,
                          prim.multiple_results, frees))
        self.steps = steps
        self.out_slots = [read(x) for x in jaxpr.outputs]
        self.out_weak = [x.aval.weak_type for x in jaxpr.outputs]
        self.template = template

    def run(self, args):
        env = self.template.copy()
        for i, a in zip(self.in_slots, args):
            env[i] = a
        for fn, ins, out, params, multiple, frees in self.steps:
            result = fn(*[env[i] for i in ins], **params)
            if multiple:
                for o, r in zip(out, result):
                    env[o] = r
            else:
                env[out] = result
            for f in frees:
                env[f] = None
        return [env[i] for i in self.out_slots]

    def as_text(self):
        lines = [pp_jaxpr(self.closed.jaxpr)]
        for eq in self.closed.jaxpr.equations:
            program = eq.params.get("program")
            if program is not None and hasattr(program, "body"):
                lines += ["", f"fused program {program!r} (one kernel):",
                          pp_jaxpr(program.body.jaxpr, 2)]
        lines += ["", "plan:"]
        for fn, ins, out, params, _, frees in self.steps:
            name = getattr(fn, "__qualname__", repr(fn))
            lines.append(f"  {out} <- {name}{list(ins)}" + (f"  free {list(frees)}"
                                                             if frees else ""))
        lines.append(f"  return {self.out_slots}")
        return "\n".join(lines)
