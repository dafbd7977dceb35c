"""`gongyou serve` — not built yet (see the issue that owns it)."""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rest", nargs="*")


def run(args: argparse.Namespace) -> int:
    print("gongyou serve: not built yet", file=sys.stderr)
    return 2
