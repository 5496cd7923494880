"""Command line: ``python -m awsmon demo`` runs the demo scenario."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command named in `argv` (default: the process's arguments)."""
    parser = argparse.ArgumentParser(
        prog="python -m awsmon", description="AWS monitoring simulated in-process."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="run the demo scenario and print what happens")
    demo.add_argument("--seed", type=int, default=0, help="seed of the simulation (default 0)")
    args = parser.parse_args(argv)
    if args.command == "demo":
        from awsmon.demo import run

        run(seed=args.seed, out=sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
