"""Command-line subcommands of the model itself: ``run``, ``params``, ``scenarios``."""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path

from sim.errors import UserError
from sim.inputs.parameters import PARAMS, parse_sets
from sim.inputs.scenario import bundled_names, load_scenario


def cmd_run(args: argparse.Namespace) -> int:
    from sim.results.manifest import git_revision, now, versions
    from sim.results.run_folder import write_run
    from sim.runs.runner import run_one
    from sim.views.quicklook import quick_chart

    scenario = load_scenario(args.scenario).with_overrides(parse_sets(args.set))
    if args.steps is not None:
        scenario = scenario.with_overrides({"steps": args.steps}, "--steps")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UserError(f"--out '{out}' exists and is not a folder.")
    started = now()
    result = run_one(scenario, args.seed)
    manifest = {"kind": "run", "scenario": scenario.as_dict(), "seed": args.seed,
                "steps": scenario.params["steps"], "started": started, "finished": now(),
                "versions": versions(), "git": git_revision(), "conserved": result.conserved}
    written = write_run(result, out, manifest)
    written.append(quick_chart(result.national, out / "main_series.png"))
    last = result.national.iloc[-1]
    print(f"{scenario.name}, seed {args.seed}: {len(result.national) - 1} weeks to {last['date'].date()}")
    print(f"  ISIS-K members {last['iskp_members']:.0f} in {last['iskp_cells']:.0f} cells, "
          f"Taliban strength {last['taliban_strength']:.0f}")
    tot = result.national.sum(numeric_only=True)
    print(f"  cumulative: attacks {tot['attacks_total']:.0f}, civilian deaths {tot['civilian_deaths']:.0f}, "
          f"extrajudicial killings {tot['ejk_killed']:.0f} ({tot['ejk_nonmembers']:.0f} non-members), "
          f"surrenders {tot['surrenders']:.0f}")
    print(f"wrote {len(written)} files to {out}/")
    return 0


def cmd_params(args: argparse.Namespace) -> int:
    rows = [p for p in PARAMS.values() if not args.group or p.group == args.group]
    if args.markdown:
        print("| name | default | unit | range | group | meaning | source |\n|---|---|---|---|---|---|---|")
        for p in rows:
            rng = "" if p.kind is str else f"{p.low:g}–{p.high:g}"
            print(f"| `{p.name}` | {p.default} | {p.unit} | {rng} | {p.group} | {p.doc} | {p.source} |")
        return 0
    for p in rows:
        rng = "date" if p.kind is str else f"[{p.low:g}, {p.high:g}]"
        print(f"{p.name:<26} {str(p.default):<11} {p.unit:<16} {rng:<18} {p.group}")
        print(textwrap.indent(textwrap.fill(f"{p.doc} Source: {p.source}", 96), " " * 4))
    return 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    for name in bundled_names():
        s = load_scenario(name)
        changed = ", ".join(f"{k}={v}" for k, v in s.overrides.items() if k != "steps") or "(defaults)"
        print(f"{name:<24} {s.description}\n{'':<24} params: {changed}; events: {len(s.events)}")
    return 0


EXAMPLES_RUN = """examples:
  python run.py run --scenario baseline --seed 1 --out results/demo
  python run.py run --scenario iron_fist --seed 7 --steps 52 --out results/if7
  python run.py run --scenario my_policy.toml --set amnesty=0.8 --set monitoring=0.9 --out results/mine
"""


def register(sub) -> None:
    p = sub.add_parser("run", help="run one scenario with one seed and write its tables",
                       description="Run one scenario for one seed; writes national/provinces/events tables "
                                   "(Parquet and CSV), manifest.json and main_series.png.",
                       epilog=EXAMPLES_RUN, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scenario", default="baseline", help="bundled name or path of a TOML file (default baseline)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--steps", type=int, help="weeks to run (default: the scenario's steps, 104)")
    p.add_argument("--set", action="append", metavar="NAME=VALUE", help="override a parameter (repeatable)")
    p.add_argument("--out", required=True, help="output folder")
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("params", help="print the parameter table (defaults, units, ranges, sources)",
                       epilog="examples:\n  python run.py params\n  python run.py params --group coin\n"
                              "  python run.py params --markdown > params.md",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--group", help="only this group (e.g. recruitment, coin, surrender, external)")
    p.add_argument("--markdown", action="store_true", help="print as a Markdown table")
    p.set_defaults(func=cmd_params)
    p = sub.add_parser("scenarios", help="list the bundled scenarios",
                       epilog="example:\n  python run.py scenarios", formatter_class=argparse.RawDescriptionHelpFormatter)
    p.set_defaults(func=cmd_scenarios)
