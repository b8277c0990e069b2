"""Peak memory of reverse mode through `lax.scan`: grad of an RNN-like recurrence of N steps.

Partial evaluation of scan stores only what the backward pass needs: per step, the few
vectors the linear (tangent) body reads, stacked along the scan axis; loop-invariant values
(the weight matrix) are stored once. So the peak memory of grad is linear in N with a slope
of (saved residuals per step), plus the carry, xs and weights. With the body under
`checkpoint`, a step saves only its inputs and recomputes the rest backwards.

Prints one JSON row per configuration: `bench`, `impl`, `steps`, `width`, `peak_bytes`
(tracemalloc peak during one grad call, NumPy buffers included), `residual_bytes` (the
residuals of the linearized scan, summed, inputs left out), `xs_bytes`, and `per_step_bytes` (the slope of
peak memory between consecutive step counts).

Usage: python benchmarks/bench_scan_memory.py [--width 64] [--steps 250 500 1000 2000]
"""

import argparse
import json
import tracemalloc

import numpy as np

import fneedle as fn
from fneedle import lax


def make_loss(remat):
    def body(h, xw):
        x, = xw
        return lax.tanh(lax.dot(w_holder[0], h) + x), None

    w_holder = [None]

    def loss(w, h0, xs):
        w_holder[0] = w
        step = body
        if remat:
            from fneedle.transforms.checkpoint import checkpoint
            step = checkpoint(body)
        h, _ = lax.scan(step, h0, (xs,))
        return lax.reduce_sum(h * h, (0,))
    return loss


def residual_bytes(loss, w, h0, xs):
    """Bytes of the residuals the linearized program keeps (its constants), leaving out
    those that are the inputs themselves (e.g. xs read directly by the backward scan)."""
    _, f_jvp = fn.linearize(loss, w, h0, xs)
    inputs = [np.asarray(x) for x in (w, h0, xs)]
    total = 0
    for c in f_jvp.jaxpr.consts:
        if hasattr(c, "shape"):
            c = np.asarray(c)
            if not any(np.shares_memory(c, x) for x in inputs):
                total += c.nbytes
    return int(total)


def peak_bytes(fun, *args):
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    out = fun(*args)
    _ = [np.asarray(x) for x in fn.tree_leaves(out)]
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return peak


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--steps", type=int, nargs="+", default=[250, 500, 1000, 2000])
    args = parser.parse_args()
    d = args.width
    rng = np.random.default_rng(0)
    w = fn.Array(rng.standard_normal((d, d)) / np.sqrt(d))
    h0 = fn.Array(rng.standard_normal(d))
    for impl, remat in (("scan", False), ("scan+checkpoint", True)):
        loss = make_loss(remat)
        grad = fn.grad(loss, argnums=(0, 1))
        prev = None
        for n in args.steps:
            xs = fn.Array(rng.standard_normal((n, d)))
            g_check = grad(w, h0, xs)  # warm up (and check against the plain scan)
            if remat:
                ref = fn.grad(make_loss(False), argnums=(0, 1))(w, h0, xs)
                for a, b in zip(g_check, ref):
                    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-9)
            peak = peak_bytes(grad, w, h0, xs)
            row = {"bench": "scan_grad_memory", "impl": impl, "steps": n, "width": d,
                   "dtype": "float64", "peak_bytes": peak,
                   "residual_bytes": residual_bytes(loss, w, h0, xs),
                   "xs_bytes": n * d * 8, "carry_bytes": d * 8, "weight_bytes": d * d * 8}
            if prev is not None:
                row["per_step_bytes"] = round((peak - prev[1]) / (n - prev[0]), 1)
            prev = (n, peak)
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
