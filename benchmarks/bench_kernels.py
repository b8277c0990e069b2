"""The C++ CPU kernels (fneedle._C via fneedle.backend.cpu) against NumPy, family by family.

Prints one JSON row per (benchmark, impl, size); `ratio` is NumPy's median time over the
impl's (above 1: faster than NumPy). Impls: "numpy" (the reference call), "kernel" (the C++
kernel called directly, whatever the size) and "fneedle" (the backend wrapper, which uses
NumPy below its measured thresholds). Inputs are float32 unless the name says otherwise.

    python benchmarks/bench_kernels.py                       # 1e4 .. 1e7 elements
    python benchmarks/bench_kernels.py --sizes 1e5 --only exp,sum
    python benchmarks/bench_kernels.py --calibrate           # small sizes, for the thresholds
    python benchmarks/bench_kernels.py --summary rows.jsonl  # a markdown table of saved rows
"""

import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import emit, env_info, measure

from fneedle.backend import cpu


def _square(n):
    side = round(n ** 0.5)
    return side, max(1, n // side)


def cases(n, rng):
    """(bench name, {impl: thunk}, reference check tolerance, bytes moved) for size n."""
    _C = cpu._C
    x = (rng.random(n, dtype=np.float32) + 0.25).astype(np.float32)
    y = (rng.random(n, dtype=np.float32) + 0.25).astype(np.float32)
    r, c = _square(n)
    m = x[: r * c].reshape(r, c)
    item = 4
    out = []

    def add(name, np_fn, kernel_fn, wrapper_fn, nbytes, rtol=1e-5, atol=0.0, reference=None):
        out.append((name, {"numpy": np_fn, "kernel": kernel_fn, "fneedle": wrapper_fn},
                    rtol, atol, nbytes, reference))

    for op, np_fn in [("neg", np.negative), ("exp", np.exp), ("log", np.log), ("sin", np.sin),
                      ("tanh", np.tanh), ("sqrt", np.sqrt)]:
        code = cpu._UNARY[op][0]
        k = cpu.unary_kernel(op, np_fn)
        add(op, lambda f=np_fn: f(x), lambda code=code: _C.unary(code, x),
            lambda k=k: k(x), 2 * n * item)
    logistic = cpu.unary_kernel("logistic", lambda v: 1 / (1 + np.exp(-v)))
    add("logistic", lambda: 1 / (1 + np.exp(-x)),
        lambda: _C.unary(cpu._UNARY["logistic"][0], x), lambda: logistic(x), 2 * n * item)

    for op, np_fn in [("add", np.add), ("mul", np.multiply), ("max", np.maximum),
                      ("pow", np.power), ("atan2", np.arctan2)]:
        code = cpu._BINARY[op][0]
        k = cpu.binary_kernel(op, np_fn)
        add(op, lambda f=np_fn: f(x, y), lambda code=code: _C.binary(code, x, y),
            lambda k=k: k(x, y), 3 * n * item)
    # Broadcast (zero strides) and transposed operands: the caller passes same-shape views.
    col, row = x[:r, None], y[None, :c]
    bc, br = np.broadcast_arrays(col, row)
    kadd = cpu.binary_kernel("add", np.add)
    add("add_broadcast", lambda: np.add(col, row),
        lambda: _C.binary(cpu._BINARY["add"][0], bc, br), lambda: kadd(bc, br), r * c * item)
    add("add_transposed", lambda: np.add(m.T, m.T),
        lambda: _C.binary(cpu._BINARY["add"][0], m.T, m.T), lambda: kadd(m.T, m.T),
        3 * r * c * item)

    ksum = cpu.reduce_kernel("sum", lambda v, axes: np.add.reduce(v, axis=axes))
    kmax = cpu.reduce_kernel("max", lambda v, axes: np.maximum.reduce(v, axis=axes))
    sum_code, max_code = cpu._REDUCE["sum"][0], cpu._REDUCE["max"][0]
    for name, v, axes in [("sum_all", x, (0,)), ("sum_axis0", m, (0,)), ("sum_axis1", m, (1,))]:
        add(name, lambda v=v, axes=axes: np.add.reduce(v, axis=axes),
            lambda v=v, axes=axes: _C.reduce(sum_code, v, axes),
            lambda v=v, axes=axes: ksum(v, axes), v.size * item, rtol=1e-4)
    add("max_all", lambda: np.maximum.reduce(x, axis=(0,)), lambda: _C.reduce(max_code, x, (0,)),
        lambda: kmax(x, (0,)), n * item)
    kam = cpu.argreduce_kernel("argmax", lambda v, axis, index_dtype:
                               np.argmax(v, axis=axis).astype(index_dtype))
    add("argmax_all", lambda: np.argmax(x, axis=0).astype(np.int64),
        lambda: _C.argreduce("argmax", x, 0, np.int64), lambda: kam(x, 0, np.int64), n * item)
    add("argmax_axis0", lambda: np.argmax(m, axis=0).astype(np.int64),
        lambda: _C.argreduce("argmax", m, 0, np.int64), lambda: kam(m, 0, np.int64),
        m.size * item)

    kcs = cpu.scan_kernel("cumsum", lambda v, axis, reverse: np.cumsum(v, axis))
    cs_code = cpu._SCAN["cumsum"][0]
    # A cumsum of n values in float32 drifts by ~n*eps between summation orders.
    add("cumsum_1d", lambda: np.cumsum(x, 0), lambda: _C.scan(cs_code, x, 0, False),
        lambda: kcs(x, 0, False), 2 * n * item, rtol=1e-3)
    add("cumsum_axis0", lambda: np.cumsum(m, 0), lambda: _C.scan(cs_code, m, 0, False),
        lambda: kcs(m, 0, False), 2 * m.size * item, rtol=1e-4)
    kcl = cpu.scan_kernel("cumlogsumexp", lambda v, axis, reverse: np.logaddexp.accumulate(v, axis))
    # Checked against float64: NumPy's own sequential float32 result drifts (5e-4 at 1e6,
    # 2e-3 at 1e7), while the kernel's blocked scan stays near 1e-5.
    add("cumlogsumexp_1d", lambda: np.logaddexp.accumulate(x, 0),
        lambda: _C.scan(cpu._SCAN["cumlogsumexp"][0], x, 0, False),
        lambda: kcl(x, 0, False), 2 * n * item, rtol=1e-2,
        reference=lambda: np.logaddexp.accumulate(x.astype(np.float64)).astype(np.float32))

    add("transpose_2d", lambda: np.ascontiguousarray(m.T), lambda: _C.transpose(m, (1, 0)),
        lambda: cpu.transpose(m, (1, 0)), 2 * m.size * item, rtol=0)
    cube = x[: (n // 64) * 64].reshape(-1, 8, 8)
    add("transpose_3d_201", lambda: np.ascontiguousarray(cube.transpose(2, 0, 1)),
        lambda: _C.transpose(cube, (2, 0, 1)), lambda: cpu.transpose(cube, (2, 0, 1)),
        2 * cube.size * item, rtol=0)
    add("copy_reversed", lambda: np.ascontiguousarray(x[::-1]), lambda: _C.copy(x[::-1]),
        lambda: cpu.copy(x[::-1]), 2 * n * item, rtol=0)

    for segs in (64, max(1, n // 16)):
        ids = rng.integers(0, segs, n).astype(np.int32)

        def np_seg(ids=ids, segs=segs):
            o = np.zeros(segs, np.float32)
            np.add.at(o, ids, x)
            return o
        add(f"segment_sum_{'few' if segs == 64 else 'many'}", np_seg,
            lambda ids=ids, segs=segs: _C.segment_sum(x, ids, segs),
            lambda ids=ids, segs=segs: cpu.segment_sum(x, ids, segs), n * 8, rtol=1e-3,
            atol=1e-3)
    ids = rng.integers(0, 1000, n).astype(np.int64)
    add("bincount", lambda: np.bincount(ids, minlength=1000),
        lambda: _C.bincount(ids, None, 1000), lambda: cpu.bincount(ids, None, 1000), n * 8,
        rtol=0)
    return out


def run(sizes, only, rounds, json_path):
    rng = np.random.default_rng(0)
    info = env_info()
    info["threads"] = cpu.max_threads()
    f = open(json_path, "a") if json_path else None  # noqa: SIM115 (closed below)
    for n in sizes:
        for name, impls, rtol, atol, nbytes, reference in cases(n, rng):
            if only and name not in only:
                continue
            rows = measure(impls, bench=name, size=n, baseline="numpy", rtol=rtol, atol=atol,
                           reference=reference,
                           rounds=rounds, nbytes=nbytes, extra={"dtype": "float32", **info})
            emit(rows, f)
    if f:
        f.close()


def summary(path):
    """A markdown table: one line per benchmark, speed-up over NumPy per size."""
    with open(path) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    sizes = sorted({r["size"] for r in rows})
    benches = list(dict.fromkeys(r["bench"] for r in rows))
    by = {(r["bench"], r["impl"], r["size"]): r for r in rows}
    print("| kernel | " + " | ".join(f"{s:.0e}" for s in sizes) + " |")
    print("|---|" + "---|" * len(sizes))
    for b in benches:
        cells = []
        for s in sizes:
            k, w = by.get((b, "kernel", s)), by.get((b, "fneedle", s))
            if k is None:
                cells.append("")
            elif "error" in k:
                cells.append("error")
            elif "ratio" not in k:
                cells.append("n/a")
            else:
                cells.append(f"{k['ratio']:.2f}x" + (f" ({w['ratio']:.2f}x)" if w and "ratio" in w
                                                     and abs(w["ratio"] - k["ratio"]) > 0.25
                                                     else ""))
        print(f"| {b} | " + " | ".join(cells) + " |")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="1e4,1e5,1e6,1e7")
    p.add_argument("--only", default="", help="comma-separated benchmark names")
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--json", default="", help="also append rows to this JSON-lines file")
    p.add_argument("--calibrate", action="store_true",
                   help="small sizes (256 .. 65536) to place the NumPy/C++ thresholds")
    p.add_argument("--summary", default="", help="print a markdown table of a rows file")
    a = p.parse_args()
    if a.summary:
        summary(a.summary)
        return
    if not cpu.available:
        print(json.dumps({"bench": "kernels", "error": cpu.unavailable_reason}))
        return
    sizes = ([256, 1024, 4096, 16384, 65536] if a.calibrate
             else [int(float(s)) for s in a.sizes.split(",")])
    run(sizes, set(filter(None, a.only.split(","))), a.rounds, a.json)


if __name__ == "__main__":
    main()
