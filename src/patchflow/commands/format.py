"""Write a submission-ready series: subjects, cover letter, changelog, base and recipients, checked.

  patchflow format master..topic --tree bpf-next -v 2 --changes changes.txt -o outgoing/

RANGE is `A..B`, `-N` (the last N commits) or `A` (A..HEAD); by default the commits of the current
branch that are not on the tree's tip (or on the branch's upstream). The mails are made by
`git format-patch`; patchflow names the tree in the subject (`[PATCH bpf-next v2 1/2]`), addresses
them from MAINTAINERS as scripts/get_maintainer.pl does (maintainers and lists on To, reviewers on
Cc), writes the cover letter and the changelog (kept per branch in git config), and runs
`patchflow check --strict` on them: a finding of level ERROR or WARNING writes nothing.
Files are written into a temporary directory and moved into place when all are ready.
Exit status: 0 written, 1 refused by the check (or by --rebase-check), 2 bad input.
"""

from __future__ import annotations

import argparse
import os
import sys


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("range", nargs="?", metavar="RANGE",
                        help="A..B, -N or A (A..HEAD); default: the branch's commits not on the tree's tip")
    parser.add_argument("--tree", metavar="PATH|NAME",
                        help="the kernel tree: MAINTAINERS, the subject tag, the check and the base "
                             "(a path, or a name such as bpf-next; default: this repository)")
    parser.add_argument("--tag", metavar="TREE",
                        help="the tree named in the subject (default: --tree's name, else from MAINTAINERS T: lines)")
    parser.add_argument("-v", "--reroll-count", type=int, default=1, metavar="N", dest="version",
                        help="the version of the series: v2 gives [PATCH bpf-next v2 1/2] and v2-0001-*.patch")
    parser.add_argument("--rfc", action="store_true", help="mark the series [PATCH RFC ...]")
    parser.add_argument("-o", "--output-directory", default=".", metavar="DIR", dest="output",
                        help="where to write the files (default: the current directory)")
    parser.add_argument("--cover-letter", metavar="FILE", dest="cover_file",
                        help="the cover letter's text: first paragraph the subject, the rest the body "
                             "(default: git config branch.<name>.description); asks for a cover letter "
                             "for a lone patch too")
    parser.add_argument("--cover", action="store_true", help="write a cover letter for a lone patch too")
    parser.add_argument("--changes", metavar="FILE",
                        help="what changed in this version; kept with the branch for later versions")
    parser.add_argument("--prev-link", metavar="URL", help="a link to the previous version (lore.kernel.org)")
    parser.add_argument("--to", action="append", default=[], metavar="ADDRESS", help="add a To: address")
    parser.add_argument("--cc", action="append", default=[], metavar="ADDRESS", help="add a Cc: address")
    parser.add_argument("--no-auto", action="store_false", dest="auto",
                        help="no recipients from MAINTAINERS (only --to and --cc)")
    parser.add_argument("--no-check", action="store_false", dest="check", help="skip the check gate")
    parser.add_argument("--rebase-check", action="store_true",
                        help="apply the series on the tree's tip in a temporary worktree and report the first conflict")


def _warn(message: str) -> None:
    print(f"patchflow: warning: {message}", file=sys.stderr)


def _read(path: str, what: str) -> str:
    from ..errors import BadInput

    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeError) as exc:
        raise BadInput(f"{what} {path}: cannot read: {getattr(exc, 'strerror', None) or exc}")


def _shown(path: str) -> str:
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def _prepare(args):
    """Everything `format` knows before it writes: the tree, the range, the tag, the changelog and the
    recipients (bad input raises BadInput, nothing is written yet)."""
    from types import SimpleNamespace

    from .. import format as fmt
    from ..errors import BadInput
    from ..maintainers import TAGGED_TREES
    from ..tree import KernelTree, resolve_tree

    if args.version < 1:
        raise BadInput(f"-v {args.version}: a version is 1 or more")
    if (args.changes or args.prev_link) and args.version < 2:
        raise BadInput("--changes and --prev-link describe a new version: give -v 2 or later")
    _check_words(args)
    repo = fmt.repository(os.getcwd())
    tree = resolve_tree(args.tree, progress=True) if args.tree else KernelTree(repo)
    tree_is_repo = os.path.realpath(tree.path) == os.path.realpath(repo)
    if args.rebase_check and tree_is_repo:
        raise BadInput("--rebase-check applies the series on another tree's tip: give --tree (a path, "
                       "or a name such as bpf-next)")
    maintainers = tree.maintainers()
    if maintainers is None and args.auto:
        _warn(f"{tree.path} has no MAINTAINERS: no recipients and no tree tag from it")
    rng = fmt.resolve_range(repo, args.range or fmt.default_range(repo, tree, tree_is_repo))
    if fmt.dirty(repo):
        _warn("the work tree has uncommitted changes: they are not in the patches, which are made from the commits")
    paths = fmt.touched_files(repo, rng.commits)
    tag = args.tag or (tree.name if tree.name in TAGGED_TREES else None) or fmt.infer_tree_tag(maintainers, paths)
    changes = _read(args.changes, "--changes") if args.changes else None
    cover_text = _read(args.cover_file, "--cover-letter") if args.cover_file else None
    for text, flag, path in ((changes, "--changes", args.changes), (cover_text, "--cover-letter", args.cover_file)):
        if text is not None and not text.strip():
            raise BadInput(f"{flag} {path}: empty file")
    store = fmt.ChangelogStore(repo, rng.branch)
    if (changes is not None or args.prev_link) and not rng.branch:
        raise BadInput(f"--changes and --prev-link are kept with the branch: range {rng.spec} does not end on one")
    log = fmt.changelog(store, args.version, changes, args.prev_link)
    if args.version > 1 and not log:
        _warn(f"no changelog for v{args.version}: say what changed since v{args.version - 1} with --changes FILE")
    prefix = fmt.subject_prefix(tag, args.rfc)
    recipients = None
    if args.auto and maintainers is not None:
        recipients = maintainers.recipients(paths, fmt.patch_texts(repo, rng, prefix, args.version))
    if not tree_is_repo:
        _base_warning(tree, rng.base, tag)
    return SimpleNamespace(repo=repo, tree=tree, rng=rng, tag=tag, changes=changes, cover_text=cover_text,
                           store=store, log=log, prefix=prefix, addressing=fmt.addressing(recipients, args.to, args.cc),
                           cover=len(rng.commits) > 1 or args.cover or cover_text is not None)


def run(args) -> int:
    from .. import format as fmt, outbox

    plan = _prepare(args)
    repo, tree, rng, tag, changes, cover_text = plan.repo, plan.tree, plan.rng, plan.tag, plan.changes, plan.cover_text
    store, log, prefix, addressing, cover = plan.store, plan.log, plan.prefix, plan.addressing, plan.cover

    with outbox.AtomicOutput(args.output) as out:
        mails = fmt.format_patch(repo, rng, out.staging, prefix, args.version, cover,
                                 addressing.to, addressing.cc, cover_from_description=cover_text is None)
        if cover:
            subject, body = fmt.split_cover_text(cover_text) if cover_text is not None else (None, None)
            fmt.fill_cover_letter(mails[0], subject, body, log, fmt.shortlog_heads(repo, rng))
        else:
            fmt.add_notes(mails[0], log)
        outbox.write_mails(out.staging, mails)
        final = [os.path.join(out.directory, mail.name) for mail in mails]
        sources = _sources(repo, rng, mails, log, args)
        _refuse_unsafe_paths(mails, [label for label, _ in sources], tree)
        if args.check and not _gate(mails, sources, tree, _changelog_label(args)):
            return 1
        if args.rebase_check and not _rebase_check(tree, mails, tag):
            return 1
        strays = out.strays([mail.name for mail in mails], outbox.version_files(args.version))
        out.commit([mail.name for mail in mails])
    if changes is not None or args.prev_link:
        store.save(args.version, changes, args.prev_link)
    for path in final:
        print(_shown(path))
    for name in strays:
        _warn(f"{_shown(os.path.join(out.directory, name))} is from an earlier run and not part of this "
              f"series: remove it before sending")
    if addressing.to:
        print("To: " + ", ".join(addressing.to))
    if addressing.cc:
        print("Cc: " + ", ".join(addressing.cc))
    _send_hint(final)
    return 0


def _send_hint(final) -> None:
    """How to send them: git send-email where it is installed, else the package that brings it."""
    from ..errors import PatchflowError
    from ..tree import run_git

    try:
        proc = run_git(["--exec-path"], cwd=None, timeout=30)
        exec_path = proc.stdout.decode(errors="replace").strip() if proc.returncode == 0 else ""
    except PatchflowError:  # no git (or one that does not answer): no send-email either
        exec_path = ""
    command = "git send-email " + " ".join(_shown(path) for path in final)
    if exec_path and os.access(os.path.join(exec_path, "git-send-email"), os.X_OK):
        print("Send them with:\n  " + command)
    else:
        print(f"Send them with: {command}\n  (git send-email is not installed here: it is the package "
              "git-email on Debian, Ubuntu and Fedora)")


def _sources(repo, rng, mails, log, args):
    """(what the gate names, the mail's lines that came from the changelog) for each mail: the commit,
    the cover letter's text or the changes file a finding is to be fixed in, never the mail's own file,
    which is not written when the gate refuses."""
    from ..tree import git

    commits = iter(rng.commits)
    sources = []
    for mail in mails:
        if mail.is_cover_letter:
            label = (f"the cover letter's text {args.cover_file}" if args.cover_file else
                     f"the cover letter's text (git branch --edit-description {rng.branch})" if rng.branch else
                     "the cover letter's text (--cover-letter FILE)")
        else:
            sha = next(commits).sha
            label = f'commit {sha[:12]} ("{git(["log", "-1", "--format=%s", sha], repo).strip()}")'
        lines = mail.text.split("\n")
        block = log.split("\n") if log else []
        start = next((i for i in range(len(lines)) if block and lines[i:i + len(block)] == block), None)
        sources.append((label, range(start + 1, start + 1 + len(block)) if start is not None else range(0)))
    return sources


def _changelog_label(args) -> str:
    return f"the changes file {args.changes}" if args.changes else "the changelog kept in git config"


def _refuse_unsafe_paths(mails, final, tree) -> None:
    """One line and exit 2, nothing written, for a series whose file names leave the tree (a symbolic
    link to outside it, a path through one): before the check gate and before --rebase-check applies."""
    from ..patch import parse_text
    from ..paths import refuse_unsafe_paths

    refuse_unsafe_paths([patch for mail, path in zip(mails, final) for patch in parse_text(mail.text, source=_shown(path))],
                        tree.path)


def _check_words(args) -> None:
    """Values that end up in mail headers or on one line: no line breaks, no brackets in the tag."""
    import re
    from email.utils import getaddresses

    from ..errors import BadInput

    if args.tag is not None and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", args.tag):
        raise BadInput(f"--tag {args.tag!r}: a tree name is letters, digits, '.', '_' and '-' (bpf-next)")
    if args.prev_link is not None and (not args.prev_link.strip() or re.search(r"\s", args.prev_link.strip())):
        raise BadInput(f"--prev-link {args.prev_link!r}: one URL, without spaces")
    for flag, values in (("--to", args.to), ("--cc", args.cc)):
        for value in values:
            if not value.strip() or any(c in value for c in "\r\n\0"):
                raise BadInput(f"{flag} {value!r}: one address on one line")
            if not all("@" in address for _, address in getaddresses([value])):
                # git format-patch copies any text into the header; git send-email refuses it later
                raise BadInput(f"{flag} {value!r}: not an e-mail address (user@example.org or "
                               "Name <user@example.org>, several separated by commas)")


def _gate(mails, sources, tree, changelog: str) -> bool:
    """`patchflow check --strict` on the mails; ERROR and WARNING findings stop the run, naming what to
    fix: the commit, the cover letter's text or the changes file (`changelog`)."""
    from .. import report
    from ..submission import check_gate

    gate = check_gate([mail.text for mail in mails], [label for label, _ in sources], tree.path)
    if not gate.passed:
        sys.stdout.write(report.render_text(gate.with_findings, report.use_colour("auto", sys.stdout)))
        changelog_lines = dict(sources)
        places = []
        for result in gate.with_findings:
            for finding in result.findings:
                if finding.level not in (report.ERROR, report.WARNING):
                    continue
                place = changelog if finding.patch_line in changelog_lines.get(finding.patch, ()) else finding.patch
                if place not in places:
                    places.append(place)
        print(f"patchflow: the check found {gate.errors} error(s) and {gate.warnings} warning(s) in the "
              f"patches: nothing written; fix {'; '.join(places)} (or give --no-check)", file=sys.stderr)
        return False
    if gate.with_findings:
        sys.stderr.write(report.render_terse(gate.with_findings))
    return True


def _base_warning(tree, base: str, tag) -> None:
    """The bpf maintainers ask for series on the latest bpf-next: say when the base is behind."""
    from ..submission import base_position

    name = tree.name or tag or tree.path
    where = base_position(tree, base)
    tip = where.tip
    if base == tip:
        return
    if not where.known:
        _warn(f"base-commit {base[:12]} is not {name}'s tip {tip[:12]} nor in its history here: maintainers "
              f"ask for series on the latest tree; --rebase-check tries it on the tip")
        return
    _warn(f"base-commit {base[:12]} is {where.behind} commit(s) behind {name}'s tip {tip[:12]}: maintainers ask for "
          f"series on the latest tree; --rebase-check tries it on the tip")


def _rebase_check(tree, mails, tag) -> bool:
    """Apply the series on the tree's tip in a temporary worktree; report the first patch that fails."""
    from ..submission import rebase_check

    name = tree.name or tag or tree.path
    result = rebase_check(tree, mails)
    tip = result.tip
    if not result.applies:
        print(f"patchflow: rebase check: {result.failed_name} (patch {result.failed + 1}/{result.patches}) does "
              f"not apply on {name}'s tip {tip[:12]}: {result.reason}; nothing written", file=sys.stderr)
        return False
    print(f"rebase check: the series applies on {name}'s tip {tip[:12]}", file=sys.stderr)
    return True
