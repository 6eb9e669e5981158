"""Golden fingerprints: a hash of every bundled scenario's output tables and final generator states.

A refactor keeps these identical. A change meant to alter behaviour regenerates them
(``python tests/golden/fingerprint.py --write``) in a commit of its own that says why.
Values are hashed (rounded to 9 significant digits so a reordering of a float sum does not count as a
change of behaviour, while any change of a count or a draw does), never agent ids.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
FILE = HERE / "fingerprints.json"
SEEDS = (1, 2, 3)
STEPS = 104


def _hash_frame(df: pd.DataFrame) -> str:
    h = hashlib.sha256()
    h.update(",".join(df.columns).encode())
    for col in df.columns:
        values = df[col]
        if pd.api.types.is_float_dtype(values):
            text = np.char.mod("%.9g", values.to_numpy(dtype=float))
        else:
            text = values.astype(str).to_numpy()
        h.update(("\x1f".join(text.tolist()) + "\x1e").encode())
    return h.hexdigest()


def _hash_state(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()


def fingerprint(scenario: str, seed: int, steps: int = STEPS) -> dict[str, str]:
    """Hashes of one run's tables and of the final state of each of its random generators."""
    from sim import InsurgencyModel, load_scenario
    from sim.runs.runner import frames, release

    model = InsurgencyModel.from_scenario(load_scenario(scenario), rng=seed)
    for _ in range(steps):
        model.step()
    result = frames(model)
    out = {name: _hash_frame(getattr(result, name)) for name in ("national", "provinces", "events")}
    out["random"] = _hash_state(model.random.getstate())
    out["rng"] = _hash_state(model.rng.bit_generator.state)
    out["external_rng"] = _hash_state(model.external_rng.bit_generator.state)
    release(model)
    return out


def compute_all() -> dict[str, dict[str, str]]:
    from sim import bundled_names

    return {f"{name}/{seed}": fingerprint(name, seed) for name in bundled_names() for seed in SEEDS}


if __name__ == "__main__":
    if "--write" not in sys.argv:
        sys.exit("usage: python tests/golden/fingerprint.py --write   (regenerates fingerprints.json)")
    sys.path.insert(0, str(HERE.parent.parent))
    FILE.write_text(json.dumps(compute_all(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {FILE}")
