"""The model behind `patchflow status`: configuration (URL, project, token), what is selected,
one look at the server as plain data (a snapshot), what changed between two looks, and the
maintainer's actions. It writes nothing to the terminal but the one line per action; the command
renders snapshots and changes (`patchflow.commands.status`).
"""

from __future__ import annotations

import os
import re

from .lazy_regex import lazy

PROJECT_OF_TREE = {"bpf": "netdevbpf", "bpf-next": "netdevbpf", "net": "netdevbpf", "net-next": "netdevbpf"}
TOKEN_ENV = "PATCHFLOW_PATCHWORK_TOKEN"
# Patchwork stores a check's context in a slug field: letters, digits, '-' and '_' only
CONTEXT_SLUG = lazy(r"[A-Za-z0-9_-]+")


# --- configuration --------------------------------------------------------------------------


def git_config(key: str):
    """A `git config` value, or None when unset (or when git is missing: config is optional)."""
    from .errors import ToolMissing, TreeError
    from .tree import config_value

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


def require_token(args, action: str):
    """(token, where it came from) for a command that changes something; BadInput without one,
    before any other work is done."""
    from .errors import BadInput

    token, source = resolve_token(args)
    if not token:
        raise BadInput(f"{action} needs a Patchwork API token: give --token, set ${TOKEN_ENV}, or "
                       "git config patchflow.patchwork.token (none is set)")
    return token, source


def server_url(args) -> str:
    from .patchwork import DEFAULT_URL

    return args.url or git_config("patchflow.patchwork.url") or DEFAULT_URL


def project_for(args, trees=()):
    """--project, else git config, else the project of --tree or of a subject prefix's tree."""
    return (args.project or git_config("patchflow.patchwork.project") or project_of_tree(getattr(args, "tree", None))
            or next(filter(None, map(project_of_tree, trees)), None))


def client_options(args) -> dict:
    """--timeout and --retries as PatchworkClient's keyword arguments (the client's defaults otherwise)."""
    options = {}
    if getattr(args, "timeout", None) is not None:
        options["timeout"] = args.timeout
    if getattr(args, "retries", None) is not None:
        options["retries"] = args.retries
    return options


def project_of_tree(name):
    if not name:
        return None
    return PROJECT_OF_TREE.get(os.path.basename(os.path.normpath(name)).lower())


def validate_actions(args) -> None:
    from .errors import BadInput
    from .patchwork import CHECK_STATES

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
    from .errors import BadInput

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
    from .errors import BadInput
    from .patch import read_patches

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
    from .errors import PatchflowError

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
    from .patchwork import bare_msgid

    return bare_msgid(msgid)


def _list(value, what):
    """A list field of Patchwork's JSON (a missing one is empty); anything else is not Patchwork."""
    from .patchwork import PatchworkError

    if value is None:
        return []
    if not isinstance(value, list):
        raise PatchworkError(f"Patchwork answered {what} that is not a list: not the JSON expected")
    return value


def _id_of(item, what):
    from .patchwork import PatchworkError

    if not isinstance(item, dict) or not isinstance(item.get("id"), int):
        raise PatchworkError(f"Patchwork answered a {what} without a numeric id: not the JSON expected")
    return item["id"]


# --- one look at the server -------------------------------------------------------------------


def snapshot(client, selection: Selection, project) -> dict:
    """Everything shown, as plain data (the --format json document)."""
    from .patchwork import PatchworkError, aggregate_check, latest_checks

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

    series_out = [_series_record(series_id, series, patches) for series_id, series in series_data.items()]
    return {"patchwork": client.url, "api_version": client.version, "project": project,
            "series": series_out, "patches": patches}


def _series_record(series_id: int, series: dict, patches: list) -> dict:
    cover = series.get("cover_letter")
    return {
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
    }


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


def act(client, selection, args):
    """Set states and post the check the maintainer asked for on every selected patch; yields
    (patch id, what was done, the value the server answered) as each is done."""
    from .patchwork import PatchworkError

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
            yield patch_id, "state set to", state
        if args.post_check:
            context, state = args.post_check
            answer = client.post_check(patch_id, context, state, args.description, args.target_url)
            yield patch_id, f"check {answer.get('context', context)} posted:", answer.get("state", state)


def watch(client, selection: Selection, project, snap: dict, interval: float):
    """Poll every `interval` seconds while a check is pending; yields (snapshot, changes) per poll."""
    import time

    while pending(snap):
        time.sleep(interval)
        new = snapshot(client, selection, project)
        yield new, changes(snap, new)
        snap = new
