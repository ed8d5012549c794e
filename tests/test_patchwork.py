"""The Patchwork REST client against a local server answering with recorded Patchwork 3.2.1 responses."""

from __future__ import annotations

import socket

import pytest

from patchflow import patchwork as pw
from patchflow.errors import NetworkError
from patchwork_server import (  # noqa: F401  (patchwork is a fixture)
    dripping, endless_pages, hang_up, html_error, load, patchwork, slow)

MSGID_3 = "0001-scripts-bpf-Support-load-time-binding-of-bpf-helpers-6963@example.org"
TOKEN = "4f5c1a0b7d9e2c3f8a6b5d4e3c2b1a0f9e8d7c6b"


def client(server, **kw):
    return pw.PatchworkClient(server.url, **kw)


def test_version_is_negotiated_from_the_api_index(patchwork):
    c = client(patchwork)
    assert c.version == "1.3"
    assert [r.path for r in patchwork.app.received] == ["/api/", "/api/1.3/"]
    assert c.api("series/1/") == patchwork.url + "/api/1.3/series/1/"


def test_an_older_server_gets_the_newest_version_it_offers(patchwork):
    patchwork.app.route("GET", "/api/1.3/", load("error-404"))
    patchwork.app.route("GET", "/api/1.2/", load("index-1.3"))
    assert client(patchwork).version == "1.2"


def test_a_server_offering_no_known_version_is_an_error(patchwork):
    for version in pw.API_VERSIONS:
        patchwork.app.route("GET", f"/api/{version}/", load("error-404"))
    with pytest.raises(pw.PatchworkError, match=r"offers none of the Patchwork API versions 1\.3, 1\.2, 1\.1, 1\.0"):
        client(patchwork).version


def test_a_web_server_that_is_not_patchwork(patchwork):
    patchwork.app.route("GET", "/api/", load("index").with_body(b"<html>It works!</html>", "text/html"))
    with pytest.raises(pw.PatchworkError, match=r"/api/ answered HTTP 200 with a body that is not JSON "
                                                r"\(text/html: '<html>It works!</html>'\)"):
        client(patchwork).version


def test_lists_are_followed_across_pages_by_the_link_header(patchwork):
    items = client(patchwork).get_list("patches/", {"project": "netdevbpf", "per_page": 2})
    assert [item["id"] for item in items] == [1, 2, 3]
    pages = patchwork.app.requests_to("GET", "/api/1.3/patches/")
    assert [r.query for r in pages] == [{"project": "netdevbpf", "per_page": "2"},
                                        {"page": "2", "per_page": "2", "project": "netdevbpf"}]
    assert {"patches-page1", "patches-page2"} <= patchwork.app.served


def test_a_list_that_never_ends_is_cut_off(patchwork):
    patchwork.app.route("GET", "/api/1.3/patches/?project=netdevbpf&per_page=2", endless_pages())
    for page in range(2, 6):
        patchwork.app.route("GET", f"/api/1.3/patches/?page={page}&per_page=2&project=netdevbpf", endless_pages())
    with pytest.raises(pw.PatchworkError, match=r"does not end: more than 5 pages"):
        client(patchwork, max_pages=5).get_list("patches/", {"project": "netdevbpf", "per_page": 2})
    assert len(patchwork.app.requests_to("GET", "/api/1.3/patches/")) == 5


def test_a_list_whose_next_page_is_itself_is_cut_off(patchwork):
    first = load("patches-page1")
    looping = first.with_header("Link", '<http://127.0.0.1:8000/api/1.3/patches/?page=2&per_page=2&project=netdevbpf>; '
                                        'rel="next"')
    patchwork.app.route("GET", "/api/1.3/patches/?project=netdevbpf&per_page=2", first)
    patchwork.app.route("GET", "/api/1.3/patches/?page=2&per_page=2&project=netdevbpf", looping)
    with pytest.raises(pw.PatchworkError, match=r"go round in a circle"):
        client(patchwork).get_list("patches/", {"project": "netdevbpf", "per_page": 2})


@pytest.mark.parametrize("msgid", [MSGID_3, f"<{MSGID_3}>", f"  <{MSGID_3}> "])
def test_msgid_lookup_with_or_without_angle_brackets(patchwork, msgid):
    found = client(patchwork).patches_by_msgid(msgid, "netdevbpf")
    assert [(p["id"], p["state"]) for p in found] == [(3, "changes-requested")]
    (request,) = patchwork.app.requests_to("GET", "/api/1.3/patches/")
    assert request.query == {"project": "netdevbpf", "msgid": MSGID_3}


def test_checks_of_patch_1_include_the_failing_one(patchwork):
    checks = client(patchwork).checks(1)
    assert [(c["context"], c["state"]) for c in checks] == [
        ("netdev-subject_prefix", "success"), ("netdev-build_32bit", "success"),
        ("bpf-vmtest-bpf-next-VM_Test-1", "fail")]
    assert pw.aggregate_check(c["state"] for c in checks) == "fail"


def test_the_aggregate_follows_patchwork():
    assert pw.aggregate_check([]) == "pending"
    assert pw.aggregate_check(["success", "pending"]) == "pending"
    assert pw.aggregate_check(["pending", "warning", "success"]) == "warning"
    assert pw.aggregate_check(["warning", "fail"]) == "fail"
    assert pw.aggregate_check(["success", "success"]) == "success"


def test_only_the_newest_check_of_a_context_counts():
    checks = [{"id": 5, "context": "vm", "state": "pending", "date": "2026-11-25T10:55:00"},
              {"id": 4, "context": "prefix", "state": "success", "date": "2026-11-25T10:54:00"},
              {"id": 6, "context": "vm", "state": "success", "date": "2026-11-25T10:56:00"}]
    assert [(c["context"], c["state"]) for c in pw.latest_checks(checks)] == [("vm", "success"), ("prefix", "success")]


def test_a_5xx_is_retried_with_back_off_then_succeeds(patchwork, monkeypatch):
    sleeps = []
    monkeypatch.setattr(pw.time, "sleep", sleeps.append)
    patchwork.app.route("GET", "/api/1.3/series/1/", [html_error(503, "Service Unavailable"),
                                                      html_error(502, "Bad Gateway"), load("series-1")])
    series = client(patchwork, backoff=0.5).series(1)
    assert series["received_all"] is True
    assert len(patchwork.app.requests_to("GET", "/api/1.3/series/1/")) == 3
    assert sleeps == [0.5, 1.0]


def test_a_5xx_after_every_retry_is_an_error(patchwork, monkeypatch):
    sleeps = []
    monkeypatch.setattr(pw.time, "sleep", sleeps.append)
    patchwork.app.route("GET", "/api/1.3/series/1/", html_error(500, "Internal Server Error"))
    with pytest.raises(NetworkError, match=r"GET /api/1.3/series/1/: HTTP 500 Internal Server Error "
                                           r"\(after 4 attempts\)$"):
        client(patchwork, retries=3, backoff=0.25).series(1)
    assert sleeps == [0.25, 0.5, 1.0]


def test_a_post_is_not_repeated_after_a_5xx(patchwork):
    patchwork.app.route("POST", "/api/1.3/patches/1/checks/", html_error(500, "Internal Server Error"))
    with pytest.raises(pw.PatchworkError, match=r"POST /api/1.3/patches/1/checks/: HTTP 500"):
        client(patchwork, token=TOKEN).post_check(1, "patchflow-check", "success")
    assert len(patchwork.app.requests_to("POST", "/api/1.3/patches/1/checks/")) == 1


def test_a_server_that_does_not_answer_times_out(patchwork):
    patchwork.app.route("GET", "/api/1.3/series/1/", slow(load("series-1"), 5))
    with pytest.raises(pw.PatchworkError, match=r"GET /api/1.3/series/1/: no answer within 0.2 s \(after 2 attempts\)"):
        client(patchwork, timeout=0.2, retries=1).series(1)


def test_a_server_that_dribbles_its_answer_is_cut_off(patchwork):
    patchwork.app.route("GET", "/api/1.3/series/1/", dripping(load("series-1"), 0.05))
    with pytest.raises(pw.PatchworkError, match=r"GET /api/1.3/series/1/: the answer did not arrive within 0.3 s$"):
        client(patchwork, timeout=0.3, retries=0).series(1)


def test_a_server_that_hangs_up(patchwork):
    patchwork.app.route("GET", "/api/1.3/series/1/", hang_up())
    with pytest.raises(pw.PatchworkError, match=r"series/1/: .*(remote end closed connection|connection reset)"):
        client(patchwork, retries=1).series(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_refused_connection(monkeypatch):
    monkeypatch.setattr(pw, "DEFAULT_BACKOFF", 0.01)
    port = free_port()
    with pytest.raises(NetworkError, match=rf"Patchwork at http://127.0.0.1:{port}: GET /api/: connection refused "
                                           r"\(after 3 attempts\)"):
        pw.PatchworkClient(f"http://127.0.0.1:{port}", retries=2).version


def test_a_body_that_is_not_json(patchwork):
    page = b"<html><body>Patchwork is down for maintenance</body></html>"
    patchwork.app.route("GET", "/api/1.3/series/1/", load("series-1").with_body(page, "text/html"))
    with pytest.raises(pw.PatchworkError, match=r"series/1/ answered HTTP 200 with a body that is not JSON "
                                                r"\(text/html: '<html><body>Patchwork is down"):
        client(patchwork).series(1)


def test_a_body_cut_short(patchwork):
    recorded = load("series-1")
    patchwork.app.route("GET", "/api/1.3/series/1/", recorded.with_body(recorded.body[:700]))
    with pytest.raises(pw.PatchworkError, match=r"not JSON \(application/json"):
        client(patchwork).series(1)


def test_json_of_the_wrong_shape(patchwork):
    patchwork.app.route("GET", "/api/1.3/series/1/", load("patches-page2"))
    with pytest.raises(pw.PatchworkError, match=r"answered a JSON list where series 1 \(a JSON object with an id\) "
                                                r"was expected"):
        client(patchwork).series(1)


def test_an_unknown_patch_is_not_found(patchwork):
    with pytest.raises(pw.NotFound, match=r"has no patch 999: No Patch matches the given query\."):
        client(patchwork).patch(999)


def test_the_token_is_sent_only_on_writes(patchwork):
    patchwork.app.route("POST", "/api/1.3/patches/1/checks/", load("error-bad-token"))
    c = client(patchwork, token=TOKEN)
    c.patch(1)
    with pytest.raises(pw.AuthError):
        c.post_check(1, "patchflow-check", "success", "3 warnings", "https://ci.example.org/1")
    assert all("authorization" not in r.headers for r in patchwork.app.received if r.method == "GET")
    (post,) = patchwork.app.requests_to("POST", "/api/1.3/patches/1/checks/")
    assert post.headers["authorization"] == f"Token {TOKEN}"
    assert post.json() == {"context": "patchflow-check", "state": "success", "description": "3 warnings",
                           "target_url": "https://ci.example.org/1"}
    assert TOKEN not in repr(c)


def test_a_bad_token_is_named_as_such(patchwork):
    patchwork.app.route("POST", "/api/1.3/patches/1/checks/", load("error-bad-token"))
    with pytest.raises(pw.AuthError, match=r"refused POST /api/1.3/patches/1/checks/ with 403 \(Invalid token.\): "
                                           r"the token is not valid$") as caught:
        client(patchwork, token=TOKEN).post_check(1, "patchflow-check", "success")
    assert TOKEN not in str(caught.value)


def test_a_401_is_a_bad_token(patchwork):
    unauthorized = load("error-bad-token").with_status(401, "Unauthorized").with_header("WWW-Authenticate", "Token")
    patchwork.app.route("PATCH", "/api/1.3/patches/1/", unauthorized)
    with pytest.raises(pw.AuthError, match=r"with 401 \(Invalid token.\): the token is not valid"):
        client(patchwork, token=TOKEN).set_state(1, "accepted")


def test_a_missing_token_is_named_as_such(patchwork):
    patchwork.app.route("POST", "/api/1.3/patches/1/checks/", load("error-no-token-post"))
    with pytest.raises(pw.AuthError, match=r"with 403 \(You do not have permission to perform this action.\): "
                                           r"no token was sent"):
        client(patchwork).post_check(1, "patchflow-check", "success")


def test_a_valid_token_without_the_right(patchwork):
    patchwork.app.route("PATCH", "/api/1.3/patches/1/", load("error-no-token-post"))
    with pytest.raises(pw.AuthError, match=r"the token is valid but its user may not do this"):
        client(patchwork, token=TOKEN).set_state(1, "accepted")


def test_urls_are_normalized():
    assert pw.normalize_url("https://patchwork.kernel.org/") == "https://patchwork.kernel.org"
    assert pw.normalize_url("https://patchwork.kernel.org/api/1.3/") == "https://patchwork.kernel.org"
    assert pw.normalize_url("http://example.org/patchwork/api") == "http://example.org/patchwork"
    with pytest.raises(pw.PatchworkError, match="not an http:// or https:// URL"):
        pw.normalize_url("patchwork.kernel.org")
