"""`patchflow check --patchwork --watch`: each new series once, across restarts and real signals,
against the recorded Patchwork (maint-* recordings)."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading

from patchwork_server import (  # noqa: F401  (maint_patchwork is a fixture)
    MAINT_TOKEN, html_error, load, maint_patchwork, series_list, slow)

LINE_TIMEOUT = 120  # seconds: a watcher that says nothing for this long has hung (a failure, not a sync)


class Watcher:
    """`patchflow check --patchwork --watch` in a child process, its output read line by line."""

    def __init__(self, url, *args, env=None):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "patchflow", "check", "--url", url, "--project", "netdevbpf", "--patchwork",
             "--watch", "--interval", "0.05", "--terse", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ, **(env or {})))
        self.lines = []
        self._queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def until(self, text: str) -> list:
        """The lines up to the first one holding `text` (which the watcher prints when it gets there)."""
        while True:
            line = self._queue.get(timeout=LINE_TIMEOUT)
            assert line is not None, f"the watcher ended before saying {text!r}: {self.lines} {self.proc.stderr.read()}"
            self.lines.append(line)
            if text in line:
                return self.lines

    def stop(self, signum) -> tuple:
        self.proc.send_signal(signum)
        code = self.proc.wait(timeout=LINE_TIMEOUT)
        return code, self.proc.stderr.read()


def checked(lines):
    return [line.split(":")[0] for line in lines if line.startswith("series ") and ": checked" in line]


def mbox_requests(server, series_id):
    return len(server.app.requests_to("GET", f"/series/{series_id}/mbox/"))


def state_of(tmp_path):
    (path,) = (tmp_path / "state" / "patchflow").glob("watch-*.json")
    return json.loads(path.read_text())


def test_a_restart_after_sigterm_checks_only_the_series_that_arrived(maint_patchwork, tmp_path):
    maint_patchwork.app.route("GET", "/api/1.3/series/?project=netdevbpf&order=-id&per_page=100", series_list(1))
    first = Watcher(maint_patchwork.url, "--backlog", "5")
    lines = first.until("no new series")
    assert checked(lines) == ["series 1"]
    assert first.stop(signal.SIGTERM) == (130, "patchflow: interrupted\n")
    assert state_of(tmp_path)["floor"] == 1

    maint_patchwork.app.route("GET", "/api/1.3/series/?project=netdevbpf&order=-id&per_page=100",
                              series_list(1, 2))
    second = Watcher(maint_patchwork.url)
    lines = second.until("no new series")
    assert checked(lines) == ["series 2"]
    assert second.stop(signal.SIGINT)[0] == 130
    assert (mbox_requests(maint_patchwork, 1), mbox_requests(maint_patchwork, 2)) == (1, 1)
    assert state_of(tmp_path)["floor"] == 2


def test_a_series_interrupted_half_way_is_checked_after_the_restart(maint_patchwork, tmp_path):
    reached = threading.Event()

    def stuck_mbox(received):
        reached.set()
        return slow(load("maint-series-2-mbox"), 300)

    maint_patchwork.app.route("GET", "/api/1.3/series/?project=netdevbpf&order=-id&per_page=100", series_list(1, 2))
    maint_patchwork.app.route("GET", "/series/2/mbox/", stuck_mbox)
    first = Watcher(maint_patchwork.url, "--backlog", "5")
    first.until("series 1: checked")
    assert reached.wait(LINE_TIMEOUT), "the watcher never asked for series 2"
    assert first.stop(signal.SIGTERM)[0] == 130
    assert state_of(tmp_path)["floor"] == 1  # series 2 was not finished, so it is not recorded

    maint_patchwork.app.route("GET", "/series/2/mbox/", load("maint-series-2-mbox"))
    second = Watcher(maint_patchwork.url)
    lines = second.until("no new series")
    assert checked(lines) == ["series 2"]
    second.stop(signal.SIGTERM)
    assert mbox_requests(maint_patchwork, 1) == 1


def test_the_watcher_posts_each_series_checks_once(maint_patchwork, tmp_path):
    maint_patchwork.app.route("GET", "/api/1.3/series/?project=netdevbpf&order=-id&per_page=100", series_list(1, 2))
    watcher = Watcher(maint_patchwork.url, "--backlog", "2", "--post-checks", "--report-url",
                      "https://ci.example.org/patchflow/{series}/{patch}/{context}.txt", env={"PATCHFLOW_PATCHWORK_TOKEN": MAINT_TOKEN})
    lines = watcher.until("no new series")
    watcher.stop(signal.SIGTERM)
    assert checked(lines) == ["series 1", "series 2"]
    # series 1's checks were on the server when it was recorded; series 2's patch 3 gets house and message
    assert [(c["patch"], c["context"]) for c in maint_patchwork.app.store.posted] == [
        (3, "patchflow-house"), (3, "patchflow-message")]


def test_server_failures_double_the_wait_and_the_series_is_taken_after_them(maint_patchwork, tmp_path):
    from patchflow.patchwork import PatchworkClient
    from patchflow.patchwork_watch import Watcher as Loop, WatchState, state_path

    maint_patchwork.app.route("GET", "/api/1.3/series/?project=netdevbpf&order=-id&per_page=100",
                              [html_error(500, "Internal Server Error")] * 3 + [series_list(1, 2)])
    client = PatchworkClient(maint_patchwork.url, retries=0)
    state = WatchState.load(state_path(client.url, "netdevbpf"), client.url, "netdevbpf")
    said, waits, done = [], [], []
    loop = Loop(client, state, lambda n: done.append(n) or f"series {n}: checked", said.append, interval=10,
                backlog=2, polls=4, sleep=waits.append)
    loop.run()
    assert waits == [20, 40, 80]
    assert done == [1, 2]
    assert said[0].startswith("patchwork failed (Patchwork at ") and said[0].endswith("next poll in 20 s")
    assert said[-1] == "series 2: checked"
    saved = json.loads(open(state.path).read())
    assert (saved["floor"], saved["settled"]) == (2, [])


def test_a_series_still_arriving_waits_and_later_ones_go_ahead(maint_patchwork, tmp_path):
    from patchflow.patchwork import PatchworkClient
    from patchflow.patchwork_watch import Watcher as Loop, WatchState, state_path

    incomplete = series_list(1, 2).json()
    incomplete[1]["received_all"] = False  # series 1 (newest first: 2, 1), one patch short
    maint_patchwork.app.route("GET", "/api/1.3/series/?project=netdevbpf&order=-id&per_page=100",
                              [series_list(1, 2).with_json(incomplete, "(series 1 incomplete)"), series_list(1, 2)])
    client = PatchworkClient(maint_patchwork.url)
    state = WatchState.load(state_path(client.url, "netdevbpf"), client.url, "netdevbpf")
    said, done = [], []
    Loop(client, state, lambda n: done.append(n) or f"series {n}: checked", said.append, interval=1, backlog=2,
         polls=1, sleep=lambda s: None).run()
    assert done == [2]
    assert json.loads(open(state.path).read())["floor"] == 0
    Loop(client, state, lambda n: done.append(n) or f"series {n}: checked", said.append, interval=1, backlog=2,
         polls=1, sleep=lambda s: None).run()
    assert done == [2, 1]
    assert json.loads(open(state.path).read())["floor"] == 2


def test_a_damaged_state_file_is_one_line(maint_patchwork, tmp_path, run_cli):
    from patchflow.patchwork_watch import state_path

    path = state_path(maint_patchwork.url, "netdevbpf")
    os.makedirs(os.path.dirname(path))
    with open(path, "w") as out:
        out.write("{half a state")
    code, out, err = run_cli("check", "--url", maint_patchwork.url, "--project", "netdevbpf", "--patchwork",
                             "--watch")
    assert (code, out) == (2, "")
    assert err.startswith(f"patchflow: {path}: not a patchflow watch state (") and err.count("\n") == 1
    assert maint_patchwork.app.received == []


def test_once_checks_what_arrived_since_the_last_run_and_exits(maint_patchwork, tmp_path, run_cli):
    route = "/api/1.3/series/?project=netdevbpf&order=-id&per_page=100"
    maint_patchwork.app.route("GET", route, series_list(1))
    args = ("check", "--url", maint_patchwork.url, "--project", "netdevbpf", "--patchwork", "--once", "--terse")
    code, out, err = run_cli(*args)
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == "no new series"
    assert checked(out.splitlines()) == []  # a first run starts after the newest series (no --backlog)
    maint_patchwork.app.route("GET", route, series_list(1, 2))
    code, out, err = run_cli(*args)
    assert (code, err) == (0, "")
    assert checked(out.splitlines()) == ["series 2"]
    code, out, err = run_cli(*args)
    assert out == "no new series\n"
    assert (mbox_requests(maint_patchwork, 1), mbox_requests(maint_patchwork, 2)) == (0, 1)


def test_patchwork_needs_watch_or_once(run_cli):
    code, out, err = run_cli("check", "--patchwork", "--project", "netdevbpf")
    assert (code, out) == (2, "")
    assert err == ("patchflow: --patchwork goes with --watch or --once: patchflow check --patchwork --project NAME "
                   "--watch\n")


def test_a_series_that_cannot_be_read_is_settled_with_the_reason(maint_patchwork, tmp_path, run_cli):
    maint_patchwork.app.route("GET", "/api/1.3/series/?project=netdevbpf&order=-id&per_page=100", series_list(1, 2))
    # series 2's mbox holds only a reply (what a broken archive would serve): nothing to check
    reply = b"From: r@example.org\nSubject: Re: [PATCH bpf-next] scripts/bpf: x\n\nLooks good.\n"
    maint_patchwork.app.route("GET", "/series/2/mbox/", load("maint-series-2-mbox").with_body(reply))
    args = ("check", "--url", maint_patchwork.url, "--project", "netdevbpf", "--patchwork", "--once", "--terse",
            "--backlog", "2")
    code, out, err = run_cli(*args)
    assert (code, err) == (0, "")
    assert "series 2: not checked: series-2.mbox: no patch in it (only replies or mails without a diff)" in out
    assert checked(out.splitlines()) == ["series 1"]
    assert state_of(tmp_path)["floor"] == 2
    assert run_cli(*args)[1] == "no new series\n"
