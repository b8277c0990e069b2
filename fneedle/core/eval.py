"""Eager evaluation: the interpreter at the bottom of every chain, running kernels on data."""

import numpy as np

from fneedle.core.array import Array, to_buffer
from fneedle.core.config import config
from fneedle.core.interpreter import Interpreter, Tracer, install_base_interpreter


class EvalInterpreter(Interpreter):
    """Runs each primitive on concrete arrays: its CPU kernel where one exists, else its
    NumPy impl (always the impl when config.numpy_impl is set)."""

    description = "eager evaluation"

    def process_primitive(self, primitive, args, params):
        bufs = []
        in_weak = []
        device = None
        for a in args:
            if type(a) is Array:
                bufs.append(a._buf)
                in_weak.append(a.weak_type)
                device = a._device
            elif isinstance(a, Tracer):
                a._interp.check_foreign(a)
                raise AssertionError(f"tracer {a} reached eager evaluation while alive")
            else:
                buf, weak = to_buffer(a)
                bufs.append(buf)
                in_weak.append(weak)
        if config.numpy_impl or (device is not None and device.platform != "cpu"):
            fn = _kernel_for(primitive, device)
        else:
            fn = primitive.cpu_kernel or primitive.rule("impl")
        out = fn(*bufs, **params)
        weak = primitive.out_weak_type(in_weak, params)
        if primitive.multiple_results:
            if type(weak) is list:  # per-output weak types (e.g. a jit call)
                return [_wrap(o, w, device) for o, w in zip(out, weak)]
            return [_wrap(o, weak, device) for o in out]
        return _wrap(out, weak, device)


def _kernel_for(primitive, device):
    if config.numpy_impl and (device is None or device.platform == "cpu"):
        return primitive.rule("impl")
    platform = device.platform
    fn = primitive.lowerings.get(platform)
    if fn is None:
        raise NotImplementedError(f"Primitive '{primitive.name}' has no {platform} kernel.")
    return fn


def _wrap(out, weak, device):
    if type(out) is not np.ndarray and (device is None or device.platform == "cpu"):
        out = np.asarray(out)
    return Array(out, weak, device)


eval_interpreter = EvalInterpreter()
install_base_interpreter(eval_interpreter)
