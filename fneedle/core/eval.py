"""Eager evaluation: the interpreter at the bottom of every chain, running kernels on data."""

import numpy as np

from fneedle.core.array import Array, to_buffer
from fneedle.core.aval import ShapedArray
from fneedle.core.device import cpu as _cpu
from fneedle.core.dtypes import SUPPORTED as _SUPPORTED_DTYPES
from fneedle.core.config import config
from fneedle.core.interpreter import Interpreter, Tracer, install_base_interpreter


_SUPPORTED = frozenset(_SUPPORTED_DTYPES)


class EvalInterpreter(Interpreter):
    """Runs each primitive on concrete arrays: its CPU kernel where one exists, else its
    NumPy impl (always the impl when config.numpy_impl is set)."""

    description = "eager evaluation"

    def process_primitive(self, primitive, args, params):
        bufs = []
        all_weak = True
        device = None
        for a in args:
            if type(a) is Array:
                bufs.append(a._buf)
                all_weak = all_weak and a.weak_type
                device = a._device
            elif type(a) is np.ndarray and a.dtype in _SUPPORTED:
                bufs.append(a)  # kernels never write to their inputs: no copy needed
                all_weak = False
            elif isinstance(a, Tracer):
                a._interp.check_foreign(a)
                raise AssertionError(f"tracer {a} reached eager evaluation while alive")
            else:
                buf, weak = to_buffer(a)
                bufs.append(buf)
                all_weak = all_weak and weak
        check = primitive.eager_check
        if check is None:
            _validate(primitive, bufs, params)
        elif not check(*bufs):
            primitive.rule("abstract_eval")(*[ShapedArray(b.shape, b.dtype) for b in bufs],
                                            **params)
        if (device is None or device is _cpu) and not config.numpy_impl:
            fn = primitive.cpu_kernel or primitive.rule("impl")
        else:
            fn = _kernel_for(primitive, device)
        out = fn(*bufs, **params)
        if primitive.weak_type_rule is None:
            weak = all_weak and bool(args)
        else:
            weak = primitive.weak_type_rule([_is_weak(a) for a in args], **params)
        if primitive.multiple_results:
            if type(weak) is list:  # per-output weak types (e.g. a jit call)
                return [_wrap(o, w, device) for o, w in zip(out, weak)]
            return [_wrap(o, weak, device) for o in out]
        if type(out) is not np.ndarray and (device is None or device is _cpu):
            out = np.asarray(out)
        return Array(out, weak, device)


# Shapes, dtypes and params already checked by abstract_eval, so eager evaluation rejects
# exactly what tracing rejects without paying for abstract evaluation on every call.
_validated = set()
_VALIDATED_MAX = 1 << 14


def _validate(primitive, bufs, params):
    try:
        key = (primitive, tuple([(b.shape, b.dtype) for b in bufs]),
               tuple(params.items()) if params else ())
        if key in _validated:
            return
    except TypeError:  # an unhashable param: check every time
        key = None
    primitive.rule("abstract_eval")(*[ShapedArray(b.shape, b.dtype) for b in bufs], **params)
    if key is not None:
        if len(_validated) >= _VALIDATED_MAX:
            _validated.clear()
        _validated.add(key)


def _is_weak(a):
    if type(a) is Array:
        return a.weak_type
    return isinstance(a, (bool, int, float, complex)) and not isinstance(a, np.generic)


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
