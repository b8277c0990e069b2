"""fneedle.numpy: the NumPy API a NumPy user reaches for, composed from fneedle.lax.

Broadcasting, dtype promotion (DESIGN.md 2.6: Python scalars are weakly typed, new arrays
default to float32), negative axes, keepdims, where=, and basic plus advanced indexing all
follow NumPy (as jax.numpy does), and every function traces under jit, grad and vmap.
Functions whose output shape would depend on the data (nonzero, unique, ...) take a static
size= instead.

    import fneedle.numpy as fnp
    y = fnp.tanh(x @ w + b).sum(axis=-1)
"""
# ruff: noqa: F401, I001  (the public API, grouped by module)

import math as _math

from fneedle.core.array import Array as ndarray
from fneedle.numpy import array_methods as _array_methods  # installs operators and methods
from fneedle.numpy import fft, linalg
from fneedle.numpy.scalar_types import (
    bfloat16, bool, bool_, can_cast, cdouble, complex64, complex128, complexfloating, csingle,
    double, dtype, finfo, float16, float32, float64, float_, floating, generic, half, iinfo,
    inexact, int8, int16, int32, int64, int_, integer, isdtype, isscalar, issubdtype, ndim,
    number, promote_types, result_type, shape, signedinteger, single, size, uint, uint8,
    uint16, uint32, uint64, unsignedinteger)
from fneedle.numpy.creation import from_dlpack  # noqa: F401
from fneedle.numpy.creation import (
    arange, array, asarray, copy, diag, diag_indices, diagflat, empty, empty_like, eye, full,
    full_like, geomspace, identity, indices, linspace, logspace, meshgrid, ones, ones_like,
    tri, tril, tril_indices, tril_indices_from, triu, triu_indices, triu_indices_from, zeros,
    zeros_like)
from fneedle.numpy.ufuncs import (
    abs, absolute, acos, acosh, add, angle, arccos, arccosh, arcsin, arcsinh, arctan, arctan2,
    arctanh, around, asin, asinh, atan, atan2, atanh, bitwise_and, bitwise_invert,
    bitwise_left_shift, bitwise_not, bitwise_or, bitwise_right_shift, bitwise_xor, cbrt, ceil,
    conj, conjugate, copysign, cos, cosh, deg2rad, degrees, divide, divmod, equal, exp, exp2,
    expm1, fabs, fix, float_power, floor, floor_divide, fmax, fmin, fmod, greater,
    greater_equal, heaviside, hypot, imag, invert, iscomplexobj, isfinite, isinf, isnan,
    isneginf, isposinf, ldexp, left_shift, less, less_equal, log, log1p, log2, log10,
    logaddexp, logaddexp2, logical_and, logical_not, logical_or, logical_xor, maximum, minimum,
    mod, modf, multiply, negative, nextafter, not_equal, positive, pow, power, rad2deg,
    radians, real, reciprocal, remainder, right_shift, rint, round, round_, rsqrt, sign,
    signbit, sin, sinc, sinh, sqrt, square, subtract, tan, tanh, true_divide, trunc)
from fneedle.numpy.logic import (
    allclose, array_equal, array_equiv, clip, isclose, nan_to_num, where)
from fneedle.numpy.reductions import (
    all, amax, amin, any, argmax, argmin, average, count_nonzero, cumprod, cumsum,
    cumulative_prod, cumulative_sum, logsumexp, max, mean, min, nanargmax, nanargmin,
    nancumprod, nancumsum, nanmax, nanmean, nanmin, nanprod, nanstd, nansum, nanvar, prod,
    ptp, std, sum, var)
from fneedle.numpy.manipulation import (
    append, array_split, atleast_1d, atleast_2d, atleast_3d, broadcast_arrays,
    broadcast_shapes, broadcast_to, column_stack, concat, concatenate, dsplit, dstack,
    expand_dims, flip, fliplr, flipud, hsplit, hstack, matrix_transpose, moveaxis, pad,
    permute_dims, ravel, repeat, reshape, roll, rollaxis, rot90, row_stack, split, squeeze,
    stack, swapaxes, tile, transpose, vsplit, vstack)
from fneedle.numpy.selection import (
    argwhere, choose, compress, extract, flatnonzero, nonzero, put_along_axis,
    ravel_multi_index, select, take, take_along_axis, unravel_index)
from fneedle.numpy.products import (
    cross, diagonal, dot, inner, kron, matmul, outer, tensordot, trace, vdot, vecdot)
from fneedle.numpy.sorting import (
    argpartition, argsort, lexsort, partition, searchsorted, sort, unique, unique_counts,
    unique_inverse, unique_values)
from fneedle.numpy.statistics import (
    median, nanmedian, nanpercentile, nanquantile, percentile, quantile)
from fneedle.numpy.histogram import bincount, digitize, histogram, histogram_bin_edges, interp
from fneedle.numpy.einsum import einsum, einsum_path

pi = _math.pi
e = _math.e
inf = _math.inf
nan = _math.nan
euler_gamma = 0.5772156649015329
newaxis = None
