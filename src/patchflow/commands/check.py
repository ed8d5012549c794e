"""Review patch files and series as maintainers would: checkpatch's checks and the nits it misses.

Reads `git format-patch` files, mboxes and plain diffs (`-` for standard input). Output is
checkpatch's layout with types shown; `--terse` gives one line per finding, `--format json` a
machine-readable report. Exit status: 0 clean, 1 findings, 2 bad input or usage.
"""

from __future__ import annotations

import argparse
import contextlib
import sys


def _type_list(value: str):
    return {part.strip().upper() for part in value.split(",") if part.strip()}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("patches", nargs="*", metavar="PATCH",
                        help="patch files, mboxes (.gz too), lore thread URLs, '-' for standard input")
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
    from ..checks import family_options

    for declared in family_options():
        parser.add_argument(declared.flag, dest="family_" + declared.name, type=declared.type,
                            choices=declared.choices, default=declared.default, help=declared.help)
    from . import check_patchwork

    check_patchwork.configure(parser)


def options_from(args):
    from ..checks import Options

    known = set(_registry())
    for flag, types in (("--ignore", args.ignore), ("--types", args.types or set())):
        unknown = sorted(types - known)
        if unknown:
            from ..errors import PatchflowError

            raise PatchflowError(f"{flag}: unknown type {', '.join(unknown)}{_nearest(unknown, known)}"
                                 " (patchflow explain lists them)")
    values = {key[len("family_"):]: value for key, value in vars(args).items() if key.startswith("family_")}
    return Options(strict=args.strict, ignore=args.ignore, types=args.types, max_line_length=args.max_line_length,
                   tree=args.tree, values=values, whole_file=getattr(args, "file", False))


def _nearest(unknown, known) -> str:
    """`: did you mean LONG_LINE?` for the unknown types that are a near miss of a known one."""
    import difflib

    meant = [close[0] for word in unknown for close in [difflib.get_close_matches(word, known, n=1)] if close]
    return f": did you mean {', '.join(meant)}?" if meant else ""


def _registry():
    from ..checks import registry

    return registry()


def run(args) -> int:
    from ..checks import run as run_checks
    from ..errors import BadInput
    from . import check_patchwork

    check_patchwork.validate(args)
    if check_patchwork.selected(args):
        return check_patchwork.run(args)
    if not args.patches:
        raise BadInput("nothing to check: give patch files, '-', a lore thread URL, or --series/--patch/--msgid ID")
    _fewer_collections()
    options = options_from(args)
    with _kept_out_of_collections():  # the series read lives to the end of the run
        if args.git or args.file:
            from ..sources import read_input

            series, errors, skipped = read_input(args.patches, commits=args.git, files=args.file), [], []
        else:
            series, errors, skipped = read_inputs(args.patches)
    if args.git:  # each commit alone, as checkpatch -g checks them: they are not a series of mails
        results = [result for patch in series for result in run_checks(type(series)([patch]), options)]
    else:
        results = run_checks(series, options) if series.patches else []
    for line in skipped:
        print(f"patchflow: note: {line}", file=sys.stderr)
    for error in errors:
        print("patchflow: " + error.replace("\r", "\\r").replace("\n", "\\n"), file=sys.stderr)
    sys.stdout.write(render(args, results, errors, skipped) if results else "")  # nothing read: stderr says why
    sys.stdout.flush()
    _leave_to_exit()
    for note in options.notes:
        sys.stderr.write(f"patchflow: note: {note}\n")
    from .. import report

    return 2 if errors else report.exit_status(results)


def _fewer_collections() -> None:
    """Run the cyclic garbage collector less often: a check allocates a token, a line object or a
    tuple for every line of every patch and frees little until it ends, so at the default threshold
    (700 allocations) the collector runs tens of thousands of times, rescanning what is still alive
    (a fifth of the time on new-file patches). Freed memory does not wait for it: nearly all of it
    is freed by reference counts, so a patch of 200,000 lines takes as much memory as before.

    Why 500,000 allocations: a young collection scans every young object that is still alive and
    what it refers to, some 10 ms for 50,000 of them, and finds nothing: the checks make no cyclic
    garbage (none on the test patches, the corpus, the libbpf commits or 1,500 netfilter-devel
    mails). At 50,000 the collections took 36 ms of the corpus's run and 88 ms of the 1,500 mails';
    at 500,000 none runs there. A run that made cycles would still have them collected, later."""
    import gc

    gc.freeze()  # what is loaded so far (modules, compiled patterns) lives to the end: never rescanned
    gc.set_threshold(500_000, 20, 100)


@contextlib.contextmanager
def _kept_out_of_collections():
    """Read with the cyclic collector paused, then move every object alive (the series just read: a
    DiffLine per diff line) out of its generations: each young collection during the reading would
    scan the new lines once (12 ms on the 123 new-file patches, where they found nothing to free),
    and each collection of the older generation during the checks all of them again (0.1 s).
    Frozen objects are still freed by reference counts, and none of them is garbage yet."""
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def _leave_to_exit() -> None:
    """Move what the checks made (a line view per added line, the findings) out of the collector's
    generations too, once the report is written: the interpreter collects them all again at exit,
    which cost 0.2 s of CPU on the 123 new-file patches for nothing (they are freed at exit anyway,
    and by reference counts until then)."""
    import gc

    gc.freeze()


def render(args, results, errors=(), skipped=()) -> str:
    """The report in the format asked for: checkpatch's layout, --terse, or --format json."""
    from .. import report

    if args.format == "json":
        return report.render_json(results, errors=list(errors), skipped=list(skipped))
    colour = report.use_colour(args.color, sys.stdout)
    return (report.render_terse if args.terse else report.render_text)(results, colour)


def read_inputs(paths):
    """The series of every readable patch (files, '-', lore thread URLs, gzipped mboxes), the one-line
    reason of each input that is not (a file that cannot be read or is not a patch does not hide the
    others), and the mails left out of mboxes."""
    from ..errors import BadInput
    from ..patch import Series, read_patches
    from ..patchwork_source import needs_reading_here, read_thread

    patches, errors, skipped = [], [], []
    for path in paths:
        try:
            patches.extend(read_thread(path) if needs_reading_here(path) else read_patches(path, skipped=skipped))
        except BadInput as exc:
            errors.append(str(exc))
    return Series(patches), errors, skipped
