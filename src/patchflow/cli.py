"""The command line: one sub-command per module of `patchflow.commands`.

Each command module has `configure(parser)` (argparse only, no heavy imports) and `run(args) -> int`.
Every `PatchflowError` becomes one line on stderr and exit status 2, here and nowhere else.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys

from . import __version__
from .errors import PatchflowError

COMMANDS = ("check", "explain", "fix", "regen", "format", "status")


def _command_module(name):
    module_name = "patchflow.commands." + name
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return None  # a command not built yet in this checkout
        raise


def build_parser():
    parser = argparse.ArgumentParser(
        prog="patchflow",
        description="Take a Linux kernel change from a commit to a patch maintainers accept on the first round.",
    )
    parser.add_argument("--version", action="version", version=f"patchflow {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = _command_module(name)
        if module is None:
            continue
        doc = (module.__doc__ or "").strip()
        summary = doc.splitlines()[0] if doc else name
        command = sub.add_parser(name, help=summary, description=doc,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
        module.configure(command)
        command.set_defaults(_run=module.run)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return args._run(args)
    except PatchflowError as exc:
        # one line whatever the message quotes: a file name may hold a newline
        print("patchflow: " + str(exc).replace("\r", "\\r").replace("\n", "\\n"), file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        print("patchflow: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader (`| head`) went away: nothing left to say to it
        sys.stderr.close()
        return 1


def _terminate(signum, frame):
    raise KeyboardInterrupt()


def entry() -> None:
    # SIGTERM takes the same clean-up path as Ctrl-C (temporary worktrees are removed)
    signal.signal(signal.SIGTERM, _terminate)
    sys.exit(main())
