#!/usr/bin/env python3
"""Write the alignment-*.patch and ifndef-*.patch test patches, one case each, with git format-patch.

Each case is a commit on top of the same small base tree (one C file, one Python script); the patches
are what `git format-patch` makes of them. Run it from anywhere: `python3 tests/patches/make_alignment_patches.py`.
The expected findings are asserted in tests/test_alignment.py and tests/test_preprocessor.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

BASE_C = """\
// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <linux/printk.h>

static int demo_sum(int a, int b, int c)
{
	return a + b + c;
}

static int demo_call(int first, int second)
{
	int ret;

	ret = demo_sum(first, second,
		       first + second);
	if (first > second &&
	    second > 0)
		ret++;
	return ret;
}

static int demo_old(int x)
{
	int y = x * 2;

	y += demo_sum(x, x,
		x);
	return y;
}
"""

BASE_PY = """\
#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0

import sys


def emit(name, ret, args):
    print('static %s (* const %s)(' % (ret,
                                       name), end='')
    print(', '.join(args), end='')
    print(');')


def main():
    emit('bpf_demo', 'long', ['void *ctx'])
    return 0


if __name__ == '__main__':
    sys.exit(main())
"""

C_PATH = "kernel/bpf/align_demo.c"
PY_PATH = "scripts/align_demo.py"


def _replace(text: str, old: str, new: str) -> str:
    if text.count(old) != 1:
        raise SystemExit(f"case text not found exactly once: {old!r}")
    return text.replace(old, new)


# name -> (subject, path, [(old, new), ...])
CASES = {
    "alignment-c-aligned": ("demo: log the sum", C_PATH, [(
        "\tret = demo_sum(first, second,\n\t\t       first + second);\n",
        "\tret = demo_sum(first, second,\n\t\t       first + second);\n"
        "\tpr_debug(\"demo: %d + %d = %d\\n\", first,\n\t\t second, ret);\n")]),
    "alignment-c-misaligned": ("demo: log the sum", C_PATH, [(
        "\tret = demo_sum(first, second,\n\t\t       first + second);\n",
        "\tret = demo_sum(first, second,\n\t\t       first + second);\n"
        "\tpr_debug(\"demo: %d + %d = %d\\n\", first,\n\t\t   second, ret);\n")]),
    "alignment-c-tabs": ("demo: check both operands", C_PATH, [(
        "\tif (first > second &&\n\t    second > 0)\n\t\tret++;\n",
        "\tif (first > second &&\n\t    second > 0)\n\t\tret++;\n"
        "\tif (demo_sum(first, 0, 0) > 0 ||\n\t\tdemo_sum(second, 0, 0) > 0)\n\t\tret--;\n"
        "\tret = demo_sum(ret, first,\n\t\t\t\tsecond);\n")]),
    "alignment-c-string-paren": ("demo: log the call", C_PATH, [(
        "\treturn ret;\n}\n\nstatic int demo_old",
        "\tpr_info(\"demo_call(%d, %d\", first,\n\t\t\t   second);\n"
        "\tpr_info(\"demo_call(%d, %d\", first,\n\t\tsecond);\n"
        "\treturn ret;\n}\n\nstatic int demo_old")]),
    "alignment-c-comment-paren": ("demo: document the operands", C_PATH, [(
        "\tret = demo_sum(first, second,\n\t\t       first + second);\n",
        "\tret = demo_sum(first, /* (the left operand */ second,\n\t\t       first + second);\n"
        "\tret = demo_sum(first, /* (the left operand */ second,\n"
        "\t\t\t\t  first + second);\n")]),
    "alignment-c-nested": ("demo: nest the sums", C_PATH, [(
        "\tret = demo_sum(first, second,\n\t\t       first + second);\n",
        "\tret = demo_sum(first, demo_sum(second, first,\n\t\t\t\t       second),\n"
        "\t\t       first + second);\n"
        "\tret = demo_sum(first, demo_sum(second, first,\n\t\t\t\t   second),\n"
        "\t\t       first + second);\n")]),
    "alignment-c-context": ("demo: rename the sum", C_PATH, [(
        "\tret = demo_sum(first, second,\n",
        "\tret = demo_sum_all(first, second,\n")]),
    "alignment-c-untouched": ("demo: double the result", C_PATH, [(
        "\tint y = x * 2;\n", "\tint y = x * 4;\n")]),
    # the opener changed after its parenthesis, which stays where it was: the line below it was
    # misaligned before the patch and is not the patch's doing
    "alignment-c-opener-tail": ("demo: add the second operand twice", C_PATH, [(
        "\ty += demo_sum(x, x,\n", "\ty += demo_sum(x, x + x,\n")]),
    "alignment-c-macro": ("demo: a macro for the sum", C_PATH, [(
        "static int demo_sum(int a, int b, int c)\n",
        "#define DEMO_SUM2(a, b) \\\n\tdemo_sum((a), (b), \\\n\t\t (a) + (b))\n"
        "#define DEMO_SUM3(a, b, c) \\\n\tdemo_sum((a), (b), \\\n\t\t\t(c))\n\n"
        "static int demo_sum(int a, int b, int c)\n")]),
    "alignment-py-aligned": ("align_demo: print the id", PY_PATH, [(
        "    print(');')\n",
        "    print(');')\n    print('/* %s returns %s */' % (name,\n                                   ret))\n")]),
    "alignment-py-misaligned": ("align_demo: print the return type", PY_PATH, [(
        "    print(');')\n",
        "    print(');')\n    print('/* %s returns %s */' % (name,\n                           ret))\n")]),
    "alignment-py-string-paren": ("align_demo: print a BPF_HELPER line", PY_PATH, [(
        "    print(');')\n",
        "    print(');')\n    print('BPF_HELPER(%s, %s, (' % (ret,\n                      name), end='')\n")]),
    "alignment-py-tabs": ("align_demo: a tab-indented printer", PY_PATH, [(
        "\n\ndef main():\n",
        "\n\ndef emit_tab(name, ret):\n\tprint('%s' % (name,\n\t              ret))\n\n\ndef main():\n")]),
    "alignment-py-context": ("align_demo: print through BPF_HELPER", PY_PATH, [(
        "    print('static %s (* const %s)(' % (ret,\n",
        "    print('BPF_HELPER(%s, %s, (' % (ret,\n")]),
    "alignment-py-closing": ("align_demo: list the arguments", PY_PATH, [(
        "    print(');')\n",
        "    print(');')\n    print('%s %s' % (name,\n                     ret,\n    ))\n")]),
    "ifndef-c": ("demo: guard the helpers", C_PATH, [(
        "#include <linux/printk.h>\n",
        "#include <linux/printk.h>\n\n#if !defined(DEMO_SUM)\n#define DEMO_SUM 1\n#endif\n"
        "#if defined(CONFIG_DEMO) /* on demand */\n#define DEMO_ON 1\n#endif\n"
        "#if !defined DEMO_OFF\n#define DEMO_OFF 0\n#endif\n"
        "#if !defined(DEMO_SUM) && DEMO_OFF\n#define DEMO_BOTH 1\n#endif\n"
        "#ifndef DEMO_NEXT\n#define DEMO_NEXT 1\n#endif\n"
        "/* #if !defined(DEMO_SUM) in a comment */\n"
        "static const char demo_text[] = \"#if !defined(DEMO_SUM)\";\n")]),
    "ifndef-py": ("align_demo: guard the declarations", PY_PATH, [(
        "    print('static %s (* const %s)(' % (ret,\n",
        "    print('#if !defined(%s)' % name)\n    print(\"#if defined(CONFIG_DEMO)\")\n"
        "    print('#if !defined(BPF_HELPER) && defined(X)')\n    print('#ifndef %s' % name)\n"
        "    # the generated header guards with '#if !defined(X)'? no: see below\n"
        "    header = '''\\\n#if !defined(DEMO_GUARD)\n#endif'''\n"
        "    print(header)\n"
        "    print('static %s (* const %s)(' % (ret,\n")]),
}


def git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def main(out_dir: Path = HERE) -> None:
    env_names = {"GIT_AUTHOR_NAME": "Demo Author", "GIT_AUTHOR_EMAIL": "demo@example.org",
                 "GIT_COMMITTER_NAME": "Demo Author", "GIT_COMMITTER_EMAIL": "demo@example.org",
                 "GIT_AUTHOR_DATE": "2026-11-29T12:00:00Z", "GIT_COMMITTER_DATE": "2026-11-29T12:00:00Z"}
    os.environ.update(env_names)
    work = Path(tempfile.mkdtemp(prefix="alignment-cases-"))
    try:
        git(work, "init", "-q", "-b", "base")
        for path, text in ((C_PATH, BASE_C), (PY_PATH, BASE_PY)):
            (work / path).parent.mkdir(parents=True, exist_ok=True)
            (work / path).write_text(text)
        git(work, "add", ".")
        git(work, "commit", "-q", "-m", "demo: base")
        for name, (subject, path, edits) in CASES.items():
            git(work, "checkout", "-q", "-B", name, "base")
            text = (work / path).read_text()
            for old, new in edits:
                text = _replace(text, old, new)
            (work / path).write_text(text)
            git(work, "commit", "-q", "-a", "-s", "-m", f"{subject}\n\nTest case {name}.")
            proc = subprocess.run(["git", "format-patch", "-1", "--stdout", "--subject-prefix=PATCH bpf-next"],
                                  cwd=work, check=True, capture_output=True, text=True, timeout=60)
            (out_dir / f"{name}.patch").write_text(proc.stdout)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
