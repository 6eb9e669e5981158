#!/usr/bin/env python3
"""Command line of the Taliban vs ISIS-K simulation. Thin: parses arguments, calls sim/ and analysis/.

Run ``python run.py --help`` for the subcommands and ``python run.py SUBCOMMAND --help`` for examples.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# Each module has register(subparsers), adding its subcommands with func=... set.
COMMAND_MODULES = [
    "sim.cli",
    "sim.runs.cli",
    "sim.views.cli",
    "analysis.validate",
    "analysis.calibrate",
    "analysis.cli",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run.py", description="Agent-based simulation of the Taliban against ISIS-K in Afghanistan (Mesa).",
        epilog="examples:\n  python run.py run --scenario baseline --seed 1 --out results/demo\n"
               "  python run.py params\n  python run.py SUBCOMMAND --help",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="SUBCOMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from sim.errors import UserError

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: finished results are kept; rerun with --resume where the command offers it.",
              file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
