"""What a change did to each generated file, as a reader wants it.

The header: helpers added, removed, or with a changed id, return type, arguments or attributes;
declarations written differently (the same helpers); comments only (which helpers' descriptions);
nothing. The manual pages: which helpers' or commands' text changed, the page's own text, or only
the `:Version:`/`:Date:` lines (from `git describe` and `git log`, which differ between any two
commits).
"""

from __future__ import annotations

import re

from ..records import field, record
from .declarations import c_tokens, normalized, renamed_parameters
from .header import HelperDecl, HelperHeader

FIELDS = (("id", lambda h: h.id), ("return type", lambda h: h.ret), ("arguments", lambda h: h.args),
          ("attributes", lambda h: h.attrs))
META_LINE = re.compile(r"^:(Version|Date):")
OTHER = "(outside any helper)"


@record
class OutputChange:
    name: str
    kind: str  # nothing | comments only | text | declarations | helpers | not generated
    summary: str
    data: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"kind": self.kind, "summary": self.summary, **self.data}


@record
class HelperDiff:
    added: list[HelperDecl] = field(default_factory=list)
    removed: list[HelperDecl] = field(default_factory=list)
    changed: list[tuple[HelperDecl, HelperDecl, list[str]]] = field(default_factory=list)  # before, after, fields

    def __bool__(self):
        return bool(self.added or self.removed or self.changed)

    def as_json(self) -> dict:
        return {"added": [h.name for h in self.added], "removed": [h.name for h in self.removed],
                "changed": {old.name: fields for old, _, fields in self.changed}}


def helper_diff(before: HelperHeader, after: HelperHeader) -> HelperDiff:
    old, new = before.by_name(), after.by_name()
    diff = HelperDiff()
    for name, helper in old.items():
        other = new.get(name)
        if other is None:
            diff.removed.append(helper)
            continue
        fields = [label for label, value in FIELDS if value(helper) != value(other)]
        if fields:
            diff.changed.append((helper, other, fields))
    diff.added = [helper for name, helper in new.items() if name not in old]
    return diff


def _names(helpers) -> str:
    return ", ".join(helper.name for helper in helpers)


def header_change(name: str, before: str, after: str, parsed_before: HelperHeader,
                  parsed_after: HelperHeader) -> OutputChange:
    if before == after:
        return OutputChange(name, "nothing", "nothing")
    diff = helper_diff(parsed_before, parsed_after)
    comments = described(before, parsed_before, after, parsed_after)
    data = {"helpers": diff.as_json(), "comments": comments}
    if diff:
        parts = [f"{label} {_names(helpers)}" for label, helpers in
                 (("added", diff.added), ("removed", diff.removed)) if helpers]
        parts += [f"{old.name} changed ({', '.join(fields)})" for old, _, fields in diff.changed]
        summary = "helpers " + "; ".join(parts)
        if comments:
            summary += "; comments: " + _described_summary(comments)
        return OutputChange(name, "helpers", summary, data)
    if [t.text for t in c_tokens(before)] == [t.text for t in c_tokens(after)]:
        summary = "comments only: " + _described_summary(comments)
        first = _first_new_line(before, after)
        if comments == [OTHER] and first:  # the line, when it is the only kind of change
            summary += f" (first: `{first}`)"
        return OutputChange(name, "comments only", summary, data)
    names = {helper.name for helper in parsed_after.helpers}
    old_tokens, old_helpers = normalized(c_tokens(before), names)
    new_tokens, new_helpers = normalized(c_tokens(after), names)
    renamed = renamed_parameters(old_helpers, new_helpers)
    data["renamed_parameters"] = renamed
    if renamed and [t.text for t in old_tokens] == [t.text for t in new_tokens]:
        summary = f"parameter names only: {_shortlist(renamed)}"
    else:
        summary = f"declarations written differently, the same {len(parsed_after.helpers)} helpers, ids and types"
    if comments:
        summary += "; comments: " + _described_summary(comments)
    return OutputChange(name, "declarations", summary, data)


def _first_new_line(before: str, after: str, limit: int = 72) -> str:
    """The first line of `after` that `before` does not have at that place, shortened."""
    for old, new in zip(before.splitlines(), after.splitlines()):
        if old != new:
            new = new.strip()
            return new if len(new) <= limit else new[:limit - 3] + "..."
    return ""


def _described_summary(names: list[str]) -> str:
    helpers = [name for name in names if name != OTHER]
    parts = []
    if helpers:
        parts.append(f"the descriptions of {_shortlist(helpers)}")
    if OTHER in names:
        parts.append("text outside the helpers' descriptions")
    return " and ".join(parts) or "none"


def _shortlist(names: list[str], limit: int = 6) -> str:
    if len(names) <= limit:
        return ", ".join(names)
    return f"{', '.join(names[:limit])} and {len(names) - limit} more"


def _descriptions(text: str, parsed: HelperHeader) -> dict[str, list[str]]:
    """Each helper's description (the comment right before its declaration); OTHER: every other comment."""
    lines = text.splitlines()
    found: dict[str, list[str]] = {OTHER: []}
    start = 0
    for helper in sorted(parsed.helpers, key=lambda h: h.line):
        comments = _comments("\n".join(lines[start:helper.line - 1]))
        found[helper.name] = comments[-1:]
        found[OTHER] += comments[:-1]
        start = helper.line
    found[OTHER] += _comments("\n".join(lines[start:]))
    return found


def described(before: str, parsed_before: HelperHeader, after: str, parsed_after: HelperHeader) -> list[str]:
    """The helpers whose description changed (OTHER when other comments did)."""
    old, new = _descriptions(before, parsed_before), _descriptions(after, parsed_after)
    return [name for name in new if name in old and old[name] != new[name]]


def _comments(chunk: str) -> list[str]:
    return re.findall(r"/\*.*?\*/|//[^\n]*", chunk, re.S)


def _sections(text: str) -> tuple[dict[str, list[str]], list[str]]:
    """The page cut at each bold entry (`**proto**` or `**BPF_CMD**`) and each titled section."""
    sections: dict[str, list[str]] = {}
    meta: list[str] = []
    key = "(the page's own text)"
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if META_LINE.match(line):
            meta.append(line)
            continue
        underline = index + 1 < len(lines) and re.match(r"^(=+|-+)$", lines[index + 1]) and line.strip()
        if line.startswith("**"):
            plain = line.replace("\\", "")
            match = re.search(r"(\w+)\(", plain) or re.search(r"\*\*(\w+)\*\*", plain)
            key = match.group(1) if match else line
        elif underline:
            key = "(the page's own text)"
        sections.setdefault(key, []).append(line)
    for lines_of in sections.values():  # blank lines between entries belong to neither
        while lines_of and not lines_of[-1].strip():
            lines_of.pop()
    return sections, meta


def rst_change(name: str, before: str, after: str) -> OutputChange:
    if before == after:
        return OutputChange(name, "nothing", "nothing")
    old, old_meta = _sections(before)
    new, new_meta = _sections(after)
    changed = [key for key in new if old.get(key) != new[key]] + [key for key in old if key not in new]
    if not changed:
        return OutputChange(name, "nothing", "nothing but its :Version:/:Date: lines (git describe, git log)",
                            {"text": [], "metadata": old_meta != new_meta})
    entries = [key for key in changed if not key.startswith("(")]
    page = [key for key in changed if key.startswith("(")]
    parts = ([f"text of {_shortlist(entries)}"] if entries else []) + (["the page's own text"] if page else [])
    return OutputChange(name, "text", "changed: " + " and ".join(parts),
                        {"text": changed, "metadata": old_meta != new_meta})


def not_generated(name: str, error: str) -> OutputChange:
    return OutputChange(name, "not generated", f"not generated after the change: {error}", {"error": error})


def describe_all(before: dict[str, str], after: dict[str, str], errors: dict[str, str], header: str,
                 parsed: tuple[HelperHeader, HelperHeader] | None) -> list[OutputChange]:
    """One OutputChange per generated file, the header first. `before`/`after`: {name: text}."""
    result = []
    for name in before:
        if name in errors:
            result.append(not_generated(name, errors[name]))
        elif name == header:
            result.append(header_change(name, before[name], after[name], *parsed))
        else:
            result.append(rst_change(name, before[name], after[name]))
    return result
