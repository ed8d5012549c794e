"""The check context shares what checks compute: each window of a changed C file is outlined once for
the families that read brackets and directives (REVERSE_XMAS_TREE lexes the few lines it reads); the
series' pre-images come from one git call."""

from __future__ import annotations

from conftest import patch_path

from patchflow.checks import CheckContext, Options, run
from patchflow.patch import Series, parse_text


def _series(*names):
    patches = []
    for name in names:
        patches.extend(parse_text(open(patch_path(name)).read(), name))
    return Series(patches)


def _count_lexing(monkeypatch):
    import patchflow.checks._declarations as declarations  # REVERSE_XMAS_TREE lexes through its LazyCode
    import patchflow.checks._source as source

    by_xmas, by_sources, outlined = [], [], []
    real_iter, real_lex, real_outline = declarations.iter_tokens, source.lex, source.outline
    monkeypatch.setattr(declarations, "iter_tokens", lambda *a, **k: by_xmas.append(a) or real_iter(*a, **k))
    monkeypatch.setattr(source, "lex", lambda *a: by_sources.append(a) or real_lex(*a))
    monkeypatch.setattr(source, "outline", lambda *a: outlined.append(a) or real_outline(*a))
    return by_xmas, by_sources, outlined


def test_c_windows_are_outlined_once_and_xmas_lexes_what_it_reads(monkeypatch):
    by_xmas, by_sources, outlined = _count_lexing(monkeypatch)
    results = run(_series("xmas-out-of-order.patch"), Options(strict=True))
    assert [(f.type, f.patch_line) for f in results[0].findings] == [("REVERSE_XMAS_TREE", 22)]
    # PARENTHESIS_ALIGNMENT reads the outline and makes no token; REVERSE_XMAS_TREE lexes its function
    assert len(outlined) == 1 and by_sources == [] and len(by_xmas) == 1


def test_xmas_alone_finds_the_same(monkeypatch):
    by_xmas, by_sources, outlined = _count_lexing(monkeypatch)
    results = run(_series("xmas-out-of-order.patch"), Options(types={"REVERSE_XMAS_TREE"}))
    assert [(f.type, f.patch_line) for f in results[0].findings] == [("REVERSE_XMAS_TREE", 22)]
    assert outlined == [] and by_sources == [] and len(by_xmas) == 1


def test_the_series_pre_images_come_from_one_git_call(kernel_tree, monkeypatch):
    import patchflow.tree as tree

    calls = []
    real = tree.run_git
    monkeypatch.setattr(tree, "run_git", lambda args, *a, **k: calls.append(args) or real(args, *a, **k))
    series = _series("xmas-preimage.patch", "alignment-c-context.patch")
    assert len({f.old_blob for p in series for f in p.files if f.old_blob}) == 2
    run(series, Options(strict=True, tree=str(kernel_tree), values={"xmas_tree": "always"}))
    assert [args for args in calls if "cat-file" in args] == [["cat-file", "--batch"]]


def test_once_computes_a_result_once_per_run():
    ctx = CheckContext(Options(), _series("xmas-out-of-order.patch"))
    seen = []

    def count(patch, ctx):
        seen.append(patch)
        return len(seen)

    patch = ctx.series.patches[0]
    assert ctx.once(count, patch) == ctx.once(count, patch) == 1
    assert CheckContext(Options(), ctx.series).once(count, patch) == 2  # a new run computes again
