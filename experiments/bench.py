"""`make bench`: speed, scaling and memory of the sovai model, side by side with Mesa's own network model.

Run ``python -m experiments.bench`` (``make bench``); it takes a few minutes on 2 cores and

1. times sovai's default model at 10,000 firms (talent 1.5x, data holders 0.15x firms) and Mesa's
   ``mesa.examples.basic.virus_on_network`` at 10,000 nodes (avg degree 6, 1,000 initially infected, spring
   layout disabled) alternately in this process, 60 steps each, several repetitions, and reports the median
   agent-steps per second of each and their ratio. sovai's agent-steps are (all agents of every type
   registered in the model after a step: government, firms, data holders, talent cohorts that have entered,
   ASEAN partners) summed over the steps; virus_on_network's are nodes x steps. Models are built outside
   the timed region; each step includes the model's own data collection;
2. times a full 2026-2040 run (construction and stepping separately) at 2,000 / 5,000 / 10,000 / 50,000
   firms, each run in a fresh Python process (``--child``), and reports time(50k)/time(5k);
3. reports the peak resident memory (``VmHWM``) of those fresh processes, the 50,000-firm one in
   particular (it includes the ~150 MB of imported libraries, reported separately);
4. reports a per-phase profile of the default run (2,000 firms): the model's step phases and its
   construction phases, timed from outside by wrapping the bound methods and constructors the model calls
   (the model's behaviour is unchanged: the wrappers only read the clock);
5. runs the same N default runs (1,000; ``--sweep-n`` for fewer) through ``sovai sweep`` (1 and 2 workers, a
   Dask LocalCluster), ``mesa.batch_run`` and EMA Workbench, side by side (:mod:`experiments.bench_sweep`);
6. writes everything to ``bench/results.json`` (atomically) and prints a small table.

Only public tools: the standard library, psutil, Mesa and the model's public entry points.
Timings on a shared machine are noisy; medians of alternating repetitions are reported with every run kept.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import json
import os
import platform
import statistics
import sys
import time
from importlib import metadata
from pathlib import Path

from experiments import bench_sweep
from experiments.bench_profile import child_main, population, run_child

SIZES = (2000, 5000, 10000, 50000)
DEFAULT_FIRMS = 2000
COMPARE_N = 10_000
COMPARE_STEPS = 60          # sovai's horizon: 2026 Q1 - 2040 Q4
VIRUS = {"num_nodes": COMPARE_N, "avg_node_degree": 6, "initial_outbreak_size": 1000}
TARGETS = {"ratio_vs_virus_on_network": (">=", 10.0), "time_50k_over_5k": ("<=", 12.0),
           "peak_rss_50k_mb": ("<=", 1536.0), "default_step_ms": ("<=", 100.0),
           "sweep_overhead_2_workers": ("<=", 0.15), "sweep_vs_mesa_batch_run": (">=", 1.5),
           "sweep_1000_runs_2_workers_s": ("<=", 60.0)}


# -- 1. sovai vs virus_on_network ----------------------------------------------------------------------------

@contextlib.contextmanager
def virus_without_layout():
    """Build Mesa's virus_on_network with its Network's spring layout disabled (minutes at 10k nodes)."""
    import mesa.examples.basic.virus_on_network.model as vm
    from mesa.discrete_space import Network

    original = vm.Network
    vm.Network = functools.partial(Network, layout=None)
    try:
        yield vm.VirusOnNetwork
    finally:
        vm.Network = original


def time_sovai(seed: int) -> dict:
    from abm.model import SovereignAIModel

    model = SovereignAIModel(rng=seed, **population(COMPARE_N))
    gc.collect()
    elapsed, agent_steps, steps = 0.0, 0, 0
    while model.running and steps < COMPARE_STEPS:
        t0 = time.perf_counter()
        model.step()
        elapsed += time.perf_counter() - t0
        steps += 1
        agent_steps += len(model.agents)
    return {"seconds": elapsed, "steps": steps, "agent_steps": agent_steps,
            "agent_steps_per_s": agent_steps / elapsed}


def time_virus(seed: int) -> dict:
    with virus_without_layout() as VirusOnNetwork:
        model = VirusOnNetwork(rng=seed, **VIRUS)
    gc.collect()
    n_agents = len(model.agents)
    t0 = time.perf_counter()
    for _ in range(COMPARE_STEPS):
        model.step()
    elapsed = time.perf_counter() - t0
    agent_steps = n_agents * COMPARE_STEPS
    return {"seconds": elapsed, "steps": COMPARE_STEPS, "agent_steps": agent_steps,
            "agent_steps_per_s": agent_steps / elapsed}


def compare(reps: int, log) -> dict:
    runs = {"sovai": [], "virus_on_network": []}
    for rep in range(reps):
        order = ("sovai", "virus_on_network") if rep % 2 == 0 else ("virus_on_network", "sovai")
        for name in order:
            r = time_sovai(rep + 1) if name == "sovai" else time_virus(rep + 1)
            runs[name].append(r)
            log(f"  rep {rep + 1}/{reps} {name:<17} {r['agent_steps_per_s'] / 1e6:6.2f} M agent-steps/s "
                f"({r['seconds']:.3f} s for {r['steps']} steps)")
            gc.collect()
    out = {}
    for name, rs in runs.items():
        rates = [r["agent_steps_per_s"] for r in rs]
        out[name] = {"median_agent_steps_per_s": statistics.median(rates),
                     "median_seconds_per_run": statistics.median(r["seconds"] for r in rs),
                     "agent_steps_per_run": statistics.median(r["agent_steps"] for r in rs),
                     "steps_per_run": rs[0]["steps"], "runs": rs}
    out["sovai"]["counting"] = ("(all agents of every type registered in the model after each step: government, "
                                "firms, data holders, talent cohorts that have entered, ASEAN partners) summed "
                                "over the 60 steps")
    out["sovai"]["populations"] = {k.split("__")[1]: v for k, v in population(COMPARE_N).items()}
    out["virus_on_network"]["counting"] = "nodes (agents) x steps"
    out["virus_on_network"]["parameters"] = dict(VIRUS, layout=None)
    out["ratio"] = out["sovai"]["median_agent_steps_per_s"] / out["virus_on_network"]["median_agent_steps_per_s"]
    paired = [s["agent_steps_per_s"] / v["agent_steps_per_s"] for s, v in zip(runs["sovai"], runs["virus_on_network"])]
    out["ratio_per_rep"] = paired
    out["ratio_median_of_reps"] = statistics.median(paired)
    out["reps"], out["n"], out["alternating"] = reps, COMPARE_N, True
    return out


# -- 2.-4. scaling, memory, profile ------------------------------------------------------------------------

def _median_run(runs: list[dict]) -> dict:
    keys = ("construct_s", "steps_s", "total_s", "peak_rss_mb", "rss_after_imports_mb", "imports_s")
    med = {k: statistics.median(r[k] for r in runs) for k in keys}
    med["gc_s"] = {k: statistics.median(r["gc_s"][k] for r in runs) for k in runs[0]["gc_s"]}
    med.update(max_peak_rss_mb=max(r["peak_rss_mb"] for r in runs), agents_end=runs[0]["agents_end"],
               agent_steps=runs[0]["agent_steps"], nodes=runs[0]["nodes"], edges=runs[0]["edges"],
               reps=len(runs))
    return med


def _median_phases(runs: list[dict], key: str) -> dict:
    return {k: statistics.median(r[key][k] for r in runs) for k in runs[0][key]}


def scaling(sizes, reps: int, big_reps: int, log) -> dict:
    runs: dict[int, list] = {n: [] for n in sizes}
    for rep in range(max(reps, big_reps)):
        for n in sizes:
            if rep >= (big_reps if n >= 50_000 else reps):
                continue
            r = run_child(n, None)
            runs[n].append(r)
            log(f"  rep {rep + 1} {n:>6} firms: construct {r['construct_s']:6.2f} s, steps {r['steps_s']:6.2f} s, "
                f"peak RSS {r['peak_rss_mb']:7.0f} MB")
    sizes_out = {str(n): dict(_median_run(rs), runs=rs) for n, rs in runs.items()}
    out = {"sizes": sizes_out, "fresh_process_per_run": True, "seed": "scenario default (42)"}
    if "5000" in sizes_out and "50000" in sizes_out:
        a, b = sizes_out["50000"], sizes_out["5000"]
        out["time_50k_over_5k"] = a["total_s"] / b["total_s"]
        out["construct_50k_over_5k"] = a["construct_s"] / b["construct_s"]
        out["steps_50k_over_5k"] = a["steps_s"] / b["steps_s"]
    return out, runs


def profile(runs: dict) -> dict:
    out = {}
    for n, rs in runs.items():
        if not rs:
            continue
        steps = _median_phases(rs, "step_phases_s")
        build = _median_phases(rs, "construction_phases_s")
        out[str(n)] = {"runs": len(rs), "steps": rs[0]["steps"],
                       "step_total_s": statistics.median(r["steps_s"] for r in rs),
                       "construct_total_s": statistics.median(r["construct_s"] for r in rs),
                       "step_phases_s": steps, "construction_phases_s": build}
    return out


# -- output --------------------------------------------------------------------------------------------------

def _met(name: str, value) -> bool | None:
    if value is None:
        return None
    op, target = TARGETS[name]
    return value >= target if op == ">=" else value <= target


def table(res: dict) -> str:
    lines = []
    c = res.get("comparison")
    if c:
        s, v = c["sovai"], c["virus_on_network"]
        lines += [f"1. agent-steps/s at N = {c['n']:,} (median of {c['reps']} alternating reps, "
                  f"{s['steps_per_run']} steps each)",
                  f"   sovai            {s['median_agent_steps_per_s'] / 1e6:7.2f} M/s  "
                  f"({s['agent_steps_per_run'] / 1e6:.2f} M agent-steps = all agents of every type x steps, "
                  f"{s['median_seconds_per_run']:.3f} s)",
                  f"   virus_on_network {v['median_agent_steps_per_s'] / 1e6:7.2f} M/s  "
                  f"({v['agent_steps_per_run'] / 1e6:.2f} M agent-steps = nodes x steps, "
                  f"{v['median_seconds_per_run']:.3f} s)",
                  f"   ratio            {c['ratio']:7.1f} x    (ratio of medians; median of the per-rep ratios "
                  f"{c['ratio_median_of_reps']:.1f} x, range {min(c['ratio_per_rep']):.1f}-{max(c['ratio_per_rep']):.1f}; "
                  f"target >= 10 x)"]
    sc = res.get("scaling")
    if sc and sc["sizes"]:
        lines += ["2. full 2026-2040 run, fresh process per run (median)",
                  "   firms    agents  construct s   steps s   total s   peak RSS MB   of which GC s (construct/steps)"]
        for n, r in sc["sizes"].items():
            lines.append(f"   {int(n):>6,} {r['agents_end']:>8,}  {r['construct_s']:11.2f} {r['steps_s']:9.2f} "
                         f"{r['total_s']:9.2f}   {r['peak_rss_mb']:11.0f}   {r['gc_s']['construct']:.2f} / "
                         f"{r['gc_s']['steps']:.2f}")
        if "time_50k_over_5k" in sc:
            lines.append(f"   time(50k)/time(5k) = {sc['time_50k_over_5k']:.1f} (construct "
                         f"{sc['construct_50k_over_5k']:.1f}, steps {sc['steps_50k_over_5k']:.1f}; target <= 12)")
    m = res.get("memory")
    if m:
        lines.append(f"3. peak RSS, 50,000-firm run (fresh process): {m['peak_rss_mb']:.0f} MB "
                     f"(max over reps {m['max_peak_rss_mb']:.0f} MB; {m['rss_after_imports_mb']:.0f} MB of it imports; "
                     f"target <= 1,536 MB)")
    p = res.get("profile", {}).get(str(DEFAULT_FIRMS))
    if p:
        steps = p["step_phases_s"]
        total = p["step_total_s"]
        lines.append(f"4. per-phase profile, default run ({DEFAULT_FIRMS:,} firms; median of {p['runs']} runs): "
                     f"steps {total * 1e3:.0f} ms = {total / p['steps'] * 1e3:.2f} ms/quarter, "
                     f"construction {p['construct_total_s'] * 1e3:.0f} ms")
        lines.append("   step phase        ms/run  share")
        for k, sec in steps.items():
            lines.append(f"   {k:<16} {sec * 1e3:7.1f}  {sec / total:5.1%}")
        lines.append("   construction      ms     share")
        for k, sec in p["construction_phases_s"].items():
            lines.append(f"   {k:<16} {sec * 1e3:7.1f}  {sec / p['construct_total_s']:5.1%}")
    prof = res.get("profile", {})
    if prof:
        names = list(next(iter(prof.values()))["step_phases_s"])
        lines.append("   step phases by size, s/run: " + " ".join(f"{n[:8]:>8}" for n in ["firms", *names]))
        for n, p in prof.items():
            lines.append("                               " + f"{int(n):>8}" +
                         " ".join(f"{p['step_phases_s'][k]:8.3f}" for k in names))
        names = list(next(iter(prof.values()))["construction_phases_s"])
        lines.append("   construction by size, s/run: " + " ".join(f"{n[:8]:>8}" for n in ["firms", *names]))
        for n, p in prof.items():
            lines.append("                               " + f"{int(n):>8}" +
                         " ".join(f"{p['construction_phases_s'][k]:8.3f}" for k in names))
    if res.get("sweep"):
        lines += bench_sweep.table_lines(res["sweep"])
    t = res.get("targets")
    if t:
        lines.append("7. targets: " + "; ".join(
            f"{k} {'met' if v['met'] else 'NOT met' if v['met'] is not None else 'n/a'}" for k, v in t.items()))
    return "\n".join(lines)


def versions() -> dict:
    out = {"python": platform.python_version()}
    for pkg in ("mesa", "numpy", "scipy", "networkx"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[pkg] = metadata.version(pkg)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m experiments.bench", description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="bench/results.json", help="where to write the JSON figures")
    ap.add_argument("--reps", type=int, default=7, help="repetitions of the sovai/virus comparison")
    ap.add_argument("--scale-reps", type=int, default=3, help="fresh-process runs per size below 50,000 firms")
    ap.add_argument("--big-reps", type=int, default=3, help="fresh-process runs at 50,000 firms")
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)), help="comma-separated firm counts")
    ap.add_argument("--skip-compare", action="store_true", help="skip the virus_on_network comparison")
    ap.add_argument("--sweep-n", type=int, default=1000, help="runs per path in the sweep comparison")
    ap.add_argument("--sweep-reps", type=int, default=1, help="repetitions of the sweep comparison (order rotated)")
    ap.add_argument("--skip-sweep", action="store_true", help="skip the sweep comparison")
    ap.add_argument("--only-sweep", action="store_true", help="run the sweep comparison only")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--seed", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child_main(args.child, args.seed)
        return 0

    import psutil

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    started = time.perf_counter()
    load_before = os.getloadavg() if hasattr(os, "getloadavg") else None
    sizes = tuple(int(s) for s in args.sizes.split(",") if s)
    res: dict = {"meta": {"command": " ".join(["python -m experiments.bench", *(argv or sys.argv[1:])]),
                          "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "platform": platform.platform(),
                          "cpus": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
                          "versions": versions(), "load_average_before": load_before}}
    if not (args.skip_compare or args.only_sweep):
        log(f"1. sovai vs virus_on_network at N = {COMPARE_N:,}, {args.reps} alternating reps")
        res["comparison"] = compare(args.reps, log)
    if not args.only_sweep:
        log(f"2.-4. full runs at {', '.join(map(str, sizes))} firms, each in a fresh process")
    res["scaling"], runs = scaling(() if args.only_sweep else sizes, args.scale_reps, args.big_reps, log)
    if "50000" in res["scaling"]["sizes"]:
        big = res["scaling"]["sizes"]["50000"]
        res["memory"] = {"firms": 50_000, "peak_rss_mb": big["peak_rss_mb"], "max_peak_rss_mb": big["max_peak_rss_mb"],
                         "rss_after_imports_mb": big["rss_after_imports_mb"], "measure": "peak resident set (VmHWM; "
                         "ru_maxrss elsewhere) of a fresh process that imports the model, builds one 50,000-firm "
                         "model and runs it 2026-2040"}
    res["profile"] = profile(runs)
    if not args.skip_sweep:
        log(f"6. the same {args.sweep_n:,} runs through sovai sweep, Dask, mesa.batch_run and EMA Workbench")
        res["sweep"] = bench_sweep.sweep_bench(args.sweep_n, args.sweep_reps, log)
    default = res["profile"].get(str(DEFAULT_FIRMS))
    sweep = res.get("sweep", {}).get("paths", {}).get("sovai_2", {})
    res["targets"] = {
        "ratio_vs_virus_on_network": res.get("comparison", {}).get("ratio"),
        "time_50k_over_5k": res["scaling"].get("time_50k_over_5k"),
        "peak_rss_50k_mb": res.get("memory", {}).get("peak_rss_mb"),
        "default_step_ms": default["step_total_s"] / default["steps"] * 1e3 if default else None,
        "sweep_overhead_2_workers": sweep.get("median_overhead"),
        "sweep_vs_mesa_batch_run": sweep.get("vs_mesa_batch_run"),
        "sweep_1000_runs_2_workers_s": 1000 / sweep["runs_per_s"] if sweep else None,   # at the measured rate
    }
    res["targets"] = {k: {"measured": v, "target": f"{TARGETS[k][0]} {TARGETS[k][1]:g}", "met": _met(k, v)}
                      for k, v in res["targets"].items()}
    res["meta"]["load_average_after"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    res["meta"]["bench_seconds"] = time.perf_counter() - started
    from experiments.outdir import write_text_atomic

    write_text_atomic(Path(args.out), json.dumps(res, indent=2) + "\n")
    print(table(res))
    print(f"(figures in {args.out}; bench took {res['meta']['bench_seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
