"""The command line: one sub-command per module of `patchflow.commands`.

Each command module has `configure(parser)` (argparse only, no heavy imports) and `run(args) -> int`.
Every `PatchflowError` becomes one line on stderr and exit status 2, here and nowhere else.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys

from . import __version__, progress
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


def _quiet_option(parser, default):
    parser.add_argument("-q", "--quiet", action="store_true", default=default,
                        help="no progress lines on stderr (they appear only on a terminal anyway)")


def _help_width() -> int:
    """The width help is wrapped to: $COLUMNS, else the terminal's, else 80 (as shutil reckons it;
    argparse asks shutil for each of the thirty-odd options it is given, and importing shutil, with
    the compression modules it imports, costs a one-patch run some 2 ms)."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80
    except (AttributeError, ValueError, OSError):
        return 80


class _Formatter(argparse.HelpFormatter):
    """argparse's formatter, wrapped to `_help_width()`."""

    def __init__(self, prog, indent_increment=2, max_help_position=24, width=None):
        super().__init__(prog, indent_increment, max_help_position, width or _help_width() - 2)


class _RawDescriptionFormatter(_Formatter, argparse.RawDescriptionHelpFormatter):
    """A command's help: its description (the module's docstring) as written, options wrapped."""


def build_parser(only: str | None = None):
    """The whole command line; with `only`, the other commands are named but not configured (their
    modules not imported): a run of one command needs only its own options."""
    parser = argparse.ArgumentParser(
        prog="patchflow",
        description="Take a Linux kernel change from a commit to a patch maintainers accept on the first round.",
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"patchflow {__version__}")
    _quiet_option(parser, False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        if only is not None and name != only:
            sub.add_parser(name, formatter_class=_Formatter)
            continue
        module = _command_module(name)
        if module is None:
            continue
        doc = (module.__doc__ or "").strip()
        summary = doc.splitlines()[0] if doc else name
        command = sub.add_parser(name, help=summary, description=doc,
                                 formatter_class=_RawDescriptionFormatter)
        module.configure(command)
        # after the command too (`patchflow regen -q`); SUPPRESS keeps `patchflow -q regen`'s value
        _quiet_option(command, argparse.SUPPRESS)
        command.set_defaults(_run=module.run)
    return parser


def _commands(parser) -> dict:
    """The sub-command parsers by name."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _suggestion(word: str, candidates) -> str:
    """` (did you mean X?)` for a near miss, else nothing."""
    import difflib  # for a mistyped command line only

    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def _first_word(parser, argv) -> str | None:
    """The sub-command word of `argv`: its first argument that is not an option."""
    for word in argv:
        if word == "--":
            return None
        if not word.startswith("-"):
            return word
    return None


def _unknown_command(parser, argv) -> None:
    """An unknown sub-command is a usage error that names the nearest command."""
    word = _first_word(parser, argv)
    commands = _commands(parser)
    if word is not None and word not in commands:
        parser.error(f"unknown command '{word}'{_suggestion(word, commands)}; the commands are "
                     + ", ".join(commands))


def _unknown_arguments(parser, args, extras) -> None:
    """Arguments the command does not take: its usage, not patchflow's, and the option meant."""
    target = _commands(parser).get(getattr(args, "command", None)) or parser
    options = [option for action in target._actions for option in action.option_strings]
    hints = [_suggestion(word.split("=", 1)[0], options).strip(" ()") for word in extras if word.startswith("-")]
    message = "unrecognized arguments: " + " ".join(extras)
    hints = [hint for hint in hints if hint]
    target.error(message + (f" ({'; '.join(hints)})" if hints else ""))


def _command_to_run(argv) -> str | None:
    """The command of `argv` when nothing before it asks for patchflow's own help (which lists
    every command with its summary), else None."""
    for word in argv:
        if word in ("-h", "--help") or word == "--":
            return None
        if not word.startswith("-"):
            return word if word in COMMANDS else None
    return None


def parse(argv) -> argparse.Namespace:
    parser = build_parser(only=_command_to_run(argv))
    _unknown_command(parser, argv)
    args, extras = parser.parse_known_args(argv)
    if extras:
        _unknown_arguments(parser, args, extras)
    if not getattr(args, "_run", None):
        parser.print_help(sys.stderr)
        parser.exit(2)
    return args


def main(argv=None) -> int:
    import gc

    # loading a command's modules allocates much and frees little: the collector would rescan them
    # some twenty times at its default threshold; each command then runs with the collector's default,
    # or chooses for itself (check: commands.check._fewer_collections)
    default_threshold = gc.get_threshold()
    gc.set_threshold(50_000, 20, 100)
    try:
        args = parse(sys.argv[1:] if argv is None else list(argv))
    finally:
        gc.set_threshold(*default_threshold)
    progress.set_quiet(args.quiet)
    processes = sys.modules.get(__package__ + ".processes")
    if processes is not None:  # a module imported later starts with no stop pending: a check outside
        processes.new_run()  # a kernel tree starts no process and need not import subprocess
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
