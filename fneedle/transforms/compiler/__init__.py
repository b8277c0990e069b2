"""The compiler inside `jit`: passes over a closed jaxpr, then lowering to an executable plan.

    optimize(closed) -> ClosedJaxpr          inline calls, simplify, fold, CSE, DCE, fuse
    compile_jaxpr(closed) -> Executable      a flat list of kernel calls over buffer slots
"""

from fneedle.transforms.compiler.pipeline import compile_jaxpr, optimize  # noqa: F401
