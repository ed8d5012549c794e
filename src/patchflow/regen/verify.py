"""The proofs of a generator change, one function each, each with the condition under which it applies.

Each proof passes, fails with the first difference, or does not apply, with the reason:

- generator (always): scripts/bpf_doc.py makes every output after the change, as it did before;
- helpers (always, to the header): every helper declared before keeps its name, id, return type,
  arguments and attributes; a helper the change adds takes an id no helper had;
- expansion (always, to the header): preprocessed with its default macros, the header is the same C
  token stream as before, apart from the declarations of the helpers the change adds;
- late_binding (when the header after the change declares its helpers through a BPF_HELPER macro a
  program may define first): a probe program built with BPF_HELPER declaring the helpers `extern`
  has an R_BPF_64_32 relocation naming each helper it calls;
- relocations (the same condition): binding those relocations by id gives the early-binding code
  byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..records import field, record
from .bpf_object import (PROBE_HELPERS, PROBE_SECTION, R_BPF_64_32, ToolRun, bind_call, call_sites,
                         read_object)
from .changes import helper_diff
from .declarations import c_tokens, normalized, renamed_parameters, statements
from .header import HelperHeader

PASS, FAIL, NOT_APPLICABLE = "pass", "fail", "not applicable"
PROOFS = ("generator", "helpers", "expansion", "late_binding", "relocations")
APPLIES = {
    "generator": "always",
    "helpers": "always, to the header",
    "expansion": "always, to the header",
    "late_binding": "when the header after the change declares its helpers through an overridable BPF_HELPER macro",
    "relocations": "when the header after the change declares its helpers through an overridable BPF_HELPER macro",
}
# a default a program may replace: `#ifndef BPF_HELPER` (or `#if !defined(BPF_HELPER)`), then its definition
OVERRIDABLE = re.compile(r"^[ \t]*#[ \t]*(?:ifndef[ \t]+BPF_HELPER\b|if[ \t]*![ \t]*defined[ \t]*\(?[ \t]*BPF_HELPER\b)"
                         r"(?:.*\n)*?[ \t]*#[ \t]*define[ \t]+BPF_HELPER\(", re.M)


@record
class Proof:
    name: str
    state: str  # PASS, FAIL or NOT_APPLICABLE
    compared: str  # what was compared, for the report
    detail: str  # a summary when it passes, the first difference when it fails, why not when it does not apply
    data: dict = field(default_factory=dict)  # the figures of the JSON report

    @property
    def ok(self) -> bool:
        return self.state != FAIL

    def as_json(self) -> dict:
        return {"state": self.state, "reason": self.detail, "applies": APPLIES[self.name],
                "compared": self.compared, **self.data}


def not_applicable(name: str, reason: str) -> Proof:
    return Proof(name, NOT_APPLICABLE, "", reason)


def overridable(header_text: str) -> str | None:
    """Why late binding does not apply to this header, or None when a program can override BPF_HELPER."""
    if not OVERRIDABLE.search(header_text):
        return ("the header after the change has no `#ifndef BPF_HELPER` default for a program to override: "
                "its helpers are bound by id")
    if not re.search(r"^BPF_HELPER\(", header_text, re.M):
        return "the header after the change defines BPF_HELPER but declares no helper with it"
    return None


def generator(errors: dict[str, str], outputs: Sequence[str]) -> Proof:
    compared = "scripts/bpf_doc.py --header, helpers and syscall each exit 0, before and after the change"
    if errors:
        first = next(iter(errors.values()))
        return Proof("generator", FAIL, compared, first, {"failed": [name for name in outputs if name in errors]})
    return Proof("generator", PASS, compared, f"{len(outputs)} outputs generated before and after the change",
                 {"failed": []})


def helpers(before: HelperHeader, after: HelperHeader) -> Proof:
    compared = "helper names, ids, return and argument types and attributes, before and after"
    diff = helper_diff(before, after)
    data = {"count": len(after.helpers), "changed": sorted(h.name for h in diff.removed) +
            sorted(old.name for old, _, _ in diff.changed), "added": [h.name for h in diff.added]}
    first = None
    if diff.removed:
        gone = diff.removed[0]
        first = f"{gone.name} (id {gone.id}) is gone: before `{gone.signature()}` (line {gone.line})"
    elif diff.changed:
        old, new, fields = diff.changed[0]
        first = (f"{old.name} changed ({', '.join(fields)}): before `{old.signature()}`, "
                 f"after `{new.signature()}` (line {new.line})")
    elif after.unparsed:
        line, text = after.unparsed[0]
        first = f"line {line} declares a helper patchflow cannot read: {text[:120]}"
    elif not before.helpers:
        first = "the header before the change declares no helper"
    else:
        first = _reused_id(before, diff.added)
    if first:
        return Proof("helpers", FAIL, compared, first, data)
    kept = len(after.helpers) - len(diff.added)
    detail = f"{kept} helpers: same names, ids, return and argument types"
    if diff.added:
        detail += f"; added {', '.join(f'{h.name} (id {h.id})' for h in diff.added)}"
    return Proof("helpers", PASS, compared, detail, data)


def _reused_id(before: HelperHeader, added) -> str | None:
    taken = {helper.id: helper.name for helper in before.helpers}
    for helper in added:
        if helper.id in taken:
            return f"the new helper {helper.name} takes id {helper.id}, which was {taken[helper.id]}'s"
    return None


def _without_statements(tokens, names) -> tuple:
    """The tokens without the statements that mention any of `names`, and how many went."""
    kept, dropped = [], 0
    for statement in statements(tokens):
        if any(token.text in names for token in statement):
            dropped += 1
        else:
            kept.extend(statement)
    return kept, dropped


def expansion(before: ToolRun, after: ToolRun, added: Sequence[str] = (), names: Sequence[str] = ()) -> Proof:
    """Both headers through `cc -E -P` (default macros): identical C token streams, added helpers and
    parameter names aside."""
    compared = "C tokens of both headers after cc -E -P, with the default BPF_HELPER"
    for stage, run in (("before", before), ("after", after)):
        if not run.ok:
            return Proof("expansion", FAIL, compared, f"cc -E on the header {stage} the change failed: {run.error}",
                         {"tokens": 0})
    with open(before.path, encoding="utf-8", errors="replace") as handle:
        old, old_helpers = normalized(c_tokens(handle.read()), names)
    with open(after.path, encoding="utf-8", errors="replace") as handle:
        new, dropped = _without_statements(c_tokens(handle.read()), set(added))
    count = len(new)
    new, new_helpers = normalized(new, names)
    for index, (a, b) in enumerate(zip(old, new)):
        if a.text != b.text:
            return Proof("expansion", FAIL, compared,
                         f"token {index + 1} differs: before `{a.text}`, after `{b.text}` (cc -E output, before "
                         f"line {a.line}: `{_context(old, index)}`; after line {b.line}: `{_context(new, index)}`)",
                         {"tokens": index})
    if len(old) != len(new):
        shorter, longer, which = (old, new, "after") if len(old) < len(new) else (new, old, "before")
        extra = longer[len(shorter)]
        return Proof("expansion", FAIL, compared,
                     f"the header {which} the change goes on after token {len(shorter)}: `{extra.text}` "
                     f"(line {extra.line})", {"tokens": len(shorter)})
    renamed = renamed_parameters(old_helpers, new_helpers)
    asides = ([f"{dropped} added helper declaration{'s' if dropped != 1 else ''}"] if dropped else []) + \
        ([f"the parameter names of {', '.join(renamed)}"] if renamed else [])
    detail = f"{count} C tokens identical" + (f" ({' and '.join(asides)} aside)" if asides else "")
    return Proof("expansion", PASS, compared, detail, {"tokens": count, "renamed_parameters": renamed})


def _context(tokens, index: int) -> str:
    return " ".join(token.text for token in tokens[max(0, index - 4):index + 5])


def late_binding(late: ToolRun, called=PROBE_HELPERS) -> Proof:
    compared = f"clang -target bpf -O2 with extern helpers: an R_BPF_64_32 relocation for each of {len(called)} calls"
    if not late.ok:
        return Proof("late_binding", FAIL, compared, f"the late-binding probe does not build: {late.error}",
                     {"externs": []})
    obj = read_object(late.path)
    named = [rel.symbol for rel in obj.relocations if rel.type == R_BPF_64_32]
    missing = [name for name in called if name not in named]
    data = {"externs": sorted(set(named))}
    if missing:
        return Proof("late_binding", FAIL, compared,
                     f"no R_BPF_64_32 relocation names {', '.join(missing)} in section {PROBE_SECTION}", data)
    return Proof("late_binding", PASS, compared,
                 f"{len(named)} R_BPF_64_32 relocations name {', '.join(called)}", data)


def relocations(early: ToolRun, late: ToolRun, after: HelperHeader) -> Proof:
    compared = "the late-binding code with each relocation bound by id, against the early-binding code"
    for stage, run in (("early", early), ("late", late)):
        if not run.ok:
            return Proof("relocations", FAIL, compared, f"the {stage}-binding probe does not build: {run.error}",
                         {"early": 0, "late": 0})
    early_obj, late_obj = read_object(early.path), read_object(late.path)
    ids = {helper.name: helper.id for helper in after.helpers}
    early_calls = call_sites(early_obj.code)
    code = bytearray(late_obj.code)
    bound = 0
    for rel in late_obj.relocations:
        if rel.type != R_BPF_64_32:
            continue
        if rel.symbol not in ids:
            return Proof("relocations", FAIL, compared,
                         f"relocation at byte {rel.offset} names {rel.symbol}, which the header does not declare",
                         {"early": len(early_calls), "late": bound})
        bind_call(code, rel.offset, ids[rel.symbol])
        bound += 1
    data = {"early": len(early_calls), "late": bound}
    if bound != len(early_calls):
        # the same code with fewer calls bound would pass vacuously, e.g. when the macro is unused
        return Proof("relocations", FAIL, compared,
                     f"the early-binding code makes {len(early_calls)} helper calls, the late-binding object has "
                     f"{bound} R_BPF_64_32 relocations to bind: nothing was bound by name"
                     if bound == 0 else
                     f"the early-binding code makes {len(early_calls)} helper calls, the late-binding object has "
                     f"{bound} R_BPF_64_32 relocations to bind", data)
    if bytes(code) != early_obj.code:
        if len(code) != len(early_obj.code):
            detail = f"the code is {len(code)} bytes late-bound and {len(early_obj.code)} bytes early-bound"
        else:
            offset = next(i for i, (a, b) in enumerate(zip(code, early_obj.code)) if a != b)
            insn = offset // 8
            detail = (f"instruction {insn} differs: early {early_obj.code[insn * 8:insn * 8 + 8].hex(' ')}, "
                      f"late bound {bytes(code[insn * 8:insn * 8 + 8]).hex(' ')}")
        return Proof("relocations", FAIL, compared, detail, data)
    return Proof("relocations", PASS, compared,
                 f"{bound} calls bound by id equal the early-binding code byte for byte "
                 f"({len(code)} bytes of section {PROBE_SECTION})", data)
