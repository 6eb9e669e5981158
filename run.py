#!/usr/bin/env python3
"""Command line of the Taliban vs ISIS-K simulation (the same program as the installed ``insurgency-abm``).

Run ``python run.py --help`` for the subcommands and ``python run.py SUBCOMMAND --help`` for examples.
"""

from __future__ import annotations

import sys

from insurgency_abm.cli import build_parser, main as _main


def main(argv: list[str] | None = None) -> int:
    """The program, named run.py in its messages."""
    return _main(argv, prog="run.py")


__all__ = ["build_parser", "main"]

if __name__ == "__main__":
    sys.exit(main())
