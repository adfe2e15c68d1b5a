"""What running R replications together on stacked arrays could pay at most: a sweep-mode model's CPU time per
run as the number of firm rows grows (``docs/performance.md``, "A replication ensemble").

    python -m experiments.ensemble_ceiling [--sizes 2000 4000 10000 20000] [--seeds 5]

An ensemble of R replications of the default 2,000 firms can at best step like one model of R x 2,000 firms,
so ``steps(R x 2,000) / R`` against ``steps(2,000)`` bounds its gain. Construction (each replication has its own
network) is not batched. CPU seconds (``time.process_time``), under the sweep's GC thresholds.
"""

from __future__ import annotations

import argparse
import time


def measure(firms: int, seeds: int) -> tuple[float, float]:
    """Mean CPU seconds (construction, 60 quarters) of a model without agent views and ``firms`` firms."""
    from abm.model import SovereignAIModel
    from abm.scenario import load_scenario
    from experiments.runner import fewer_collections

    data = load_scenario(None).model_dump(mode="json")
    data["population"]["firms"] = firms
    scenario = load_scenario(data)
    build = steps = 0.0
    with fewer_collections():
        for seed in range(1, seeds + 1):
            t0 = time.process_time()
            model = SovereignAIModel(scenario, rng=seed, agent_views=False)
            t1 = time.process_time()
            while model.running:
                model.step()
            build, steps = build + t1 - t0, steps + time.process_time() - t1
    return build / seeds, steps / seeds


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[2000, 4000, 10000, 20000])
    ap.add_argument("--seeds", type=int, default=5)
    a = ap.parse_args(argv)
    measure(a.sizes[0], 1)   # imports and first-use costs outside the table
    base = None
    print("firms    construction ms   60 quarters ms   ms/quarter   best ensemble gain on the steps")
    for firms in a.sizes:
        build, steps = measure(firms, a.seeds)
        base = base or (a.sizes[0], steps)
        r = firms / base[0]
        print(f"{firms:>6,} {build * 1e3:17.1f} {steps * 1e3:16.1f} {steps / 60 * 1e3:12.2f}"
              f"   {base[1] * r / steps:.2f}x (R = {r:g})")


if __name__ == "__main__":
    main()
