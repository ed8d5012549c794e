"""The four proofs of a BPF_HELPER change, one function each; each passes or fails with a reason.

- helpers: the header declares the same helpers, ids, return and argument types as before;
- expansion: preprocessed with the default macro, the header is the same C token stream as before;
- late_binding: a probe program built with BPF_HELPER declaring the helpers `extern` has an
  R_BPF_64_32 relocation naming each helper it calls;
- relocations: binding those relocations by id gives the early-binding code byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional

from .bpf_object import (PROBE_HELPERS, PROBE_SECTION, R_BPF_64_32, ToolRun, bind_call, call_sites,
                         read_object)
from ..lexers.c import code_tokens, tokenize
from .header import HelperHeader


@dataclass
class Proof:
    name: str
    ok: bool
    compared: str  # what was compared, for the report
    detail: str  # the result in a line: a summary when it passes, the first difference when it fails
    data: Dict = field(default_factory=dict)  # the figures of the JSON report

    def as_json(self) -> dict:
        return {"ok": self.ok, **self.data, **({} if self.ok else {"reason": self.detail})}


def helpers(before: HelperHeader, after: HelperHeader) -> Proof:
    compared = "helper names, ids, return and argument types, before and after"
    old, new = before.by_name(), after.by_name()
    changed: List[str] = []
    first: Optional[str] = None
    for name, helper in old.items():
        other = new.get(name)
        if other is None:
            changed.append(name)
            first = first or f"{name} (id {helper.id}) is gone: before `{helper.signature()}` (line {helper.line})"
        elif other.signature() != helper.signature():
            changed.append(name)
            first = first or (f"{name} changed: before `{helper.signature()}`, "
                              f"after `{other.signature()}` (line {other.line})")
    for name, helper in new.items():
        if name not in old:
            changed.append(name)
            first = first or f"{name} (id {helper.id}) is new: `{helper.signature()}` (line {helper.line})"
    if not first and after.unparsed:
        line, text = after.unparsed[0]
        first = f"line {line} declares a helper patchflow cannot read: {text[:120]}"
    if not first and not old:
        first = "the header before the patch declares no helper"
    data = {"count": len(new), "changed": changed}
    if first:
        return Proof("helpers", False, compared, first, data)
    return Proof("helpers", True, compared,
                 f"{len(new)} helpers: same names, ids, return and argument types", data)


def expansion(before: ToolRun, after: ToolRun) -> Proof:
    """Both headers through `cc -E -P` (with the default BPF_HELPER): identical C token streams."""
    compared = "C tokens of both headers after cc -E -P, with the default BPF_HELPER"
    for stage, run in (("before", before), ("after", after)):
        if not run.ok:
            return Proof("expansion", False, compared, f"cc -E on the header {stage} the patch failed: {run.error}",
                         {"tokens": 0})
    with open(before.path, encoding="utf-8", errors="replace") as handle:
        old = code_tokens(tokenize(handle.read()))
    with open(after.path, encoding="utf-8", errors="replace") as handle:
        new = code_tokens(tokenize(handle.read()))
    for index, (a, b) in enumerate(zip(old, new)):
        if a.text != b.text:
            return Proof("expansion", False, compared,
                         f"token {index + 1} differs: before `{a.text}`, after `{b.text}` (cc -E output, before "
                         f"line {a.line}: `{_context(old, index)}`; after line {b.line}: `{_context(new, index)}`)",
                         {"tokens": index})
    if len(old) != len(new):
        shorter, longer, which = (old, new, "after") if len(old) < len(new) else (new, old, "before")
        extra = longer[len(shorter)]
        return Proof("expansion", False, compared,
                     f"the header {which} the patch goes on after token {len(shorter)}: `{extra.text}` "
                     f"(line {extra.line})", {"tokens": len(shorter)})
    return Proof("expansion", True, compared, f"{len(new)} C tokens identical", {"tokens": len(new)})


def _context(tokens, index: int) -> str:
    return " ".join(token.text for token in tokens[max(0, index - 4):index + 5])


def late_binding(late: ToolRun, called=PROBE_HELPERS) -> Proof:
    compared = f"clang -target bpf -O2 with extern helpers: an R_BPF_64_32 relocation for each of {len(called)} calls"
    if not late.ok:
        return Proof("late_binding", False, compared, f"the late-binding probe does not build: {late.error}",
                     {"externs": []})
    obj = read_object(late.path)
    named = [rel.symbol for rel in obj.relocations if rel.type == R_BPF_64_32]
    missing = [name for name in called if name not in named]
    data = {"externs": sorted(set(named))}
    if missing:
        return Proof("late_binding", False, compared,
                     f"no R_BPF_64_32 relocation names {', '.join(missing)} in section {PROBE_SECTION}", data)
    return Proof("late_binding", True, compared,
                 f"{len(named)} R_BPF_64_32 relocations name {', '.join(called)}", data)


def relocations(early: ToolRun, late: ToolRun, after: HelperHeader) -> Proof:
    compared = "the late-binding code with each relocation bound by id, against the early-binding code"
    for stage, run in (("early", early), ("late", late)):
        if not run.ok:
            return Proof("relocations", False, compared, f"the {stage}-binding probe does not build: {run.error}",
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
            return Proof("relocations", False, compared,
                         f"relocation at byte {rel.offset} names {rel.symbol}, which the header does not declare",
                         {"early": len(early_calls), "late": bound})
        bind_call(code, rel.offset, ids[rel.symbol])
        bound += 1
    data = {"early": len(early_calls), "late": bound}
    if bound != len(early_calls):
        # the same code with fewer calls bound would pass vacuously, e.g. when the macro is unused
        return Proof("relocations", False, compared,
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
        return Proof("relocations", False, compared, detail, data)
    return Proof("relocations", True, compared,
                 f"{bound} calls bound by id equal the early-binding code byte for byte "
                 f"({len(code)} bytes of section {PROBE_SECTION})", data)
