"""The maintainer's side of `patchflow check`: series from Patchwork or lore, results posted back
as Patchwork checks, and the watch mode of a small CI. `commands/check.py` adds these options and
hands the run over here when one of them selects a series."""

from __future__ import annotations

import argparse
import sys

from ._values import PATCHWORK_URL_HELP, count, positive_int, seconds


def configure(parser: argparse.ArgumentParser) -> None:
    from ..status import TOKEN_ENV

    source = parser.add_argument_group("maintainers: series from Patchwork (the server `status` uses)")
    source.add_argument("--series", type=positive_int, action="append", default=[], metavar="ID",
                        help="check a Patchwork series, cover letter included (repeatable)")
    source.add_argument("--patch", type=positive_int, action="append", default=[], metavar="ID",
                        help="check one Patchwork patch (repeatable)")
    source.add_argument("--msgid", action="append", default=[], metavar="MSGID",
                        help="check the series of a patch's or cover letter's Message-Id (repeatable)")
    source.add_argument("--patchwork", action="store_true",
                        help="with --watch or --once: take the --project's new series from Patchwork")
    source.add_argument("--url", help=PATCHWORK_URL_HELP)
    source.add_argument("--project", help="Patchwork project (default: git config patchflow.patchwork.project, "
                                          "else from --tree: bpf, bpf-next, net, net-next use netdevbpf)")
    post = parser.add_argument_group("maintainers: posting results (needs a token)")
    post.add_argument("--token", help=f"API token (better: ${TOKEN_ENV} or git config patchflow.patchwork.token)")
    post.add_argument("--post-checks", action="store_true",
                      help="post one check per family on every patch (patchflow-style, patchflow-house, ...)")
    post.add_argument("--report-url", metavar="URL",
                      help="the posted checks' target URL; {series}, {patch} and {context} are filled in")
    post.add_argument("--report-dir", metavar="DIR",
                      help="write each check's findings to DIR/SERIES/PATCH/CONTEXT.txt, the pages --report-url "
                           "can point at (https://ci.example.org/{series}/{patch}/{context}.txt)")
    watch = parser.add_argument_group("maintainers: watch mode")
    watch.add_argument("--watch", action="store_true",
                       help="with --patchwork: check every new series of the project once, until stopped")
    watch.add_argument("--once", action="store_true",
                       help="with --patchwork: check the series that arrived since the last run, then exit "
                            "(for cron); the same state file as --watch")
    watch.add_argument("--interval", type=seconds, default=60.0, metavar="SECONDS",
                       help="seconds between polls (default 60); doubled after each server failure")
    watch.add_argument("--backlog", type=count, default=0, metavar="N",
                       help="on the first run, also check the N newest series already there (default 0)")


def selected(args) -> bool:
    return bool(args.series or args.patch or args.msgid or args.patchwork or args.watch or args.once)


def validate(args) -> None:
    from ..errors import BadInput

    for flag, value in (("--report-url", args.report_url), ("--report-dir", args.report_dir)):
        if value and not args.post_checks:
            raise BadInput(f"{flag} goes with the posted checks: it needs --post-checks")
    if args.post_checks and not selected(args):
        raise BadInput("--post-checks posts on Patchwork's patches: give --series, --patch, --msgid or --watch")
    if not selected(args):
        return
    if args.patches:
        raise BadInput("give patch files or a Patchwork selection (--series, --patch, --msgid), not both")
    if args.watch and args.once:
        raise BadInput("--watch polls until stopped, --once polls once: give one of them")
    if (args.watch or args.once) != args.patchwork:
        raise BadInput("--patchwork goes with --watch or --once: patchflow check --patchwork --project NAME --watch")
    if args.patchwork and (args.series or args.patch or args.msgid):
        raise BadInput("--watch takes every new series of the project: leave out --series, --patch and --msgid")


def run(args) -> int:
    from .. import patchwork
    from ..errors import PatchflowError
    from ..status import project_for, require_token, server_url
    from .check import options_from

    token, token_source = require_token(args, "--post-checks") if args.post_checks else (None, None)
    options = options_from(args)
    project = project_for(args)
    if args.patchwork and not project:
        from ..errors import BadInput

        raise BadInput("--patchwork needs a project: --project NAME or git config patchflow.patchwork.project")
    with patchwork.PatchworkClient(server_url(args), token) as client:
        try:
            if args.patchwork:
                return _watch(client, project, args, options)
            status = 0
            for fetched in _fetch_all(client, args, project):
                status = max(status, _check_and_post(client, fetched, args, options, sys.stdout.write))
            return status
        except patchwork.AuthError as exc:
            if token_source:  # say which token was refused, never what it is
                raise PatchflowError(f"{exc} (the token from {token_source})") from None
            raise


def _fetch_all(client, args, project):
    from ..patchwork_source import fetch_msgid, fetch_patch, fetch_series

    for series_id in args.series:
        yield fetch_series(client, series_id)
    for patch_id in args.patch:
        yield fetch_patch(client, patch_id)
    for msgid in args.msgid:
        yield fetch_msgid(client, msgid, project)


def _check_and_post(client, fetched, args, options, write) -> int:
    """Check one fetched series, show the report as for files, post the checks when asked."""
    from .. import report
    from ..checks import registry, run as run_checks
    from ..patchwork_checks import context_of, plan, post, summary_lines, write_reports
    from .check import render

    results = run_checks(fetched.series, options)
    write(render(args, results))
    if args.post_checks:
        wanted = [info for info in registry().values() if options.wants(info)]
        from ..tree import find_check_tree

        has_tree = find_check_tree(options.tree) is not None
        planned = plan(fetched, results, {context_of(info.family) for info in wanted},
                       {info.type: info.family for info in registry().values()}, args.report_url, has_tree)
        if args.report_dir:  # the pages first: a posted check must never point at nothing
            write_reports(planned, args.report_dir, fetched.series_id)
        planned = post(client, planned)
        if args.format == "text":
            write("".join(line + "\n" for line in summary_lines(planned)))
    sys.stdout.flush()
    return report.exit_status(results)


def _watch(client, project, args, options) -> int:
    from ..patchwork_source import fetch_series
    from ..patchwork_watch import Watcher, WatchState, state_path

    state = WatchState.load(state_path(client.url, project), client.url, project)

    def check(series_id: int) -> str:
        fetched = fetch_series(client, series_id)
        lines = []
        status = _check_and_post(client, fetched, args, options, lines.append)
        verdict = "findings" if status else "clean"
        mails = len(fetched.series)
        return "".join(lines) + f"series {series_id}: checked {mails} mail{'s' * (mails != 1)}: {verdict}"

    def say(line: str) -> None:
        print(line, flush=True)

    Watcher(client, state, check, say, interval=args.interval, backlog=args.backlog,
            polls=1 if args.once else None).run()
    return 0
