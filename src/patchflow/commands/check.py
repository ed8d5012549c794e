"""Review patch files and series as maintainers would: checkpatch's checks and the nits it misses.

Reads `git format-patch` files, mboxes and plain diffs (`-` for standard input). Output is
checkpatch's layout with types shown; `--terse` gives one line per finding, `--format json` a
machine-readable report. Exit status: 0 clean, 1 findings, 2 bad input or usage.
"""

from __future__ import annotations

import argparse
import sys


def _type_list(value: str):
    return {part.strip().upper() for part in value.split(",") if part.strip()}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("patches", nargs="+", metavar="PATCH", help="patch files or mboxes, '-' for standard input")
    parser.add_argument("-g", "--git", action="store_true",
                        help="PATCH arguments are commits of the current repository: REV, REV1..REV2, REV-N (checkpatch -g)")
    parser.add_argument("-f", "--file", action="store_true",
                        help="PATCH arguments are source files, every line checked as if added (checkpatch -f)")
    parser.add_argument("--strict", action="store_true", help="also report CHECK-level findings")
    parser.add_argument("--ignore", type=_type_list, default=set(), metavar="TYPE,...", help="types to leave out")
    parser.add_argument("--types", type=_type_list, default=None, metavar="TYPE,...", help="report only these types")
    parser.add_argument("--max-line-length", type=int, default=100, metavar="N",
                        help="LONG_LINE limit (default 100, as checkpatch)")
    parser.add_argument("--tree", metavar="PATH|NAME",
                        help="kernel tree for MAINTAINERS and pre-images (default: the git tree around the current directory)")
    parser.add_argument("--terse", action="store_true", help="one line per finding: PATCH:N: LEVEL:TYPE: message")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                        help="colour the levels (auto: on a terminal, unless NO_COLOR is set)")
    parser.add_argument("--xmas-tree", dest="x_xmas_tree", choices=("auto", "always", "never"), default="auto",
                        help="REVERSE_XMAS_TREE on every C file (always), on none (never), or on files whose "
                             "MAINTAINERS lists netdev@ or bpf@ (auto, the default)")


def options_from(args):
    from ..checks import Options

    known = set(_registry())
    for flag, types in (("--ignore", args.ignore), ("--types", args.types or set())):
        unknown = sorted(types - known)
        if unknown:
            from ..errors import PatchflowError

            raise PatchflowError(f"{flag}: unknown type {', '.join(unknown)} (patchflow explain lists them)")
    extra = {key: value for key, value in vars(args).items() if key.startswith("x_")}
    extra["whole_file"] = getattr(args, "file", False)
    return Options(strict=args.strict, ignore=args.ignore, types=args.types, max_line_length=args.max_line_length,
                   tree=args.tree, extra=extra)


def _registry():
    from ..checks import registry

    return registry()


def run(args) -> int:
    from .. import report
    from ..checks import run as run_checks
    from ..sources import read_input

    options = options_from(args)
    series = read_input(args.patches, commits=args.git, files=args.file)
    if args.git:  # each commit alone, as checkpatch -g checks them: they are not a series of mails
        results = [result for patch in series for result in run_checks(type(series)([patch]), options)]
    else:
        results = run_checks(series, options)
    if args.format == "json":
        text = report.render_json(results)
    else:
        colour = report.use_colour(args.color, sys.stdout)
        text = (report.render_terse if args.terse else report.render_text)(results, colour)
    sys.stdout.write(text)
    sys.stdout.flush()
    for note in options.notes:
        sys.stderr.write(f"patchflow: note: {note}\n")
    return report.exit_status(results)
