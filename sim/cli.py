"""Command-line subcommands of the model itself: ``run``, ``params``, ``scenarios`` (list, new, show)."""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from pathlib import Path

from sim.errors import UserError
from sim.inputs.checks import check_out_path, did_you_mean
from sim.inputs.parameters import PARAMS, parse_sets
from sim.inputs.scenario import SCENARIO_DIR, bundled_names, load_scenario


def cmd_run(args: argparse.Namespace) -> int:
    from sim.results.manifest import git_revision, now, versions
    from sim.results.run_folder import write_run
    from sim.results.store import claim_folder
    from sim.runs.runner import run_one
    from sim.views.quicklook import quick_chart

    scenario = load_scenario(args.scenario).with_overrides(parse_sets(args.set))
    if args.steps is not None:
        scenario = scenario.with_overrides({"steps": args.steps}, "--steps")
    out = claim_folder(check_out_path(args.out, "--out"), "run", force=args.force)
    if note := scenario.horizon_warning():
        print(f"warning: {note}", file=sys.stderr)
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
    groups = sorted({p.group for p in PARAMS.values()})
    if args.group and args.group not in groups:
        raise UserError(f"--group '{args.group}' is not a parameter group.{did_you_mean(args.group, groups)} "
                        f"Groups: {', '.join(groups)}.")
    rows = [p for p in PARAMS.values() if not args.group or p.group == args.group]
    calibrated = posterior_notes()
    if args.markdown:
        print("| name | default | unit | range | group | meaning | source |\n|---|---|---|---|---|---|---|")
        for p in rows:
            rng = "" if p.kind is str else f"{p.low:g}–{p.high:g}"
            note = f". {calibrated[p.name]}" if p.name in calibrated else ""
            print(f"| `{p.name}` | {p.default} | {p.unit} | {rng} | {p.group} | {p.doc} | {p.source}{note} |")
        return 0
    if calibrated:
        print(f"The defaults of the {len(calibrated)} calibrated parameters are the weighted medians of the ABC-SMC "
              f"posterior shipped in sim/data/posterior.csv (docs/calibration.md).\n")
    for p in rows:
        rng = "date" if p.kind is str else f"[{p.low:g}, {p.high:g}]"
        print(f"{p.name:<26} {str(p.default):<11} {p.unit:<16} {rng:<18} {p.group}")
        note = f". {calibrated[p.name]}" if p.name in calibrated else ""
        print(textwrap.indent(textwrap.fill(f"{p.doc} Source: {p.source}{note}", 96), " " * 4))
    return 0


def posterior_notes() -> dict[str, str]:
    """Per calibrated parameter, the sentence `run.py params` adds: its default is the posterior median."""
    from sim.inputs.posterior import shipped_summary

    table = shipped_summary()
    if table is None:
        return {}
    return {name: f"Default: ABC posterior median (90% of the posterior weight in {row.q05:.3g} – {row.q95:.3g})."
            for name, row in table.iterrows()}


def cmd_scenarios(args: argparse.Namespace) -> int:
    if args.action == "new":
        return _new_scenario(args.name, args.extends, args.force)
    if args.action == "show":
        from sim.inputs.scenario_text import resolved

        print(resolved(load_scenario(args.name)), end="")
        return 0
    for name in bundled_names():
        s = load_scenario(name)
        changed = ", ".join(f"{k}={v}" for k, v in s.overrides.items() if k != "steps") or "(defaults)"
        print(f"{name:<24} {s.description}\n{'':<24} params: {changed}; events: {len(s.events)}")
    return 0


def _new_scenario(name: str, extends: str, force: bool) -> int:
    """Write the commented template of a scenario that extends ``extends`` to NAME(.toml)."""
    from sim.inputs.scenario_text import template

    path = Path(name if name.endswith(".toml") else f"{name}.toml")
    if path.resolve().parent == SCENARIO_DIR and path.stem in bundled_names():
        raise UserError(f"'{path}' would replace the bundled scenario '{path.stem}'; choose another name.")
    if path.exists() and not force:
        raise UserError(f"'{path}' already exists; choose another name, or add --force to overwrite it.")
    load_scenario(extends)   # a bad --extends fails here, before anything is written
    check_out_path(path.parent, "scenarios new NAME")
    if extends.endswith(".toml"):   # a bundled file by its name; else a path relative to the new file's folder
        parent = Path(extends).resolve()
        extends = parent.stem if parent.parent == SCENARIO_DIR else os.path.relpath(parent, path.parent.resolve())
    path.write_text(template(path.stem, extends), encoding="utf-8")
    print(f"wrote {path} (extends '{extends}'); edit it, then: python run.py run --scenario {path} --out results/{path.stem}")
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
    p.add_argument("--out", required=True, help="output folder (new or empty; see --force)")
    p.add_argument("--force", action="store_true",
                   help="write into a non-empty folder, replacing an earlier run's files (never a sweep store)")
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("params", help="print the parameter table (defaults, units, ranges, sources)",
                       epilog="examples:\n  python run.py params\n  python run.py params --group coin\n"
                              "  python run.py params --markdown > params.md",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--group", help="only this group (e.g. recruitment, coin, surrender, external)")
    p.add_argument("--markdown", action="store_true", help="print as a Markdown table")
    p.set_defaults(func=cmd_params)
    p = sub.add_parser("scenarios", help="list the bundled scenarios; start a new one from a template; show one resolved",
                       epilog="examples:\n  python run.py scenarios\n  python run.py scenarios new my_policy.toml\n"
                              "  python run.py scenarios new strict --extends iron_fist\n"
                              "  python run.py scenarios show my_policy.toml",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    actions.add_parser("list", help="the bundled scenarios (the default)")
    new = actions.add_parser("new", help="write a commented scenario file that extends a scenario (default baseline)")
    new.add_argument("name", metavar="NAME", help="file to write (NAME.toml if it has no .toml)")
    new.add_argument("--extends", default="baseline", help="scenario the new one starts from (default baseline)")
    new.add_argument("--force", action="store_true", help="overwrite an existing file")
    show = actions.add_parser("show", help="print a scenario with every parameter and event resolved (TOML)")
    show.add_argument("name", metavar="NAME", help="bundled name or path of a .toml file")
    p.set_defaults(func=cmd_scenarios)
