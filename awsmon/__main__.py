"""Command line.

- ``python -m awsmon demo``: run the demo scenario.
- ``python -m awsmon shell [SCRIPT]``: the AWS CLI in a simulated shell
  (`awsmon.shell`; needs ``pip install 'awsmon[cli]'``).
- ``python -m awsmon xray-daemon [--host H] [--port P]``: an X-Ray daemon (UDP)
  answering from a simulated cloud, printing what arrives.
- ``python -m awsmon dashboard NAME OUT.html [--scenario FILE.py] [--seed N]``:
  draw the CloudWatch dashboard NAME to one self-contained HTML page (needs
  matplotlib, ``awsmon[plot]``). The cloud is the one the scenario file builds
  (a Python file run with ``cloud`` in its globals: it must be trusted, as any
  script you run), else the demo's cloud after the demo has played. When the
  cloud has no dashboard ``overview``, that name draws a generated overview of
  every metric and alarm.
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
    dashboard = commands.add_parser(
        "dashboard", help="draw a CloudWatch dashboard to one HTML file (needs awsmon[plot])"
    )
    dashboard.add_argument("name", help="the dashboard's name ('overview': generated if absent)")
    dashboard.add_argument("out", help="the HTML file to write")
    dashboard.add_argument(
        "--scenario", help="a trusted Python file that builds the cloud (given as `cloud`)"
    )
    dashboard.add_argument("--seed", type=int, default=0, help="seed of the simulation")
    args = parser.parse_args(words)
    if args.command == "demo":
        from awsmon.demo import run

        run(seed=args.seed, out=sys.stdout)
    if args.command == "dashboard":
        return _dashboard(args.name, args.out, args.scenario, args.seed)
    return 0


def _dashboard(name: str, out: str, scenario: str | None, seed: int) -> int:
    """Build the cloud (scenario file or demo), then write dashboard `name` to `out`."""
    import io
    from pathlib import Path

    from awsmon.cloud import Cloud
    from awsmon.cloudwatch.widgets.overview import overview_body

    if scenario is not None:
        cloud = Cloud(seed=seed)
        code = compile(Path(scenario).read_text(encoding="utf-8"), scenario, "exec")
        exec(code, {"cloud": cloud, "__name__": "__awsmon_scenario__", "__file__": scenario})
    else:
        from awsmon.demo import run

        cloud = run(seed=seed, out=io.StringIO())
    cloudwatch = cloud.cloudwatch
    names = [d.name for d in cloudwatch.list_dashboards()]
    if name not in names:
        if name != "overview":
            known = ", ".join(names) or "none"
            print(f"no dashboard {name!r} (dashboards: {known}; 'overview' is generated)",
                  file=sys.stderr)  # fmt: skip
            return 2
        keys = [metric.key for metric in cloudwatch.metrics()]
        arns = [alarm.arn for alarm in cloudwatch.alarms.all()]
        cloudwatch.put_dashboard(name, overview_body(keys, arns))
    page = cloudwatch.dashboard_html(name, out)
    print(
        f"wrote {out} ({len(page):,} bytes): dashboard {name!r} "
        f"at {cloud.clock.now():%Y-%m-%d %H:%M} UTC"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
