"""CLI commands that a package adds to the `marketplace` command, and their shared helpers.

A package lists its commands in its `wiring.py` as `COMMANDS = [Command(...)]`; the root's
`cli.py` adds each as a subcommand. A command fails with `CommandError`: one line, in Swedish
(or English when MARKETPLACE_CLI_LANGUAGE=en), and a non-zero exit.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

Handler = Callable[[argparse.Namespace], Coroutine[Any, Any, int]]


class CommandError(Exception):
    """A CLI command failed for a reason the user can fix; the message is one line."""


@dataclass(frozen=True)
class Command:
    """One subcommand: its name, its help line, its arguments and its handler."""

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    handler: Handler


class ProgressBar:
    """A one-line progress bar on stderr, drawn only when stderr is a terminal."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.enabled = sys.stderr.isatty()
        self.drawn = -1

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        percent = done * 100 // total
        if percent != self.drawn:
            self.drawn = percent
            bar = "#" * (percent // 4)
            print(
                f"\r{self.label} [{bar:<25}] {percent:3d}% ({done}/{total})",
                end="",
                file=sys.stderr,
            )
            if done >= total:
                print(file=sys.stderr)
