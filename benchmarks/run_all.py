"""Runs every benchmark script and collects their JSON rows in benchmarks/results/latest.jsonl.

    python benchmarks/run_all.py [--quick]         # all scripts, both malloc settings
    python benchmarks/run_all.py --only bench_chain,bench_matmul --settings default
    python benchmarks/run_all.py --summary          # markdown tables of latest.jsonl

Each script runs in its own process under one or more settings (environment variables that
must be set before the process starts, BENCHMARKING.md):
  default    glibc's default malloc: large fresh buffers come from mmap (fresh pages);
  steady     MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=68719476736: glibc keeps and reuses
             freed memory; only for the scripts whose rows move large arrays;
  haswell    OPENBLAS_CORETYPE=Haswell (NumPy's OpenBLAS on AVX2 kernels), matmul only;
  1thread    every library on one thread (chain, matmul, MLP): on a machine busy with other
             work, two-thread pools wait for a descheduled thread at every barrier.
Every row gets `script` and `setting`; a `meta` row per process records the command, date,
machine, load average before and after, versions and BLAS.
"""

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from _harness import machine_info, openblas_info  # noqa: E402

STEADY = {"MALLOC_MMAP_MAX_": "0", "MALLOC_TRIM_THRESHOLD_": "68719476736"}
ONE_THREAD = {"OMP_NUM_THREADS": "1", "FNEEDLE_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
              "MKL_NUM_THREADS": "1",
              "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"}
SETTINGS = {"default": {}, "steady": STEADY, "haswell": {"OPENBLAS_CORETYPE": "Haswell"},
            "1thread": ONE_THREAD}

# script -> setting -> (quick args, full args); a setting a script lacks is not run for it.
MINE = ("--quick",), ()
SCRIPTS = {
    "bench_overhead": {"default": MINE},
    "bench_chain": {"default": MINE, "steady": MINE, "1thread": MINE},
    "bench_matmul": {"default": MINE, "steady": MINE, "haswell": MINE, "1thread": MINE},
    "bench_mlp": {"default": MINE, "steady": MINE, "1thread": MINE},
    "bench_grad_chain": {"default": MINE},
    "bench_kernels": {"default": (("--sizes", "1e5", "--rounds", "3"), ()),
                      "steady": (("--sizes", "1e6", "--rounds", "3"), ("--sizes", "1e6,1e7"))},
    "bench_fused": {"default": (("--bench", "chain", "overhead", "--sizes", "100000"), ()),
                    "steady": (("--bench", "chain", "alloc", "--sizes", "1000000"),
                               ("--bench", "chain", "alloc"))},
    "bench_scan_memory": {"default": (("--steps", "250", "500"), ())},
}
MY_SCRIPTS = ("bench_overhead", "bench_chain", "bench_matmul", "bench_mlp", "bench_grad_chain")


def versions():
    out = {"python": sys.version.split()[0]}
    code = ("import importlib.metadata as m\n"
            "for p in ('numpy', 'jax', 'jaxlib', 'torch'):\n"
            "    try: print(p, m.version(p))\n"
            "    except m.PackageNotFoundError: pass\n")
    for line in subprocess.run([sys.executable, "-c", code], capture_output=True,
                               text=True, check=False).stdout.splitlines():
        name, version = line.split()
        out[name] = version
    git = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT,
                         capture_output=True, text=True, check=False)
    out["fneedle_commit"] = git.stdout.strip() or "?"
    # Others rebuild the extension while benchmarks run: say which build was measured.
    import glob
    built = glob.glob(os.path.join(ROOT, "fneedle", "_C*.so"))
    if built:
        out["fneedle_C_built"] = time.strftime("%Y-%m-%d %H:%M:%S",
                                               time.localtime(os.path.getmtime(built[0])))
    return out


def run_script(script, setting, args, out, timeout):
    """Runs one script under one setting; appends its rows (and a meta row) to `out`."""
    env = {k: v for k, v in os.environ.items() if k not in STEADY and k not in ONE_THREAD}
    env.update(SETTINGS[setting])
    cmd = [sys.executable, os.path.join(HERE, script + ".py"), *args]
    extra = ["--torch-compile", "off"] if setting == "1thread" and script in MY_SCRIPTS else []
    meta = {"bench": "meta", "script": script, "setting": setting,
            "command": " ".join([os.path.basename(c) for c in cmd[:2]] + cmd[2:] + extra),
            "env": {k: env[k] for k in SETTINGS[setting]}, "load_avg_before": os.getloadavg()}
    print(f"== {script} [{setting}] {' '.join(cmd[2:] + extra)}", file=sys.stderr, flush=True)
    start = time.perf_counter()
    rows = []
    try:
        proc = subprocess.run(cmd + extra, cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=timeout, check=False)
        stdout, stderr, rc = proc.stdout, proc.stderr, proc.returncode
    except subprocess.TimeoutExpired as e:
        stdout = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        stderr, rc = f"timed out after {timeout} s", "timeout"
    for line in stdout.splitlines():
        if line.startswith("{"):
            row = json.loads(line)
            row.setdefault("malloc", "steady" if setting == "steady" else "default")
            rows.append({"script": script, "setting": setting, **row})
            print("   " + short(rows[-1]), file=sys.stderr, flush=True)
    meta.update(seconds=time.perf_counter() - start, load_avg_after=os.getloadavg(),
                returncode=rc, rows=len(rows), fneedle_C_built=versions().get("fneedle_C_built"))
    if rc != 0:
        meta["stderr_tail"] = stderr[-2000:]
        print(f"   FAILED ({rc}): {stderr[-500:]}", file=sys.stderr, flush=True)
    for row in [meta] + rows:
        out.write(json.dumps(row) + "\n")
    out.flush()


def short(row):
    if "error" in row:
        return f"{row.get('bench')} {row.get('impl')} {row.get('size')}: ERROR {row['error']}"
    if "median_s" not in row:
        return json.dumps(row)[:160]
    rate = "".join(f" {row[k]:.1f} {k}" for k in ("gbps", "gflops") if k in row)
    vs = f" x{row['ratio_to_best_peer']:.2f} vs {row['best_peer']}" if "best_peer" in row else ""
    return (f"{row['bench']} {row.get('impl')} {row.get('size')}: "
            f"{fmt_time(row['median_s'])}{rate}{vs}")


def fmt_time(s):
    scale, unit = _unit(s)
    return f"{_num(s * scale)} {unit}"


# ---------------------------------------------------------------------------------------
# The markdown summary (benchmarks/README.md's tables come from it).

# The figures for JAX 0.10 (and the eager peers) on the project's machine.
TARGETS = [("jit_call", 8, "jax.jit", 4.2e-6, "cached jit call, `x*2+1` on 8 floats"),
           ("jit_grad_call", 10, "jax.jit", 4.2e-6, "cached `jit(grad(f))` call, 10 floats"),
           ("eager_op", 8, "torch", 4.7e-6, "eager `sin` on 8 floats (torch 4.7 µs, NumPy 1.2)"),
           ("chain", 1_000_000, "jax.jit", 0.43e-3, "8-op chain, 1e6 float32"),
           ("mlp_step", 256, "jax.jit", 3.05e-3, "MLP 784-512-512-10 SGD step, batch 256")]
PRIMARY = {"jit_call": "fneedle.jit", "jit_grad_call": "fneedle.jit", "eager_op": "fneedle",
           "chain": "fneedle.jit", "matmul": "fneedle", "mlp_step": "fneedle.jit",
           "grad_chain": "fneedle.grad"}


def summary(path):
    """Markdown: the run's context, fneedle against the issue's targets, one table per bench."""
    with open(path) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    head = next((r for r in rows if r.get("script") == "run_all" and "command" in r), {})
    end = next((r for r in rows if r.get("done")), {})
    timed = [r for r in rows if r.get("bench") != "meta" and r.get("script") in MY_SCRIPTS]
    peers = ", ".join(f"{k} {head[k]}" for k in ("numpy", "jax", "torch") if k in head)
    out = [(f"Command: `{head.get('command', '?')}`, {head.get('date', '?')}, "
            f"{end.get('seconds', 0) / 60:.0f} min; fneedle {head.get('fneedle_commit', '?')}"
            f" (extension built {head.get('fneedle_C_built', '?')})."),
           (f"Machine: {head.get('cpu', '?')}, {os.cpu_count()} cores; load average "
            f"{_load(head.get('load_avg'))} at the start, {_load(end.get('load_avg_end'))} "
            f"at the end."),
           (f"Peers: {peers}; NumPy's BLAS {head.get('numpy_blas', '?')} running "
            f"{head.get('openblas_core')} kernels (OPENBLAS_CORETYPE "
            f"{head.get('OPENBLAS_CORETYPE')})."), ""]
    out += _targets(timed) + [""]
    for bench in dict.fromkeys(r["bench"] for r in timed):
        if bench == "grad_chain_linearity":
            continue
        out += [f"**{bench}**", ""] + _table(bench, [r for r in timed if r["bench"] == bench])
        out.append("")
    lin = [r for r in timed if r["bench"] == "grad_chain_linearity"]
    if lin:
        out += ["**grad_chain linearity** (least-squares fit of time against length)", "",
                "| impl | lengths | slope per equation | per-equation time, longest / shortest |",
                "|---|---|---|---|"]
        out += [f"| {r['impl']} | {', '.join(str(int(x)) for x in r['lengths'])} | "
                f"{fmt_time(r['slope_s_per_eq'])} | {r['per_eq_growth']:.2f} |" for r in lin]
    return "\n".join(out)


def _load(avg):
    return "/".join(f"{x:.1f}" for x in avg) if avg else "?"


def _find(rows, bench, size, impl, setting="default"):
    return next((r for r in rows if r["bench"] == bench and r.get("size") == size and
                 r.get("impl") == impl and r.get("setting") == setting and "median_s" in r),
                None)


def _targets(rows):
    out = [("| row | issue's target (JAX 0.10) | JAX here | fneedle here | fneedle / JAX here |"
            " fneedle vs target |"), "|---|---|---|---|---|---|"]
    for bench, size, peer, target, what in TARGETS:
        for setting in ("default", "steady", "1thread"):
            mine, theirs = (_find(rows, bench, size, PRIMARY[bench], setting),
                            _find(rows, bench, size, peer, setting))
            if mine is None:
                continue
            name = what + {"default": "", "steady": " (steady malloc)",
                           "1thread": " (one thread)"}[setting]
            peer_txt = f"{fmt_time(theirs['median_s'])} ({peer})" if theirs else "-"
            ratio = (f"{mine['median_s'] / theirs['median_s']:.2f}x the time" if theirs
                     else "-")
            out.append(f"| {name} | {fmt_time(target)} | {peer_txt} | "
                       f"{fmt_time(mine['median_s'])} | {ratio} | "
                       f"{mine['median_s'] / target:.1f}x the target |")
    mm = [r for r in rows if r["bench"] == "matmul" and "gflops" in r]
    for impl in ("fneedle", "numpy", "jax.jit", "torch"):
        best = max((r for r in mm if r["impl"] == impl), key=lambda r: r["gflops"], default=None)
        if best is not None:
            out.append(f"| GEMM peak, {impl} ({best['setting']}, n={best['size']}) | "
                       f"~400 GFLOP/s | | {best['gflops']:.0f} GFLOP/s | | |")
    return out


def _cell(r):
    if r is None:
        return ""
    if "error" in r:
        return "error"
    if r["bench"] == "mlp_first_call":
        parts = [f"{k[:-2]} {fmt_time(r[k])}" for k in ("trace_s", "lower_s", "compile_s")
                 if k in r]
        return fmt_time(r["median_s"]) + (f" ({', '.join(parts)})" if parts else "")
    txt = f"{fmt_time(r['median_s'])} ({_spread(r)})"
    if "gbps" in r:
        txt += f" {r['gbps']:.1f} GB/s"
    if "gflops" in r:
        txt += f" {r['gflops']:.0f} GFLOP/s"
    if "per_eq_s" in r:
        txt += f" ({fmt_time(r['per_eq_s'])}/eq)"
    if "threads" in r and r["threads"] is not None and r["bench"] in ("chain", "matmul"):
        txt += f" t{r['threads']}"
    return txt


def _spread(r):
    """p10-p90 in the median's unit, e.g. "28.1-29.2"."""
    scale, _ = _unit(r["median_s"])
    return "-".join(_num(r[k] * scale) for k in ("p10_s", "p90_s"))


def _num(v):
    return f"{v:.0f}" if v >= 100 else f"{v:.3g}"


def _unit(s):
    return (1e6, "µs") if s < 1e-3 else (1e3, "ms") if s < 1 else (1, "s")


def _table(bench, rows):
    impls = list(dict.fromkeys(r["impl"] for r in rows))
    keys = list(dict.fromkeys((r.get("setting"), r.get("size")) for r in rows))
    primary = PRIMARY.get(bench, next((i for i in impls if i.startswith("fneedle")), None))
    out = ["| setting | size | " + " | ".join(impls) + f" | {primary} vs best peer | vs JAX |",
           "|---|---|" + "---|" * (len(impls) + 2)]
    for setting, size in keys:
        by = {r["impl"]: r for r in rows if (r.get("setting"), r.get("size")) == (setting, size)}
        p = by.get(primary, {})
        vs_best = (f"{p['ratio_to_best_peer']:.2f}x ({p['best_peer']})"
                   if "ratio_to_best_peer" in p else "")
        vs_jax = f"{p['ratio_to_jax']:.2f}x" if "ratio_to_jax" in p else ""
        out.append(f"| {setting} | {size} | " + " | ".join(_cell(by.get(i)) for i in impls) +
                   f" | {vs_best} | {vs_jax} |")
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="small sizes and few rounds")
    p.add_argument("--only", default="", help="comma-separated script names (no .py)")
    p.add_argument("--settings", default="default,steady,haswell,1thread",
                   help="comma-separated, of: " + ", ".join(SETTINGS))
    p.add_argument("--out", default=os.path.join(HERE, "results", "latest.jsonl"))
    p.add_argument("--timeout", type=int, default=3600, help="seconds per script run")
    p.add_argument("--summary", nargs="?", const="", default=None,
                   help="print markdown tables of a results file (default: --out) and exit")
    a = p.parse_args()
    if a.summary is not None:
        print(summary(a.summary or a.out))
        return
    only = [s for s in a.only.split(",") if s] or list(SCRIPTS)
    unknown = [s for s in only if s not in SCRIPTS]
    if unknown:
        raise SystemExit(f"Unknown script(s) {unknown}; known: {', '.join(SCRIPTS)}.")
    settings = [s for s in a.settings.split(",") if s]
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    head = {"bench": "meta", "script": "run_all", "command": " ".join(
        ["python", "benchmarks/run_all.py"] + sys.argv[1:]), **machine_info(),
        **versions(), **openblas_info()}
    start = time.perf_counter()
    with open(a.out, "w") as out:
        out.write(json.dumps(head) + "\n")
        for setting in settings:
            for script in only:
                per = SCRIPTS[script].get(setting)
                if per is None or not os.path.exists(os.path.join(HERE, script + ".py")):
                    continue
                run_script(script, setting, per[0] if a.quick else per[1], out, a.timeout)
        out.write(json.dumps({"bench": "meta", "script": "run_all", "done": True,
                              "seconds": time.perf_counter() - start,
                              "load_avg_end": os.getloadavg()}) + "\n")
    print(f"rows written to {a.out} in {time.perf_counter() - start:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
