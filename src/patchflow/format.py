"""Submission-ready series: the range, the subject prefix, recipients, changelog and atomic writing.

`git format-patch` writes the mails (numbering, `-v N` file names, `--base`, the cover letter's
shortlog and diffstat); this module decides what it is given, fills in what it cannot know (the tree
tag, the recipients from MAINTAINERS, the cover letter text, the changelog) and moves the files into
place only when all are ready.

The changelog store: the text given with `--changes FILE` for version N is kept in the repository's
git config, in the section of the branch, as `branch.<name>.patchflow-changes-v<N>`, and a
`--prev-link URL` as `branch.<name>.patchflow-link-v<N-1>`. Keeping it with the branch means that
`git branch -m` carries it along and `git branch -D` removes it; `git config --get-regexp
'^branch\\.<name>\\.patchflow-'` shows it.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence

from .records import field, record
from .errors import BadInput, PatchflowError, TreeError
from .maintainers import FIXES_TREES, Maintainers, Recipients
from .tree import KernelTree, git

SUBJECT_PLACEHOLDER = "*** SUBJECT HERE ***"
BLURB_PLACEHOLDER = "*** BLURB HERE ***"
_LAST_N = re.compile(r"^-(\d+)$")
_DIFFSTAT_SUMMARY = re.compile(r"^ \d+ files? changed")
# the configuration format-patch reads that would change what git am gets back (a prefix-less diff,
# an added Signed-off-by), or the file names
_PINNED_CONFIG = ("-c", "diff.noprefix=false", "-c", "diff.mnemonicPrefix=false", "-c", "diff.relative=false",
                  "-c", "format.suffix=.patch", "-c", "format.signOff=false")


class MixedTrees(PatchflowError):
    """The files of a series belong to trees whose maintainers want different subject tags."""


# --- the range -------------------------------------------------------------------------------


@record
class Commit:
    sha: str
    parents: list[str]


@record
class Range:
    spec: str  # as the user gave it, or as it was chosen
    commits: list[Commit]  # oldest first
    base: str  # the parent of the first commit: what the series applies to
    branch: str | None  # the branch the range ends on, if any (the changelog store's key)

    @property
    def tip(self) -> str:
        return self.commits[-1].sha


def repository(start: str) -> str:
    """The top of the git work tree around `start`."""
    from .tree import git_toplevel

    top = git_toplevel(start)
    if top is None:
        raise BadInput(f"{start}: not in a git repository (run patchflow format in the repository of the commits)")
    return top


def _rev(repo: str, name: str) -> str | None:
    out = git(["rev-parse", "--verify", "--quiet", "--end-of-options", name + "^{commit}"], repo, check=False).strip()
    return out or None


def current_branch(repo: str) -> str | None:
    name = git(["symbolic-ref", "--quiet", "--short", "HEAD"], repo, check=False).strip()
    return name or None


def default_range(repo: str, tree: KernelTree, tree_is_repo: bool) -> str:
    """The commits of the current branch that are not on the tree's tip (or on its upstream)."""
    if not tree_is_repo:
        tip = tree.git("rev-parse", "HEAD").strip()
        if _rev(repo, tip):
            return f"{tip}..HEAD"
    if _rev(repo, "@{upstream}"):
        return "@{upstream}..HEAD"
    where = "the tree's tip is not in this repository and " if not tree_is_repo else ""
    raise BadInput(f"no range given: {where}the current branch has no upstream; "
                   f"give one (master..topic, or -N for the last N commits)")


def resolve_range(repo: str, spec: str) -> Range:
    """The commits of `A..B`, `-N` or `A` (as git format-patch: `A..HEAD`), oldest first."""
    last_n = _LAST_N.match(spec)
    if last_n:
        count = int(last_n.group(1))
        if count == 0:
            raise BadInput(f"range {spec}: no commits")
        rev_args, end = [f"-{count}", "HEAD"], "HEAD"
    elif "..." in spec:
        raise BadInput(f"range {spec}: a symmetric difference is not a series; give A..B")
    else:
        bottom, dots, top = spec.partition("..")
        if not dots:
            bottom, top = spec, "HEAD"
        top = top or "HEAD"
        for name in (bottom or "HEAD", top):
            if _rev(repo, name) is None:
                raise BadInput(f"range {spec}: {name} is not a commit in {repo}")
        rev_args, end = [f"{bottom or 'HEAD'}..{top}"], top
    lines = git(["rev-list", "--reverse", "--topo-order", "--parents", *rev_args, "--"], repo).split("\n")
    commits = []
    for line in filter(None, lines):
        sha, *parents = line.split()
        commits.append(Commit(sha, parents))
    if not commits:
        raise BadInput(f"range {spec}: no commits (nothing to format)")
    if last_n and len(commits) < count:
        raise BadInput(f"range {spec}: HEAD has only {len(commits)} commit(s)")
    merges = [c for c in commits if len(c.parents) > 1]
    if merges:
        first = merges[0]
        subject = git(["log", "-1", "--format=%s", first.sha], repo).strip()
        raise BadInput(f"range {spec}: {first.sha[:12]} (\"{subject}\") is a merge commit; a patch "
                       f"series is linear: rebase the branch, or give a range without merges")
    if not commits[0].parents:
        raise BadInput(f"range {spec}: {commits[0].sha[:12]} is a root commit: a series needs a base to apply to")
    return Range(spec, commits, commits[0].parents[0], _branch_of(repo, end))


def _branch_of(repo: str, end: str) -> str | None:
    if end == "HEAD":
        return current_branch(repo)
    name = end[len("refs/heads/"):] if end.startswith("refs/heads/") else end
    return name if _rev(repo, f"refs/heads/{name}") else None


def touched_files(repo: str, commits: Sequence[Commit]) -> list[str]:
    """Every path the commits change; both names of a rename, as get_maintainer.pl reads a patch."""
    paths: list[str] = []
    for commit in commits:
        out = git(["diff-tree", "-r", "--no-commit-id", "--name-only", "--no-renames", "-z",
                   commit.parents[0], commit.sha], repo)
        for path in out.split("\0"):
            if path and path not in paths:
                paths.append(path)
    return paths


def dirty(repo: str) -> bool:
    return bool(git(["status", "--porcelain", "--untracked-files=no"], repo).strip())


# --- the subject prefix ----------------------------------------------------------------------


def infer_tree_tag(maintainers: Maintainers | None, paths: Sequence[str]) -> str | None:
    """The development tree the files' MAINTAINERS `T:` lines agree on (bpf-next, net-next), or None.

    A file under a tagged tree limits the choice to the -next trees its entries name; files of two
    such trees with none in common cannot go in one series (MixedTrees).
    """
    if maintainers is None:
        return None
    common: list[str] | None = None
    owners: dict[str, list[str]] = {}
    for path in paths:
        trees = maintainers.tagged_trees_for(path)
        development = [FIXES_TREES.get(tree, tree) for tree in trees]
        development = list(dict.fromkeys(development))
        if not development:
            continue
        owners[path] = development
        common = development if common is None else [tree for tree in common if tree in development]
    if common is None:
        return None
    if not common:
        listed = "; ".join(f"{path} ({', '.join(trees)})" for path, trees in owners.items())
        raise MixedTrees(f"the files belong to different trees: {listed}; split the series, "
                         f"or name the tree with --tag or --tree")
    return common[0]


def subject_prefix(tag: str | None, rfc: bool) -> str:
    """`PATCH RFC bpf-next`: git format-patch -v N then adds the version after it."""
    return " ".join(word for word in ("PATCH", "RFC" if rfc else None, tag) if word)


# --- the changelog ---------------------------------------------------------------------------


class ChangelogStore:
    """The per-branch changelog in git config (see the module's docstring)."""

    def __init__(self, repo: str, branch: str | None):
        self.repo = repo
        self.branch = branch

    def _key(self, what: str, version: int) -> str:
        return f"branch.{self.branch}.patchflow-{what}-v{version}"

    def _get(self, key: str) -> str | None:
        if not self.branch:
            return None
        value = git(["config", "--get", key], self.repo, check=False)
        return value[:-1] if value.endswith("\n") else (value or None)

    def changes(self, version: int) -> str | None:
        return self._get(self._key("changes", version))

    def link(self, version: int) -> str | None:
        return self._get(self._key("link", version))

    def stored(self) -> dict[tuple[str, int], str]:
        """{("changes" or "link", version): text} of every version kept for the branch, in one git
        call (asking for each version from -v N down would take N calls)."""
        if not self.branch:
            return {}
        out = git(["config", "-z", "--get-regexp", r"\.patchflow-(changes|link)-v[0-9]+$"], self.repo, check=False)
        prefix = f"branch.{self.branch}.patchflow-"
        found = {}
        for entry in filter(None, out.split("\0")):
            key, _, value = entry.partition("\n")
            if key.startswith(prefix):
                what, _, number = key[len(prefix):].partition("-v")
                found[(what, int(number))] = value
        return found

    def save(self, version: int, changes: str | None, prev_link: str | None) -> None:
        if not self.branch:
            raise BadInput("--changes and --prev-link are kept per branch: the range does not end on a branch")
        if changes is not None:
            git(["config", self._key("changes", version), changes.strip("\n")], self.repo)
        if prev_link is not None:
            git(["config", self._key("link", version - 1), prev_link], self.repo)


def changelog(store: ChangelogStore, version: int, changes: str | None = None,
              prev_link: str | None = None) -> str:
    """`Changes in vN:` ... down to v2, newest first; `changes`/`prev_link` stand for version N's."""
    blocks = []
    stored = store.stored()
    numbers = {version} | {n if what == "changes" else n + 1 for what, n in stored}
    for number in sorted((n for n in numbers if 2 <= n <= version), reverse=True):
        text = changes if number == version and changes is not None else stored.get(("changes", number))
        link = prev_link if number == version and prev_link is not None else stored.get(("link", number - 1))
        lines = [line.rstrip() for line in (text or "").strip("\n").split("\n") if text]
        if link:
            lines.append(f"- Link to v{number - 1}: {link}")
        if lines:
            blocks.append(f"Changes in v{number}:\n" + "\n".join(lines))
    return "\n\n".join(blocks)


# --- the mails ---------------------------------------------------------------------------------


@record
class Mail:
    name: str  # the file name git format-patch gave it
    text: str

    @property
    def is_cover_letter(self) -> bool:
        return re.match(r"^(v\d+-)?0000-cover-letter\.patch$", self.name) is not None


def format_patch(repo: str, rng: Range, directory: str, prefix: str, version: int, cover: bool,
                 to: Sequence[str], cc: Sequence[str], cover_from_description: bool) -> list[Mail]:
    """Run git format-patch into `directory` and read back what it wrote, in order.

    It is given the range as the user wrote it, so that it finds the branch and, with
    `cover_from_description`, takes the cover letter's subject and body from its description.
    """
    args = ["-c", "core.quotePath=false", *_PINNED_CONFIG, "format-patch", "-o", directory,
            f"--subject-prefix={prefix}", f"--base={rng.base}",
            # Message-Ids in the files: git send-email keeps them, and `patchflow status DIR` finds
            # the series on Patchwork by them; shallow, as the kernel threads a series
            "--thread=shallow"]
    if version > 1:
        args.append(f"-v{version}")
    if cover:
        args += ["--cover-letter", "--numbered",
                 "--cover-from-description=" + ("subject" if cover_from_description else "none")]
    else:
        args += ["--no-cover-letter"] + (["--numbered"] if len(rng.commits) > 1 else ["--no-numbered"])
    for address in to:
        args.append(f"--to={address}")
    for address in cc:
        args.append(f"--cc={address}")
    # a spec is `-N` or revisions rev-parse accepted: nothing else can pass for an option
    args += [rng.spec, "--"] if _LAST_N.match(rng.spec) else ["--end-of-options", rng.spec, "--"]
    out = git(args, repo)
    mails = []
    for path in filter(None, out.split("\n")):
        with open(path, encoding="utf-8", errors="surrogateescape") as handle:
            mails.append(Mail(os.path.basename(path), handle.read()))
    expected = len(rng.commits) + (1 if cover else 0)
    if len(mails) != expected:
        raise TreeError(f"git format-patch wrote {len(mails)} files for {expected} mails of {rng.spec}")
    return mails


def patch_texts(repo: str, rng: Range, prefix: str, version: int) -> list[str]:
    """The patches as git format-patch writes them before they have recipients: what
    get_maintainer.pl searches for `K:` keywords."""
    with tempfile.TemporaryDirectory(prefix="patchflow-format-") as scratch:
        mails = format_patch(repo, rng, scratch, prefix, version, False, (), (), cover_from_description=False)
    return [mail.text for mail in mails]


def shortlog_heads(repo: str, rng: Range) -> list[str]:
    """The first line of each author's group in the cover letter's shortlog: `Name (count):`."""
    names = git(["log", "--no-merges", "--format=%aN", f"{rng.base}..{rng.tip}"], repo).split("\n")
    counts: dict[str, int] = {}
    for name in filter(None, names):
        counts[name] = counts.get(name, 0) + 1
    return [f"{name} ({count}):" for name, count in counts.items()]


def fill_cover_letter(mail: Mail, subject: str | None, body: str | None, changes: str,
                      heads: Sequence[str] = ()) -> None:
    """Put the subject, the body and the changelog (above the shortlog) into git's cover letter."""
    text = mail.text
    if subject is not None:
        text = _replace_subject(text, SUBJECT_PLACEHOLDER, " ".join(subject.split()))
    if body is not None:
        text = text.replace(BLURB_PLACEHOLDER, body.strip("\n"), 1)
    if changes:
        lines = text.split("\n")
        at = _shortlog_start(lines, heads)
        if at is None:
            raise TreeError(f"{mail.name}: no shortlog found in git's cover letter")
        lines[at:at] = changes.split("\n") + [""]
        text = "\n".join(lines)
    mail.text = _declare_utf8(text)


def _shortlog_start(lines: list[str], heads: Sequence[str]) -> int | None:
    """The first line of the shortlog: walked up from the diffstat over one group per author (`heads`
    are the groups' first lines), so that a body line that looks like `Name (2):` is left alone."""
    summary = next((i for i in range(len(lines) - 1, -1, -1) if _DIFFSTAT_SUMMARY.match(lines[i])), None)
    if summary is None:
        return None
    top = summary
    while top > 0 and lines[top - 1] != "":
        top -= 1  # the first line of the diffstat
    wanted, start, j = set(heads), None, top - 2
    while wanted and j >= 0 and lines[j].startswith("  "):
        while j >= 0 and lines[j].startswith("  "):
            j -= 1
        if j < 0 or lines[j] not in wanted:
            return None
        wanted.discard(lines[j])
        start, j = j, j - 2  # over the blank line between two authors' groups
    return None if wanted else start


def _replace_subject(text: str, old: str, new: str) -> str:
    """Replace `old` in the Subject header, RFC 2047-encoded when it is not ASCII (as git does)."""
    head, sep, rest = text.partition("\n\n")
    lines = head.split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("Subject: "))
    end = at + 1
    while end < len(lines) and lines[end][:1] in (" ", "\t"):
        end += 1
    value = " ".join(part.strip() for part in lines[at:end])[len("Subject: "):].replace(old, new, 1)
    if not value.isascii():
        import email.header

        value = email.header.Header(value, "utf-8", header_name="Subject").encode()
    lines[at:end] = [f"Subject: {value}"]
    return "\n".join(lines) + sep + rest


def _declare_utf8(text: str) -> str:
    """A mail whose text became non-ASCII gets the MIME headers git format-patch gives such mails."""
    if text.isascii():
        return text
    head, sep, rest = text.partition("\n\n")
    if "\nContent-Type:" in head:
        return text
    return head + "\nMIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n" \
        "Content-Transfer-Encoding: 8bit" + sep + rest


def add_notes(mail: Mail, changes: str) -> None:
    """Put the changelog below a lone patch's `---`, where git am leaves it out of the commit."""
    if not changes:
        return
    lines = mail.text.split("\n")
    at = next((i for i, line in enumerate(lines) if line == "---"), None)
    if at is None:
        raise TreeError(f"{mail.name}: git format-patch wrote no '---' line")
    lines[at + 1:at + 1] = changes.split("\n") + [""]
    mail.text = _declare_utf8("\n".join(lines))


def split_cover_text(text: str) -> tuple[str, str]:
    """A cover letter text as git reads a branch description: the first paragraph is the subject."""
    text = text.strip("\n")
    subject, _, body = text.partition("\n\n")
    return " ".join(subject.split()), body.strip("\n")


# --- recipients --------------------------------------------------------------------------------


@record
class Addressing:
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)


def addressing(recipients: Recipients | None, extra_to: Sequence[str], extra_cc: Sequence[str]) -> Addressing:
    """Maintainers and lists on To, reviewers on Cc, each address once; --to/--cc come first."""
    result = Addressing()
    seen = set()

    def add(target: list[str], value: str) -> None:
        import email.utils

        key = (email.utils.parseaddr(value)[1] or value).lower()
        if key not in seen:
            seen.add(key)
            target.append(value)

    for value in extra_to:
        add(result.to, value)
    for value in extra_cc:
        add(result.cc, value)
    if recipients is not None:
        for value in recipients.maintainers + recipients.lists:
            add(result.to, value)
        for value in recipients.reviewers:
            add(result.cc, value)
    return result
