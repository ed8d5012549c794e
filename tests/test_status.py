"""`patchflow status` against a local server answering with recorded Patchwork 3.2.1 responses."""

from __future__ import annotations

import json
import re
import socket
import subprocess

import pytest

from conftest import run_patchflow
from patchflow.commands.status import project_of_tree
from patchwork_server import (  # noqa: F401  (patchwork is a fixture)
    RECORDED_HOST, Received, Response, empty_list, hang_up, html_error, listed, load, patch_2_checks, patchwork, slow)

MSGID_1 = "b3a4d3f5c225eb38e745a0d96f23cb6f9e4a7e19.1795564222.git.alan@example.org"
MSGID_3 = "0001-scripts-bpf-Support-load-time-binding-of-bpf-helpers-6963@example.org"
COVER_MSGID = "cover.1795564222.git.alan@example.org"
TOKEN = "9d2c7e41b0a85f36e1d4c2b7a9f08e3d5c6b1a27"


def status(run_cli, server, *args):
    return run_cli("status", "--url", server.url, *args)


def one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("patchflow: ")
    assert "Traceback" not in err
    return lines[0]


# --- what a contributor sees ------------------------------------------------------------------


def test_series_1_shows_its_failing_and_pending_checks(run_cli, patchwork):
    code, out, err = status(run_cli, patchwork, "--series", "1")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "series 1 v2: Two small cleanups in bpf_doc.py and libbpf"
    assert lines[1] == ("  received 2 of 2 patches (complete); cover letter: "
                        "[bpf-next,v2,0/2] Two small cleanups in bpf_doc.py and libbpf")
    assert lines[2] == f"  {patchwork.url}/project/netdevbpf/list/?series=1"
    assert re.fullmatch(r"  PATCH +STATE +DELEGATE +DATE +CHECK +NAME", lines[4])
    assert re.fullmatch(r"  1 +under-review +- +2026-11-24 23:50 +fail +\[bpf-next,v2,1/2\] scripts/bpf: Reword a "
                        r"comment about the default header path", lines[5])
    assert re.fullmatch(r" +fail +bpf-vmtest-bpf-next-VM_Test-1 +bpf-vmtest-bpf-next-VM_Test-1 on patch 1: fail +"
                        r"https://ci.example.org/bpf-vmtest-bpf-next-VM_Test-1/1", lines[8])
    assert re.fullmatch(r"  2 +new +- +2026-11-24 23:50 +pending +\[bpf-next,v2,2/2\] libbpf: End the Makefile "
                        r"with a blank line", lines[9])
    assert re.fullmatch(r" +pending +bpf-vmtest-bpf-next-VM_Test-1 +bpf-vmtest-bpf-next-VM_Test-1 on patch 2: "
                        r"pending +https://ci.example.org/bpf-vmtest-bpf-next-VM_Test-1/2", lines[11])
    assert len(lines) == 12
    assert {"series-1", "patch-1", "patch-1-checks", "index", "index-1.3"} <= patchwork.app.served


def test_patch_3_is_changes_requested_with_a_checkpatch_warning(run_cli, patchwork):
    code, out, err = status(run_cli, patchwork, "--patch", "3")
    assert (code, err) == (0, "")
    assert "series 2 v1: [bpf-next] scripts/bpf: Support load-time binding of bpf helpers" in out
    assert "  received 1 of 1 patches (complete); no cover letter" in out
    assert re.search(r"^  3 +changes-requested +- +2026-11-24 22:08 +warning +\[bpf-next\] scripts/bpf", out, re.M)
    assert re.search(r"^ +warning +netdev-checkpatch +netdev-checkpatch on patch 3: warning", out, re.M)
    assert re.search(r"^ +success +netdev-tree_selection ", out, re.M)
    assert {"patch-3", "patch-3-checks", "series-2"} <= patchwork.app.served


def test_json_has_the_same_facts(run_cli, patchwork):
    code, out, err = status(run_cli, patchwork, "--series", "1", "--format", "json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    (series,) = data["series"]
    assert (series["id"], series["version"], series["received_all"], series["patches"]) == (1, 2, True, [1, 2])
    assert series["cover_letter"]["msgid"] == f"<{COVER_MSGID}>"
    states = {p["id"]: (p["state"], p["check"]) for p in data["patches"]}
    assert states == {1: ("under-review", "fail"), 2: ("new", "pending")}
    patch_2 = data["patches"][1]
    assert patch_2["checks"] == [
        {"context": "netdev-subject_prefix", "state": "success",
         "description": "netdev-subject_prefix on patch 2: success",
         "target_url": "https://ci.example.org/netdev-subject_prefix/2"},
        {"context": "bpf-vmtest-bpf-next-VM_Test-1", "state": "pending",
         "description": "bpf-vmtest-bpf-next-VM_Test-1 on patch 2: pending",
         "target_url": "https://ci.example.org/bpf-vmtest-bpf-next-VM_Test-1/2"}]
    assert data["api_version"] == "1.3"


@pytest.mark.parametrize("msgid", [MSGID_3, f"<{MSGID_3}>"])
def test_msgid_lookup_infers_the_project_from_the_tree(run_cli, patchwork, msgid):
    code, out, err = status(run_cli, patchwork, "--msgid", msgid, "--tree", "bpf-next", "--format", "json")
    assert (code, err) == (0, "")
    assert [(p["id"], p["state"]) for p in json.loads(out)["patches"]] == [(3, "changes-requested")]
    (lookup,) = patchwork.app.requests_to("GET", "/api/1.3/patches/")
    assert lookup.query == {"project": "netdevbpf", "msgid": MSGID_3}
    assert "patches-by-msgid" in patchwork.app.served


def test_an_unknown_msgid(run_cli, patchwork):
    patchwork.app.route("GET", "/api/1.3/patches/?project=netdevbpf&msgid=nothing@example.org", empty_list())
    patchwork.app.route("GET", "/api/1.3/covers/?project=netdevbpf&msgid=nothing@example.org", empty_list())
    code, out, err = status(run_cli, patchwork, "--msgid", "<nothing@example.org>", "--project", "netdevbpf")
    assert code == 2 and out == ""
    assert one_error_line(err) == (f"patchflow: Patchwork at {patchwork.url} has no patch or cover letter with "
                                   "Message-Id <nothing@example.org> in project netdevbpf: not received yet, "
                                   "or another project?")


def mail(recorded: str) -> str:
    """A git format-patch file holding the mail Patchwork recorded."""
    data = load(recorded).json()
    headers = {key: " ".join(value.split()) for key, value in data["headers"].items()}
    head = ["From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001"]
    for key in ("From", "Date", "Subject", "Message-Id", "In-Reply-To", "References"):
        if key in headers:
            head.append(f"{key}: {headers[key]}")
    body = data["content"] + "\n\n" + (data.get("diff") or "") + "--\n2.47.3\n"
    return "\n".join(head) + "\n\n" + body


def test_a_format_directory_is_looked_up_by_message_id(run_cli, patchwork, tmp_path):
    outdir = tmp_path / "outgoing"
    outdir.mkdir()
    (outdir / "0000-cover-letter.patch").write_text(mail("cover-1"))
    (outdir / "0001-scripts-bpf-Reword-a-comment.patch").write_text(mail("patch-1"))
    patch_1_listed = load("patches-page1").json()[0]
    patchwork.app.route("GET", f"/api/1.3/patches/?project=netdevbpf&msgid={MSGID_1}", listed([patch_1_listed]))
    code, out, err = status(run_cli, patchwork, outdir)  # the project comes from the subject's bpf-next
    assert (code, err) == (0, "")
    assert out.startswith("series 1 v2: Two small cleanups in bpf_doc.py and libbpf\n")
    assert re.search(r"^  1 +under-review +- .* fail ", out, re.M)
    assert "bpf-vmtest-bpf-next-VM_Test-1 on patch 1: fail" in out
    # the cover letter was not looked up: its patches find the series
    assert [r.path for r in patchwork.app.received if "msgid" in r.query] == ["/api/1.3/patches/"]


def test_a_cover_letter_selects_its_whole_series(run_cli, patchwork, tmp_path):
    cover = tmp_path / "0000-cover-letter.patch"
    cover.write_text(mail("cover-1"))
    patchwork.app.route("GET", f"/api/1.3/covers/?project=netdevbpf&msgid={COVER_MSGID}",
                        listed([load("cover-1").json()]))
    code, out, err = status(run_cli, patchwork, cover)
    assert (code, err) == (0, "")
    assert re.search(r"^  1 +under-review ", out, re.M) and re.search(r"^  2 +new ", out, re.M)


def test_a_patch_file_without_message_id(run_cli, patchwork, tmp_path):
    text = "\n".join(line for line in mail("patch-3").splitlines() if not line.startswith("Message-Id:"))
    path = tmp_path / "0001-no-id.patch"
    path.write_text(text + "\n")
    code, out, err = status(run_cli, patchwork, path)
    assert code == 2
    assert one_error_line(err) == (f"patchflow: {path}: no Message-Id header, so Patchwork cannot find it "
                                   "(git format-patch --thread, or patchflow format, writes one)")
    assert patchwork.app.received == []


def test_nothing_selected(run_cli, patchwork):
    code, out, err = status(run_cli, patchwork)
    assert code == 2
    assert one_error_line(err) == ("patchflow: nothing selected: give --series ID, --patch ID, --msgid MSGID, "
                                   "or patch files")


def test_url_and_project_come_from_git_config(run_cli, patchwork, tmp_path, monkeypatch):
    subprocess.run(["git", "init", "-q", str(tmp_path / "repo")], check=True)
    subprocess.run(["git", "-C", str(tmp_path / "repo"), "config", "patchflow.patchwork.url", patchwork.url], check=True)
    subprocess.run(["git", "-C", str(tmp_path / "repo"), "config", "patchflow.patchwork.project", "netdevbpf"],
                   check=True)
    monkeypatch.chdir(tmp_path / "repo")
    code, out, err = run_cli("status", "--msgid", MSGID_3)
    assert (code, err) == (0, "")
    assert re.search(r"^  3 +changes-requested ", out, re.M)
    assert patchwork.app.requests_to("GET", "/api/1.3/patches/")[0].query["project"] == "netdevbpf"


# --- --watch ----------------------------------------------------------------------------------


def test_watch_prints_what_changed_and_ends_when_nothing_is_pending(run_cli, patchwork):
    patchwork.app.route("GET", "/api/1.3/patches/2/checks/",
                        [patch_2_checks(), patch_2_checks(), patch_2_checks("success")])
    code, out, err = status(run_cli, patchwork, "--series", "1", "--watch", "--interval", "0.01")
    assert (code, err) == (0, "")
    table, _, rest = out.partition("  2      new")
    assert "pending  bpf-vmtest-bpf-next-VM_Test-1" in rest
    after = rest.splitlines()[3:]
    assert len(after) == 2, after
    assert re.fullmatch(r"\[\d\d:\d\d:\d\d\] patch 2: check bpf-vmtest-bpf-next-VM_Test-1: pending -> success  "
                        r"bpf-vmtest-bpf-next-VM_Test-1 on patch 2: success  "
                        r"https://ci.example.org/bpf-vmtest-bpf-next-VM_Test-1/2", after[0])
    assert re.fullmatch(r"\[\d\d:\d\d:\d\d\] no check is pending: done", after[1])
    assert len(patchwork.app.requests_to("GET", "/api/1.3/patches/2/checks/")) == 3


def test_watch_as_json_lines(run_cli, patchwork):
    patchwork.app.route("GET", "/api/1.3/patches/2/checks/", [patch_2_checks(), patch_2_checks("success")])
    code, out, err = status(run_cli, patchwork, "--series", "1", "--watch", "--interval", "0.01", "--format", "json")
    assert (code, err) == (0, "")
    first, second = (json.loads(line) for line in out.splitlines())
    assert first["changes"] == [] and first["patches"][1]["check"] == "pending"
    assert second["changes"] == [{"patch": 2, "what": "check", "context": "bpf-vmtest-bpf-next-VM_Test-1",
                                  "from": "pending", "to": "success",
                                  "description": "bpf-vmtest-bpf-next-VM_Test-1 on patch 2: success",
                                  "target_url": "https://ci.example.org/bpf-vmtest-bpf-next-VM_Test-1/2"}]
    assert second["patches"][1]["check"] == "success"


def test_watch_with_nothing_pending_ends_at_once(run_cli, patchwork):
    code, out, err = status(run_cli, patchwork, "--patch", "3", "--watch", "--interval", "30")
    assert (code, err) == (0, "")
    assert out.splitlines()[-1].endswith("] no check is pending: done")
    assert len(patchwork.app.requests_to("GET", "/api/1.3/patches/3/checks/")) == 1


# --- maintainer actions -------------------------------------------------------------------------


def accepting_patch_1(app):
    """PATCH /api/1.3/patches/1/ as Patchwork answers it: the patch (recorded patch-1) in its new
    state; later GETs of the patch see the change."""

    def answer(received):
        data = load("patch-1").json()
        data["state"] = received.json()["state"]
        changed = load("patch-1").with_json(data, "(state changed)")
        app.route("GET", "/api/1.3/patches/1/", changed)
        return changed

    return answer


def posting_checks(app, patch_ids):
    """POST /api/1.3/patches/N/checks/: 201 and the new check, shaped as the recorded checks of patch
    1; later GETs of the checks list include it."""
    recorded = load("patch-1-checks")

    def answer_for(patch_id):
        def answer(received):
            listing = f"/api/1.3/patches/{patch_id}/checks/"
            base = app.answer(Received("GET", listing, {}, {}, b"")).json()
            new = dict(recorded.json()[0], **received.json())
            new.update(id=100 + patch_id, date="2026-11-25T12:00:00.000000",
                       url=f"{RECORDED_HOST}/api/1.3/patches/{patch_id}/checks/{100 + patch_id}/")
            app.route("GET", f"/api/1.3/patches/{patch_id}/checks/", recorded.with_json(base + [new], "(+posted)"))
            return Response(201, "Created", [(k, v) for k, v in recorded.headers if k != "Link"],
                            json.dumps(new).encode(), source="patch-1-checks[0](created)")

        return answer

    for patch_id in patch_ids:
        app.route("POST", f"/api/1.3/patches/{patch_id}/checks/", answer_for(patch_id))


def test_set_state_sends_the_token_and_shows_the_new_state(run_cli, patchwork):
    patchwork.app.route("PATCH", "/api/1.3/patches/1/", accepting_patch_1(patchwork.app))
    code, out, err = status(run_cli, patchwork, "--patch", "1", "--set-state", "accepted", "--token", TOKEN)
    assert (code, err) == (0, "")
    (sent,) = patchwork.app.requests_to("PATCH", "/api/1.3/patches/1/")
    assert sent.json() == {"state": "accepted"}
    assert sent.headers["authorization"] == f"Token {TOKEN}"
    assert sent.headers["content-type"] == "application/json"
    assert out.splitlines()[0] == "patch 1: state set to accepted"
    assert re.search(r"^  1 +accepted +- ", out, re.M)
    assert TOKEN not in out + err


def test_post_check_on_every_patch_of_the_series(run_cli, patchwork, monkeypatch):
    monkeypatch.setenv("PATCHFLOW_PATCHWORK_TOKEN", TOKEN)
    posting_checks(patchwork.app, [1, 2])
    code, out, err = status(run_cli, patchwork, "--series", "1", "--post-check", "patchflow-check", "warning",
                            "--description", "2 warnings, 0 errors", "--target-url", "https://ci.example.org/pf/1")
    assert (code, err) == (0, "")
    for patch_id in (1, 2):
        (sent,) = patchwork.app.requests_to("POST", f"/api/1.3/patches/{patch_id}/checks/")
        assert sent.json() == {"context": "patchflow-check", "state": "warning",
                               "description": "2 warnings, 0 errors", "target_url": "https://ci.example.org/pf/1"}
        assert sent.headers["authorization"] == f"Token {TOKEN}"
    assert out.splitlines()[:2] == ["patch 1: check patchflow-check posted: warning",
                                    "patch 2: check patchflow-check posted: warning"]
    assert len(re.findall(r"^ +warning +patchflow-check +2 warnings, 0 errors +https://ci.example.org/pf/1$",
                          out, re.M)) == 2
    # a warning outranks patch 2's pending check in the aggregate, as on Patchwork; a fail outranks it
    assert re.search(r"^  2 +new .* warning ", out, re.M) and re.search(r"^  1 +under-review .* fail ", out, re.M)
    assert re.search(r"^ +pending +bpf-vmtest-bpf-next-VM_Test-1 ", out, re.M)
    assert TOKEN not in out + err


def test_the_token_may_come_from_git_config(run_cli, patchwork):
    subprocess.run(["git", "config", "--global", "patchflow.patchwork.token", TOKEN], check=True)
    posting_checks(patchwork.app, [3])
    code, out, err = status(run_cli, patchwork, "--patch", "3", "--post-check", "patchflow-check", "success")
    assert (code, err) == (0, "")
    (sent,) = patchwork.app.requests_to("POST", "/api/1.3/patches/3/checks/")
    assert sent.headers["authorization"] == f"Token {TOKEN}"
    assert sent.json() == {"context": "patchflow-check", "state": "success", "description": ""}
    assert TOKEN not in out + err


def test_a_context_that_is_not_a_slug_is_refused_before_sending(run_cli, patchwork):
    code, out, err = status(run_cli, patchwork, "--patch", "1", "--post-check", "netdev/checkpatch", "success",
                            "--token", TOKEN)
    assert code == 2
    assert one_error_line(err) == ("patchflow: --post-check: context 'netdev/checkpatch' is not a slug: Patchwork "
                                   "accepts only letters, digits, '-' and '_' in a check context and refuses "
                                   "others with 400 (try 'netdev-checkpatch')")
    assert patchwork.app.received == []


def test_an_unknown_check_state_is_refused(run_cli, patchwork):
    code, out, err = status(run_cli, patchwork, "--patch", "1", "--post-check", "patchflow-check", "passed",
                            "--token", TOKEN)
    assert code == 2
    assert one_error_line(err) == ("patchflow: --post-check: state 'passed' is not a check state: use one of "
                                   "pending, success, warning, fail")


def test_a_missing_token_is_named(run_cli, patchwork):
    code, out, err = status(run_cli, patchwork, "--patch", "1", "--set-state", "accepted")
    assert code == 2
    assert one_error_line(err) == ("patchflow: --set-state needs a Patchwork API token: give --token, set "
                                   "$PATCHFLOW_PATCHWORK_TOKEN, or git config patchflow.patchwork.token (none is set)")
    assert patchwork.app.received == []


def test_a_bad_token_is_named_with_where_it_came_from(run_cli, patchwork, monkeypatch):
    monkeypatch.setenv("PATCHFLOW_PATCHWORK_TOKEN", TOKEN)
    patchwork.app.route("POST", "/api/1.3/patches/1/checks/", load("error-bad-token"))
    code, out, err = status(run_cli, patchwork, "--patch", "1", "--post-check", "patchflow-check", "success")
    assert code == 2 and out == ""
    assert one_error_line(err) == (f"patchflow: Patchwork at {patchwork.url} refused POST /api/1.3/patches/1/checks/ "
                                   "with 403 (Invalid token.): the token is not valid (the token from "
                                   "PATCHFLOW_PATCHWORK_TOKEN)")
    assert TOKEN not in err


def test_a_401_names_the_bad_token(run_cli, patchwork):
    unauthorized = load("error-bad-token").with_status(401, "Unauthorized").with_header("WWW-Authenticate", "Token")
    patchwork.app.route("PATCH", "/api/1.3/patches/1/", unauthorized)
    code, out, err = status(run_cli, patchwork, "--patch", "1", "--set-state", "accepted", "--token", TOKEN)
    assert code == 2
    assert one_error_line(err).endswith("with 401 (Invalid token.): the token is not valid (the token from --token)")
    assert TOKEN not in out + err


def test_a_token_without_maintainer_rights(run_cli, patchwork):
    patchwork.app.route("PATCH", "/api/1.3/patches/1/", load("error-no-token-post"))
    code, out, err = status(run_cli, patchwork, "--patch", "1", "--set-state", "accepted", "--token", TOKEN)
    assert code == 2
    assert one_error_line(err).endswith("with 403 (You do not have permission to perform this action.): the token "
                                        "is valid but its user may not do this (not a maintainer of the project?) "
                                        "(the token from --token)")


# --- failures ---------------------------------------------------------------------------------


def test_an_unknown_series_is_404(run_cli, patchwork):
    patchwork.app.route("GET", "/api/1.3/series/999/", load("error-404"))
    code, out, err = status(run_cli, patchwork, "--series", "999")
    assert code == 2 and out == ""
    assert one_error_line(err) == (f"patchflow: Patchwork at {patchwork.url} has no series 999: No Patch matches the "
                                   "given query. (GET /api/1.3/series/999/)")


def test_a_server_that_refuses_connections(run_cli, monkeypatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code, out, err = run_cli("status", "--url", f"http://127.0.0.1:{port}", "--series", "1", "--retries", "0")
    assert code == 2 and out == ""
    assert one_error_line(err) == f"patchflow: Patchwork at http://127.0.0.1:{port}: GET /api/: connection refused"


def test_a_server_that_dies_mid_request(run_cli, patchwork):
    patchwork.app.route("GET", "/api/1.3/series/1/", hang_up())
    code, out, err = status(run_cli, patchwork, "--series", "1", "--retries", "1")
    assert code == 2 and out == ""
    assert one_error_line(err) == (f"patchflow: Patchwork at {patchwork.url}: GET /api/1.3/series/1/: remote end "
                                   "closed connection without response (after 2 attempts)")


def test_the_project_of_a_tree():
    assert [project_of_tree(name) for name in ("bpf", "bpf-next", "net", "net-next", "/home/me/src/net-next/",
                                               "mm", None)] == ["netdevbpf"] * 5 + [None, None]


def test_a_server_that_accepts_but_never_answers(run_cli, patchwork):
    patchwork.app.route("GET", "/api/1.3/patches/1/", slow(load("patch-1"), 5))
    code, out, err = status(run_cli, patchwork, "--patch", "1", "--timeout", "0.2", "--retries", "1")
    assert code == 2 and out == ""
    assert one_error_line(err) == (f"patchflow: Patchwork at {patchwork.url}: GET /api/1.3/patches/1/: no answer "
                                   "within 0.2 s (after 2 attempts)")


def test_a_5xx_after_the_retries(run_cli, patchwork):
    patchwork.app.route("GET", "/api/1.3/series/1/", html_error(502, "Bad Gateway"))
    code, out, err = status(run_cli, patchwork, "--series", "1", "--retries", "2")
    assert code == 2 and out == ""
    assert one_error_line(err) == (f"patchflow: Patchwork at {patchwork.url}: GET /api/1.3/series/1/: HTTP 502 "
                                   "Bad Gateway (after 3 attempts)")
    assert len(patchwork.app.requests_to("GET", "/api/1.3/series/1/")) == 3


def test_a_5xx_that_clears_up_is_not_an_error(run_cli, patchwork):
    patchwork.app.route("GET", "/api/1.3/patches/3/", [html_error(503, "Service Unavailable"), load("patch-3")])
    code, out, err = status(run_cli, patchwork, "--patch", "3")
    assert (code, err) == (0, "")
    assert "changes-requested" in out


def test_a_body_that_is_not_json(run_cli, patchwork):
    patchwork.app.route("GET", "/api/1.3/patches/3/checks/",
                        load("patch-3-checks").with_body(b"<!DOCTYPE html><title>Login</title>", "text/html"))
    code, out, err = status(run_cli, patchwork, "--patch", "3")
    assert code == 2 and out == ""
    assert one_error_line(err) == (f"patchflow: {patchwork.url}/api/1.3/patches/3/checks/ answered HTTP 200 with a "
                                   "body that is not JSON (text/html: '<!DOCTYPE html><title>Login</title>')")


def test_json_that_is_not_what_patchwork_sends(run_cli, patchwork):
    patchwork.app.route("GET", "/api/1.3/patches/3/", load("patches-by-msgid"))
    code, out, err = status(run_cli, patchwork, "--patch", "3")
    assert code == 2
    assert one_error_line(err).endswith("answered a JSON list where patch 3 (a JSON object with an id) was expected")


@pytest.mark.parametrize("field, value, message", [
    ("series", 5, "the series of patch 3 that is not a list"),
    ("series", [{"id": "two"}], "a series without a numeric id"),
    ("series", "[" * 100000 + "]" * 100000, None),
])
def test_patch_json_of_the_wrong_kind(run_cli, patchwork, field, value, message):
    data = load("patch-3").json()
    if message is None:  # nested deeper than any JSON parser recurses
        body = json.dumps(data).replace('"series": [', f'"series": [{value}, ', 1).encode()
        patchwork.app.route("GET", "/api/1.3/patches/3/", load("patch-3").with_body(body))
        message = "with a body that is not JSON (application/json"
    else:
        data[field] = value
        patchwork.app.route("GET", "/api/1.3/patches/3/", load("patch-3").with_json(data))
    code, out, err = status(run_cli, patchwork, "--patch", "3")
    assert code == 2 and out == ""
    assert message in one_error_line(err)


def test_server_text_cannot_drive_the_terminal(run_cli, patchwork):
    data = load("patch-3").json()
    data["name"] = "[bpf-next] evil\x1b]2;owned\x07 title\x1b[2J"
    patchwork.app.route("GET", "/api/1.3/patches/3/", load("patch-3").with_json(data))
    code, out, err = status(run_cli, patchwork, "--patch", "3")
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out
    assert "[bpf-next] evil?]2;owned? title?[2J" in out


def test_in_a_child_process_a_failure_is_one_line(patchwork):
    patchwork.app.route("GET", "/api/1.3/series/1/", html_error(500, "Internal Server Error"))
    proc = run_patchflow("status", "--url", patchwork.url, "--series", "1", "--retries", "0",
                         env={"PATCHFLOW_PATCHWORK_TOKEN": TOKEN}, timeout=60)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == (f"patchflow: Patchwork at {patchwork.url}: GET /api/1.3/series/1/: HTTP 500 Internal "
                           "Server Error\n")


@pytest.mark.parametrize("url", ["http://[::1", "http://127.0.0.1:99999", "https://example.org:port/"])
def test_a_url_that_does_not_parse_is_one_line(url):
    proc = run_patchflow("status", "--url", url, "--series", "1", "--retries", "0", timeout=60)
    assert proc.returncode == 2 and proc.stdout == ""
    assert one_error_line(proc.stderr).startswith(f"patchflow: Patchwork URL {url.rstrip('/')!r} is not a URL: ")
