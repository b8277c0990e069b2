"""Trains a 2-layer MLP on a generated two-spirals problem with a jit-compiled SGD step.

    python examples/mlp_train.py [--steps 800] [--hidden 64] [--batch 256]

The model is a pure function of a parameter pytree; `fneedle.jit(step)` compiles the whole
update (forward, backward through `fneedle.grad`, and the SGD update) into one program.
"""

import argparse
import time

import numpy as np

import fneedle as fn
import fneedle.numpy as fnp
import fneedle.random as fr


def make_spirals(n, noise, rng):
    """Two interleaved spirals in 2-D, labels 0 and 1 (generated: nothing is downloaded)."""
    t = np.sqrt(rng.uniform(0.05, 1.0, size=n)) * 3 * np.pi
    label = rng.integers(0, 2, size=n)
    sign = np.where(label == 0, 1.0, -1.0)
    x = np.stack([sign * t * np.cos(t), sign * t * np.sin(t)], axis=1) / (3 * np.pi)
    x += noise * rng.standard_normal(x.shape)
    return x.astype(np.float32), label.astype(np.int32)


def init_params(key, sizes):
    params = []
    for k, (n_in, n_out) in zip(fr.split(key, len(sizes) - 1), zip(sizes[:-1], sizes[1:])):
        w = fr.normal(k, (n_in, n_out)) * np.sqrt(2.0 / n_in)
        params.append({"w": w, "b": fnp.zeros((n_out,))})
    return params


def forward(params, x):
    for layer in params[:-1]:
        x = fnp.tanh(x @ layer["w"] + layer["b"])
    return x @ params[-1]["w"] + params[-1]["b"]


def loss_fn(params, x, y):
    """Softmax cross-entropy of the labels y."""
    logits = forward(params, x)
    logp = logits - fnp.logsumexp(logits, axis=1, keepdims=True)
    return -fnp.mean(fnp.take_along_axis(logp, y[:, None], axis=1))


@fn.jit
def train_step(params, x, y, lr):
    loss, grads = fn.value_and_grad(loss_fn)(params, x, y)
    params = fn.tree_map(lambda p, g: p - lr * g, params, grads)
    return params, loss


@fn.jit
def accuracy(params, x, y):
    return fnp.mean(fnp.argmax(forward(params, x), axis=1) == y)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=800)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--lr", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    x_train, y_train = make_spirals(4096, 0.02, rng)
    x_test, y_test = make_spirals(1024, 0.02, rng)
    key = fr.key(args.seed)
    params = init_params(key, [2, args.hidden, args.hidden, 2])

    start = time.perf_counter()
    for step in range(args.steps + 1):
        idx = rng.integers(0, len(x_train), size=args.batch)
        params, loss = train_step(params, x_train[idx], y_train[idx], args.lr)
        if step % 50 == 0:
            acc = accuracy(params, x_test, y_test)
            print(f"step {step:4d}  loss {float(loss):.4f}  test accuracy {float(acc):.3f}")
    elapsed = time.perf_counter() - start
    print(f"{args.steps} steps in {elapsed:.2f} s ({1e3 * elapsed / args.steps:.2f} ms/step, "
          f"first call includes compilation)")
    final = float(accuracy(params, x_test, y_test))
    if final < 0.95:
        raise SystemExit(f"The model did not learn: test accuracy {final:.3f} < 0.95.")


if __name__ == "__main__":
    main()
