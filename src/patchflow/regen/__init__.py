"""`patchflow regen`: apply a generator patch in a throw-away worktree, regenerate, and prove it right.

Modules: `patches` (the bundled BPF_HELPER patches and applying a series), `generate` (the tree's own
`scripts/bpf_doc.py`, before and after), `header` (reading helper declarations back out of a
generated header), `bpf_object` (compiling the probe program and reading its ELF), `verify` (one
function per proof) and `run` (the whole job, as the command and the benchmark call it).
"""
