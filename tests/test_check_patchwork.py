"""`patchflow check` on series from Patchwork and lore, and `--post-checks`, against a local server
answering with responses recorded from Patchwork 3.2.1 (the maint-* recordings)."""

from __future__ import annotations

import gzip
import json

from patchwork_server import (  # noqa: F401  (maint_patchwork is a fixture)
    MAINT_TOKEN, fixtures_dir, html_error, load, maint_patchwork)

SERIES_1_NAMES = ["series-1.mbox", "series-1.mbox#2", "series-1.mbox#3"]
PATCH_2_MSGID = "20250602100000.4242-2-alan@example.org"


def check(run_cli, server, *args):
    return run_cli("check", "--url", server.url, *args)


def one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("patchflow: ") and "Traceback" not in err, err
    return lines[0]


def per_patch(out: str):
    """[(patch, [(level, type, message)])] from a --format json report and the names in order."""
    data = json.loads(out)
    found = {}
    for finding in data["findings"]:
        found.setdefault(finding["patch"], []).append((finding["level"], finding["type"], finding["message"]))
    return data["summary"], found


def recorded_mbox_files(tmp_path):
    """The cover letter's and the series' recorded mboxes, saved as a maintainer would save them."""
    base = fixtures_dir()
    cover = tmp_path / "cover.mbox"
    cover.write_bytes((base / "maint-cover-1-mbox.json").read_bytes())
    series = tmp_path / "series.mbox"
    series.write_bytes((base / "maint-series-1-mbox.json").read_bytes())
    return cover, series


# --- the sources --------------------------------------------------------------------------------


def test_series_1_gives_the_findings_of_its_mails_as_files(run_cli, maint_patchwork, tmp_path):
    code, out, err = check(run_cli, maint_patchwork, "--series", "1", "--format", "json")
    assert (code, err) == (1, "")
    summary, found = per_patch(out)
    assert summary == {"patches": 3, "errors": 0, "warnings": 1, "checks": 0}
    assert found == {"series-1.mbox": [("WARNING", "PREFER_IFNDEF", "Prefer #ifndef BPF_HELPER to "
                                        "#if !defined(BPF_HELPER) in the C this prints")]}
    cover, series = recorded_mbox_files(tmp_path)
    code, out, err = run_cli("check", "--format", "json", cover, series)
    assert (code, err) == (1, "")
    file_summary, file_found = per_patch(out)
    assert file_summary == summary
    assert list(file_found.values()) == list(found.values())
    served = maint_patchwork.app.served
    assert {"maint-series-1", "maint-cover-1-mbox", "maint-series-1-mbox"} <= served


def test_series_1_text_report_names_the_cover_letter_first(run_cli, maint_patchwork):
    code, out, err = check(run_cli, maint_patchwork, "--series", "1", "--terse")
    assert (code, err) == (1, "")
    assert out.splitlines() == [
        "series-1.mbox: total: 0 errors, 0 warnings, 0 checks, 0 lines checked",
        "series-1.mbox#2:58: WARNING:PREFER_IFNDEF: Prefer #ifndef BPF_HELPER to #if !defined(BPF_HELPER) in the "
        "C this prints",
        "series-1.mbox#2: total: 0 errors, 1 warnings, 0 checks, 9 lines checked",
        "series-1.mbox#3: total: 0 errors, 0 warnings, 0 checks, 11 lines checked",
    ]


def test_patch_3_follows_patchworks_redirect_to_the_mbox(run_cli, maint_patchwork):
    code, out, err = check(run_cli, maint_patchwork, "--patch", "3", "--terse")
    assert (code, err) == (0, "")
    assert out == "patch-3.mbox: total: 0 errors, 0 warnings, 0 checks, 6 lines checked\n"
    assert {"maint-patch-3-mbox-redirect", "maint-patch-3-mbox"} <= maint_patchwork.app.served


def test_a_patchs_message_id_checks_its_whole_series(run_cli, maint_patchwork):
    code, out, err = check(run_cli, maint_patchwork, "--msgid", f"<{PATCH_2_MSGID}>", "--project", "netdevbpf",
                           "--terse")
    assert (code, err) == (1, "")
    assert [line.split(":")[0] for line in out.splitlines() if "total:" in line] == SERIES_1_NAMES
    assert "maint-patches-by-msgid" in maint_patchwork.app.served


def test_an_unknown_series_is_one_line(run_cli, maint_patchwork):
    code, out, err = check(run_cli, maint_patchwork, "--series", "99")
    assert (code, out) == (2, "")
    assert one_error_line(err) == (f"patchflow: Patchwork at {maint_patchwork.url} has no series 99: "
                                   "No Series matches the given query. (GET /api/1.3/series/99/)")


def test_a_lore_thread_gzipped_reads_the_patches_and_leaves_the_replies(run_cli, tmp_path, maint_patchwork):
    cover, series = recorded_mbox_files(tmp_path)
    reply = ("From lore Mon Jun  2 11:00:00 2025\nFrom: Reviewer <r@example.org>\n"
             "Subject: Re: [PATCH bpf-next v2 1/2] scripts/bpf: Add a BPF_HELPER() macro\n"
             f"Message-Id: <reply@example.org>\nIn-Reply-To: <{PATCH_2_MSGID}>\n\n"
             "> +        print('#if !defined(BPF_HELPER)')\n\nPlease use #ifndef.\n")
    thread = tmp_path / "t.mbox.gz"
    thread.write_bytes(gzip.compress(cover.read_bytes() + series.read_bytes() + reply.encode()))
    code, out, err = run_cli("check", "--terse", thread)
    assert (code, err) == (1, "")
    assert [line.split(":")[0] for line in out.splitlines() if "total:" in line] == [
        f"{thread}", f"{thread}#2", f"{thread}#3"]
    # the same thread from a URL, as lore serves it
    maint_patchwork.app.route("GET", f"/all/{PATCH_2_MSGID}/t.mbox.gz",
                              load("maint-series-1-mbox").with_body(thread.read_bytes(), "application/gzip"))
    url = f"{maint_patchwork.url}/all/{PATCH_2_MSGID}/t.mbox.gz"
    code, out_url, err = run_cli("check", "--terse", url)
    assert (code, err) == (1, "")
    assert out_url == out.replace(str(thread), url)


def test_a_broken_gzip_is_one_line(run_cli, tmp_path):
    broken = tmp_path / "t.mbox.gz"
    broken.write_bytes(b"\x1f\x8b\x08\x00garbage")
    code, out, err = run_cli("check", broken)
    assert (code, out) == (2, "")
    line = one_error_line(err)
    assert line.startswith(f"patchflow: {broken}: ") and "gzip" in line


def test_patch_files_and_a_patchwork_selection_do_not_mix(run_cli, tmp_path):
    cover, _ = recorded_mbox_files(tmp_path)
    code, out, err = run_cli("check", "--series", "1", cover)
    assert (code, out) == (2, "")
    assert "not both" in one_error_line(err)


# --- posting checks -------------------------------------------------------------------------------


def test_post_checks_without_a_token_stops_before_any_request(run_cli, maint_patchwork):
    code, out, err = check(run_cli, maint_patchwork, "--series", "1", "--post-checks")
    assert (code, out) == (2, "")
    assert one_error_line(err) == ("patchflow: --post-checks needs a Patchwork API token: give --token, set "
                                   "$PATCHFLOW_PATCHWORK_TOKEN, or git config patchflow.patchwork.token (none is set)")
    assert maint_patchwork.app.received == []


def test_patch_3_gets_one_check_per_family_and_a_rerun_posts_nothing(run_cli, maint_patchwork, monkeypatch):
    monkeypatch.setenv("PATCHFLOW_PATCHWORK_TOKEN", MAINT_TOKEN)
    report = "https://ci.example.org/patchflow/{series}/{patch}/{context}.txt"
    code, out, err = check(run_cli, maint_patchwork, "--patch", "3", "--post-checks", "--report-url", report)
    assert (code, err) == (0, "")
    posted = [line for line in out.splitlines() if line.startswith("patch 3:")]
    # patchflow-style was posted on the real server when the recording was made: it stays as it is
    assert posted == ["patch 3: patchflow-house success (posted): no findings",
                      "patch 3: patchflow-message success (posted): no findings",
                      "patch 3: patchflow-style success (unchanged): no findings"]
    store = maint_patchwork.app.store
    assert [(c["patch"], c["context"], c["state"], c["target_url"]) for c in store.posted] == [
        (3, "patchflow-house", "success", "https://ci.example.org/patchflow/2/3/patchflow-house.txt"),
        (3, "patchflow-message", "success", "https://ci.example.org/patchflow/2/3/patchflow-message.txt")]
    code, out, err = check(run_cli, maint_patchwork, "--patch", "3", "--post-checks", "--report-url", report)
    assert (code, err) == (0, "")
    assert len(store.posted) == 2
    assert out.count("(unchanged)") == 3


def test_series_1_as_recorded_posts_nothing_and_a_changed_result_posts_its_state(run_cli, maint_patchwork,
                                                                                    monkeypatch):
    monkeypatch.setenv("PATCHFLOW_PATCHWORK_TOKEN", MAINT_TOKEN)
    code, out, err = check(run_cli, maint_patchwork, "--series", "1", "--post-checks", "--report-url",
                           "https://ci.example.org/patchflow/{series}/{patch}/{context}.txt")
    assert (code, err) == (1, "")
    assert "patch 1: patchflow-style warning (unchanged): 0 errors, 1 warning, 0 checks: PREFER_IFNDEF" in out
    assert maint_patchwork.app.store.posted == []
    code, out, err = check(run_cli, maint_patchwork, "--series", "1", "--post-checks", "--ignore", "PREFER_IFNDEF",
                           "--report-url", "https://ci.example.org/patchflow/{series}/{patch}/{context}.txt")
    assert (code, err) == (0, "")
    assert [(c["patch"], c["context"], c["state"], c["description"]) for c in maint_patchwork.app.store.posted] == [
        (1, "patchflow-style", "success", "no findings")]
    shown = json.loads(run_cli("status", "--url", maint_patchwork.url, "--patch", "1", "--format", "json")[1])
    assert {c["context"]: c["state"] for c in shown["patches"][0]["checks"]}["patchflow-style"] == "success"


def test_a_refused_token_says_where_it_came_from(run_cli, maint_patchwork, monkeypatch):
    monkeypatch.setenv("PATCHFLOW_PATCHWORK_TOKEN", "not-the-token")
    code, out, err = check(run_cli, maint_patchwork, "--patch", "3", "--post-checks")
    assert code == 2
    line = one_error_line(err)
    assert line.endswith("(the token from PATCHFLOW_PATCHWORK_TOKEN)")
    assert "not-the-token" not in line


def test_a_server_error_on_the_mbox_is_one_line(run_cli, maint_patchwork):
    maint_patchwork.app.route("GET", "/series/2/mbox/", html_error(502, "Bad Gateway"))
    code, out, err = check(run_cli, maint_patchwork, "--series", "2")
    assert (code, out) == (2, "")
    assert one_error_line(err) == (f"patchflow: Patchwork at {maint_patchwork.url}: GET /series/2/mbox/: "
                                   "HTTP 502 Bad Gateway (after 4 attempts)")


def test_with_a_tree_the_maintainers_and_kdoc_contexts_are_posted_too(run_cli, maint_patchwork, monkeypatch,
                                                                      kernel_tree):
    monkeypatch.setenv("PATCHFLOW_PATCHWORK_TOKEN", MAINT_TOKEN)
    code, out, err = check(run_cli, maint_patchwork, "--series", "1", "--post-checks", "--tree", kernel_tree,
                           "--strict", "--report-url", "https://ci.example.org/patchflow/{series}/{patch}/{context}.txt")
    assert (code, err) == (1, "")
    posted = [(c["patch"], c["context"], c["state"], c["description"]) for c in maint_patchwork.app.store.posted]
    # bpf_doc.py's entry (BPF [GENERAL]) names three maintainers the mails were not sent to: a CHECK,
    # so the state stays success and the description counts it
    assert posted == [
        (1, "patchflow-kdoc", "success", "no findings"),
        (1, "patchflow-maintainers", "success", "0 errors, 0 warnings, 1 check: CC_MAINTAINERS"),
        (2, "patchflow-kdoc", "success", "no findings"),
        (2, "patchflow-maintainers", "success", "0 errors, 0 warnings, 1 check: CC_MAINTAINERS"),
    ]
    assert "patch 1: patchflow-style warning (unchanged)" in out


def test_plan_folds_the_cover_letters_findings_into_every_patch():
    from patchflow.patch import Series, parse_text
    from patchflow.patchwork_checks import plan
    from patchflow.patchwork_source import FetchedSeries
    from patchflow.report import ERROR, Finding, PatchResult

    base = fixtures_dir()
    text = (base / "maint-cover-1-mbox.json").read_text() + (base / "maint-series-1-mbox.json").read_text()
    mails = parse_text(text, "series-1.mbox")
    fetched = FetchedSeries(Series(mails), 1, {id(mails[1]): 1, id(mails[2]): 2})
    on_cover = Finding("SERIES_NUMBERING", ERROR, "numbering", "series-1.mbox")
    results = [PatchResult(m.name, m.source, 0, [on_cover] if i == 0 else []) for i, m in enumerate(mails)]
    planned = plan(fetched, results, {"patchflow-house", "patchflow-kdoc"}, {"SERIES_NUMBERING": "series"},
                   has_tree=False)
    assert [(c.patch_id, c.context, c.state, c.description) for c in planned] == [
        (1, "patchflow-house", "fail", "1 error, 0 warnings, 0 checks: SERIES_NUMBERING"),
        (2, "patchflow-house", "fail", "1 error, 0 warnings, 0 checks: SERIES_NUMBERING"),
    ]


def test_an_mbox_the_server_does_not_have_is_one_line(run_cli, maint_patchwork):
    # Django's 404 page for /series/99/mbox/, as recorded, in place of series 2's mbox
    maint_patchwork.app.route("GET", "/series/2/mbox/", load("maint-series-404"))
    code, out, err = check(run_cli, maint_patchwork, "--series", "2")
    assert (code, out) == (2, "")
    assert one_error_line(err) == f"patchflow: Patchwork at {maint_patchwork.url} has no /series/2/mbox/ (404)"


def test_report_dir_holds_the_pages_the_checks_point_at(run_cli, maint_patchwork, monkeypatch, tmp_path):
    monkeypatch.setenv("PATCHFLOW_PATCHWORK_TOKEN", MAINT_TOKEN)
    pages = tmp_path / "pages"
    code, out, err = check(run_cli, maint_patchwork, "--series", "1", "--post-checks", "--report-dir", pages,
                           "--report-url", "https://ci.example.org/patchflow/{series}/{patch}/{context}.txt")
    assert (code, err) == (1, "")
    assert sorted(str(p.relative_to(pages)) for p in pages.rglob("*") if p.is_file()) == [
        f"1/{patch}/patchflow-{context}.txt" for patch in (1, 2) for context in ("house", "message", "style")]
    assert (pages / "1" / "1" / "patchflow-style.txt").read_text() == (
        "patchflow-style: warning: 0 errors, 1 warning, 0 checks: PREFER_IFNDEF\n\n"
        "WARNING:PREFER_IFNDEF: Prefer #ifndef BPF_HELPER to #if !defined(BPF_HELPER) in the C this prints\n"
        "#58: FILE: scripts/bpf_doc.py:788:\n"
        "+        print('#if !defined(BPF_HELPER)')\n\n")
    assert (pages / "1" / "2" / "patchflow-house.txt").read_text() == "patchflow-house: success: no findings\n\n"
    assert not list(pages.rglob(".report-*"))


def test_report_dir_needs_post_checks(run_cli, tmp_path):
    code, out, err = run_cli("check", "--series", "1", "--report-dir", tmp_path)
    assert (code, out) == (2, "")
    assert err == "patchflow: --report-dir goes with the posted checks: it needs --post-checks\n"
