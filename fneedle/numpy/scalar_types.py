"""Dtype names (fnp.float32, fnp.bfloat16, ...) as NumPy-compatible scalar types, and the
dtype queries NumPy has: result_type, promote_types, can_cast, issubdtype, finfo, iinfo."""

import numpy as np

from fneedle.core import dtypes
from fneedle.numpy.promotion import aval_of, is_array


class _ScalarMeta(type):
    """The type of fnp.float32 & co: np.dtype(fnp.float32) works, and calling it converts."""

    def __call__(cls, x):
        from fneedle.numpy.promotion import asarray
        return asarray(x, cls.dtype)

    def __eq__(cls, other):
        try:
            return cls.dtype == np.dtype(other)
        except TypeError:
            return False

    def __hash__(cls):
        return hash(cls.dtype)

    def __repr__(cls):
        return f"<class 'fneedle.numpy.{cls.__name__}'>"

    def __instancecheck__(cls, x):
        return is_array(x) and x.dtype == cls.dtype


def _scalar_type(dtype):
    name = dtypes.canonicalize(dtype).name
    return _ScalarMeta(name if name != "bool" else "bool_", (),
                       {"dtype": dtypes.canonicalize(dtype), "__module__": "fneedle.numpy"})


bool_ = _scalar_type(dtypes.bool_)
int8 = _scalar_type(dtypes.int8)
int16 = _scalar_type(dtypes.int16)
int32 = _scalar_type(dtypes.int32)
int64 = _scalar_type(dtypes.int64)
uint8 = _scalar_type(dtypes.uint8)
uint16 = _scalar_type(dtypes.uint16)
uint32 = _scalar_type(dtypes.uint32)
uint64 = _scalar_type(dtypes.uint64)
float16 = _scalar_type(dtypes.float16)
bfloat16 = _scalar_type(dtypes.bfloat16)
float32 = _scalar_type(dtypes.float32)
float64 = _scalar_type(dtypes.float64)
complex64 = _scalar_type(dtypes.complex64)
complex128 = _scalar_type(dtypes.complex128)
bool = bool_
half, single, double = float16, float32, float64
csingle, cdouble = complex64, complex128
int_, uint, float_ = int32, uint32, float32

# NumPy's abstract scalar classes, for issubdtype.
generic, number, inexact, floating = np.generic, np.number, np.inexact, np.floating
integer, signedinteger, unsignedinteger = np.integer, np.signedinteger, np.unsignedinteger
complexfloating = np.complexfloating
dtype = np.dtype


def _np_dtype(x):
    if isinstance(x, _ScalarMeta):
        return x.dtype
    if is_array(x):
        return x.dtype
    return dtypes.canonicalize(x)


def issubdtype(arg1, arg2):
    """Whether dtype arg1 is below arg2 in NumPy's hierarchy (bfloat16 counts as floating).

    Example: fnp.issubdtype(fnp.bfloat16, fnp.floating) is True.
    """
    d1 = _np_dtype(arg1)
    if isinstance(arg2, type) and issubclass(arg2, np.generic) and not isinstance(
            arg2, _ScalarMeta):
        if d1 == dtypes.bfloat16:
            return arg2 in (np.generic, np.number, np.inexact, np.floating)
        return np.issubdtype(d1, arg2)
    return d1 == _np_dtype(arg2)


def isdtype(dtype, kind):
    """The array API's dtype kind test: kind is a dtype, a kind name or a tuple of them."""
    d = _np_dtype(dtype)
    kinds = kind if isinstance(kind, tuple) else (kind,)
    for k in kinds:
        if isinstance(k, str):
            ok = {"bool": d == dtypes.bool_, "signed integer": d in dtypes.SIGNED,
                  "unsigned integer": d in dtypes.UNSIGNED,
                  "integral": d in dtypes.INTEGERS, "real floating": d in dtypes.FLOATS,
                  "complex floating": d in dtypes.COMPLEX,
                  "numeric": d != dtypes.bool_}.get(k)
            if ok is None:
                raise ValueError(f"isdtype: unknown kind {k!r}.")
        else:
            ok = d == _np_dtype(k)
        if ok:
            return True
    return False


def result_type(*args):
    """The dtype fneedle's promotion gives `args` (arrays, scalars or dtypes).

    Example: fnp.result_type(fnp.float16, 2.0) == float16; fnp.result_type(1, 2.5) == float32.
    """
    pairs = []
    for a in args:
        if isinstance(a, (_ScalarMeta, np.dtype, str)) or (isinstance(a, type) and a in (
                float, int, complex, np.float32, np.float64)) or (isinstance(a, type) and issubclass(
                    a, np.generic)):
            pairs.append((_np_dtype(a), False))
        else:
            aval = aval_of(a)
            pairs.append((aval.dtype, aval.weak_type))
    return dtypes.result_type(*pairs)[0]


def promote_types(type1, type2):
    """The smallest dtype both strong dtypes can be cast to (fneedle's lattice)."""
    return dtypes.result_type((_np_dtype(type1), False), (_np_dtype(type2), False))[0]


def can_cast(from_, to, casting="safe"):
    """Whether from_ casts to `to` under NumPy's casting rule `casting`."""
    src = _np_dtype(from_) if not is_array(from_) else from_.dtype
    return np.can_cast(src, _np_dtype(to), casting)


def finfo(dtype):
    """Machine limits of a float dtype (eps, max, tiny, ...), bfloat16 included."""
    return dtypes.finfo(_np_dtype(dtype))


def iinfo(int_type):
    """Machine limits of an integer dtype."""
    return dtypes.iinfo(_np_dtype(int_type))


def isscalar(element):
    """Whether element is a Python/NumPy scalar or a rank-0 array."""
    if is_array(element):
        return element.ndim == 0
    return np.isscalar(element)


def shape(a):
    """The shape of an array-like. Example: fnp.shape([[1, 2]]) == (1, 2)."""
    return aval_of(a).shape


def ndim(a):
    """The number of dimensions of an array-like."""
    return len(aval_of(a).shape)


def size(a, axis=None):
    """The number of elements of an array-like (along `axis` if given)."""
    s = aval_of(a).shape
    if axis is None:
        return int(np.prod(s, dtype=np.int64))
    return s[axis]
