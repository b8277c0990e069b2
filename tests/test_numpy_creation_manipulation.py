"""fneedle.numpy's array creation and shape manipulation (including pad) against NumPy."""


import numpy as np
import pytest

import fneedle as fn
import fneedle.numpy as fnp
from tests.numpy_checks import A, B, C, close


def test_creation():
    close(fnp.zeros((2, 3)), np.zeros((2, 3)))
    close(fnp.ones_like(A), np.ones_like(A))
    close(fnp.full((2, 2), 7), np.full((2, 2), 7))
    close(fnp.full((2, 3), fnp.asarray(B[:3])), np.full((2, 3), B[:3]))
    close(fnp.full_like(A, 2.5), np.full_like(A, 2.5))
    close(fnp.arange(2, 11, 3), np.arange(2, 11, 3))
    close(fnp.arange(0.0, 1.0, 0.25), np.arange(0.0, 1.0, 0.25))
    close(fnp.linspace(0, 1, 5), np.linspace(0, 1, 5))
    close(fnp.linspace(0, 1, 5, endpoint=False, retstep=True),
          np.linspace(0, 1, 5, endpoint=False, retstep=True))
    close(fnp.linspace(fnp.asarray([0.0, 1.0]), 2.0, 4, axis=-1),
          np.linspace([0.0, 1.0], 2.0, 4, axis=-1))
    close(fnp.linspace(0, 10, 4, dtype=int), np.linspace(0, 10, 4, dtype=int))
    close(fnp.logspace(0, 2, 3), np.logspace(0, 2, 3), 1e-4)
    close(fnp.geomspace(1, 1000, 4), np.geomspace(1, 1000, 4), 1e-4)
    close(fnp.eye(3, 4, k=1), np.eye(3, 4, k=1))
    close(fnp.identity(2), np.identity(2))
    close(fnp.tri(3, 4, -1), np.tri(3, 4, -1))
    close(fnp.tril(C, 1), np.tril(C, 1))
    close(fnp.triu(C, -1), np.triu(C, -1))
    close(fnp.meshgrid(fnp.arange(3), fnp.arange(2)), np.meshgrid(np.arange(3), np.arange(2)))
    close(fnp.meshgrid(fnp.arange(3), fnp.arange(2), indexing="ij", sparse=True),
          np.meshgrid(np.arange(3), np.arange(2), indexing="ij", sparse=True))
    for k in (-2, 0, 1):
        close(fnp.diag(fnp.asarray(B), k), np.diag(B, k))
        close(fnp.diag(fnp.asarray(A), k), np.diag(A, k))
    close(fnp.indices((2, 3)), np.indices((2, 3)))
    close(fnp.array([[1, 2], [3, 4]], ndmin=3), np.array([[1, 2], [3, 4]], ndmin=3))
    close(fnp.array([fnp.asarray(1.0), 2.0]), np.array([1.0, 2.0]))
    close(fnp.tril_indices(3), np.tril_indices(3))


def test_manipulation():
    x, X = C, fnp.asarray(C)
    close(X.reshape(4, -1), x.reshape(4, -1))
    close(fnp.reshape(X, (-1,)), x.reshape(-1))
    close(X.ravel(), x.ravel())
    close(X.transpose(2, 0, 1), x.transpose(2, 0, 1))
    close(X.T, x.T)
    close(fnp.moveaxis(X, [0, 1], [-1, 0]), np.moveaxis(x, [0, 1], [-1, 0]))
    close(fnp.swapaxes(X, 0, -1), np.swapaxes(x, 0, -1))
    close(fnp.squeeze(fnp.zeros((1, 3, 1)), axis=-1), np.zeros((1, 3)))
    close(fnp.expand_dims(X, (0, -1)), np.expand_dims(x, (0, -1)))
    close(fnp.broadcast_to(fnp.asarray(B), (3, 4)), np.broadcast_to(B, (3, 4)))
    close(fnp.broadcast_arrays(fnp.asarray(B), fnp.zeros((2, 1))),
          np.broadcast_arrays(B, np.zeros((2, 1))))
    assert fnp.broadcast_shapes((2, 1), (3,)) == (2, 3)
    close(fnp.concatenate([X, X], axis=-1), np.concatenate([x, x], -1))
    close(fnp.concatenate([X, X], axis=None), np.concatenate([x, x], None))
    close(fnp.stack([X, X], axis=-1), np.stack([x, x], -1))
    close(fnp.hstack([B, B]), np.hstack([B, B]))
    close(fnp.vstack([B, B]), np.vstack([B, B]))
    close(fnp.dstack([A, A]), np.dstack([A, A]))
    close(fnp.column_stack([B, B]), np.column_stack([B, B]))
    close(fnp.split(X, 2, axis=-1), np.split(x, 2, axis=-1))
    close(fnp.split(X, [1, 3], axis=2), np.split(x, [1, 3], axis=2))
    close(fnp.array_split(X, 3, axis=-1), np.array_split(x, 3, axis=-1))
    close(fnp.tile(X, (2, 1, 1, 2)), np.tile(x, (2, 1, 1, 2)))
    close(fnp.tile(fnp.asarray(B), 2), np.tile(B, 2))
    close(fnp.repeat(X, 2, axis=1), np.repeat(x, 2, axis=1))
    close(fnp.repeat(X, [1, 0, 2], axis=1), np.repeat(x, [1, 0, 2], axis=1))
    close(fnp.repeat(X, 2), np.repeat(x, 2))
    close(fnp.repeat(fnp.asarray(B), fnp.asarray([1, 0, 2, 1]), total_repeat_length=4),
          np.repeat(B, [1, 0, 2, 1]))
    close(fnp.flip(X, (0, 2)), np.flip(x, (0, 2)))
    close(fnp.fliplr(A), np.fliplr(A))
    for k in range(4):
        close(fnp.rot90(X, k, (1, 2)), np.rot90(x, k, (1, 2)))
    close(fnp.roll(X, 5), np.roll(x, 5))
    close(fnp.roll(X, (1, -2), axis=(0, 2)), np.roll(x, (1, -2), axis=(0, 2)))
    close(fn.jit(lambda v, s: fnp.roll(v, s, axis=2))(X, 3), np.roll(x, 3, axis=2))
    close(fnp.atleast_3d(fnp.asarray(B)), np.atleast_3d(B))
    close(fnp.append(X, X[:1], axis=0), np.append(x, x[:1], axis=0))


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric", "wrap"])
@pytest.mark.parametrize("width", [1, ((1, 2), (0, 3)), ((5, 6), (7, 9))])
def test_pad(mode, width):
    close(fnp.pad(fnp.asarray(A), width, mode=mode), np.pad(A, width, mode=mode))


def test_pad_constant_values():
    close(fnp.pad(fnp.asarray(A), 1, constant_values=7.0), np.pad(A, 1, constant_values=7.0))
    close(fnp.pad(fnp.asarray(A), 1, constant_values=((1, 2), (3, 4))),
          np.pad(A, 1, constant_values=((1, 2), (3, 4))))
