"""The probe BPF program `regen` compiles, the compilers it needs, and reading the objects back.

The probe calls a few long-standing helpers. Compiled with the header's default BPF_HELPER (early
binding), each call is `call ID`; compiled with BPF_HELPER declaring the helpers `extern` (late
binding), each call carries an R_BPF_64_32 relocation naming its helper.
"""

from __future__ import annotations

import os
import shutil
import subprocess

from ..records import field, record
from ..errors import ToolMissing
from .. import processes

COMPILE_TIMEOUT = 120
PROBE_SECTION = "xdp"
PROBE_HELPERS = ("bpf_ktime_get_ns", "bpf_get_smp_processor_id", "bpf_get_prandom_u32", "bpf_trace_printk")
LATE_BINDING_MACRO = "#define BPF_HELPER(ret, name, args, id) extern ret name args"
R_BPF_64_32 = 10  # the ELF relocation type of a BPF call to a named function
BPF_CALL = 0x85  # BPF_JMP | BPF_CALL

PROBE_BODY = """\
/* The probe patchflow regen compiles: a few helper calls, bound early or late. */
typedef unsigned char __u8;
typedef signed char __s8;
typedef unsigned short __u16;
typedef signed short __s16;
typedef unsigned int __u32;
typedef signed int __s32;
typedef unsigned long long __u64;
typedef signed long long __s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;
#include "bpf_helper_defs.h"

__attribute__((section("xdp"), used))
int regen_probe(struct xdp_md *ctx)
{
	char fmt[] = "cpu %u %llu\\n";
	__u64 now = bpf_ktime_get_ns();
	__u32 cpu = bpf_get_smp_processor_id();
	__u32 salt = bpf_get_prandom_u32();

	bpf_trace_printk(fmt, sizeof(fmt), cpu, now ^ salt);
	return (cpu ^ salt) & 1 ? 2 : 1;
}

char _license[] __attribute__((section("license"), used)) = "GPL";
"""


def probe_source(late: bool) -> str:
    return (LATE_BINDING_MACRO + "\n" if late else "") + PROBE_BODY


def clang() -> str:
    path = shutil.which("clang")
    if path is None:
        raise ToolMissing("clang", "clang")
    return path


def c_preprocessor() -> list[str]:
    """`cc -E -P`; clang's preprocessor when there is no cc."""
    for program in ("cc", "clang"):
        path = shutil.which(program)
        if path:
            return [path, "-E", "-P"]
    raise ToolMissing("cc", "gcc")


@record
class ToolRun:
    """A compiler run: its output file when it succeeded, else the first error line."""

    ok: bool
    path: str | None = None
    error: str = ""
    command: list[str] = field(default_factory=list)


def _first_error(stderr: bytes, returncode: int) -> str:
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line]
    return (errors or lines or [f"exit status {returncode}"])[0]


def _run_tool(args: list[str], cwd: str, output: str, stdout_to_file: bool = False) -> ToolRun:
    try:
        proc = processes.run(args, cwd=cwd, timeout=COMPILE_TIMEOUT)
    except subprocess.TimeoutExpired:
        return ToolRun(False, error=f"{os.path.basename(args[0])} timed out after {COMPILE_TIMEOUT} s", command=args)
    if proc.returncode != 0:
        return ToolRun(False, error=_first_error(proc.stderr, proc.returncode), command=args)
    if stdout_to_file:
        with open(output, "wb") as handle:
            handle.write(proc.stdout)
    return ToolRun(True, path=output, command=args)


def preprocess(header: str, output: str) -> ToolRun:
    """The header run through `cc -E -P` with its default BPF_HELPER."""
    return _run_tool([*c_preprocessor(), header], os.path.dirname(header), output, stdout_to_file=True)


def compile_probe(header: str, workdir: str, late: bool) -> ToolRun:
    """Compile the probe against `header` (copied next to it as bpf_helper_defs.h)."""
    name = "late" if late else "early"
    os.makedirs(workdir, exist_ok=True)
    local = os.path.join(workdir, "bpf_helper_defs.h")
    if os.path.abspath(header) != local:
        shutil.copyfile(header, local)
    source = os.path.join(workdir, f"probe-{name}.c")
    with open(source, "w") as handle:
        handle.write(probe_source(late))
    output = os.path.join(workdir, f"probe-{name}.o")
    return _run_tool([clang(), "-target", "bpf", "-O2", "-c", source, "-o", output], workdir, output)


@record
class Relocation:
    offset: int  # in the section, bytes
    type: int
    symbol: str


@record
class BpfObject:
    code: bytes  # the probe's section
    relocations: list[Relocation]


def read_object(path: str, section: str = PROBE_SECTION) -> BpfObject:
    from elftools.elf.elffile import ELFFile
    from elftools.elf.relocation import RelocationSection

    with open(path, "rb") as handle:
        elf = ELFFile(handle)
        text = elf.get_section_by_name(section)
        code = text.data() if text is not None else b""
        relocations = []
        for rel_section in elf.iter_sections():
            if not isinstance(rel_section, RelocationSection):
                continue
            target = elf.get_section(rel_section["sh_info"])
            if target.name != section:
                continue
            symbols = elf.get_section(rel_section["sh_link"])
            for rel in rel_section.iter_relocations():
                symbol = symbols.get_symbol(rel["r_info_sym"]).name
                relocations.append(Relocation(rel["r_offset"], rel["r_info_type"], symbol))
    return BpfObject(code, relocations)


def call_sites(code: bytes) -> dict[int, int]:
    """Offsets of call instructions to their immediate."""
    calls = {}
    for offset in range(0, len(code) - 7, 8):
        if code[offset] == BPF_CALL:
            calls[offset] = int.from_bytes(code[offset + 4:offset + 8], "little", signed=True)
    return calls


def bind_call(code: bytearray, offset: int, helper_id: int) -> None:
    """Rewrite the call at offset as a call of helper `helper_id`: imm = id, src_reg = 0."""
    code[offset + 1] &= 0x0F  # the high nibble is src_reg (1: a call by name)
    code[offset + 4:offset + 8] = helper_id.to_bytes(4, "little", signed=True)
