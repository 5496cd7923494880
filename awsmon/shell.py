"""The AWS CLI in a simulated shell: ``python -m awsmon shell [script.txt]``.

A learner types real AWS CLI commands (``aws cloudwatch put-metric-data ...``),
answered in-process by a simulated cloud: the `awscli` package (v1, the extra
``awsmon[cli]``) runs under `Cloud.patch_boto3`. The shell adds its own verbs:

- ``advance 5m`` (``90s``, ``1h30m``, ``2d``): move the virtual clock, running
  every job due, and say which alarms changed state meanwhile;
- ``now``: the virtual time;
- ``explain alarm NAME``: the alarm's rule, state, reason and history;
- ``timeline``: what happened so far (calls, clock moves, alarm changes);
- ``reset``: a fresh cloud with the same seed;
- ``save FILE`` / ``load FILE``: write the session's lines to a scenario file,
  or reset and replay one. A scenario runs AWS CLI commands, whose
  ``file://`` parameters read local files: load only files you trust.
- ``help``, ``exit``.

A script of such lines replays exactly (``python -m awsmon shell lab.txt``), so a
teacher can ship an exercise as a text file. Lines starting with ``#`` are
comments.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import sys
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

import attrs

from awsmon.cloud import Cloud
from awsmon.dispatch import ApiCall

__all__ = ["Shell", "main", "parse_duration"]

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"(\d+)([smhd])")
#: Verbs that change nothing in the cloud: kept out of a saved scenario.
_NOT_SAVED = {"save", "load", "help", "now", "timeline", "explain", "exit", "quit"}
HELP = """\
aws <service> <command> [options]   an AWS CLI command, answered by the simulation
advance DURATION                    move the virtual clock (30s, 5m, 1h30m, 2d)
now                                 the virtual time
explain alarm NAME                  the alarm's rule, state, reason and history
timeline                            what happened so far
reset                               start again from a fresh cloud
save FILE / load FILE               write this session / replay a scenario (trusted files only)
exit                                leave"""


def parse_duration(text: str) -> timedelta:
    """A duration such as ``90s``, ``5m``, ``1h30m`` or ``2d``.

    Raises:
        ValueError: the text is not a sequence of <number><s|m|h|d>.
    """
    seconds, position = 0, 0
    for match in _DURATION.finditer(text):
        if match.start() != position:
            break
        seconds += int(match.group(1)) * _UNITS[match.group(2)]
        position = match.end()
    if position == 0 or position != len(text):
        raise ValueError(f"not a duration: {text!r} (try 30s, 5m, 1h30m, 2d)")
    return timedelta(seconds=seconds)


@attrs.frozen
class Moment:
    """One line of the shell's timeline: when, and what happened."""

    at: datetime
    text: str


class Shell:
    """A simulated cloud driven by AWS CLI lines and the shell's own verbs.

    Args:
        seed: the cloud's seed (a replayed script gives the same answers).
        out: where answers are written (the CLI's output and errors alike).
        region: the region the CLI talks to.
    """

    def __init__(self, *, seed: int = 0, out: TextIO | None = None, region: str = "us-east-1"):
        self.seed = seed
        self.out = out if out is not None else sys.stdout
        self.region = region
        self.lines: list[str] = []
        self.moments: list[Moment] = []
        self._driver: Any = None
        self.cloud = self._fresh_cloud()

    # -- running lines -----------------------------------------------------------------

    def run(self, line: str) -> bool:
        """Run one line; False when the line asks to leave."""
        words = self._split(line)
        if not words or words[0].startswith("#"):
            return True
        verb = words[0].lower()
        if verb in ("exit", "quit"):
            return False
        handler = getattr(self, f"_verb_{verb}", None)
        if handler is None:
            self._say(f"unknown command {words[0]!r}: type help for the commands")
            return True
        try:
            handler(words[1:])
        except (ValueError, OSError, KeyError) as error:
            self._say(f"error: {error}")
            return True
        if verb not in _NOT_SAVED:
            self.lines.append(line.strip())
        return True

    def run_script(self, lines: Iterable[str], *, echo: bool = True) -> None:
        """Run each line, echoed after a prompt as if typed; stop at ``exit``."""
        for line in lines:
            if echo and line.strip():
                self._say(f"awsmon> {line.rstrip()}")
            if not self.run(line):
                break

    def repl(self, stdin: TextIO | None = None) -> None:
        """Read lines from `stdin` (default: the terminal) until end of input or ``exit``."""
        source = stdin if stdin is not None else sys.stdin
        self._say(f"awsmon shell: a simulated cloud at {self._now()}. Type help.")
        while True:
            if source is sys.stdin:
                try:
                    line = input("awsmon> ")
                except EOFError:
                    return
            else:
                line = source.readline()
                if not line:
                    return
            if not self.run(line):
                return

    # -- the verbs ---------------------------------------------------------------------

    def _verb_aws(self, args: list[str]) -> None:
        driver = self._cli()
        out, err = io.StringIO(), io.StringIO()
        with (
            self.cloud.patch_boto3(),
            _isolated_environment(self.region),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
            contextlib.suppress(SystemExit),  # argparse's usage errors
        ):
            driver.main(args)
        text = out.getvalue() + err.getvalue()
        self.out.write(text if text.endswith("\n") or not text else text + "\n")

    def _verb_advance(self, args: list[str]) -> None:
        if len(args) != 1:
            raise ValueError("usage: advance DURATION (30s, 5m, 1h30m, 2d)")
        duration = parse_duration(args[0])
        seen = len(self._alarms().alarm_history)
        self.cloud.clock.advance(duration)
        self._note(f"clock advanced {args[0]}")
        self._say(f"now {self._now()} (+{args[0]})")
        for item in self._alarms().alarm_history[seen:]:
            if item.item_type.value == "StateUpdate":
                text = f"alarm {item.alarm_name}: {item.summary}"
                self.moments.append(Moment(item.timestamp, text))
                self._say(f"  {item.timestamp:%H:%M:%S} {text}")

    def _verb_now(self, args: list[str]) -> None:
        self._say(self._now())

    def _verb_explain(self, args: list[str]) -> None:
        if len(args) != 2 or args[0] != "alarm":
            raise ValueError("usage: explain alarm NAME")
        for line in explain_alarm(self._alarms(), args[1]):
            self._say(line)

    def _verb_timeline(self, args: list[str]) -> None:
        richer = getattr(self.cloud, "timeline", None)
        if callable(richer):  # the cloud's own record (issue 18), when this awsmon has it
            self._say(str(richer()))
            return
        if not self.moments:
            self._say("nothing has happened yet")
        for moment in sorted(self.moments, key=lambda m: m.at):
            self._say(f"{moment.at:%Y-%m-%d %H:%M:%S}  {moment.text}")

    def _verb_reset(self, args: list[str]) -> None:
        self.cloud = self._fresh_cloud()
        self.lines.clear()
        self.moments.clear()
        self._say(f"a fresh cloud (seed {self.seed}) at {self._now()}")

    def _verb_save(self, args: list[str]) -> None:
        if len(args) != 1:
            raise ValueError("usage: save FILE")
        header = f"# awsmon shell scenario (seed {self.seed}): replay with load FILE\n"
        Path(args[0]).write_text(header + "".join(f"{line}\n" for line in self.lines))
        self._say(f"saved {len(self.lines)} line(s) to {args[0]}")

    def _verb_load(self, args: list[str]) -> None:
        if len(args) != 1:
            raise ValueError("usage: load FILE (a scenario you trust)")
        lines = Path(args[0]).read_text().splitlines()
        self._verb_reset([])
        for line in lines:
            if line.strip() and not line.lstrip().startswith("#"):
                self._say(f"awsmon> {line}")
                self.run(line)

    def _verb_help(self, args: list[str]) -> None:
        self._say(HELP)

    # -- helpers -----------------------------------------------------------------------

    def _fresh_cloud(self) -> Cloud:
        cloud = Cloud(seed=self.seed)
        cloud.on_api_call(self._record_call)
        return cloud

    def _record_call(self, call: ApiCall) -> None:
        outcome = "" if call.error is None else f" -> {call.error.code}"
        self.moments.append(
            Moment(call.at, f"{call.service} {call.operation} by {call.principal.arn}{outcome}")
        )

    def _note(self, text: str) -> None:
        self.moments.append(Moment(self.cloud.clock.now(), text))

    def _alarms(self) -> Any:
        return self.cloud.region(self.region).service("cloudwatch")

    def _cli(self) -> Any:
        if self._driver is None:
            try:
                from awscli.clidriver import create_clidriver
            except ImportError as error:
                raise ValueError(
                    "the AWS CLI is not installed: pip install 'awsmon[cli]'"
                ) from error
            with _isolated_environment(self.region):
                self._driver = create_clidriver()
        return self._driver

    def _now(self) -> str:
        return f"{self.cloud.clock.now():%Y-%m-%dT%H:%M:%SZ}"

    def _split(self, line: str) -> list[str]:
        try:
            return shlex.split(line, comments=False)
        except ValueError as error:
            self._say(f"error: {error}")
            return []

    def _say(self, text: str) -> None:
        print(text, file=self.out)


def explain_alarm(cloudwatch: Any, name: str) -> list[str]:
    """Lines telling what alarm `name` watches, its state and why, and its history.

    Raises:
        KeyError: no alarm of that name.
    """
    try:
        alarm = cloudwatch.alarm(name)
    except Exception as error:  # the service's ResourceNotFound
        raise KeyError(f"no alarm named {name!r}") from error
    since = f"{alarm.state_transitioned_at:%H:%M:%S}"
    lines = [f"alarm {alarm.name} is {alarm.state.value} since {since}"]
    config = getattr(alarm, "config", None)
    if config is not None and getattr(alarm, "metric", None) is not None:
        m = config.datapoints_to_alarm or config.evaluation_periods
        lines.append(
            f"  watches {alarm.metric.namespace} {alarm.metric.name} "
            f"({alarm.statistic or alarm.extended_statistic} over {alarm.period}s): "
            f"ALARM when {m} of the last {config.evaluation_periods} datapoints are "
            f"{config.comparison_operator.value} {config.threshold:g}; "
            f"missing data: {config.treat_missing_data.value}"
        )
    lines.append(f"  reason: {alarm.state_reason}")
    deeper = getattr(cloudwatch, "explain_alarm", None)
    if callable(deeper):  # the period-by-period explanation (issue 18), when present
        lines.extend(f"  {line}" for line in str(deeper(name)).splitlines())
    history = [item for item in cloudwatch.alarm_history if item.alarm_name == name]
    if history:
        lines.append("  history:")
        lines.extend(f"    {item.timestamp:%H:%M:%S} {item.summary}" for item in history[-10:])
    return lines


@contextlib.contextmanager
def _isolated_environment(region: str) -> Iterator[None]:
    """Keep the CLI off the user's real AWS configuration and credentials."""
    names = {
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_DEFAULT_REGION": region,
        "AWS_ACCESS_KEY_ID": "AKIAAWSMONSHELLEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "awsmon-shell-not-a-secret",
        "AWS_PAGER": "",
    }
    saved = {name: os.environ.get(name) for name in [*names, "AWS_PROFILE", "AWS_SESSION_TOKEN"]}
    os.environ.update(names)
    os.environ.pop("AWS_PROFILE", None)
    os.environ.pop("AWS_SESSION_TOKEN", None)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def main(argv: list[str]) -> int:
    """``python -m awsmon shell [--seed N] [--region R] [SCRIPT]``."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m awsmon shell", description=__doc__)
    parser.add_argument("script", nargs="?", help="a file of shell lines to replay")
    parser.add_argument("--seed", type=int, default=0, help="seed of the simulation (default 0)")
    parser.add_argument("--region", default="us-east-1", help="the CLI's region")
    args = parser.parse_args(argv)
    shell = Shell(seed=args.seed, region=args.region)
    if args.script:
        shell.run_script(Path(args.script).read_text().splitlines())
    else:
        shell.repl()
    return 0
