"""Synthetic results stores with known effects, in the layout of ``sim.results.store`` (for analysis tests).

ISIS-K members at the horizon are ``1000 + shared * u[seed] + effect[scenario] + noise * e[run]``:
``u`` is common to every scenario with that seed (what pairing cancels), ``e`` is independent.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.inputs.geography import load_geography
from sim.results.store import Store
from sim.outputs import NATIONAL_COLUMNS, NATIONAL_METRICS, PROVINCE_COLUMNS, PROVINCE_METRICS

START = pd.Timestamp("2021-08-15")


def national_table(effects: dict[str, float], seeds=range(1, 21), steps: int = 4, shared: float = 300.0,
                   noise: float = 30.0, rng_seed: int = 0, point_params: dict[int, dict] | None = None) -> pd.DataFrame:
    """One row per scenario x point x seed x step with every national column."""
    rng = np.random.default_rng(rng_seed)
    seeds = list(seeds)
    u = dict(zip(seeds, rng.standard_normal(len(seeds))))
    points = point_params or {0: {}}
    rows = []
    for scenario, effect in effects.items():
        for point, params in points.items():
            for seed in seeds:
                final = 1000 + shared * u[seed] + effect + noise * rng.standard_normal()
                for step in range(steps + 1):
                    row = {m: float(rng.poisson(5)) if step else 0.0 for m in NATIONAL_METRICS}
                    row.update(scenario=scenario, point=point, seed=seed, step=step,
                               date=START + pd.Timedelta(weeks=step), **params,
                               iskp_members=1000 + (final - 1000) * step / steps,
                               taliban_strength=70000 - 10 * step + 50 * u[seed],
                               mean_legitimacy=0.55 - 0.01 * step, salafi_mean_grievance=0.2 + 0.01 * step)
                    rows.append(row)
    if not rows:
        return pd.DataFrame(columns=["scenario", "point", "seed", *NATIONAL_COLUMNS[2:]])
    df = pd.DataFrame(rows)
    extra = [c for c in df.columns if c not in NATIONAL_COLUMNS and c != "point"]
    return df[["scenario", "point", "seed", *extra, *NATIONAL_COLUMNS[2:]]]


def province_table(national: pd.DataFrame, rng_seed: int = 1) -> pd.DataFrame:
    """Province rows consistent with ``national``: members and attacks split by a fixed share per province."""
    geo = load_geography()
    rng = np.random.default_rng(rng_seed)
    share = rng.dirichlet(np.ones(geo.n_provinces))
    n = geo.n_provinces
    rep = national.loc[national.index.repeat(n)].reset_index(drop=True)
    rep["province"] = list(geo.names) * len(national)
    s = np.tile(share, len(national))
    for m in PROVINCE_METRICS:
        src = {"legitimacy": "mean_legitimacy", "grievance": "mean_grievance"}.get(m, m)
        rep[m] = rep[src] * (1 if m in ("legitimacy", "grievance") else s)
    params = [c for c in national.columns if c not in NATIONAL_COLUMNS and c != "point"]
    return rep[["scenario", "point", "seed", *params, *PROVINCE_COLUMNS[2:]]]


def write_store(path: Path, national: pd.DataFrame, provinces: pd.DataFrame | None = None,
                manifest: dict | None = None) -> Path:
    """Write the tables as one part and a sweep manifest (through ``sim.results.store.Store``, so the part
    has its checksums); ``national.empty`` writes no part at all."""
    path = Path(path)
    base = {"kind": "sweep", "format": 2, "status": "complete", "created": "2026-01-01T00:00:00+00:00",
            "versions": {"python": "3.11", "mesa": "3.3.1"}, "git": {"commit": "abc123synthetic", "dirty": False},
            "seeds": sorted(int(s) for s in national["seed"].unique()) if len(national) else [], "parts": {}}
    data = {**base, **(manifest or {})}
    store = Store(path)
    with store.writing():
        if national.empty:
            store.write_manifest(data)
        else:
            provinces = province_table(national) if provinces is None else provinces
            store.write_part({"national": national, "provinces": provinces}, data)
    return path
