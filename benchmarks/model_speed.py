#!/usr/bin/env python3
"""Model speed against stated targets (issue 3, acceptance 3).

Prints, for the baseline at default scale and at 4x scale (4x the agents of every type: pool,
ISIS-K members, Taliban units and strength, elders): seconds per 104-week run, agent-steps per second, peak memory; and
times Mesa 3.3.1's own ``epstein_civil_violence`` example (40x40, 104 steps) in the same process,
printing our cost per agent-step as a ratio to it.

Targets: <= 2 s per run and <= 300 MB at default scale; cost ratio <= 0.2; time growing no faster
than linearly with scale (4x agents -> <= 4x time).

Memory is the whole process's peak resident set (Python, Mesa, NumPy and the model).

Usage: python benchmarks/model_speed.py [--seeds 3]
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mesa import Agent  # noqa: E402

from sim import InsurgencyModel, load_scenario  # noqa: E402
from sim.runs.runner import release  # noqa: E402


def scaled(factor: int) -> dict:
    """Overrides for a world with ``factor`` times as many agents of every type (events unchanged)."""
    p = load_scenario("baseline").params
    if factor == 1:
        return {}
    return {name: p[name] * factor for name in
            ("recruit_pool", "iskp_initial_members", "taliban_strength", "taliban_units", "elders_per_province")}


def time_ours(seeds: int, factor: int) -> tuple[float, float]:
    """Mean seconds per 104-week baseline run and agent-steps per second."""
    base = load_scenario("baseline")
    times, agent_steps = [], 0
    for seed in range(1, seeds + 1):
        gc.collect()
        t0 = time.perf_counter()
        m = InsurgencyModel.from_scenario(base, rng=seed, **scaled(factor))
        for _ in range(104):
            m.step()
            agent_steps += len(m.agents)
        times.append(time.perf_counter() - t0)
        release(m)
    return sum(times) / len(times), agent_steps / sum(times)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def time_epstein(seeds: int) -> float:
    """Agent-steps per second of Mesa's own Epstein example at its defaults (40x40), 104 steps."""
    from mesa.examples.advanced.epstein_civil_violence.model import EpsteinCivilViolence

    total_time, agent_steps = 0.0, 0
    for seed in range(1, seeds + 1):
        t0 = time.perf_counter()
        m = EpsteinCivilViolence(seed=seed)  # 3.3.1 example takes seed=
        for _ in range(104):
            m.step()
            agent_steps += len(m.agents)
        total_time += time.perf_counter() - t0
        Agent._ids.pop(m, None)
    return agent_steps / total_time


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=3)
    args = ap.parse_args()
    s1, rate1 = time_ours(args.seeds, 1)
    mem1 = peak_rss_mb()  # the process has run only default-scale models so far
    s4, rate4 = time_ours(args.seeds, 4)
    mem4 = peak_rss_mb()
    ep_rate = time_epstein(args.seeds)
    ratio = ep_rate / rate1  # our seconds per agent-step over Epstein's
    growth = s4 / s1
    print(f"default scale : {s1:6.2f} s per 104-week run, {rate1:12,.0f} agent-steps/s, peak RSS {mem1:6.0f} MB")
    print(f"4x scale      : {s4:6.2f} s per 104-week run, {rate4:12,.0f} agent-steps/s, peak RSS {mem4:6.0f} MB")
    print(f"Mesa Epstein  : {ep_rate:12,.0f} agent-steps/s (40x40, 104 steps, same process)")
    checks = [
        ("seconds per run at default scale <= 2.0", s1 <= 2.0, f"{s1:.2f}"),
        ("peak memory at default scale <= 300 MB (whole process RSS)", mem1 <= 300, f"{mem1:.0f} MB"),
        ("cost per agent-step / Epstein's <= 0.2", ratio <= 0.2, f"{ratio:.3f}"),
        ("time grows no faster than linearly (4x agents -> <= 4x time)", growth <= 4.0, f"{growth:.2f}x"),
    ]
    for name, ok, value in checks:
        print(f"[{'met' if ok else 'NOT met'}] {name}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
