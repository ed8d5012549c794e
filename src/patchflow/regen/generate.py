"""Running the tree's own generator, `scripts/bpf_doc.py`, for each of its outputs."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from .. import processes
from ..errors import PatchflowError

GENERATOR = "scripts/bpf_doc.py"
UAPI_HEADER = "include/uapi/linux/bpf.h"
HEADER = "bpf_helper_defs.h"
# output file -> the generator's arguments; the header is the one the proofs read, the two manual
# pages (reStructuredText) show what a change does to the documentation
OUTPUTS = {
    HEADER: ["--header"],
    "bpf-helpers.rst": ["helpers"],
    "bpf-syscall.rst": ["syscall"],
}
GENERATOR_TIMEOUT = 120


class GeneratorFailed(PatchflowError):
    """scripts/bpf_doc.py exited with an error."""


def command(output: str) -> list:
    return [sys.executable, GENERATOR, "--filename", UAPI_HEADER, *OUTPUTS[output]]


def generate_one(tree_path: str, output: str, dest: str, stage: str) -> str:
    args = command(output)
    try:
        proc = processes.run(args, cwd=tree_path, timeout=GENERATOR_TIMEOUT, env=dict(os.environ, LC_ALL="C.UTF-8"))
    except subprocess.TimeoutExpired:
        raise GeneratorFailed(f"{GENERATOR} {' '.join(OUTPUTS[output])} {stage} timed out after {GENERATOR_TIMEOUT} s")
    if proc.returncode != 0:
        lines = [line for line in proc.stderr.decode("utf-8", "replace").splitlines() if line.strip()]
        raise GeneratorFailed(f"{GENERATOR} {' '.join(OUTPUTS[output])} failed {stage}: "
                              f"{lines[-1].strip() if lines else f'exit status {proc.returncode}'}")
    path = os.path.join(dest, output)
    with open(path, "wb") as handle:
        handle.write(proc.stdout)
    return path


def generate_all(tree_path: str, dest: str, stage: str, outputs=tuple(OUTPUTS),
                 strict: bool = True) -> tuple[dict[str, str], dict[str, str]]:
    """The generator's outputs, written into dest, run side by side: ({output: path}, {output: error}).

    With `strict`, the first failure is raised (the side before the change must generate, or there is
    nothing to compare); without, a failure is the verdict on the change and is handed back.
    """
    os.makedirs(dest, exist_ok=True)
    paths, errors = {}, {}
    with ThreadPoolExecutor(max_workers=len(outputs)) as pool:
        futures = {name: pool.submit(generate_one, tree_path, name, dest, stage) for name in outputs}
        try:
            for name, future in futures.items():
                try:
                    paths[name] = future.result()
                except GeneratorFailed as exc:
                    if strict:
                        raise
                    errors[name] = str(exc)
        except BaseException as exc:
            # the compilers and generators of the worker threads: on Ctrl-C none may start after this
            (processes.stop_all if isinstance(exc, KeyboardInterrupt) else processes.kill_all)()
            raise
    return paths, errors
