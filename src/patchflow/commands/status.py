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
import os
import re

PROJECT_OF_TREE = {"bpf": "netdevbpf", "bpf-next": "netdevbpf", "net": "netdevbpf", "net-next": "netdevbpf"}
TOKEN_ENV = "PATCHFLOW_PATCHWORK_TOKEN"
# Patchwork stores a check's context in a slug field: letters, digits, '-' and '_' only
CONTEXT_SLUG = re.compile(r"[A-Za-z0-9_-]+")


def _positive_int(value: str) -> int:
    try:
        number = int(value, 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number")
    if number <= 0:
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive number")
    return number


def _count(value: str) -> int:
    try:
        number = int(value, 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number")
    if number < 0:
        raise argparse.ArgumentTypeError(f"{value!r} is negative")
    return number


def _seconds(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds")
    if not number > 0 or number == float("inf"):
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive number of seconds")
    return number


def configure(parser: argparse.ArgumentParser) -> None:
    select = parser.add_argument_group("what to show")
    select.add_argument("patches", nargs="*", metavar="PATCH|DIR",
                        help="patch files or a `format` output directory: looked up by their Message-Id")
    select.add_argument("--series", type=_positive_int, action="append", default=[], metavar="ID",
                        help="a series id (repeatable)")
    select.add_argument("--patch", type=_positive_int, action="append", default=[], metavar="ID",
                        help="a patch id (repeatable)")
    select.add_argument("--msgid", action="append", default=[], metavar="MSGID",
                        help="a patch's or cover letter's Message-Id, with or without <> (repeatable)")
    server = parser.add_argument_group("server")
    server.add_argument("--url", help="Patchwork server (default: git config patchflow.patchwork.url, "
                                      "else https://patchwork.kernel.org)")
    server.add_argument("--project", help="Patchwork project for Message-Id look-ups (default: git config "
                                          "patchflow.patchwork.project, else from --tree or the subject "
                                          "prefix: bpf, bpf-next, net, net-next use netdevbpf)")
    server.add_argument("--tree", metavar="NAME", help="the target tree, to infer --project (bpf-next, net, ...)")
    server.add_argument("--timeout", type=_seconds, default=None, metavar="SECONDS",
                        help="give up on a request after this long (default 30)")
    server.add_argument("--retries", type=_count, default=None, metavar="N",
                        help="retries after a connection failure or a 5xx answer (default 3)")
    output = parser.add_argument_group("output")
    output.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    output.add_argument("--watch", action="store_true",
                        help="poll and print what changes, until no check is pending (Ctrl-C stops)")
    output.add_argument("--interval", type=_seconds, default=60.0, metavar="SECONDS",
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


# --- configuration --------------------------------------------------------------------------


def git_config(key: str):
    """A `git config` value, or None when unset (or when git is missing: config is optional)."""
    from ..errors import ToolMissing, TreeError
    from ..tree import config_value

    try:
        return config_value(key)
    except (ToolMissing, TreeError, OSError):
        return None


def resolve_token(args):
    """(token, where it came from): the flag, then the environment, then git config."""
    if args.token:
        return args.token, "--token"
    if os.environ.get(TOKEN_ENV):
        return os.environ[TOKEN_ENV], TOKEN_ENV
    value = git_config("patchflow.patchwork.token")
    if value:
        return value, "git config patchflow.patchwork.token"
    return None, None


def project_of_tree(name):
    if not name:
        return None
    return PROJECT_OF_TREE.get(os.path.basename(os.path.normpath(name)).lower())


def validate_actions(args) -> None:
    from ..errors import BadInput
    from ..patchwork import CHECK_STATES

    if args.post_check:
        context, state = args.post_check
        if not CONTEXT_SLUG.fullmatch(context):
            suggestion = re.sub(r"[^A-Za-z0-9_-]+", "-", context).strip("-") or "patchflow-check"
            raise BadInput(f"--post-check: context {context!r} is not a slug: Patchwork accepts only letters, "
                           f"digits, '-' and '_' in a check context and refuses others with 400 "
                           f"(try {suggestion!r})")
        if state not in CHECK_STATES:
            raise BadInput(f"--post-check: state {state!r} is not a check state: use one of {', '.join(CHECK_STATES)}")
    elif args.description or args.target_url:
        raise BadInput("--description and --target-url describe a check: they need --post-check CONTEXT STATE")
    if args.set_state is not None and not re.fullmatch(r"[a-z0-9][a-z0-9-]*", args.set_state):
        raise BadInput(f"--set-state: {args.set_state!r} is not a Patchwork state name "
                       "(lower case with '-': under-review, changes-requested, accepted, ...)")


# --- what to show ---------------------------------------------------------------------------


class Selection:
    """Series shown whole (their patches re-read at every poll) and single patches, by id; plus
    Message-Ids still to look up."""

    def __init__(self):
        self.series_ids = []
        self.patch_ids = []
        self.msgids = []  # (msgid, is a cover letter, where it came from)
        self.trees = []  # subject-prefix tree names of the patch files

    def add(self, items, value):
        if value not in items:
            items.append(value)


def patch_files(paths):
    """Patch files given on the command line; a directory stands for its *.patch files."""
    from ..errors import BadInput

    files = []
    for path in paths:
        if os.path.isdir(path):
            found = sorted(os.path.join(path, name) for name in os.listdir(path) if name.endswith(".patch"))
            if not found:
                raise BadInput(f"{path}: a directory with no *.patch files")
            files.extend(found)
        else:
            files.append(path)
    return files


def selection_from(args) -> Selection:
    from ..errors import BadInput
    from ..patch import read_patches

    selection = Selection()
    for series_id in args.series:
        selection.add(selection.series_ids, series_id)
    for patch_id in args.patch:
        selection.add(selection.patch_ids, patch_id)
    for msgid in args.msgid:
        if not msgid.strip("<> \t"):
            raise BadInput("--msgid: an empty Message-Id")
        selection.msgids.append((msgid, False, "--msgid"))
    mails = [mail for path in patch_files(args.patches) for mail in read_patches(path)]
    has_patches = any(not mail.is_cover_letter for mail in mails)
    for mail in mails:
        if mail.prefix is not None and mail.prefix.tree:
            selection.trees.append(mail.prefix.tree)
        if mail.is_cover_letter and has_patches:
            continue  # its patches find the series; the cover letter adds nothing
        if not mail.message_id:
            raise BadInput(f"{mail.name}: no Message-Id header, so Patchwork cannot find it "
                           "(git format-patch --thread, or patchflow format, writes one)")
        selection.msgids.append((mail.message_id, mail.is_cover_letter, mail.name))
    if not (selection.series_ids or selection.patch_ids or selection.msgids):
        raise BadInput("nothing selected: give --series ID, --patch ID, --msgid MSGID, or patch files")
    return selection


def resolve_msgids(client, selection: Selection, project) -> None:
    from ..errors import PatchflowError

    for msgid, is_cover, source in selection.msgids:
        patches = [] if is_cover else client.patches_by_msgid(msgid, project)
        for item in patches:
            selection.add(selection.patch_ids, _id_of(item, "patch"))
        if patches:
            continue
        covers = client.covers_by_msgid(msgid, project)
        for cover in covers:
            for series in _list(cover.get("series") if isinstance(cover, dict) else None, "a cover letter's series"):
                selection.add(selection.series_ids, _id_of(series, "series"))
        if not covers:
            where = f"project {project}" if project else "any project"
            label = "" if source == "--msgid" else f" ({source})"
            raise PatchflowError(f"Patchwork at {client.url} has no patch or cover letter with Message-Id "
                                 f"<{_bare(msgid)}>{label} in {where}: not received yet, or another project?")
    selection.msgids = []


def _bare(msgid):
    from ..patchwork import bare_msgid

    return bare_msgid(msgid)


def _list(value, what):
    """A list field of Patchwork's JSON (a missing one is empty); anything else is not Patchwork."""
    from ..patchwork import PatchworkError

    if value is None:
        return []
    if not isinstance(value, list):
        raise PatchworkError(f"Patchwork answered {what} that is not a list: not the JSON expected")
    return value


def _id_of(item, what):
    from ..patchwork import PatchworkError

    if not isinstance(item, dict) or not isinstance(item.get("id"), int):
        raise PatchworkError(f"Patchwork answered a {what} without a numeric id: not the JSON expected")
    return item["id"]


# --- one look at the server -------------------------------------------------------------------


def snapshot(client, selection: Selection, project) -> dict:
    """Everything shown, as plain data (the --format json document)."""
    from ..patchwork import PatchworkError, aggregate_check, latest_checks

    series_data = {}
    patch_ids = []
    for series_id in selection.series_ids:
        series = client.series(series_id)
        series_data[series_id] = series
        for item in _list(series.get("patches"), f"the patches of series {series_id}"):
            if _id_of(item, "patch") not in patch_ids:
                patch_ids.append(item["id"])
    for patch_id in selection.patch_ids:
        if patch_id not in patch_ids:
            patch_ids.append(patch_id)

    patches = []
    for patch_id in patch_ids:
        patch = client.patch(patch_id)
        raw_checks = client.checks(patch_id)
        if not all(isinstance(check, dict) and "context" in check and "state" in check for check in raw_checks):
            raise PatchworkError(f"the checks of patch {patch_id} are not the JSON expected (context and state)")
        checks = [{"context": check["context"], "state": check["state"],
                   "description": check.get("description") or "", "target_url": check.get("target_url")}
                  for check in latest_checks(raw_checks)]
        series_ids = [_id_of(item, "series") for item in _list(patch.get("series"), f"the series of patch {patch_id}")]
        delegate = patch.get("delegate")
        patches.append({
            "id": patch_id,
            "name": _text(patch.get("name")),
            "msgid": _text(patch.get("msgid")),
            "state": _text(patch.get("state")) or "unknown",
            "delegate": _text(delegate.get("username")) if isinstance(delegate, dict) else None,
            "submitter": _person(patch.get("submitter")),
            "date": _text(patch.get("date")),
            "web_url": _text(patch.get("web_url")),
            "series": series_ids,
            "check": aggregate_check(check["state"] for check in checks),
            "checks": checks,
        })
        for series_id in series_ids:
            if series_id not in series_data:
                series_data[series_id] = client.series(series_id)

    series_out = []
    for series_id, series in series_data.items():
        cover = series.get("cover_letter")
        series_out.append({
            "id": series_id,
            "name": _text(series.get("name")),
            "version": series.get("version"),
            "received_total": series.get("received_total"),
            "total": series.get("total"),
            "received_all": bool(series.get("received_all")),
            "cover_letter": {"id": cover.get("id"), "name": _text(cover.get("name")), "msgid": _text(cover.get("msgid"))}
            if isinstance(cover, dict) else None,
            "web_url": _text(series.get("web_url")),
            "patches": [p["id"] for p in patches if series_id in p["series"]],
        })
    return {"patchwork": client.url, "api_version": client.version, "project": project,
            "series": series_out, "patches": patches}


def _text(value):
    return value if isinstance(value, str) else (None if value is None else str(value))


def _person(person):
    if not isinstance(person, dict):
        return None
    name, email = _text(person.get("name")), _text(person.get("email"))
    return f"{name} <{email}>" if name and email else (email or name)


def pending(snap) -> bool:
    return any(patch["check"] == "pending" for patch in snap["patches"])


# --- what changed between two looks -----------------------------------------------------------


def changes(old: dict, new: dict) -> list:
    """The differences a watcher cares about, as plain records (the --format json --watch lines)."""
    out = []
    old_series = {s["id"]: s for s in old["series"]}
    for series in new["series"]:
        before = old_series.get(series["id"])
        if before is None or (before["received_total"], before["received_all"]) != (
                series["received_total"], series["received_all"]):
            out.append({"series": series["id"], "what": "received",
                        "from": before and before["received_total"], "to": series["received_total"],
                        "total": series["total"], "complete": series["received_all"]})
    old_patches = {p["id"]: p for p in old["patches"]}
    for patch in new["patches"]:
        before = old_patches.get(patch["id"])
        if before is None:
            out.append({"patch": patch["id"], "what": "patch", "from": None, "to": patch["state"],
                        "name": patch["name"]})
            before = {"state": patch["state"], "delegate": patch["delegate"], "checks": []}
        for what in ("state", "delegate"):
            if before[what] != patch[what]:
                out.append({"patch": patch["id"], "what": what, "from": before[what], "to": patch[what]})
        old_checks = {c["context"]: c for c in before["checks"]}
        for check in patch["checks"]:
            was = old_checks.get(check["context"])
            if was is None or (was["state"], was["description"], was["target_url"]) != (
                    check["state"], check["description"], check["target_url"]):
                out.append({"patch": patch["id"], "what": "check", "context": check["context"],
                            "from": was and was["state"], "to": check["state"],
                            "description": check["description"], "target_url": check["target_url"]})
    return out


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
    from ..errors import BadInput, PatchflowError

    validate_actions(args)
    selection = selection_from(args)
    writes = args.set_state is not None or args.post_check
    token, token_source = resolve_token(args) if writes else (None, None)
    if writes and not token:
        action = "--set-state" if args.set_state is not None else "--post-check"
        raise BadInput(f"{action} needs a Patchwork API token: give --token, set ${TOKEN_ENV}, or "
                       "git config patchflow.patchwork.token (none is set)")
    url = args.url or git_config("patchflow.patchwork.url") or patchwork.DEFAULT_URL
    project = (args.project or git_config("patchflow.patchwork.project") or project_of_tree(args.tree)
               or next(filter(None, map(project_of_tree, selection.trees)), None))

    options = {}
    if args.timeout is not None:
        options["timeout"] = args.timeout
    if args.retries is not None:
        options["retries"] = args.retries
    out = sys.stdout
    with patchwork.PatchworkClient(url, token, **options) as client:
        try:
            resolve_msgids(client, selection, project)
            if writes:
                _act(client, selection, args, out)
            snap = snapshot(client, selection, project)
            _emit(out, args, snap, [])
            while args.watch and pending(snap):
                time.sleep(args.interval)
                new = snapshot(client, selection, project)
                found = changes(snap, new)
                if found:
                    _emit(out, args, new, found)
                snap = new
            if args.watch and args.format == "text":
                out.write(f"[{time.strftime('%H:%M:%S')}] no check is pending: done\n")
                out.flush()
        except patchwork.AuthError as exc:
            # say which token was refused, never what it is
            if token_source:
                raise PatchflowError(f"{exc} (the token from {token_source})") from None
            raise
    return 0


def _act(client, selection, args, out) -> None:
    from ..patchwork import PatchworkError

    snap_ids = []
    for series_id in selection.series_ids:
        for item in _list(client.series(series_id).get("patches"), f"the patches of series {series_id}"):
            if _id_of(item, "patch") not in snap_ids:
                snap_ids.append(item["id"])
    for patch_id in selection.patch_ids:
        if patch_id not in snap_ids:
            snap_ids.append(patch_id)
    for patch_id in snap_ids:
        if args.set_state is not None:
            answer = client.set_state(patch_id, args.set_state)
            state = answer.get("state")
            if state != args.set_state:
                raise PatchworkError(f"patch {patch_id}: Patchwork answered state {state!r} after setting "
                                     f"{args.set_state!r}")
            out.write(f"patch {patch_id}: state set to {_clean(state)}\n")
        if args.post_check:
            context, state = args.post_check
            answer = client.post_check(patch_id, context, state, args.description, args.target_url)
            out.write(f"patch {patch_id}: check {_clean(answer.get('context', context))} posted: "
                      f"{_clean(answer.get('state', state))}\n")
    out.flush()


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
