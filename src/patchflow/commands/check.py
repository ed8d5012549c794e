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

            raise PatchflowError(f"{flag}: unknown type {', '.join(unknown)}{_nearest(unknown, known)}"
                                 " (patchflow explain lists them)")
    extra = {key: value for key, value in vars(args).items() if key.startswith("x_")}
    return Options(strict=args.strict, ignore=args.ignore, types=args.types, max_line_length=args.max_line_length,
                   tree=args.tree, extra=extra)


def _nearest(unknown, known) -> str:
    """`: did you mean LONG_LINE?` for the unknown types that are a near miss of a known one."""
    import difflib

    meant = [close[0] for word in unknown for close in [difflib.get_close_matches(word, known, n=1)] if close]
    return f": did you mean {', '.join(meant)}?" if meant else ""


def _registry():
    from ..checks import registry

    return registry()


def run(args) -> int:
    from .. import report
    from ..checks import run as run_checks
    from ..patch import read_series

    options = options_from(args)
    series = read_series(args.patches)
    results = run_checks(series, options)
    if args.format == "json":
        text = report.render_json(results)
    else:
        colour = report.use_colour(args.color, sys.stdout)
        text = (report.render_terse if args.terse else report.render_text)(results, colour)
    sys.stdout.write(text)
    sys.stdout.flush()
    return report.exit_status(results)
