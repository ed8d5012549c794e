"""The value types of the options `check`'s maintainer side and `status` share (Patchwork ids,
counts, seconds): one wording of what is wrong with a value, whichever command reads it."""

from __future__ import annotations

import argparse

PATCHWORK_URL_HELP = "Patchwork server (default: git config patchflow.patchwork.url, else https://patchwork.kernel.org)"


def _number(value: str) -> int:
    try:
        return int(value, 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number")


def positive_int(value: str) -> int:
    """A Patchwork id: a whole number above 0."""
    number = _number(value)
    if number <= 0:
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive number")
    return number


def count(value: str) -> int:
    """A whole number, 0 or more."""
    number = _number(value)
    if number < 0:
        raise argparse.ArgumentTypeError(f"{value!r} is negative")
    return number


def seconds(value: str) -> float:
    """A finite number of seconds above 0."""
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds")
    if not 0 < number < float("inf"):
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive number of seconds")
    return number
