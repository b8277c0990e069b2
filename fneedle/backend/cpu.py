"""The CPU backend's Python side: wraps the C++ kernels of `fneedle._C` as drop-in lowerings.

Every factory takes the primitive's NumPy implementation as `fallback` and returns a function
with the same signature that runs the C++ kernel where it applies (a supported dtype, an input
large enough to amortize the call) and the fallback otherwise. Without the extension every
factory returns its fallback unchanged, so `import fneedle` never depends on a compiler.

Kernels take NumPy arrays of any strides (transposed, negative and zero-stride broadcast views)
and return fresh arrays. Elementwise results and scans are laid out like their input ("K
order", as NumPy's ufuncs do); reductions, copies and transposes are C-contiguous.
Kernels split large inputs over up to `max_threads()` threads (FNEEDLE_NUM_THREADS, else the
CPU count) from a small pool in which the caller never waits for a helper that has not woken
up, so a busy machine costs at most the second core's share (csrc/kernels/parallel.h).
"""

import itertools

import numpy as np

try:
    from fneedle import _C
except ImportError as _error:  # no compiler at install time, or a broken build
    _C = None
    unavailable_reason = f"fneedle._C could not be imported: {_error}"
else:
    unavailable_reason = None

available: bool = _C is not None

UNARY_OPS = frozenset({
    "neg", "sign", "floor", "ceil", "round", "round_away", "abs", "exp", "exp2", "log", "log1p",
    "expm1", "sqrt", "rsqrt", "cbrt", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh",
    "tanh", "asinh", "acosh", "atanh", "logistic", "erf", "erfc", "is_finite", "not", "square",
    "reciprocal",
})
BINARY_OPS = frozenset({
    "add", "sub", "mul", "div", "rem", "pow", "max", "min", "atan2", "nextafter", "and", "or",
    "xor", "shift_left", "shift_right_logical", "shift_right_arithmetic", "eq", "ne", "lt", "le",
    "gt", "ge",
})
REDUCE_OPS = frozenset({"sum", "prod", "max", "min", "and", "or"})
ARGREDUCE_OPS = frozenset({"argmax", "argmin"})
SCAN_OPS = frozenset({"cumsum", "cumprod", "cummax", "cummin", "cumlogsumexp"})

# Smallest input (in elements) for which the C++ path beats NumPy: below it NumPy's lower
# per-call overhead (about 1 us against 2-3 us) wins. Measured single-threaded on the
# project's 2-core machine (min of interleaved calls; benchmarks/bench_kernels.py --calibrate
# gives the same comparison with medians). Ops absent from a table use the family default.
UNARY_THRESHOLD = {"default": 16384, "transcendental": 1024,
                   # libmvec's tanhf is slower per core than NumPy's; only two cores win.
                   "tanh": 1 << 21}
BINARY_THRESHOLD = {"default": 16384, "expensive": 4096}
REDUCE_THRESHOLD = 1024
ARGREDUCE_THRESHOLD = 1024
SCAN_THRESHOLD = 256
COPY_THRESHOLD = 4096  # copies that keep the memory order (reversed, strided, broadcast)
TRANSPOSE_THRESHOLD = 1 << 22  # NumPy's strided copy wins on transposes below about 4M elements
SEGMENT_THRESHOLD = 256

_CHEAP_UNARY = frozenset({
    "neg", "sign", "floor", "ceil", "round", "round_away", "abs", "sqrt", "rsqrt", "is_finite",
    "not", "square", "reciprocal",
})
_EXPENSIVE_BINARY = frozenset({"atan2", "nextafter", "rem"})

# Ops whose kernel lost to NumPy at every size when measured: their factories return the
# fallback. NumPy's float pow (SVML-based) is ~2.5x faster than glibc's libmvec powf per core.
NUMPY_WINS: frozenset = frozenset({"pow"})


def max_threads() -> int:
    """The number of threads the kernels may use (1 without the extension)."""
    return _C.max_threads() if available else 1


def _dtype_table(table):
    """{op name: (code, frozenset of np.dtype)} from one of _C's op tables."""
    return {name: (code, frozenset(np.dtype(d) for d in dts)) for name, (code, dts) in table.items()}


if available:
    _UNARY = _dtype_table(_C.unary_ops())
    _BINARY = _dtype_table(_C.binary_ops())
    _REDUCE = _dtype_table(_C.reduce_ops())
    _SCAN = _dtype_table(_C.scan_ops())
    _ARG_DTYPES = frozenset(np.dtype(d) for d in
                            ("bool", "uint8", "int32", "uint32", "int64", "float32", "float64"))
    _INDEX_DTYPES = frozenset({np.dtype("int32"), np.dtype("int64")})
    _SEGMENT_DTYPES = frozenset(np.dtype(d) for d in ("float32", "float64", "int32", "int64"))


def _check_op(op, ops, family):
    if op not in ops:
        raise ValueError(f"The CPU backend has no {family} kernel named {op!r}; known: "
                         f"{', '.join(sorted(ops))}.")


def _name(kernel, op, fallback):
    kernel.__name__ = f"cpu_{op}"
    kernel.__doc__ = f"C++ kernel for {op!r}, falling back to {getattr(fallback, '__name__', fallback)}."
    kernel.fallback = fallback
    return kernel


def unary_kernel(op: str, fallback):
    """The CPU lowering of unary op `op`: fn(x) -> np.ndarray.

    Args:
      op: a name in UNARY_OPS, e.g. "exp".
      fallback: the NumPy implementation, used for other dtypes and small inputs.
    Returns:
      A function of one array. Example: unary_kernel("exp", np.exp)(np.ones(10**5, "f4")).
    """
    _check_op(op, UNARY_OPS, "unary")
    if not available or op in NUMPY_WINS:
        return fallback
    code, dtypes = _UNARY[op]
    threshold = UNARY_THRESHOLD.get(
        op, UNARY_THRESHOLD["default" if op in _CHEAP_UNARY else "transcendental"])
    run, ndarray = _C.unary, np.ndarray

    def kernel(x):
        if type(x) is ndarray and x.dtype in dtypes and x.size >= threshold:
            return run(code, x)
        return fallback(x)
    return _name(kernel, op, fallback)


def binary_kernel(op: str, fallback):
    """The CPU lowering of binary op `op`: fn(x, y) -> np.ndarray.

    x and y must have the same dtype and NumPy-broadcastable shapes (the C++ path reads
    broadcast operands through zero strides, without copies). Integer division truncates
    toward zero; x / 0 and x % 0 give 0 for integers; shifts by >= the bit width (or by a
    negative amount) give 0, or the sign fill for shift_right_arithmetic.

    Example: binary_kernel("add", np.add)(x, y).
    """
    _check_op(op, BINARY_OPS, "binary")
    if not available or op in NUMPY_WINS:
        return fallback
    code, dtypes = _BINARY[op]
    threshold = BINARY_THRESHOLD.get(
        op, BINARY_THRESHOLD["expensive" if op in _EXPENSIVE_BINARY else "default"])
    run, ndarray = _C.binary, np.ndarray

    def kernel(x, y):
        if (type(x) is ndarray and type(y) is ndarray and x.dtype in dtypes
                and max(x.size, y.size) >= threshold):
            if x.shape != y.shape:  # zero-stride views; only the C++ path needs them
                x, y = np.broadcast_arrays(x, y)
            return run(code, x, y)
        return fallback(x, y)
    return _name(kernel, op, fallback)


def reduce_kernel(op: str, fallback):
    """The CPU lowering of a reduction: fn(x, axes) -> np.ndarray (keepdims=False).

    `axes` are non-negative and sorted. float32 sums and products accumulate in float64;
    float64 sums are pairwise along contiguous rows; max/min propagate NaN; integers wrap.

    Example: reduce_kernel("sum", impl)(x, axes=(0, 2)).
    """
    _check_op(op, REDUCE_OPS, "reduction")
    if not available or op in NUMPY_WINS:
        return fallback
    code, dtypes = _REDUCE[op]
    threshold = REDUCE_THRESHOLD
    run, ndarray = _C.reduce, np.ndarray

    def kernel(x, axes):
        if type(x) is ndarray and x.dtype in dtypes and x.size >= threshold:
            return run(code, x, axes)
        return fallback(x, axes)
    return _name(kernel, op, fallback)


def argreduce_kernel(op: str, fallback):
    """The CPU lowering of argmax/argmin: fn(x, axis, index_dtype) -> np.ndarray.

    Returns the first occurrence; a NaN counts as both the max and the min, as in NumPy.

    Example: argreduce_kernel("argmax", impl)(x, axis=1, index_dtype=np.int32).
    """
    _check_op(op, ARGREDUCE_OPS, "arg-reduction")
    if not available or op in NUMPY_WINS:
        return fallback
    run, ndarray, dtypes, index_dtypes = _C.argreduce, np.ndarray, _ARG_DTYPES, _INDEX_DTYPES

    def kernel(x, axis, index_dtype):
        if (type(x) is ndarray and x.dtype in dtypes and x.size >= ARGREDUCE_THRESHOLD
                and np.dtype(index_dtype) in index_dtypes):
            return run(op, x, axis, index_dtype)
        return fallback(x, axis, index_dtype)
    return _name(kernel, op, fallback)


def scan_kernel(op: str, fallback):
    """The CPU lowering of a cumulative op: fn(x, axis, reverse) -> np.ndarray.

    Long rows are scanned in parallel blocks (local scans, a scan of the block totals, a
    fix-up pass), so float results can differ from a sequential scan by rounding.

    Example: scan_kernel("cumsum", impl)(x, axis=0, reverse=False).
    """
    _check_op(op, SCAN_OPS, "scan")
    if not available or op in NUMPY_WINS:
        return fallback
    code, dtypes = _SCAN[op]
    run, ndarray = _C.scan, np.ndarray

    def kernel(x, axis, reverse):
        if type(x) is ndarray and x.dtype in dtypes and x.size >= SCAN_THRESHOLD:
            return run(code, x, axis, bool(reverse))
        return fallback(x, axis, reverse)
    return _name(kernel, op, fallback)


def _keeps_order(strides):
    """Whether strides walk memory outermost-first (a copy without transposition)."""
    return all(abs(a) >= abs(b) for a, b in itertools.pairwise(strides))


def transpose(x: np.ndarray, perm) -> np.ndarray:
    """np.transpose(x, perm) materialized C-contiguous (tiled for cache). Example:
    transpose(np.ones((2, 3)), (1, 0)).shape == (3, 2)."""
    if available and type(x) is np.ndarray and not x.dtype.hasobject:
        perm = tuple(perm)
        threshold = (COPY_THRESHOLD if _keeps_order([x.strides[p] for p in perm])
                     else TRANSPOSE_THRESHOLD)
        if x.size >= threshold:
            return _C.transpose(x, perm)
    return np.ascontiguousarray(np.transpose(x, perm))


def copy(x: np.ndarray) -> np.ndarray:
    """A fresh C-contiguous copy of x, whatever its strides. Example: copy(x.T)."""
    if available and type(x) is np.ndarray and not x.dtype.hasobject:
        threshold = COPY_THRESHOLD if _keeps_order(x.strides) else TRANSPOSE_THRESHOLD
        if x.size >= threshold:
            return _C.copy(x)
    return np.array(x, order="C", copy=True)


def _segment_sum_numpy(data, segment_ids, num_segments):
    out = np.zeros((num_segments,) + data.shape[1:], data.dtype)
    keep = (segment_ids >= 0) & (segment_ids < num_segments)
    np.add.at(out, segment_ids[keep], data[keep])
    return out


def segment_sum(data: np.ndarray, segment_ids: np.ndarray, num_segments: int) -> np.ndarray:
    """out[segment_ids[i]] += data[i] along axis 0; ids outside [0, num_segments) are dropped.

    Args:
      data: (n, ...) array; float32/float64/int32/int64 run in C++, others in NumPy.
      segment_ids: (n,) int32 or int64 array.
      num_segments: the number of output rows.
    Returns:
      An array of shape (num_segments,) + data.shape[1:] and data's dtype. Example:
      segment_sum(np.ones((4, 2)), np.array([0, 1, 1, 5]), 2) -> [[1, 1], [2, 2]].
    """
    if (available and type(data) is np.ndarray and type(segment_ids) is np.ndarray
            and data.dtype in _SEGMENT_DTYPES and segment_ids.dtype in _INDEX_DTYPES
            and data.ndim >= 1 and segment_ids.ndim == 1 and data.size >= SEGMENT_THRESHOLD):
        return _C.segment_sum(data, segment_ids, int(num_segments))
    return _segment_sum_numpy(data, segment_ids, int(num_segments))


def bincount(ids: np.ndarray, weights, length: int) -> np.ndarray:
    """Counts (int64) or summed weights (weights' dtype) of each id in [0, length).

    Ids outside [0, length) are dropped (clip them first for JAX's clamp-to-0 behaviour).
    Example: bincount(np.array([0, 2, 2, 7]), None, 3) -> [1, 0, 2].
    """
    length = int(length)
    if (available and type(ids) is np.ndarray and ids.dtype in _INDEX_DTYPES and ids.ndim == 1
            and ids.size >= SEGMENT_THRESHOLD
            and (weights is None or (type(weights) is np.ndarray
                                     and weights.dtype in _SEGMENT_DTYPES))):
        return _C.bincount(ids, weights, length)
    keep = (ids >= 0) & (ids < length)
    if weights is None:
        return np.bincount(ids[keep], minlength=length)[:length].astype(np.int64)
    return _segment_sum_numpy(np.asarray(weights), ids, length)


def _numpy_empty(shape, dtype):
    return np.empty(shape, dtype)


# empty(shape, dtype) -> np.ndarray: an uninitialized C-contiguous array, like np.empty.
# With the extension it is `_C.empty`, a caching allocator (csrc/kernels/pool.h): a freed
# array's block is reused by the next request of its size, so repeated calls write warm pages
# instead of faulting in fresh ones. Any np.dtype works (bfloat16 too). Example:
# empty((2, 3), np.float32).
empty = _C.empty if available and hasattr(_C, "empty") else _numpy_empty
