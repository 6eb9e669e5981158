"""The top-level parser: subcommands from sim and analysis, ``--version``, checks shared by every subcommand.

Conventions kept here, once for every subcommand: bad input ends in ``error: ...`` and exit status 2
(never a traceback); a mistyped subcommand or choice gets "did you mean"; every seed flag is checked
before anything runs; output cut short by a closed pipe (``run.py params | head -1``) ends quietly.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys

from sim.errors import UserError
from sim.inputs.checks import check_seed, did_you_mean
from sim.version import __version__

PROG = "insurgency-abm"
# Each module has register(subparsers), adding its subcommands with func=... set.
COMMAND_MODULES = [
    "sim.cli",
    "sim.runs.cli",
    "sim.views.cli",
    "analysis.validate",
    "analysis.calibrate",
    "analysis.cli",
]
# Seed flags of any subcommand (argparse dest -> flag), validated up front: a negative or huge seed
# would otherwise fail inside NumPy or when the results are written, after the runs.
SEED_FLAGS = {"seed": "--seed", "design_seed": "--design-seed"}
EXIT_BROKEN_PIPE = 128 + 13  # what a shell reports for a program stopped by SIGPIPE


class Parser(argparse.ArgumentParser):
    """argparse whose errors are the project's one-paragraph ``error:`` messages (exit status 2).

    An invalid choice (a subcommand name, any enum flag) lists the choices and gets "did you mean".
    """

    def error(self, message: str):
        found = re.search(r"argument (.*?): invalid choice: '(.*?)' \(choose from (.*)\)", message)
        if found:
            flag, value, choices = found.group(1), found.group(2), re.findall(r"'([^']*)'", found.group(3))
            flag = flag.lower() if flag.isupper() else flag   # SUBCOMMAND -> subcommand
            message = f"{flag} '{value}' is not one of: {', '.join(choices)}.{did_you_mean(value, choices)}"
        text = message if message.endswith((".", "?")) else f"{message}."
        raise UserError(f"{text} See `{self.prog} --help`.")


def build_parser(prog: str = PROG) -> argparse.ArgumentParser:
    parser = Parser(
        prog=prog, description="Agent-based simulation of the Taliban against ISIS-K in Afghanistan (Mesa).",
        epilog=f"examples:\n  {prog} run --scenario baseline --seed 1 --out results/demo\n"
               f"  {prog} params\n  {prog} SUBCOMMAND --help",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="SUBCOMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def check_seeds(args: argparse.Namespace) -> None:
    """Every seed flag that was given is a whole number in the allowed range."""
    for dest, flag in SEED_FLAGS.items():
        if getattr(args, dest, None) is not None:
            check_seed(getattr(args, dest), flag)


def main(argv: list[str] | None = None, prog: str = PROG) -> int:
    """Parse, run the subcommand, and turn bad input into one ``error:`` paragraph and exit status 2."""
    parser = build_parser(prog)
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return 2
        check_seeds(args)
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # inside the try: a closed pipe shows up here, not at interpreter exit
        return code
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly; point stdout at devnull so the final flush is silent.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        print("interrupted: finished results are kept; rerun with --resume where the command offers it.",
              file=sys.stderr)
        return 130


def console() -> None:
    """Entry point of the ``insurgency-abm`` console script."""
    sys.exit(main())
