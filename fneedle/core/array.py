"""`fneedle.Array`: an immutable array with a device; NumPy and DLPack interop."""

import numpy as np

from fneedle.core import device as device_lib
from fneedle.core import dtypes
from fneedle.core.aval import ShapedArray


_CPU = device_lib.cpu


class Array:
    """An immutable n-dimensional array (DESIGN.md 2.5).

    Operators and NumPy-style methods are installed by fneedle.numpy. Create arrays with
    fneedle.numpy.asarray / array / zeros ...; read them back with np.asarray(a) or a.item().
    Example:
      a = fneedle.numpy.arange(3.0); np.asarray(a * 2)  # array([0., 2., 4.], dtype=float32)
    """

    __slots__ = ("_buf", "weak_type", "_device", "__weakref__")
    __array_priority__ = 100

    def __init__(self, buf, weak_type=False, device=None):
        # `buf` is the backend buffer (a NumPy array on the CPU) of a supported dtype.
        self._buf = buf
        self.weak_type = weak_type
        self._device = _CPU if device is None else device

    shape = property(lambda self: self._buf.shape)
    dtype = property(lambda self: self._buf.dtype)
    ndim = property(lambda self: self._buf.ndim)
    size = property(lambda self: self._buf.size)
    nbytes = property(lambda self: self._buf.nbytes)

    @property
    def aval(self):
        return ShapedArray(self._buf.shape, self._buf.dtype, self.weak_type)

    @property
    def device(self):
        return self._device

    def devices(self):
        return {self._device}

    def block_until_ready(self):
        return self

    def _host(self):
        """The buffer as a NumPy array on the host (copied from an accelerator if needed)."""
        buf = self._buf
        return buf if self._device.platform == "cpu" else buf.get()

    def __array__(self, dtype=None, copy=None):
        host = self._host()
        if copy or (dtype is not None and np.dtype(dtype) != host.dtype):
            return np.array(host, dtype=dtype, copy=True)
        view = host.view()
        view.flags.writeable = False  # the array is immutable; so is a view of it
        return view

    def __dlpack__(self, *args, **kwargs):
        return self._buf.__dlpack__(*args, **kwargs)

    def __dlpack_device__(self):
        return self._buf.__dlpack_device__()

    def item(self):
        return self._host().item()

    def tolist(self):
        return self._host().tolist()

    def copy(self):
        return Array(self._buf.copy(), self.weak_type, self._device)

    def __len__(self):
        if not self._buf.ndim:
            raise TypeError("len() of a 0-d (scalar) array is undefined.")
        return self._buf.shape[0]

    def __iter__(self):
        if not self._buf.ndim:
            raise TypeError("Iteration over a 0-d (scalar) array is undefined.")
        return (self[i] for i in range(self._buf.shape[0]))

    def __bool__(self):
        return bool(self._host())

    def __int__(self):
        return int(self._host())

    def __float__(self):
        return float(self._host())

    def __complex__(self):
        return complex(self._host())

    def __index__(self):
        if not dtypes.is_integer(self.dtype):
            raise TypeError(f"Only integer arrays can be used as an index, not {self.dtype}.")
        return int(self._host())

    def __hash__(self):
        raise TypeError("fneedle arrays are unhashable. Use a tuple of Python values, or "
                        "np.asarray(a).tobytes(), as a dictionary key.")

    def __format__(self, spec):
        return format(self._host(), spec) if self.ndim == 0 else format(str(self), spec)

    def __repr__(self):
        host = self._host()
        prefix = "Array("
        body = np.array2string(host, prefix=prefix, separator=", ")
        dt = host.dtype.name
        extra = ", weak_type=True" if self.weak_type else ""
        return f"{prefix}{body}, dtype={dt}{extra})"

    def __str__(self):
        return str(self._host())

    def __reduce__(self):  # pickle as a NumPy array
        return (_from_numpy, (self._host(), self.weak_type))


def _from_numpy(host, weak_type=False):
    return Array(np.array(host), weak_type)


def to_buffer(x, dtype=None):
    """A fresh NumPy buffer of a supported dtype for a Python/NumPy value; copies user data."""
    if isinstance(x, (bool, int, float, complex)) and not isinstance(x, np.generic):
        return np.asarray(x, dtype or dtypes.python_scalar_dtype(x)), True
    arr = np.array(x, dtype=dtype, copy=True)
    if dtype is None and isinstance(x, (list, tuple)):
        # Nested Python numbers take fneedle's defaults, as Python scalars do.
        if arr.dtype == np.float64:
            arr = arr.astype(dtypes.default_float)
        elif arr.dtype == np.int64:
            arr = arr.astype(dtypes.default_int)
        elif arr.dtype == np.complex128:
            arr = arr.astype(dtypes.default_complex)
    if arr.dtype not in dtypes.SUPPORTED:
        if arr.dtype.kind == "f":  # e.g. float128: keep the user's precision class
            arr = arr.astype(dtypes.float64)
        elif arr.dtype.kind == "c":  # complex256
            arr = arr.astype(dtypes.complex128)
        elif arr.dtype.kind in "O" and arr.size == 0:
            arr = arr.astype(dtypes.default_float)
        else:
            arr = arr.astype(dtypes.canonicalize(arr.dtype))
    return arr, False


def device_put(x, device=None):
    """Places x (an Array, NumPy array or Python value) on `device` (default: the default one).

    Example: a = fneedle.device_put(np.ones(3), fneedle.devices()[0]).
    """
    target = device_lib.default_device() if device is None else device
    if isinstance(x, Array):
        if x.device == target:
            return x
        host = x._host()
        weak = x.weak_type
    else:
        host, weak = to_buffer(x)
    if target.platform == "cpu":
        return Array(np.ascontiguousarray(host), weak, target)
    return Array(device_lib.backend_put(target, host), weak, target)
