"""Apply a bpf_doc.py patch in a throw-away worktree, regenerate the helper header, and prove it right.

By default the patch is the bundled BPF_HELPER change (the variant that applies to the tree). The
tree's own scripts/bpf_doc.py runs before and after the patch; four proofs follow: helpers (same
names, ids and types), expansion (same C tokens after cc -E -P), late_binding (extern helpers get
R_BPF_64_32 relocations) and relocations (bound by id, the code equals early binding byte for byte).
The user's tree is never changed. Exit status: 0 every proof passes, 1 one fails, 2 an error.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

DEFAULT_MAX_AGE = 24 * 3600.0


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
    parser.add_argument("--tree", required=True, metavar="NAME|PATH",
                        help="kernel git work tree, or a tree name (bpf-next, bpf, net-next, net, linux, "
                             "debian-6.12, or one set in git config patchflow.tree.NAME.path/.url)")
    parser.add_argument("--base", metavar="REF", help="the commit to apply the patch to (default: the tree's HEAD)")
    parser.add_argument("--patch", nargs="+", metavar="FILE", dest="patches",
                        help="apply these patches (a series, in order) instead of the bundled BPF_HELPER change")
    parser.add_argument("--out", metavar="DIR",
                        help="keep the generated files in DIR: before/ and after/ (the header and, for the "
                             "diff, the generator's manual pages) and generated.diff")
    parser.add_argument("--max-age", type=_duration, default=DEFAULT_MAX_AGE, metavar="DURATION",
                        help="fetch a cached clone older than this (seconds, or 30m, 12h, 7d; default 1d)")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")


def render_text(result) -> str:
    lines = [f"tree:      {result.tree_spec} ({result.tree.path})",
             f"base:      {result.base[:12]} (\"{result.base_subject}\")"]
    for applied in result.applied:
        variant = f" [bundled, {applied.variant} variant]" if applied.variant else ""
        lines.append(f"patch:     {applied.subject}{variant}")
    lines.append(f"changed:   {', '.join(result.changed_outputs) or 'nothing'} "
                 f"(scripts/bpf_doc.py before and after)")
    if result.generated and result.generated[0].startswith("/"):
        lines.append(f"kept:      {len(result.generated)} files in {result.generated[0].rsplit('/before/', 1)[0]}")
    lines.append("")
    width = max(len(proof.name) for proof in result.proofs)
    for proof in result.proofs:
        lines.append(f"{proof.name:<{width}}  {'ok  ' if proof.ok else 'FAIL'}  {proof.detail}")
        lines.append(f"{'':<{width}}        compared: {proof.compared}")
    passed = sum(proof.ok for proof in result.proofs)
    lines.append("")
    lines.append(f"{passed} of {len(result.proofs)} proofs pass" +
                 ("" if result.ok else ": " + ", ".join(p.name for p in result.proofs if not p.ok) + " failed"))
    return "\n".join(lines) + "\n"


def run(args) -> int:
    from ..regen.run import regen

    result = regen(args.tree, base=args.base, patch_files=args.patches, out=args.out, max_age=args.max_age,
                   progress=sys.stderr.isatty())
    if args.format == "json":
        sys.stdout.write(json.dumps(result.as_json(), indent=2) + "\n")
    else:
        sys.stdout.write(render_text(result))
    sys.stdout.flush()
    return 0 if result.ok else 1
