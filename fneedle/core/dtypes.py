"""The dtypes fneedle supports and the rules for promoting them (DESIGN.md 2.6).

Python scalars are *weakly typed*: they take the dtype of the array they meet instead of
widening it. The promotion lattice below is the one JAX uses, written out as edges.
Complex dtypes (complex64, complex128) hold values; differentiation stays real-valued.
"""

import functools

import ml_dtypes
import numpy as np

bool_ = np.dtype(np.bool_)
int8 = np.dtype(np.int8)
int16 = np.dtype(np.int16)
int32 = np.dtype(np.int32)
int64 = np.dtype(np.int64)
uint8 = np.dtype(np.uint8)
uint16 = np.dtype(np.uint16)
uint32 = np.dtype(np.uint32)
uint64 = np.dtype(np.uint64)
float16 = np.dtype(np.float16)
bfloat16 = np.dtype(ml_dtypes.bfloat16)
float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
complex64 = np.dtype(np.complex64)
complex128 = np.dtype(np.complex128)

SUPPORTED = (bool_, int8, int16, int32, int64, uint8, uint16, uint32, uint64,
             float16, bfloat16, float32, float64, complex64, complex128)
FLOATS = frozenset({float16, bfloat16, float32, float64})
COMPLEX = frozenset({complex64, complex128})
SIGNED = frozenset({int8, int16, int32, int64})
UNSIGNED = frozenset({uint8, uint16, uint32, uint64})
INTEGERS = SIGNED | UNSIGNED

default_float = float32
default_int = int32
default_complex = complex64

_SHORT = {bool_: "bool", int8: "i8", int16: "i16", int32: "i32", int64: "i64",
          uint8: "u8", uint16: "u16", uint32: "u32", uint64: "u64",
          float16: "f16", bfloat16: "bf16", float32: "f32", float64: "f64",
          complex64: "c64", complex128: "c128"}
_BY_NAME = {d.name: d for d in SUPPORTED}
_BY_NAME.update({v: d for d, v in _SHORT.items()})


def short_name(dtype):
    """'f32' for float32, as printed in jaxprs."""
    return _SHORT.get(dtype, str(dtype))


def is_float(dtype):
    return dtype in FLOATS


def is_complex(dtype):
    return dtype in COMPLEX


def is_inexact(dtype):
    """Whether dtype is a real or complex floating-point dtype."""
    return dtype in FLOATS or dtype in COMPLEX


def complex_dtype(dtype):
    """The complex dtype holding `dtype`'s values: float64 -> complex128, else complex64."""
    return complex128 if dtype in (float64, complex128) else complex64


def real_dtype(dtype):
    """The dtype of the real part: complex64 -> float32, complex128 -> float64."""
    return {complex64: float32, complex128: float64}.get(dtype, dtype)


def is_integer(dtype):
    return dtype in INTEGERS


def is_unsigned(dtype):
    return dtype in UNSIGNED


def canonicalize(dtype):
    """Turns anything NumPy accepts as a dtype (or 'bf16', float, ...) into a supported np.dtype.

    Python's own types map to fneedle's defaults: float -> float32, int -> int32,
    complex -> complex64.
    """
    if dtype is None:
        return None
    if isinstance(dtype, np.dtype) and dtype in _SHORT:
        return dtype
    if dtype is float:
        return default_float
    if dtype is int:
        return default_int
    if dtype is bool:
        return bool_
    if dtype is complex:
        return default_complex
    if isinstance(dtype, str) and dtype in _BY_NAME:
        return _BY_NAME[dtype]
    try:
        d = np.dtype(dtype)
    except TypeError:
        d = None
    if d is not None and d in _SHORT:
        return d
    names = ", ".join(d.name for d in SUPPORTED)
    raise TypeError(f"fneedle does not support dtype {dtype!r}; use one of: {names}.")


def finfo(dtype):
    return ml_dtypes.finfo(canonicalize(dtype))


def iinfo(dtype):
    return np.iinfo(canonicalize(dtype))


# ---------------------------------------------------------------------------------------
# Promotion. Nodes are dtypes plus two weak nodes, "i*" (a Python int) and "f*" (a Python
# float). An edge a -> b means b can hold every value of a; the result of promoting a set
# of nodes is their least upper bound in this lattice. "c*" (a Python complex) sits above
# "f*"; complex64 above float32 (so 16-bit floats reach it through float32), complex128 above
# float64 and complex64.
_WEAK_INT, _WEAK_FLOAT, _WEAK_COMPLEX = "i*", "f*", "c*"
_EDGES = {
    bool_: [_WEAK_INT],
    _WEAK_INT: [uint8, int8],
    uint8: [uint16, int16], uint16: [uint32, int32], uint32: [uint64, int64],
    uint64: [_WEAK_FLOAT],
    int8: [int16], int16: [int32], int32: [int64], int64: [_WEAK_FLOAT],
    _WEAK_FLOAT: [bfloat16, float16, _WEAK_COMPLEX],
    bfloat16: [float32], float16: [float32], float32: [float64, complex64],
    float64: [complex128],
    _WEAK_COMPLEX: [complex64], complex64: [complex128], complex128: [],
}


def _upper_bounds():
    ub = {}
    for node in _EDGES:
        seen, stack = {node}, [node]
        while stack:
            for nxt in _EDGES[stack.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        ub[node] = frozenset(seen)
    return ub


_UB = _upper_bounds()


def _node(dtype, weak):
    if not weak:
        return dtype
    if dtype in FLOATS:
        return _WEAK_FLOAT
    if dtype in INTEGERS:
        return _WEAK_INT
    if dtype in COMPLEX:
        return _WEAK_COMPLEX
    return dtype


@functools.lru_cache(maxsize=4096)
def _join(nodes):
    common = frozenset.intersection(*(_UB[n] for n in nodes))
    # The least upper bound is the common bound that every other common bound is above.
    for cand in common:
        if common <= _UB[cand]:
            return cand
    raise TypeError(f"no common dtype for {nodes}")  # unreachable for this lattice


def result_type(*dtypes_and_weak):
    """Promotes (dtype, weak_type) pairs; returns (dtype, weak_type) of the result.

    Example: result_type((float16, False), (float32, True)) == (float16, False).
    """
    nodes = tuple(_node(d, w) for d, w in dtypes_and_weak)
    out = _join(nodes) if len(nodes) > 1 else nodes[0]
    if out == _WEAK_INT:
        return default_int, True
    if out == _WEAK_FLOAT:
        return default_float, True
    if out == _WEAK_COMPLEX:
        return default_complex, True
    return out, False


def python_scalar_dtype(x):
    """The (weak) dtype a Python scalar takes: bool, int32, float32 or complex64."""
    if isinstance(x, bool):
        return bool_
    if isinstance(x, int):
        return default_int
    if isinstance(x, float):
        return default_float
    if isinstance(x, complex):
        return default_complex
    raise TypeError(f"{type(x).__name__} is not a Python scalar.")


def promotion_table():
    """A Markdown table of the promotion of each pair of strong dtypes (for the docs)."""
    names = [_SHORT[d] for d in SUPPORTED] + ["i*", "f*", "c*"]
    nodes = list(SUPPORTED) + [(default_int, True), (default_float, True),
                               (default_complex, True)]

    def res(a, b):
        pa = a if isinstance(a, tuple) else (a, False)
        pb = b if isinstance(b, tuple) else (b, False)
        d, w = result_type(pa, pb)
        return _SHORT[d] + ("*" if w else "")

    rows = ["| | " + " | ".join(names) + " |", "|" + "---|" * (len(names) + 1)]
    for a, na in zip(nodes, names, strict=True):
        rows.append(f"| **{na}** | " + " | ".join(res(a, b) for b in nodes) + " |")
    return "\n".join(rows)
