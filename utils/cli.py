"""Shared plumbing of the root scripts: one-line errors and exit codes."""
from __future__ import annotations

import argparse
import sys

from utils.errors import EXIT_BAD_INPUT, InputError


class ArgumentParser(argparse.ArgumentParser):
    """argparse's parser whose usage mistakes (an unknown flag, a value it cannot take) are bad input
    like any other: raised as :class:`InputError`, so :func:`run_cli` prints them on one line,
    ``error: ...``, exit code 2 (argparse itself prints its whole usage first)."""

    def error(self, message):
        raise InputError(f"{message} ({self.prog} --help lists the options)")


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
