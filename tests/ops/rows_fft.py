"""Op-table rows for complex numbers and FFTs: the `fft` primitive through every
fneedle.numpy.fft transform (n/s, axis/axes, norm), lax.real/imag/conj/complex, and the
elementwise, reduction, dot and shape primitives on complex operands.

The harness draws real inputs and checks derivatives in float64, so each record maps real
arguments to real outputs: complex values are built with lax.complex(x, y) (or by promotion)
and returned as their (real, imag) parts, which compares them in full against NumPy.
"""

import numpy as np

import fneedle.numpy as fnp
from fneedle import lax

from . import inputs
from .records import OpRecord

F = (np.float32, np.float64)
ROWS = []

V = (((8,),),)
M = (((3, 8),),)
M_ODD = (((2, 7),),)
PAIR = (((2, 5), (2, 5)),)
PAIR_M = (((3, 4), (3, 4)),)


def row(name, fn, reference, shapes, **kw):
    kw.setdefault("grad_order", 1)
    ROWS.append(OpRecord(name, fn, reference, shapes, kw.pop("dtypes", F), **kw))


def split(z):
    """(real, imag) of an fneedle complex array."""
    return fnp.real(z), fnp.imag(z)


def np_split(z):
    return np.real(z), np.imag(z)


def cx(x, y):
    """x + iy for real fneedle arrays of one dtype."""
    return lax.complex(x, y)


# ---------------------------------------------------------------------------------------
# The fft primitive through fneedle.numpy.fft: complex transforms of real input, of complex
# input (two real arguments), real transforms, with crops, pads, axes and norms.

_C2C = [("fft", fnp.fft.fft, np.fft.fft), ("ifft", fnp.fft.ifft, np.fft.ifft)]
for _name, _f, _np in _C2C:
    row(f"fft_{_name}", lambda x, f=_f: split(f(x)), lambda x, g=_np: np_split(g(x)),
        V + M + M_ODD, grad_order=2)
    row(f"fft_{_name}_complex", lambda x, y, f=_f: split(f(cx(x, y))),
        lambda x, y, g=_np: np_split(g(x + 1j * y)), PAIR, diff_argnums=(0, 1))
    row(f"fft_{_name}_crop", lambda x, f=_f: split(f(x, n=5)),
        lambda x, g=_np: np_split(g(x, n=5)), M)
    row(f"fft_{_name}_pad_axis0", lambda x, f=_f: split(f(x, n=6, axis=0)),
        lambda x, g=_np: np_split(g(x, n=6, axis=0)), M)
    for _norm in ("ortho", "forward"):
        row(f"fft_{_name}_{_norm}", lambda x, f=_f, n=_norm: split(f(x, norm=n)),
            lambda x, g=_np, n=_norm: np_split(g(x, norm=n)), M_ODD)

row("fft_rfft", lambda x: split(fnp.fft.rfft(x)), lambda x: np_split(np.fft.rfft(x)),
    V + M + M_ODD, grad_order=2)
row("fft_rfft_n_odd", lambda x: split(fnp.fft.rfft(x, n=7)),
    lambda x: np_split(np.fft.rfft(x, n=7)), M)
row("fft_rfft_pad_axis0", lambda x: split(fnp.fft.rfft(x, n=5, axis=0)),
    lambda x: np_split(np.fft.rfft(x, n=5, axis=0)), M)
for _norm in ("ortho", "forward"):
    row(f"fft_rfft_{_norm}", lambda x, n=_norm: split(fnp.fft.rfft(x, norm=n)),
        lambda x, n=_norm: np_split(np.fft.rfft(x, norm=n)), M_ODD)
# |rfft(x)|^2, a power spectrum: abs of complex values.
row("fft_rfft_power", lambda x: fnp.abs(fnp.fft.rfft(x)) ** 2,
    lambda x: np.abs(np.fft.rfft(x)) ** 2, M)

# irfft of x + iy: the imaginary parts of the zero (and Nyquist) frequency are ignored.
for _label, _n in (("", None), ("_n_odd", 9), ("_n_even_pad", 12), ("_n_crop", 4)):
    row(f"fft_irfft{_label}", lambda x, y, n=_n: fnp.fft.irfft(cx(x, y), n),
        lambda x, y, n=_n: np.fft.irfft(x + 1j * y, n), PAIR, diff_argnums=(0, 1),
        grad_order=2 if _n is None else 1)
row("fft_irfft_axis0", lambda x, y: fnp.fft.irfft(cx(x, y), 6, axis=0),
    lambda x, y: np.fft.irfft(x + 1j * y, 6, axis=0), PAIR_M, diff_argnums=(0, 1))
for _norm in ("ortho", "forward"):
    row(f"fft_irfft_{_norm}", lambda x, y, n=_norm: fnp.fft.irfft(cx(x, y), norm=n),
        lambda x, y, n=_norm: np.fft.irfft(x + 1j * y, norm=n), PAIR, diff_argnums=(0, 1))

# The round trip and FFT convolution (the seed's use): both arguments differentiate.
row("fft_rfft_irfft_round_trip", lambda x: fnp.fft.irfft(fnp.fft.rfft(x) * 2, 8),
    lambda x: np.fft.irfft(np.fft.rfft(x) * 2, 8), V + M, grad_order=2)
row("fft_convolution",
    lambda x, k: fnp.fft.irfft(fnp.fft.rfft(x, 12) * fnp.fft.rfft(k, 12), 12),
    lambda x, k: np.fft.irfft(np.fft.rfft(x, 12) * np.fft.rfft(k, 12), 12),
    (((7,), (5,)), ((2, 7), (2, 5))), diff_argnums=(0, 1), grad_order=2)

# N-d transforms over default, given and permuted axes, with crops and pads.
M3 = (((2, 3, 4),),)
_ND = [
    ("fft2", lambda x: split(fnp.fft.fft2(x)), lambda x: np_split(np.fft.fft2(x)), M3),
    ("ifft2_s", lambda x: split(fnp.fft.ifft2(x, s=(4, 3))),
     lambda x: np_split(np.fft.ifft2(x, s=(4, 3))), M3),
    ("fftn", lambda x: split(fnp.fft.fftn(x)), lambda x: np_split(np.fft.fftn(x)), M3),
    ("fftn_axes", lambda x: split(fnp.fft.fftn(x, axes=(2, 0), norm="ortho")),
     lambda x: np_split(np.fft.fftn(x, axes=(2, 0), norm="ortho")), M3),
    ("ifftn_s_axes", lambda x: split(fnp.fft.ifftn(x, s=(5, 2), axes=(0, 1))),
     lambda x: np_split(np.fft.ifftn(x, s=(5, 2), axes=(0, 1))), M3),
    ("rfft2", lambda x: split(fnp.fft.rfft2(x)), lambda x: np_split(np.fft.rfft2(x)), M3),
    ("rfftn", lambda x: split(fnp.fft.rfftn(x)), lambda x: np_split(np.fft.rfftn(x)), M3),
    ("rfftn_axes_s", lambda x: split(fnp.fft.rfftn(x, s=(5, 3), axes=(2, 0))),
     lambda x: np_split(np.fft.rfftn(x, s=(5, 3), axes=(2, 0))), M3),
    ("rfftn_forward", lambda x: split(fnp.fft.rfftn(x, axes=(1, 2), norm="forward")),
     lambda x: np_split(np.fft.rfftn(x, axes=(1, 2), norm="forward")), M3),
]
for _name, _f, _np, _shapes in _ND:
    row(f"fft_{_name}", _f, _np, _shapes)

_ND_INVERSE = [
    ("irfft2", lambda z: fnp.fft.irfft2(z), np.fft.irfft2),
    ("irfft2_s", lambda z: fnp.fft.irfft2(z, s=(3, 5)), lambda z: np.fft.irfft2(z, s=(3, 5))),
    ("irfftn", lambda z: fnp.fft.irfftn(z), np.fft.irfftn),
    ("irfftn_axes", lambda z: fnp.fft.irfftn(z, s=(4, 6), axes=(2, 0), norm="ortho"),
     lambda z: np.fft.irfftn(z, s=(4, 6), axes=(2, 0), norm="ortho")),
    ("ifft2_complex", lambda z: split(fnp.fft.ifft2(z)), lambda z: np_split(np.fft.ifft2(z))),
]
for _name, _f, _np in _ND_INVERSE:
    row(f"fft_{_name}", lambda x, y, f=_f: f(cx(x, y)), lambda x, y, g=_np: g(x + 1j * y),
        (((2, 3, 4), (2, 3, 4)),), diff_argnums=(0, 1))

# Shifts and frequencies.
row("fft_fftshift", fnp.fft.fftshift, np.fft.fftshift, M3 + V)
row("fft_ifftshift_axes", lambda x: fnp.fft.ifftshift(x, axes=(0, 2)),
    lambda x: np.fft.ifftshift(x, axes=(0, 2)), M3)
row("fft_fftfreq", lambda x: x * fnp.fft.fftfreq(x.shape[-1], 0.5, dtype=x.dtype),
    lambda x: x * np.fft.fftfreq(x.shape[-1], 0.5).astype(x.dtype), M_ODD + V)
row("fft_rfftfreq", lambda x: x[..., :4] * fnp.fft.rfftfreq(7, dtype=x.dtype),
    lambda x: x[..., :4] * np.fft.rfftfreq(7).astype(x.dtype), M_ODD)

# The primitive itself, with a batch axis in front of the transformed ones.
row("fft_lax_fft_2d", lambda x, y: split(lax.fft(cx(x, y), "FFT", (3, 4))),
    lambda x, y: np_split(np.fft.fftn(x + 1j * y, axes=(-2, -1))),
    (((2, 3, 4), (2, 3, 4)),), diff_argnums=(0, 1))
row("fft_lax_irfft_2d", lambda x, y: lax.fft(cx(x, y), "IRFFT", (3, 6)),
    lambda x, y: np.fft.irfftn(x + 1j * y, s=(3, 6), axes=(-2, -1)),
    (((2, 3, 4), (2, 3, 4)),), diff_argnums=(0, 1))


# ---------------------------------------------------------------------------------------
# real, imag, conj and complex.

row("complex_parts", lambda x, y: split(cx(x, y)), lambda x, y: np.broadcast_arrays(x, y),
    (((2, 3), (2, 3)), ((), (2, 3)), ((2, 3), ())), diff_argnums=(0, 1), grad_order=2)
row("complex_conj", lambda x, y: split(lax.conj(cx(x, y)) * cx(y, x)),
    lambda x, y: np_split(np.conj(x + 1j * y) * (y + 1j * x)), PAIR, diff_argnums=(0, 1),
    grad_order=2)
row("complex_real_imag_of_product", lambda x, y: lax.real(cx(x, y) * cx(x, x)) -
    2 * lax.imag(cx(y, x) * cx(y, y)),
    lambda x, y: np.real((x + 1j * y) * (x + 1j * x)) - 2 * np.imag((y + 1j * x) * (y + 1j * y)),
    PAIR, diff_argnums=(0, 1), grad_order=2)
row("complex_scalar_promotion", lambda x: split(x * (1 + 2j) + 1j),
    lambda x: np_split((x * (1 + 2j) + 1j).astype(np.result_type(x, np.complex64))), M)


# ---------------------------------------------------------------------------------------
# Elementwise primitives on complex operands. Inputs keep away from branch cuts (log,
# sqrt, pow: positive real parts), zeros (div, abs, sign, negative powers) and poles (tanh).

def _unary(name, fn, npfn, kinds=("normal", "normal"), **kw):
    row(f"complex_{name}", lambda x, y: split(fn(cx(x, y))),
        lambda x, y: np_split(npfn(x + 1j * y)), PAIR, inputs=kinds, diff_argnums=(0, 1),
        **kw)


_POS = ("positive", "normal")
_unary("neg", lax.neg, np.negative, grad_order=2)
_unary("exp", lax.exp, np.exp, grad_order=2)
_unary("log", lax.log, np.log, _POS, grad_order=2)
_unary("sqrt", lax.sqrt, np.sqrt, _POS, grad_order=2)
_unary("sin", lax.sin, np.sin, grad_order=2)
_unary("cos", lax.cos, np.cos, grad_order=2)
_unary("tanh", lax.tanh, np.tanh, ("unit", "unit"), grad_order=2)
_unary("sign", lax.sign, np.sign, _POS)
_unary("square", lax.square, np.square, grad_order=2)
_unary("integer_pow_3", lambda z: lax.integer_pow(z, 3), lambda z: z ** 3, grad_order=2)
_unary("integer_pow_neg2", lambda z: lax.integer_pow(z, -2), lambda z: z ** -2.0, _POS)
row("complex_abs", lambda x, y: lax.abs(cx(x, y)), lambda x, y: np.abs(x + 1j * y), PAIR,
    inputs=_POS, diff_argnums=(0, 1), grad_order=2)


def _binary(name, fn, npfn, kinds=("normal",) * 4, **kw):
    row(f"complex_{name}", lambda a, b, c, d: split(fn(cx(a, b), cx(c, d))),
        lambda a, b, c, d: np_split(npfn(a + 1j * b, c + 1j * d)), (((2, 3),) * 4,),
        inputs=kinds, diff_argnums=(0, 1, 2, 3), **kw)


_binary("add", lax.add, np.add)
_binary("sub", lax.sub, np.subtract)
_binary("mul", lax.mul, np.multiply, grad_order=2)
_binary("div", lax.div, np.divide, ("normal", "normal", "positive", "normal"), grad_order=2)
_binary("pow", lax.pow, np.power, ("positive", "normal", "unit", "unit"))
for _name, _f, _np in (("eq", lax.eq, np.equal), ("ne", lax.ne, np.not_equal)):
    row(f"complex_{_name}", lambda a, b, c, d, f=_f: f(cx(a, b), cx(c, d)),
        lambda a, b, c, d, g=_np: g(a + 1j * b, c + 1j * d), (((4, 5),) * 4,),
        inputs=inputs.choice3, diff_argnums=())
row("complex_select_n", lambda w, a, b: split(lax.select_n(w, cx(a, b), cx(b, a))),
    lambda w, a, b: np_split(np.where(w, b + 1j * a, a + 1j * b)),
    (((2, 3), (2, 3), (2, 3)),), arg_dtypes=lambda dt: (np.bool_, dt, dt),
    inputs=("bool", "normal", "normal"), diff_argnums=(1, 2))
row("complex_convert", lambda x, y: lax.convert_element_type(
    lax.convert_element_type(x, np.complex128 if x.dtype == np.float64 else np.complex64)
    * cx(y, x), x.dtype),
    lambda x, y: np.real(x * (y + 1j * x)), PAIR, diff_argnums=(0, 1), grad_order=2)


# ---------------------------------------------------------------------------------------
# Reductions, products and shape primitives (dtype-agnostic) on complex operands.

row("complex_reduce_sum", lambda x, y: split(lax.reduce_sum(cx(x, y), (0,))),
    lambda x, y: np_split(np.sum(x + 1j * y, axis=0)), PAIR_M, diff_argnums=(0, 1))
row("complex_dot", lambda a, b, c, d: split(lax.dot(cx(a, b), cx(c, d))),
    lambda a, b, c, d: np_split((a + 1j * b) @ (c + 1j * d)),
    (((2, 3), (2, 3), (3, 4), (3, 4)),), diff_argnums=(0, 1, 2, 3), grad_order=2)
_SHAPE = [
    ("broadcast", lambda z: lax.broadcast_in_dim(z, (2,) + z.shape, (1, 2)),
     lambda z: np.broadcast_to(z, (2,) + z.shape)),
    ("reshape", lambda z: lax.reshape(z, (z.size,)), lambda z: z.reshape(-1)),
    ("transpose", lambda z: lax.transpose(z, (1, 0)), lambda z: z.T),
    ("slice", lambda z: lax.slice(z, (0, 1), (2, 4)), lambda z: z[0:2, 1:4]),
    ("concatenate", lambda z: lax.concatenate([z, lax.conj(z)], 1),
     lambda z: np.concatenate([z, np.conj(z)], 1)),
    ("pad", lambda z: lax.pad(z, 0.0, [(1, 0, 0), (0, 2, 1)]),
     lambda z: np.pad(np.insert(z, np.arange(1, z.shape[1]), 0, axis=1), [(1, 0), (0, 2)])),
    ("rev", lambda z: lax.rev(z, (1,)), lambda z: z[:, ::-1]),
    ("gather", lambda z: z[np.array([2, 0, 2])], lambda z: z[np.array([2, 0, 2])]),
    ("scatter_add", lambda z: z.at[np.array([0, 2, 0])].add(z[:3] * 2j),
     lambda z: _np_scatter_add(z, np.array([0, 2, 0]), z[:3] * 2j)),
]


def _np_scatter_add(z, idx, v):
    out = z.copy()
    np.add.at(out, idx, v)
    return out


for _name, _f, _np in _SHAPE:
    row(f"complex_{_name}", lambda x, y, f=_f: split(f(cx(x, y))),
        lambda x, y, g=_np: np_split(g(x + 1j * y)), PAIR_M, diff_argnums=(0, 1))
