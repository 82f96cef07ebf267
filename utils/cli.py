"""Shared plumbing of the root scripts: one-line errors and exit codes."""
from __future__ import annotations

import argparse
import sys

from utils.errors import EXIT_BAD_INPUT, InputError


def run_cli(main, argv=None) -> int:
    """Call ``main(argv)``; bad input prints ``error: ...`` on one line and returns exit code 2."""
    try:
        return int(main(argv) or 0)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted; a training run continues with --resume", file=sys.stderr)
        return 130


def given_options(parser: argparse.ArgumentParser, argv=None) -> set[str]:
    """The destinations of the options actually given in ``argv`` (not filled in from defaults).

    ``parser`` is changed (its defaults are dropped): pass a fresh one."""
    for action in parser._actions:
        action.default = argparse.SUPPRESS
    return set(vars(parser.parse_args(argv)))
