"""The kernel tree's git history as the `Fixes:` checks ask it: BAD_FIXES_TAG (commit_log.py) and
VERIFY_FIXES and TREE_SELECTION (fixes.py) share one per run, so a commit is looked up once."""

from __future__ import annotations

import os

from ..errors import PatchflowError, TreeError
from ..lazy_regex import lazy

GIT_TIMEOUT = 60
# Linux-2.6.12-rc2, where the kernel's git history begins: a tree that holds it reaches back to every id
KERNEL_FIRST_COMMIT = "1da177e4c3f41524e886b7f1b8a0c1fc7321cac2"
_LOG_LINE = lazy(r"^[0-9a-f]{40} ")


class History:
    """The tree's git history, asked once per commit id (one per run: `ctx.history`)."""

    def __init__(self, tree):
        self.tree = tree
        self.usable = self._is_git()
        self._resolved = {}
        self._subjects = {}
        self._peeled = {}
        self._releases = {}
        self._shallow = None
        self._ambiguous = set()
        self._snapshot = None
        self._cut_at = None
        self._recent = {}

    @property
    def shallow(self) -> bool:
        """A shallow clone (`--tree bpf-next` makes one, of depth 1) holds only the newest commits:
        an id it lacks tells nothing."""
        git_dir = os.path.join(self.tree.path, ".git")
        if self._shallow is None and os.path.isdir(git_dir):
            self._shallow = os.path.exists(os.path.join(git_dir, "shallow"))  # what git reads: no process
        if self._shallow is None:
            self._shallow = self.tree.git("rev-parse", "--is-shallow-repository",
                                          timeout=GIT_TIMEOUT).strip() == "true"
        return self._shallow

    @property
    def snapshot(self) -> bool:
        """A history of one commit (a tarball put into git, as `--tree debian-6.12` is): it holds
        no earlier commit, so an id it lacks tells nothing."""
        if self._snapshot is None:
            out = self.tree.git("rev-list", "--max-count=2", "HEAD", check=False, timeout=GIT_TIMEOUT)
            self._snapshot = len(out.split()) < 2
        return self._snapshot

    @property
    def cut_at(self) -> str | None:
        """`<id> ("<subject>", <date>)` of the commit a cut history starts at, or None: a history whose
        first commit holds a whole kernel tree (MAINTAINERS at its top) that is not the kernel's own
        first commit, as a tree made from a release's tarball and patched on has. Ids from before that
        commit's date are not in it, and tell nothing."""
        if self._cut_at is None:
            self._cut_at = self._find_cut() or ""
        return self._cut_at or None

    def _find_cut(self) -> str | None:
        probe = self.tree.git("cat-file", "--batch-check", input=f"{KERNEL_FIRST_COMMIT}\n".encode(),
                              check=False, timeout=GIT_TIMEOUT).split()
        if probe[1:2] == ["commit"]:
            return None
        roots = self.tree.git("rev-list", "--max-parents=0", "HEAD", check=False, timeout=GIT_TIMEOUT).split()
        if not roots:
            return None
        query = "".join(f"{root}:MAINTAINERS\n" for root in roots).encode()
        kinds = self.tree.git("cat-file", "--batch-check", input=query, check=False, timeout=GIT_TIMEOUT).splitlines()
        cut = [root for root, kind in zip(roots, kinds) if kind.split()[1:2] == ["blob"]]
        if not cut:
            return None  # a small history of its own (no kernel snapshot at its start): it answers
        return self.tree.git("log", "-1", "--no-color", "--format=%h (\"%s\", %cs)", "--abbrev=12", cut[0],
                             timeout=GIT_TIMEOUT).strip()

    def why_unanswerable(self) -> str | None:
        """Why this history cannot tell a missing commit from a wrong id, or None when it can."""
        if self.shallow:
            return "is a shallow clone (it lacks the older commits)"
        if self.snapshot:
            return "holds one commit and no history"
        if self.cut_at:
            return f"starts at {self.cut_at}, a snapshot of the kernel: it lacks the commits before it"
        return None

    def commit_with_subject(self, subject: str) -> str | None:
        """The full id of a commit of the history whose subject is exactly this one, or None."""
        out = self.tree.git("log", "--max-count=50", "--no-color", "--format=%H %s", "--fixed-strings",
                            f"--grep={subject}", "HEAD", "--", check=False, timeout=GIT_TIMEOUT)
        wanted = " ".join(subject.split())
        return next((line[:40] for line in out.splitlines()
                     if _LOG_LINE.match(line) and " ".join(line[41:].split()) == wanted), None)

    def recent_subjects(self, paths, count: int):
        """[(short id, subject)] of the last `count` commits (merges left out) that touched paths."""
        key = (tuple(sorted(paths)), count)
        if key not in self._recent:
            out = self.tree.git("log", f"-{count}", "--no-merges", "--no-color", "--format=%h %s", "--",
                                *key[0], check=False, timeout=GIT_TIMEOUT)
            self._recent[key] = [tuple(line.split(" ", 1)) for line in out.splitlines() if " " in line]
        return self._recent[key]

    def _is_git(self) -> bool:
        if os.path.exists(os.path.join(self.tree.path, ".git")):
            return True  # the top of a work tree: no need to ask git
        try:
            self.tree.git("rev-parse", "--git-dir", timeout=GIT_TIMEOUT)
        except TreeError:
            return False
        return True

    def resolve(self, commit: str):
        """(full id, None), or (None, why not): "missing", "ambiguous" or "a blob" (tree, tag)."""
        if commit not in self._resolved:
            out = self.tree.git("cat-file", "--batch-check", input=commit.encode() + b"\n",
                                timeout=GIT_TIMEOUT).split()
            if len(out) >= 2 and out[1] == "commit":
                self._resolved[commit] = (out[0], None)
            elif len(out) >= 2 and out[1] in ("missing", "ambiguous"):
                self._resolved[commit] = (None, out[1])
            elif len(out) >= 2:
                self._resolved[commit] = (None, f"a {out[1]}")
            else:
                self._resolved[commit] = (None, "missing")
        return self._resolved[commit]

    def peel(self, commit: str) -> tuple[str, str] | None:
        """(full id, subject) of the commit an id names as `<id>^{commit}` does (an annotated tag
        names its commit; an id that is also a blob's prefix names the commit), or None."""
        if commit in self._ambiguous:
            return None
        if commit not in self._peeled and self._resolved.get(commit, (None,))[0] is not None:
            full = self._resolved[commit][0]  # VERIFY_FIXES found it a commit already
            self._peeled[commit] = (full, self.subject(full))
        if commit not in self._peeled:
            try:
                out = self.tree.git("log", "-1", "--no-color", "--format=%H %s", commit + "^{commit}", "--",
                                    check=False, timeout=GIT_TIMEOUT)
            except PatchflowError:
                out = ""
            found = None
            if _LOG_LINE.match(out):
                found = (out[:40], out[41:].rstrip("\n"))
                self._subjects.setdefault(found[0], found[1])
            self._peeled[commit] = found
        return self._peeled[commit]

    def peel_many(self, commits) -> None:
        """Look up many ids at once, as `peel` would one by one: one `cat-file --batch-check` for all
        of them and one `log --no-walk` for the subjects of those that are commits (two git processes
        per run, not one per id)."""
        wanted = sorted({c for c in commits if c not in self._peeled})
        if not wanted:
            return
        # HEAD~1 last: whether the history is more than one commit (`snapshot`), in the same process
        query = "".join(f"{c}^{{commit}}\n" for c in wanted).encode() + b"HEAD~1\n"
        try:
            out = self.tree.git("cat-file", "--batch-check", input=query, timeout=GIT_TIMEOUT).splitlines()
        except PatchflowError:
            return  # each id is then asked alone by peel()
        if self._snapshot is None and len(out) == len(wanted) + 1:
            self._snapshot = out[-1].split()[-1:] == ["missing"]
        found = {}
        for commit, line in zip(wanted, out):
            fields = line.split()
            if len(fields) >= 2 and fields[1] == "commit" and len(fields[0]) == 40:
                found[commit] = fields[0]
            elif len(fields) >= 2 and fields[-1] == "ambiguous":
                self._ambiguous.add(commit)  # to `git log -1 <id>` too: neither known nor missing
            else:
                self._peeled[commit] = None
        self._subjects_of(set(found.values()) - set(self._subjects))
        for commit, full in found.items():
            self._peeled[commit] = (full, self._subjects.get(full, ""))

    def _subjects_of(self, fulls) -> None:
        if not fulls:
            return
        out = self.tree.git("log", "--no-walk=unsorted", "--no-color", "--format=%H %s", *sorted(fulls), "--",
                            check=False, timeout=GIT_TIMEOUT)
        for line in out.splitlines():
            if _LOG_LINE.match(line):
                self._subjects.setdefault(line[:40], line[41:])

    def is_ambiguous(self, commit: str) -> bool:
        """Whether `peel_many` found the id ambiguous (more than one object starts with it)."""
        return commit in self._ambiguous

    def subject(self, full: str) -> str:
        if full not in self._subjects:
            self._subjects[full] = self.tree.git("log", "-1", "--format=%s", full, timeout=GIT_TIMEOUT).strip()
        return self._subjects[full]

    def first_release(self, full: str) -> str | None:
        """The oldest `v*` tag that contains the commit, or None."""
        if full not in self._releases:
            out = self.tree.git("tag", "--list", "v*", "--contains", full, "--sort=v:refname",
                                timeout=GIT_TIMEOUT)
            tags = out.split()
            self._releases[full] = tags[0] if tags else None
        return self._releases[full]


def history_of(ctx) -> History | None:
    """The history of the check's kernel tree, shared by every check of a run (`ctx.history`)."""
    return ctx.history
