"""Command line.

- ``python -m awsmon demo``: run the demo scenario.
- ``python -m awsmon shell [SCRIPT]``: the AWS CLI in a simulated shell
  (`awsmon.shell`; needs ``pip install 'awsmon[cli]'``).
- ``python -m awsmon xray-daemon [--host H] [--port P]``: an X-Ray daemon (UDP)
  answering from a simulated cloud, printing what arrives.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command named in `argv` (default: the process's arguments)."""
    words = list(sys.argv[1:] if argv is None else argv)
    if words[:1] == ["xray-daemon"]:
        from awsmon.xray.daemon import main as xray_daemon

        return xray_daemon(words[1:])
    if words[:1] == ["shell"]:
        from awsmon.shell import main as shell

        return shell(words[1:])
    parser = argparse.ArgumentParser(
        prog="python -m awsmon", description="AWS monitoring simulated in-process."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="run the demo scenario and print what happens")
    demo.add_argument("--seed", type=int, default=0, help="seed of the simulation (default 0)")
    commands.add_parser("shell", help="the AWS CLI in a simulated shell (see --help)")
    commands.add_parser("xray-daemon", help="serve the X-Ray daemon protocol (see --help)")
    args = parser.parse_args(words)
    if args.command == "demo":
        from awsmon.demo import run

        run(seed=args.seed, out=sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
