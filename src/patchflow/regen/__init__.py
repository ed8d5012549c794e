"""`patchflow regen`: prove a change to the BPF helper generator or its input on a real tree.

Modules: `sources` (what is compared: the branch against its base, patch files, or the bundled
change), `patches` (the bundled BPF_HELPER patches and applying a series), `generate` (the tree's
own `scripts/bpf_doc.py`, for each output), `changes` (what changed in each generated file),
`header` (reading helper declarations back out of a generated header), `declarations` (the header
as C statements, a declaration without its parameter names), `bpf_object` (compiling the
probe program and reading its ELF), `verify` (one function per proof, with when it applies) and `run`
(the whole job, as the command and the benchmarks call it).
"""
