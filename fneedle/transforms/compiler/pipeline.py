"""The order of the passes, and the compile cache keyed by jaxpr identity."""

import weakref

from fneedle.transforms.compiler import fusion, passes, simplify
from fneedle.transforms.compiler.executable import Executable


def optimize(closed):
    """The pass pipeline: inline nested calls, simplify, fold, CSE, simplify again, DCE, fuse."""
    closed = passes.inline_calls(closed)
    closed = simplify.simplify(closed)
    closed = passes.fold_constants(closed)
    closed = passes.cse(closed)
    closed = simplify.simplify(closed)
    closed = passes.dce(closed)
    closed = fusion.fuse(closed)
    return closed


_compiled = weakref.WeakKeyDictionary()


def compile_jaxpr(closed):
    """The Executable of a closed jaxpr, compiled once per jaxpr object."""
    from fneedle.core.config import config
    per_mode = _compiled.get(closed)
    if per_mode is None:
        per_mode = _compiled[closed] = {}
    exe = per_mode.get(config.numpy_impl)
    if exe is None:
        exe = per_mode[config.numpy_impl] = Executable(optimize(closed))
    return exe
