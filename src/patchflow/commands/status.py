"""Show a series' state and CI checks on Patchwork; as a maintainer, set states and post checks.

Select with --series ID, --patch ID, --msgid MSGID, or patch files / a `format` output directory
(their Message-Id headers). Per patch: name, state, delegate, date and every check (the newest of
each context) with the aggregate state; per series: version, cover letter, whether all patches
arrived. --watch polls every --interval seconds, prints what changed, and ends when no check is
pending. With a token (--token, else $PATCHFLOW_PATCHWORK_TOKEN, else git config
patchflow.patchwork.token), --set-state and --post-check change the selected patches first.
Exit status: 0 shown, 2 on any failure (one line on stderr).
"""

from __future__ import annotations

import argparse
import re

from ._values import PATCHWORK_URL_HELP, count, positive_int, seconds
from ..status import TOKEN_ENV, project_of_tree  # noqa: F401  (project_of_tree: the tests' import)


def configure(parser: argparse.ArgumentParser) -> None:
    select = parser.add_argument_group("what to show")
    select.add_argument("patches", nargs="*", metavar="PATCH|DIR",
                        help="patch files or a `format` output directory: looked up by their Message-Id")
    select.add_argument("--series", type=positive_int, action="append", default=[], metavar="ID",
                        help="a series id (repeatable)")
    select.add_argument("--patch", type=positive_int, action="append", default=[], metavar="ID",
                        help="a patch id (repeatable)")
    select.add_argument("--msgid", action="append", default=[], metavar="MSGID",
                        help="a patch's or cover letter's Message-Id, with or without <> (repeatable)")
    server = parser.add_argument_group("server")
    server.add_argument("--url", help=PATCHWORK_URL_HELP)
    server.add_argument("--project", help="Patchwork project for Message-Id look-ups (default: git config "
                                          "patchflow.patchwork.project, else from --tree or the subject "
                                          "prefix: bpf, bpf-next, net, net-next use netdevbpf)")
    server.add_argument("--tree", metavar="NAME", help="the target tree, to infer --project (bpf-next, net, ...)")
    server.add_argument("--timeout", type=seconds, default=None, metavar="SECONDS",
                        help="give up on a request after this long (default 30)")
    server.add_argument("--retries", type=count, default=None, metavar="N",
                        help="retries after a connection failure or a 5xx answer (default 3)")
    output = parser.add_argument_group("output")
    output.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    output.add_argument("--watch", action="store_true",
                        help="poll and print what changes, until no check is pending (Ctrl-C stops)")
    output.add_argument("--interval", type=seconds, default=60.0, metavar="SECONDS",
                        help="seconds between polls with --watch (default 60)")
    maint = parser.add_argument_group("maintainer actions (need a token)")
    maint.add_argument("--token", help=f"API token (better: ${TOKEN_ENV} or git config patchflow.patchwork.token, "
                                       "which other users cannot see in the process list)")
    maint.add_argument("--set-state", metavar="STATE",
                       help="set the selected patches' state (new, under-review, accepted, changes-requested, ...)")
    maint.add_argument("--post-check", nargs=2, metavar=("CONTEXT", "STATE"),
                       help="post a check on each selected patch; STATE is pending, success, warning or fail")
    maint.add_argument("--description", default="", metavar="TEXT", help="the posted check's description")
    maint.add_argument("--target-url", metavar="URL", help="the posted check's link to details")


# --- text ------------------------------------------------------------------------------------


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _clean(value) -> str:
    """Server text made safe for a terminal: no escape sequences, no line breaks."""
    if value is None:
        return "-"
    return _CONTROL.sub("?", str(value).replace("\n", " ").replace("\t", " ")) or "-"


def _date(value) -> str:
    if not value:
        return "-"
    return _clean(value).replace("T", " ")[:16]


def _table(rows, indent="") -> list:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [(indent + "  ".join(cell.ljust(width) for cell, width in zip(row, widths))).rstrip() for row in rows]


def render_text(snap: dict) -> str:
    lines = []
    patches = {p["id"]: p for p in snap["patches"]}
    groups = [(series, [patches[i] for i in series["patches"]]) for series in snap["series"]]
    loose = [p for p in snap["patches"] if not p["series"]]
    if loose:
        groups.append((None, loose))
    for series, members in groups:
        if lines:
            lines.append("")
        if series is not None:
            lines.extend(_series_head(series))
        lines.append("")
        rows = [("PATCH", "STATE", "DELEGATE", "DATE", "CHECK", "NAME")]
        for patch in members:
            rows.append((str(patch["id"]), _clean(patch["state"]), _clean(patch["delegate"]), _date(patch["date"]),
                         patch["check"], _clean(patch["name"])))
        table = _table(rows, "  ")
        # one table for the checks of the whole group, so their columns line up across patches
        check_rows = [(_clean(c["state"]), _clean(c["context"]), _clean(c["description"]), _clean(c["target_url"]))
                      for patch in members for c in patch["checks"]]
        check_lines = iter(_table(check_rows, "         ") if check_rows else [])
        lines.append(table[0])
        for patch, row in zip(members, table[1:]):
            lines.append(row)
            lines.extend(next(check_lines) for _ in patch["checks"])
            if not patch["checks"]:
                lines.append("         (no checks yet)")
    return "\n".join(lines) + "\n"


def _series_head(series) -> list:
    version = f" v{series['version']}" if series.get("version") else ""
    received = f"received {series['received_total']} of {series['total']} patches"
    received += " (complete)" if series["received_all"] else " (INCOMPLETE: some patches did not arrive)"
    cover = series["cover_letter"]
    cover_text = f"cover letter: {_clean(cover['name'])}" if cover else "no cover letter"
    return [f"series {series['id']}{version}: {_clean(series['name'])}",
            f"  {received}; {cover_text}",
            f"  {_clean(series['web_url'])}"]


def render_change(change: dict) -> str:
    if "series" in change:
        state = "complete" if change["complete"] else "incomplete"
        return f"series {change['series']}: received {change['to']} of {change['total']} patches ({state})"
    head = f"patch {change['patch']}"
    if change["what"] == "patch":
        return f"{head}: new in the series: {_clean(change['name'])} ({_clean(change['to'])})"
    if change["what"] == "check":
        moved = f"{_clean(change['from'])} -> {_clean(change['to'])}" if change["from"] else _clean(change["to"])
        extra = "".join(f"  {_clean(v)}" for v in (change["description"], change["target_url"]) if v)
        return f"{head}: check {_clean(change['context'])}: {moved}{extra}"
    return f"{head}: {change['what']} {_clean(change['from'])} -> {_clean(change['to'])}"


# --- the command -----------------------------------------------------------------------------


def run(args) -> int:
    import sys
    import time

    from .. import patchwork
    from ..errors import PatchflowError
    from ..status import (act, client_options, project_for, require_token, resolve_msgids, selection_from,
                          server_url, snapshot, validate_actions, watch)

    validate_actions(args)
    selection = selection_from(args)
    writes = args.set_state is not None or args.post_check
    action = "--set-state" if args.set_state is not None else "--post-check"
    token, token_source = require_token(args, action) if writes else (None, None)
    project = project_for(args, selection.trees)
    out = sys.stdout
    with patchwork.PatchworkClient(server_url(args), token, **client_options(args)) as client:
        try:
            resolve_msgids(client, selection, project)
            if writes:
                for patch_id, done, value in act(client, selection, args):
                    out.write(f"patch {patch_id}: {_clean(done)} {_clean(value)}\n")
                    out.flush()
            snap = snapshot(client, selection, project)
            _emit(out, args, snap, [])
            for snap, found in (watch(client, selection, project, snap, args.interval) if args.watch else ()):
                if found:
                    _emit(out, args, snap, found)
            if args.watch and args.format == "text":
                out.write(f"[{time.strftime('%H:%M:%S')}] no check is pending: done\n")
                out.flush()
        except patchwork.AuthError as exc:
            # say which token was refused, never what it is
            if token_source:
                raise PatchflowError(f"{exc} (the token from {token_source})") from None
            raise
    return 0


def _emit(out, args, snap, found) -> None:
    import json
    import time

    if args.format == "json":
        if args.watch:  # JSON Lines: one document per poll that saw a change
            out.write(json.dumps(dict(snap, changes=found), sort_keys=False) + "\n")
        else:
            out.write(json.dumps(snap, indent=2) + "\n")
    elif not found:
        out.write(render_text(snap))
    else:
        stamp = time.strftime("%H:%M:%S")
        for change in found:
            out.write(f"[{stamp}] {render_change(change)}\n")
    out.flush()
