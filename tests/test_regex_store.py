"""patchflow.regex_store: patterns compiled by an earlier run come back equal to re.compile's, and a
bad store file or an unwritable cache changes nothing the user sees."""

import marshal
from array import array
import os
import re
import subprocess
import sys
from pathlib import Path

from patchflow import regex_store
from patchflow.regex_store import RegexStore
from test_lazy_regex import COUNT_COMPILES

PATCH = Path(__file__).parent / "patches" / "clean-bpf-fix.patch"
SAMPLES = ((r"^fixes:\s*(?P<id>[0-9a-f]+)\s*\(\"(.*)\"\)$", re.IGNORECASE | re.MULTILINE),
           (r"\b(?:kmalloc|kzalloc)\s*\(\s*sizeof", 0), (r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", 0),
           (rb"^diff --git a/(\S+)", re.MULTILINE))
TEXT = 'Fixes: 15c14a3dca42 ("bpf: x")\nfixes: abc\np = kzalloc( sizeof(*p));\x07'


def test_a_stored_pattern_comes_back_equal_to_re_compiles(tmp_path):
    path = str(tmp_path / "regex.marshal")
    first = RegexStore(path)
    for pattern, flags in SAMPLES:
        assert first.compile(pattern, flags) == re.compile(pattern, flags)
    first.save()
    again = RegexStore(path)
    assert set(again.parts) == {(pattern, flags) for pattern, flags in SAMPLES}
    for pattern, flags in SAMPLES:
        stored, fresh = again.compile(pattern, flags), re.compile(pattern, flags)
        assert stored == fresh and (stored.groups, stored.groupindex) == (fresh.groups, fresh.groupindex)
        subject = TEXT.encode() if isinstance(pattern, bytes) else TEXT
        assert [m.groups() for m in stored.finditer(subject)] == [m.groups() for m in fresh.finditer(subject)]
    assert not again.added  # nothing new to write


def test_code_the_engine_refuses_is_compiled_afresh(tmp_path):
    path = tmp_path / "regex.marshal"
    words = array(regex_store._CODE_WORD, [999, 1, 2]).tobytes()
    path.write_bytes(regex_store._file_bytes({("a+b", 0): (32, words, 0, {}, (None,))}))
    assert RegexStore(str(path)).compile("a+b", 0) == re.compile("a+b")


def test_a_bad_store_file_is_ignored_and_replaced(tmp_path):
    valid = regex_store._file_bytes({("x+", 0): (32, array(regex_store._CODE_WORD, [1, 2]).tobytes(), 0, {}, (None,))})
    for content in (b"", b"\x00garbage\xff" * 10, marshal.dumps([1, 2, 3]), valid[:-3], valid[:20],
                    (5).to_bytes(8, "little") + marshal.dumps([1, 2, 3]), valid[:8] + b"\xff" * 40):
        path = tmp_path / "regex.marshal"
        path.write_bytes(content)
        store = RegexStore(str(path))
        assert store.compile(r"(\d+)-(\d+)", 0).match("12-34").groups() == ("12", "34")
        store.save()
        assert RegexStore(str(path)).parts.keys() >= {(r"(\d+)-(\d+)", 0)}


def _check(env_cache, tmp_path, **environment):
    env = dict(os.environ, XDG_CACHE_HOME=str(env_cache))
    env.pop("PATCHFLOW_NO_START_CACHE", None)
    env.update(environment)
    # counts the patterns the run compiles the slow way (re's compiler)
    code = COUNT_COMPILES + ("import runpy\n"
                             f"sys.argv = ['patchflow', 'check', {str(PATCH)!r}]\n"
                             "try:\n"
                             "    runpy.run_module('patchflow', run_name='__main__')\n"
                             "finally:\n"
                             "    sys.stderr.write(f'compiled {n[0]}\\n')\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env=env, cwd=str(tmp_path))
    compiled = int(proc.stderr.rsplit("compiled ", 1)[1])
    return proc.returncode, proc.stdout, proc.stderr.rsplit("compiled ", 1)[0], compiled


def test_a_second_run_compiles_fewer_patterns_and_says_the_same(tmp_path):
    cache = tmp_path / "cache"
    first = _check(cache, tmp_path)
    store_files = list((cache / "patchflow").glob("regex-*.marshal"))
    assert len(store_files) == 1
    second = _check(cache, tmp_path)
    assert second[:3] == first[:3] and "ready for submission" in first[1]
    assert second[3] <= first[3] - 40, (first[3], second[3])


def test_no_store_when_asked(tmp_path):
    first = _check(tmp_path / "cache", tmp_path, PATCHFLOW_NO_START_CACHE="1")
    second = _check(tmp_path / "cache", tmp_path, PATCHFLOW_NO_START_CACHE="1")
    assert first[1].endswith("is ready for submission.\n") and not (tmp_path / "cache").exists()
    assert second[3] == first[3]  # compiled afresh both times


def test_an_unwritable_cache_changes_nothing(tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the cache directory would be\n")
    with_store = _check(tmp_path / "cache", tmp_path)
    without = _check(blocker, tmp_path)
    assert without[:3] == with_store[:3] and without[2] == with_store[2]
    assert blocker.read_text() == "a file where the cache directory would be\n"


def test_the_store_is_named_for_the_interpreter_build(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = regex_store.store_path()
    assert path.startswith(str(tmp_path / "patchflow" / "regex-"))
    assert sys.implementation.cache_tag in os.path.basename(path)


def test_a_store_that_cannot_be_written_is_read_but_learns_nothing(tmp_path, monkeypatch):
    path = tmp_path / "regex.marshal"
    first = RegexStore(str(path))
    first.compile(r"(\d+)-(\d+)", 0)
    first.save()
    monkeypatch.setattr(regex_store, "can_write", lambda path: False)
    reader = RegexStore(str(path))
    assert reader.path is None and (r"(\d+)-(\d+)", 0) in reader.parts
    assert reader.compile(r"(\w+)=(\w+)", 0) == re.compile(r"(\w+)=(\w+)") and not reader.added


def test_a_store_grown_past_its_bounds_starts_over(tmp_path, monkeypatch):
    """Every run reads the whole index, so a store whose index (mostly the patterns' text) or count
    has grown past the bound is not read, and the save of the run that finds it so keeps only what
    that run learnt; those patterns still come back equal."""
    path = str(tmp_path / "regex.marshal")
    old = RegexStore(path)
    for pattern, flags in SAMPLES[:2]:
        old.compile(pattern, flags)
    old.save()
    with open(path, "rb") as handle:
        index_bytes = int.from_bytes(handle.read(8), "little")  # the file's first 8 bytes: the index's length
    monkeypatch.setattr(regex_store, "MAX_INDEX_BYTES", index_bytes - 1)
    assert RegexStore(path).parts == {}  # past the bound: not read
    new = RegexStore(path)
    new.compile(*SAMPLES[2])
    new.save()
    assert set(RegexStore(path).parts) == {SAMPLES[2]}
    assert RegexStore(path).compile(*SAMPLES[2]) == re.compile(*SAMPLES[2])
    monkeypatch.setattr(regex_store, "MAX_INDEX_BYTES", 10**6)
    again = RegexStore(path)
    again.compile(*SAMPLES[0])
    again.save()
    assert set(RegexStore(path).parts) == {SAMPLES[0], SAMPLES[2]}  # within the bound: kept


def test_can_write(tmp_path):
    from patchflow.cache_files import can_write

    assert can_write(str(tmp_path / "a" / "b" / "file"))  # directories made on the first write
    (tmp_path / "blocker").write_text("")
    assert not can_write(str(tmp_path / "blocker" / "b" / "file"))


def test_a_write_stopped_by_ctrl_c_leaves_no_temporary_file(tmp_path, monkeypatch):
    from patchflow import cache_files

    def interrupted(source, target):
        raise KeyboardInterrupt

    monkeypatch.setattr(cache_files.os, "replace", interrupted)
    try:
        cache_files.write_cache(str(tmp_path / "cache" / "store.marshal"), b"data")
    except KeyboardInterrupt:
        pass
    else:
        raise AssertionError("the interrupt was swallowed")
    assert list((tmp_path / "cache").iterdir()) == []


def test_no_pattern_is_learnt_when_the_compilers_steps_build_another_pattern(tmp_path, monkeypatch):
    # an interpreter whose re.compile does more than the steps the store copies (here: the steps
    # built with a flag too many): the run compiles with re.compile and writes no store
    copied = regex_store._compiled_with_parts
    monkeypatch.setattr(regex_store, "_compiled_with_parts",
                        lambda pattern, flags: copied(pattern, flags | re.IGNORECASE))
    store = RegexStore(str(tmp_path / "regex.marshal"))
    compiled = store.compile(r"[a-z]+(\d)", 0)
    assert compiled == re.compile(r"[a-z]+(\d)") and compiled.match("ABC1") is None
    store.save()
    assert store.path is None and not store.added and not (tmp_path / "regex.marshal").exists()


def test_a_learnt_pattern_is_the_one_re_compile_builds(tmp_path):
    store = RegexStore(str(tmp_path / "regex.marshal"))
    for pattern, flags in SAMPLES:
        learnt = store.compile(pattern, flags)
        assert learnt == re.compile(pattern, flags) and learnt.groupindex == re.compile(pattern, flags).groupindex
    assert set(store.added) == {(pattern, int(flags)) for pattern, flags in SAMPLES}
