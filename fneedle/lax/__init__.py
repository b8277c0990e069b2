"""fneedle.lax: the primitives, grouped by family, each with all of its rules beside it."""

from fneedle.lax.elementwise import (  # noqa: F401
    abs, acos, acosh, asin, asinh, atan, atanh, bitwise_not, cbrt, ceil, cos, cosh,
    digamma, erf, erf_inv, erfc, exp, exp2, expm1, floor, integer_pow, is_finite, lgamma,
    log, log1p, logistic, neg, polygamma, round, rsqrt, sign, sin, sinh, sqrt, square, tan,
    tanh)
from fneedle.lax.arithmetic import (  # noqa: F401
    add, atan2, bitcast_convert_type, bitwise_and, bitwise_or, bitwise_xor, clamp,
    convert_element_type, div, eq, ge, gt, le, lt, max, min, mul, ne, nextafter, pow, rem,
    select_n, shift_left, shift_right_arithmetic, shift_right_logical, sub)
from fneedle.lax.shape import (  # noqa: F401
    broadcast, broadcast_in_dim, expand_dims, full, full_like, reshape, squeeze, transpose,
    zeros_like)
from fneedle.lax.complex import complex, conj, imag, real  # noqa: F401
from fneedle.lax.fft import FftType, fft  # noqa: F401
from fneedle.lax.reduction import reduce_sum  # noqa: F401
from fneedle.lax.reduction import (  # noqa: F401
    argmax, argmin, reduce_and, reduce_max, reduce_min, reduce_or, reduce_prod)
from fneedle.lax.segment import bincount, segment_sum, take_rows  # noqa: F401
from fneedle.lax.cumulative import (  # noqa: F401
    cumlogsumexp, cummax, cummin, cumprod, cumsum)
from fneedle.lax.slicing import (  # noqa: F401
    concatenate, dynamic_index_in_dim, dynamic_slice, dynamic_slice_in_dim,
    dynamic_update_index_in_dim, dynamic_update_slice, dynamic_update_slice_in_dim,
    index_in_dim, pad, rev, slice, slice_in_dim)
from fneedle.lax.indexing import (  # noqa: F401
    GatherDimensionNumbers, GatherScatterMode, ScatterDimensionNumbers, gather, scatter,
    scatter_add, scatter_max, scatter_min, scatter_mul)
from fneedle.lax.creation import broadcasted_iota, iota  # noqa: F401
from fneedle.lax.sort import sort, sort_key_val, top_k  # noqa: F401
from fneedle.lax.dot import dot, dot_general  # noqa: F401
from fneedle.lax.linalg import cholesky, eigh, lu, qr, svd, triangular_solve  # noqa: F401
from fneedle.lax.control_flow import cond, switch, while_loop, fori_loop, scan, map, associative_scan  # noqa: F401
