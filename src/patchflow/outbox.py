"""The output directory of `patchflow format`: its files appear all at once, or not at all.

The mails are written into a staging directory next to (or inside) the output directory and moved
into place by `AtomicOutput.commit()`, with SIGINT and SIGTERM held until every file is in place.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Sequence

from .errors import BadInput


class AtomicOutput:
    """A staging directory next to (or inside) the output directory; `commit()` moves the files in.

    Nothing appears in the output directory before `commit()`; leaving the `with` block (an error,
    Ctrl-C) removes the staging directory. A directory that does not exist yet is created by the
    commit itself, by renaming the staging directory.
    """

    def __init__(self, directory: str):
        self.directory = os.path.abspath(directory)
        self.staging: str | None = None
        self._inside = False

    def __enter__(self) -> "AtomicOutput":
        target = self.directory
        if os.path.exists(target) and not os.path.isdir(target):
            raise BadInput(f"{self.directory}: not a directory")
        if os.path.isdir(target):
            parent, self._inside = target, True
        else:
            parent = os.path.dirname(target)
            while not os.path.isdir(parent):
                if os.path.exists(parent):
                    raise BadInput(f"{self.directory}: {parent} is not a directory")
                parent = os.path.dirname(parent)
        try:
            self.staging = tempfile.mkdtemp(prefix=".patchflow-format-", dir=parent)
            if not self._inside:
                # it becomes the output directory: give it the mode mkdir would (mkdtemp's is 0700)
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(self.staging, 0o777 & ~umask)
        except OSError as exc:
            raise BadInput(f"{self.directory}: cannot write there: {exc.strerror}")
        return self

    def __exit__(self, *exc) -> None:
        if self.staging and os.path.exists(self.staging):
            shutil.rmtree(self.staging, ignore_errors=True)

    def commit(self, names: Sequence[str]) -> None:
        """Move the files into place, each with one rename; SIGINT/SIGTERM wait until all are moved."""
        from .tree import signals_deferred

        with signals_deferred():
            try:
                if not self._inside:
                    os.makedirs(os.path.dirname(self.directory), exist_ok=True)
                    os.rename(self.staging, self.directory)
                    self.staging = None
                    return
                for name in names:
                    os.replace(os.path.join(self.staging, name), os.path.join(self.directory, name))
            except OSError as exc:
                raise BadInput(f"{self.directory}: cannot write there: {exc.strerror}")

    def strays(self, names: Sequence[str], pattern: "re.Pattern") -> list[str]:
        """Files of the same version already in the directory that this run does not write (a patch
        renamed or dropped since): `git send-email DIR/v2-*` would send them too."""
        if not self._inside:
            return []
        return [name for name in sorted(os.listdir(self.directory)) if pattern.match(name) and name not in names]


def version_files(version: int) -> "re.Pattern":
    """The names git format-patch gives the files of one version: v2-0001-x.patch, or 0001-x.patch."""
    head = f"v{version}-" if version > 1 else ""
    return re.compile(rf"^{head}\d{{4}}-.*\.patch$")


def write_mails(directory: str, mails: Sequence) -> None:
    """Each mail (format.Mail) as the file of its name in the directory."""
    for mail in mails:
        with open(os.path.join(directory, mail.name), "w", encoding="utf-8", errors="surrogateescape") as handle:
            handle.write(mail.text)
