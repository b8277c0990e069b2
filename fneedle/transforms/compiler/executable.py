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

        self.run = self._generate_run()

    def _generate_run(self):
        """`run` as straight-line Python: one local per slot and one call per step, with no
        slot list or loop to interpret (a cached jit call spends most of its time here)."""
        names = {}  # what the generated code calls each kernel, constant and param dict
        env = {}

        def name_of(obj, prefix):
            key = id(obj)
            if key not in names:
                names[key] = f"{prefix}{len(names)}"
                env[names[key]] = obj
            return names[key]

        inputs = set(self.in_slots)
        local = {i: f"s{i}" for i in range(len(self.template))}
        for i, value in enumerate(self.template):
            if i not in inputs and value is not None:  # constants and literals
                local[i] = name_of(value, "c")
        lines = ["def run(args):"]
        if self.in_slots:
            lines.append(f"    {', '.join(local[i] for i in self.in_slots)}, = args")
        for fn, ins, out, params, multiple, frees in self.steps:
            call = f"{name_of(fn, 'f')}({', '.join(local[i] for i in ins)}"
            if params:
                call += (", " if ins else "") + f"**{name_of(params, 'p')}"
            call += ")"
            if multiple:
                target = ", ".join(local[o] for o in out)
                lines.append(f"    {target}, = {call}" if out else f"    {call}")
            else:
                lines.append(f"    {local[out]} = {call}")
            dead = [local[f] for f in frees if f not in self.out_slots]
            if dead:  # releases the buffers (to the pool) as soon as they are dead
                lines.append(f"    del {', '.join(dead)}")
        lines.append(f"    return [{', '.join(local[i] for i in self.out_slots)}]")
        self.source = "\n".join(lines)
        exec(compile(self.source, f"<fneedle executable {id(self):x}>", "exec"), env)
        return env["run"]

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
