"""`patchflow regen`: prove a change to the BPF helper generator or its input on a real tree.

What is compared: by default the current branch against its base, each side generated in its own
temporary worktree; with --patch, patch files applied on the tree's tip; with --bundled (and by
default when the branch has no commit of its own), the bundled BPF_HELPER change. The tree's own
scripts/bpf_doc.py makes the helper header and the two manual pages on each side; the report says
what changed in each and runs the proofs that apply to the change, each passing, failing or not
applicable with the reason. The user's checkout is never changed.
Exit status: 0 every applicable proof passes, 1 one fails, 2 an error.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

DEFAULT_MAX_AGE = 24 * 3600.0
STATE_WORDS = {"pass": "pass", "fail": "FAIL", "not applicable": "n/a"}


def _duration(text: str) -> float:
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    value = text.strip().lower()
    scale = units.get(value[-1:], None)
    try:
        number = float(value[:-1] if scale else value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        # float() takes nan and inf too; a nan age would never be older than the clone
        raise argparse.ArgumentTypeError(f"{text!r}: not a duration (like 90, 30m, 12h or 7d)")
    if number < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: a duration cannot be negative")
    return number * (scale or 1)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tree", metavar="NAME|PATH",
                        help="kernel git work tree, or a tree name (bpf-next, bpf, net-next, net, linux, "
                             "debian-6.12, or one set in git config patchflow.tree.NAME.path/.url); "
                             "default: the git work tree around the current directory")
    parser.add_argument("--base", metavar="REV",
                        help="the before side: the commit the branch is compared with (default: the merge-base "
                             "with the branch's upstream or origin/HEAD, else HEAD~1), or the one --patch/--bundled "
                             "apply to (default: HEAD)")
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--patch", nargs="+", metavar="FILE|DIR", dest="patches",
                      help="apply these patches (a series, in order; a directory: its patch files; cover "
                           "letters are skipped) on the base instead of comparing the branch")
    what.add_argument("--bundled", action="store_true",
                      help="apply the bundled BPF_HELPER change on the base (the default when the branch has "
                           "no commit of its own)")
    parser.add_argument("--out", metavar="DIR",
                        help="keep the generated files in DIR: before/ and after/ (the header and the two "
                             "manual pages) and generated.diff")
    parser.add_argument("--max-age", type=_duration, default=DEFAULT_MAX_AGE, metavar="DURATION",
                        help="fetch a cached clone older than this (seconds, or 30m, 12h, 7d; default 1d)")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")


def _what_lines(result) -> list:
    plan = result.plan
    lines = [f"tree:      {result.tree_spec}" + (f" ({result.tree.path})" if result.tree_spec != result.tree.path
                                                else ""),
             f"base:      {plan.base[:12]} (\"{plan.base_subject}\"), {plan.base_why}"]
    if plan.mode == "branch":
        lines.append(f"branch:    {plan.head_name} at {plan.head[:12]}, {len(plan.commits)} "
                     f"commit{'s' if len(plan.commits) != 1 else ''}:")
        lines += [f"             {commit[:12]} {subject}" for commit, subject in plan.commits]
    for applied in result.applied:
        variant = f" [bundled, {applied.variant} variant]" if applied.variant else ""
        lines.append(f"patch:     {applied.subject}{variant}")
    lines += [f"skipped:   {name}: {why}" for name, why in plan.skipped]
    lines += [f"note:      {note}" for note in plan.notes]
    return lines


def render_text(result) -> str:
    lines = _what_lines(result)
    width = max(len(change.name) for change in result.changes)
    for index, change in enumerate(result.changes):
        lines.append(f"{'changed:' if index == 0 else '':<11}{change.name:<{width}}  {change.summary}")
    if result.generated and result.generated[0].startswith("/"):
        lines.append(f"kept:      {len(result.generated)} files in {result.generated[0].rsplit('/before/', 1)[0]}")
    lines.append("")
    width = max(len(proof.name) for proof in result.proofs)
    for proof in result.proofs:
        lines.append(f"{proof.name:<{width}}  {STATE_WORDS[proof.state]:<4}  {proof.detail}")
        if proof.compared:
            lines.append(f"{'':<{width}}        compared: {proof.compared}")
    lines += ["", summary_line(result.proofs)]
    return "\n".join(lines) + "\n"


def summary_line(proofs) -> str:
    applicable = [proof for proof in proofs if proof.state != "not applicable"]
    failed = [proof.name for proof in applicable if proof.state == "fail"]
    skipped = [proof.name for proof in proofs if proof.state == "not applicable"]
    line = f"{len(applicable) - len(failed)} of {len(applicable)} applicable proofs pass"
    if failed:
        line += f": {', '.join(failed)} failed"
    if skipped:
        line += f" ({', '.join(skipped)} not applicable)"
    return line


def run(args) -> int:
    from ..regen.run import regen

    result = regen(args.tree, base=args.base, patch_files=args.patches, out=args.out, max_age=args.max_age,
                   bundled=args.bundled)
    if args.format == "json":
        sys.stdout.write(json.dumps(result.as_json(), indent=2) + "\n")
    else:
        sys.stdout.write(render_text(result))
    sys.stdout.flush()
    return 0 if result.ok else 1
