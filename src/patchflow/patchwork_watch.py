"""A small CI: poll a Patchwork project and check every new series once.

What has been done lives in a state file, `$XDG_STATE_HOME/patchflow/watch-HOST-PROJECT.json`
(`~/.local/state` when the variable is unset), rewritten atomically after each series: a watcher
killed at any moment restarts where it stopped, never checking a finished series again and never
skipping one (a series interrupted half-way was not recorded, so it is checked again; posting is
idempotent, so its checks are not posted twice). The state is a floor (every series at or below it
is settled) and the settled ids above it. A series Patchwork has not fully received waits.
When the server fails, the next poll waits twice as long as the last, up to `MAX_BACKOFF`.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from .records import field, record
from .errors import BadInput, NetworkError, PatchflowError

MAX_BACKOFF = 600.0  # seconds between polls of a server that keeps failing
STATE_VERSION = 1


def state_dir() -> str:
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return os.path.join(base, "patchflow")


def state_path(url: str, project: str) -> str:
    host = urlsplit(url).netloc.replace(":", "_") or "patchwork"
    safe_project = "".join(c if c.isalnum() or c in "-_." else "_" for c in project)
    return os.path.join(state_dir(), f"watch-{host}-{safe_project}.json")


@record
class WatchState:
    path: str
    url: str
    project: str
    floor: int | None = None  # every series id at or below it is settled; None: not started yet
    settled: set[int] = field(default_factory=set)  # ids above the floor that are done

    @classmethod
    def load(cls, path: str, url: str, project: str) -> "WatchState":
        state = cls(path, url, project)
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
        except FileNotFoundError:
            return state
        except (OSError, ValueError) as exc:
            raise BadInput(f"{path}: not a patchflow watch state ({exc}); move it away to start afresh")
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            raise BadInput(f"{path}: not a patchflow watch state of version {STATE_VERSION}")
        if (data.get("url"), data.get("project")) != (url, project):
            raise BadInput(f"{path}: the state of {data.get('url')} project {data.get('project')}, not of this one")
        floor, settled = data.get("floor"), data.get("settled", [])
        if not (floor is None or isinstance(floor, int)) or not all(isinstance(i, int) for i in settled):
            raise BadInput(f"{path}: the floor and the settled ids must be numbers")
        state.floor, state.settled = floor, set(settled)
        return state

    def save(self) -> None:
        """Write the whole state to a temporary file beside it, then rename it over the old one."""
        directory = os.path.dirname(self.path)
        os.makedirs(directory, exist_ok=True)
        data = {"version": STATE_VERSION, "url": self.url, "project": self.project, "floor": self.floor,
                "settled": sorted(self.settled)}
        handle, temporary = tempfile.mkstemp(prefix=".watch-", suffix=".tmp", dir=directory)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(data, out)
                out.write("\n")
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise

    def is_settled(self, series_id: int) -> bool:
        return (self.floor is not None and series_id <= self.floor) or series_id in self.settled

    def settle(self, series_id: int, waiting: list[int]) -> None:
        """Record a finished series; the floor rises below the lowest series still waiting."""
        self.settled.add(series_id)
        limit = min(waiting) - 1 if waiting else max(self.settled)
        if self.floor is None or limit > self.floor:
            self.floor = limit
        self.settled = {i for i in self.settled if i > self.floor}


def start_floor(page: list[dict], backlog: int) -> int:
    """On a first run: the newest `backlog` series of the page are checked, older ones are not."""
    ids = sorted(item["id"] for item in page)
    if backlog >= len(ids):
        return min(ids, default=1) - 1
    return ids[-backlog - 1]


@record
class Watcher:
    """Polls `client` for the project's series; `check(series_id)` checks one and returns a line to
    print; `say(line)` prints. `polls` ends the loop after that many polls (the benchmark's)."""

    client: object
    state: WatchState
    check: Callable[[int], str]
    say: Callable[[str], None]
    interval: float = 60.0
    backlog: int = 0
    polls: int | None = None
    sleep: Callable[[float], None] = time.sleep
    failures: int = 0
    idle: bool = False

    def run(self) -> None:
        done_polls = 0
        while self.polls is None or done_polls < self.polls:
            done_polls += 1
            try:
                self.poll()
                self.failures = 0
            except NetworkError as exc:
                self.failures += 1
                wait = min(self.interval * 2 ** self.failures, MAX_BACKOFF)
                self.say(f"patchwork failed ({exc}); next poll in {wait:g} s")
                self.idle = False
                self.sleep(wait)
                continue
            if self.polls is None or done_polls < self.polls:
                self.sleep(self.interval)

    def poll(self) -> None:
        page = [item for item in self.client.series_page(self.state.project) if _valid(item)]
        if self.state.floor is None:
            self.state.floor = start_floor(page, self.backlog)
            self.state.save()
            self.say(f"watching {self.state.project} at {self.state.url}: series after {self.state.floor} "
                     "will be checked")
        new = sorted((item for item in page if not self.state.is_settled(item["id"])), key=lambda item: item["id"])
        waiting = [item["id"] for item in new if not item.get("received_all")]
        ready = [item["id"] for item in new if item.get("received_all")]
        for series_id in ready:
            line = self._check_one(series_id)
            self.state.settle(series_id, waiting)
            self.state.save()
            self.say(line)
        if not ready and not self.idle:
            note = f" ({len(waiting)} waiting for all their patches)" if waiting else ""
            self.say(f"no new series{note}")
        self.idle = not ready

    def _check_one(self, series_id: int) -> str:
        try:
            return self.check(series_id)
        except NetworkError:
            raise  # the server failed: back off and take the series again
        except PatchflowError as exc:  # a series that cannot be checked is settled with the reason
            return f"series {series_id}: not checked: {exc}"


def _valid(item) -> bool:
    return isinstance(item, dict) and isinstance(item.get("id"), int)
