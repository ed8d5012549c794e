"""A local HTTP server that answers with the responses recorded from a real Patchwork 3.2.1 server.

The recordings (`NAME.json` body, `NAME.headers` status line and headers) live in
`tests/fixtures/patchwork/` (recorded once from a Patchwork 3.2.1 server; INDEX.md there says how); their URLs name http://127.0.0.1:8000, which
is rewritten, in bodies and `Link` headers, to this server's own address. Cases the recordings lack
(a 500, a slow answer, a list that never ends, a body that is not JSON, a 401, patch 2) are built
from recorded responses by the helpers below, and say which one they start from.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple, Union
from urllib.parse import parse_qsl, urlsplit

import pytest

RECORDED_HOST = "http://127.0.0.1:8000"
REPO_ROOT = Path(__file__).resolve().parent.parent


def fixtures_dir() -> Path:
    """`tests/fixtures/patchwork` in this repository. Missing recordings fail the tests: never skip them."""
    candidate = Path(__file__).resolve().parent / "fixtures" / "patchwork"
    if not (candidate / "INDEX.md").is_file():
        raise RuntimeError(f"the recorded Patchwork responses are missing: expected {candidate}/INDEX.md")
    return candidate


@dataclass
class Response:
    status: int
    reason: str
    headers: List[Tuple[str, str]]
    body: bytes
    delay: float = 0.0  # seconds to wait before answering (a slow server)
    hang_up: bool = False  # close the connection without answering (a server that died)
    drip: float = 0.0  # seconds between the body's bytes (a server that answers, but ever so slowly)
    source: str = ""  # the recording it comes from

    def json(self):
        return json.loads(self.body)

    def with_json(self, data, source_note: str = "") -> "Response":
        return Response(self.status, self.reason, list(self.headers), json.dumps(data, indent=4).encode(),
                        source=self.source + source_note)

    def with_status(self, status: int, reason: str) -> "Response":
        return Response(status, reason, list(self.headers), self.body, source=self.source)

    def with_body(self, body: bytes, content_type: Optional[str] = None) -> "Response":
        response = Response(self.status, self.reason, list(self.headers), body, source=self.source)
        return response.with_header("Content-Type", content_type) if content_type else response

    def with_header(self, name: str, value: Optional[str]) -> "Response":
        headers = [(k, v) for k, v in self.headers if k.lower() != name.lower()]
        if value is not None:
            headers.append((name, value))
        return Response(self.status, self.reason, headers, self.body, source=self.source)


def load(name: str) -> Response:
    """A recorded response, as the real server sent it."""
    base = fixtures_dir()
    head = (base / f"{name}.headers").read_text().splitlines()
    _, status, reason = head[0].split(" ", 2)
    headers = []
    for line in head[1:]:
        if ":" in line:
            key, value = line.split(":", 1)
            headers.append((key.strip(), value.strip()))
    return Response(int(status), reason, headers, (base / f"{name}.json").read_bytes(), source=name)


@dataclass
class Received:
    method: str
    path: str
    query: Dict[str, str]
    headers: Dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


Route = Union[Response, List[Response], Callable[[Received], Response]]


@dataclass
class RecordedPatchwork:
    """Routes (method, path, query) to responses. A list of responses is served one per request and
    then sticks on its last (a server whose data changes between polls); a callable answers from the
    request it is given."""

    routes: Dict[tuple, Route] = field(default_factory=dict)
    received: List[Received] = field(default_factory=list)
    unrouted: List[str] = field(default_factory=list)
    base_url: str = ""
    served: set = field(default_factory=set)  # the recordings that were actually served

    def route(self, method: str, target: str, response: Route) -> None:
        self.routes[_key(method, target)] = response

    def requests_to(self, method: str, path: str) -> List[Received]:
        return [r for r in self.received if r.method == method and r.path == path]

    def answer(self, received: Received) -> Response:
        key = (received.method, received.path, tuple(sorted(received.query.items())))
        route = self.routes.get(key)
        if route is None:
            self.unrouted.append(f"{received.method} {received.path} {received.query}")
            return load("error-404")
        if callable(route):
            return route(received)
        if isinstance(route, list):
            return route.pop(0) if len(route) > 1 else route[0]
        return route

    def rewrite(self, data: bytes) -> bytes:
        return data.replace(RECORDED_HOST.encode(), self.base_url.encode())


def _key(method: str, target: str) -> tuple:
    parts = urlsplit(target)
    return (method, parts.path, tuple(sorted(parse_qsl(parts.query, keep_blank_values=True))))


class _Handler(BaseHTTPRequestHandler):
    server_version = "WSGIServer/0.2"
    sys_version = "CPython/3.11.7"

    def log_message(self, *args):  # quiet: pytest shows failures, not every request
        pass

    def _handle(self):
        app: RecordedPatchwork = self.server.app
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        received = Received(self.command, parts.path, dict(parse_qsl(parts.query, keep_blank_values=True)),
                            {k.lower(): v for k, v in self.headers.items()}, body)
        app.received.append(received)
        response = app.answer(received)
        if response.source:
            app.served.add(response.source)
        if response.delay and self.server.release.wait(response.delay):
            return  # the test is over: the client gave up long ago
        if response.hang_up:
            self.close_connection = True
            return
        payload = app.rewrite(response.body)
        self.send_response(response.status, response.reason)
        for key, value in response.headers:
            if key.lower() in ("date", "server", "content-length"):
                continue  # send_response wrote Date and Server; the length is recomputed below
            self.send_header(key, app.rewrite(value.encode()).decode())
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command == "HEAD":
            return
        if not response.drip:
            self.wfile.write(payload)
            return
        for offset in range(len(payload)):
            if self.server.release.wait(response.drip):
                return
            self.wfile.write(payload[offset:offset + 1])
            self.wfile.flush()

    do_GET = do_POST = do_PATCH = do_PUT = do_HEAD = _handle


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # a client that timed out and closed its end is what some tests want; other errors show
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class ServerThread:
    """The HTTP server on 127.0.0.1 at a free port, running in a daemon thread."""

    def __init__(self, app: RecordedPatchwork, port: int = 0):
        self.httpd = _Server(("127.0.0.1", port), _Handler)
        self.httpd.app = app
        self.httpd.release = threading.Event()  # set at shutdown so slow answers stop waiting
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        app.base_url = self.url
        self.app = app
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02},
                                       name="patchwork-test-server", daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


# --- the recorded server, and the responses derived from recordings ----------------------------


def recorded_patchwork() -> RecordedPatchwork:
    """Every recording at the request it was recorded for, plus patch 2 (which was recorded only as
    an item of the patch list) and its checks."""
    app = RecordedPatchwork()
    for name, target in (
        ("index", "/api/"),
        ("index-1.3", "/api/1.3/"),
        ("projects", "/api/1.3/projects/"),
        ("project-netdevbpf", "/api/1.3/projects/netdevbpf/"),
        ("series-list", "/api/1.3/series/?project=netdevbpf"),
        ("series-1", "/api/1.3/series/1/"),
        ("series-2", "/api/1.3/series/2/"),
        ("cover-1", "/api/1.3/covers/1/"),
        ("patch-1", "/api/1.3/patches/1/"),
        ("patch-3", "/api/1.3/patches/3/"),
        ("patch-1-checks", "/api/1.3/patches/1/checks/"),
        ("patch-3-checks", "/api/1.3/patches/3/checks/"),
        ("patches-page1", "/api/1.3/patches/?project=netdevbpf&per_page=2"),
        ("patches-page2", "/api/1.3/patches/?page=2&per_page=2&project=netdevbpf"),
        ("events", "/api/1.3/events/?project=netdevbpf&per_page=5"),
        ("patches-by-msgid", "/api/1.3/patches/?project=netdevbpf&msgid="
                             "0001-scripts-bpf-Support-load-time-binding-of-bpf-helpers-6963%40example.org"),
        ("error-404", "/api/1.3/patches/999/"),
    ):
        app.route("GET", target, load(name))
    app.route("GET", "/api/1.3/patches/2/", patch_2())
    app.route("GET", "/api/1.3/patches/2/checks/", patch_2_checks())
    return app


def patch_2() -> Response:
    """GET /api/1.3/patches/2/: not recorded; the recorded patch list (patches-page1) holds patch 2
    with every field the detail view has but the mail itself (headers, content, diff)."""
    listed = load("patches-page1").json()[1]
    assert listed["id"] == 2
    return load("patch-1").with_json(listed, "+patches-page1[1]")


def patch_2_checks(*results: str) -> Response:
    """GET /api/1.3/patches/2/checks/: not recorded; built from patch-1-checks with the checks INDEX.md
    lists for patch 2 (netdev-subject_prefix success, bpf-vmtest-bpf-next-VM_Test-1 pending, ids 4
    and 5). Each further state in `results` is one more check of VM_Test-1, as CI posts them."""
    recorded = load("patch-1-checks")
    checks = recorded.json()
    first, vmtest = copy.deepcopy(checks[0]), copy.deepcopy(checks[2])
    out = []
    for check_id, check, state in ((4, first, "success"), (5, vmtest, "pending"),
                                   *((6 + i, copy.deepcopy(vmtest), s) for i, s in enumerate(results))):
        check["id"] = check_id
        check["url"] = f"{RECORDED_HOST}/api/1.3/patches/2/checks/{check_id}/"
        check["state"] = state
        check["target_url"] = check["target_url"].rsplit("/", 1)[0] + "/2"
        check["description"] = f"{check['context']} on patch 2: {state}"
        check["date"] = check["date"].replace("10:50:48", f"10:5{min(check_id, 9)}:00")
        out.append(check)
    return Response(recorded.status, recorded.reason,
                    [(k, v.replace("/patches/1/", "/patches/2/")) for k, v in recorded.headers],
                    json.dumps(out, indent=4).encode(), source="patch-1-checks+INDEX.md(patch 2)")


def html_error(status: int, reason: str, base: str = "error-404") -> Response:
    """A 5xx as Django or a proxy in front of it sends it: the recorded error's headers, an HTML body."""
    return load(base).with_status(status, reason).with_body(f"<h1>Server Error ({status})</h1>".encode(), "text/html")


def slow(response: Response, seconds: float) -> Response:
    return Response(response.status, response.reason, list(response.headers), response.body, delay=seconds,
                    source=response.source)


def dripping(response: Response, seconds_per_byte: float) -> Response:
    return Response(response.status, response.reason, list(response.headers), response.body, drip=seconds_per_byte,
                    source=response.source)


def hang_up() -> Response:
    return Response(0, "", [], b"", hang_up=True)


def endless_pages(base: str = "patches-page1") -> Callable[[Received], Response]:
    """A list whose every page says there is a next one: the recorded first page, with its Link
    header pointing one page further each time."""

    def answer(received: Received) -> Response:
        page = int(received.query.get("page", "1"))
        link = (f'<{RECORDED_HOST}/api/1.3/patches/?page={page + 1}&per_page=2&project=netdevbpf>; rel="next", '
                f'<{RECORDED_HOST}/api/1.3/patches/?page=1&per_page=2&project=netdevbpf>; rel="first"')
        return load(base).with_header("Link", link)

    return answer


def empty_list(base: str = "patches-by-msgid") -> Response:
    """A list with no items (an unknown Message-Id): the recorded msgid look-up, emptied."""
    return load(base).with_json([], "(emptied)")


def listed(items, base: str = "patches-by-msgid") -> Response:
    """A one-page list of other recorded items, with the recorded look-up's headers."""
    return load(base).with_json(items, "(other items)")


# --- the maintainer-side recordings (maint-*: mboxes, look-ups, checks posted) ----------------------

MAINT_TOKEN = "5f0c3b8e2a9d4716b3e1c0f7a8d2e6b4c9a1f3d5"  # what the test server takes as a maintainer's token


class CheckStore:
    """The checks of patches 1-3 as recorded (maint-patch-N-checks, after patchflow had posted on
    series 1 and on patch 3), plus whatever the test posts. A POST is answered like the recorded one
    (maint-post-check, 201 with the new check) when it carries MAINT_TOKEN; with no token or another
    one, like the recorded refusals (error-no-token-post, error-bad-token)."""

    def __init__(self):
        self.checks = {n: load(f"maint-patch-{n}-checks").json() for n in (1, 2, 3)}
        self.next_id = 1 + max(c["id"] for checks in self.checks.values() for c in checks)
        self.posted: List[dict] = []

    def get(self, patch_id: int) -> Callable[[Received], Response]:
        def answer(received: Received) -> Response:
            return load(f"maint-patch-{patch_id}-checks").with_json(self.checks[patch_id], "+posted")
        return answer

    def post(self, patch_id: int) -> Callable[[Received], Response]:
        def answer(received: Received) -> Response:
            auth = received.headers.get("authorization")
            if not auth:
                return load("error-no-token-post")
            if auth != f"Token {MAINT_TOKEN}":
                return load("error-bad-token")
            body = received.json()
            check = copy.deepcopy(load("maint-post-check").json())
            check.update(id=self.next_id, url=f"{RECORDED_HOST}/api/1.3/patches/{patch_id}/checks/{self.next_id}/",
                         state=body["state"], context=body["context"], description=body.get("description"),
                         target_url=body.get("target_url"), date=f"2026-12-01T22:{self.next_id % 60:02d}:00.000000")
            self.next_id += 1
            self.checks[patch_id].append(check)
            self.posted.append(dict(check, patch=patch_id))
            return load("maint-post-check").with_json(check, "(this post)").with_header("Location", check["url"])
        return answer


def _recorder():
    """tests/fixtures/patchwork/record_maintainer.py, whose table of what it recorded at which request
    is the table the maintainer server answers from."""
    path = fixtures_dir() / "record_maintainer.py"
    spec = importlib.util.spec_from_file_location("record_maintainer", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def maintainer_patchwork() -> RecordedPatchwork:
    """The maint-* recordings at the requests they were recorded for, and a CheckStore behind the
    check lists of patches 1-3 (`app.store`)."""
    app = RecordedPatchwork()
    for name, target in (("index", "/api/"), ("index-1.3", "/api/1.3/")) + _recorder().READS:
        app.route("GET", target, load(name))
    app.store = CheckStore()
    for patch_id in (1, 2, 3):
        app.route("GET", f"/api/1.3/patches/{patch_id}/checks/", app.store.get(patch_id))
        app.route("POST", f"/api/1.3/patches/{patch_id}/checks/", app.store.post(patch_id))
    return app


def series_list(*ids: int) -> Response:
    """GET /api/1.3/series/?project=netdevbpf&order=-id&per_page=100 holding only these of the
    recorded series (maint-series-list filtered): the list as it stood before later ones arrived."""
    recorded = load("maint-series-list")
    return recorded.with_json([s for s in recorded.json() if s["id"] in ids], f"(only {ids})")


def serve_isolated(app, monkeypatch, tmp_path):
    """Serve `app` on 127.0.0.1 with quick retries, no token in the environment and a git config of
    our own (so the user's patchflow.patchwork.* settings do not leak in), from tmp_path; after the
    test, fail if it asked for anything the recordings do not hold."""
    monkeypatch.setattr("patchflow.patchwork.DEFAULT_BACKOFF", 0.01)
    monkeypatch.delenv("PATCHFLOW_PATCHWORK_TOKEN", raising=False)
    gitconfig = tmp_path / "gitconfig"
    gitconfig.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.chdir(tmp_path)
    with ServerThread(app) as server:
        yield server
    assert not app.unrouted, f"requests the test did not expect: {app.unrouted}"


@pytest.fixture
def maint_patchwork(monkeypatch, tmp_path):
    """The maintainer recordings, served as `patchwork` serves its own; the watch state goes under
    tmp_path/state."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    yield from serve_isolated(maintainer_patchwork(), monkeypatch, tmp_path)


@pytest.fixture
def patchwork(monkeypatch, tmp_path):
    """The recorded Patchwork on 127.0.0.1 (see serve_isolated)."""
    yield from serve_isolated(recorded_patchwork(), monkeypatch, tmp_path)

if __name__ == "__main__":
    # python3 tests/patchwork_server.py [PORT] [--ci-finishes-after N | --maintainer]: serve the recordings until
    # Ctrl-C (the README's examples). With --ci-finishes-after, patch 2's pending check turns to
    # success at the N-th poll; any token posting a check on patch 1 is refused as recorded.
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int, nargs="?", default=0)
    parser.add_argument("--ci-finishes-after", type=int, default=0, metavar="N")
    parser.add_argument("--maintainer", action="store_true",
                        help="serve the maint-* recordings (mboxes, the series list, checks that accept "
                             "posts with MAINT_TOKEN) instead")
    options = parser.parse_args()
    if options.maintainer:
        with ServerThread(maintainer_patchwork(), options.port) as server:
            print(server.url, flush=True)
            try:
                server.thread.join()
            except KeyboardInterrupt:
                pass
        raise SystemExit(0)
    app = recorded_patchwork()
    if options.ci_finishes_after:
        app.route("GET", "/api/1.3/patches/2/checks/",
                  [patch_2_checks()] * options.ci_finishes_after + [patch_2_checks("success")])
    app.route("POST", "/api/1.3/patches/1/checks/", load("error-bad-token"))
    with ServerThread(app, options.port) as server:
        print(server.url, flush=True)
        try:
            server.thread.join()
        except KeyboardInterrupt:
            pass
