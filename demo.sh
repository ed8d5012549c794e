#!/usr/bin/env bash
# The main job on a fresh Debian or Ubuntu machine: install what patchflow runs, install patchflow
# into a virtual environment of this checkout (.venv), build the 6.12 kernel tree from Debian's
# linux-source-6.12 (once, cached in ${XDG_CACHE_HOME:-~/.cache}/patchflow), and prove the
# BPF_HELPER change on it. Extra arguments go to `patchflow regen`.
set -euo pipefail
cd "$(dirname "$0")"

packages=(linux-source-6.12 clang llvm gcc git git-email xz-utils python3-venv)
missing=()
if command -v dpkg-query >/dev/null; then
    for package in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
else
    echo "demo.sh: not a Debian system: install git, clang, llvm and gcc yourself, and give regen a" \
         "kernel checkout (bash demo.sh is patchflow regen --tree debian-6.12; try --tree ~/src/linux)" >&2
fi
if [ "${#missing[@]}" -gt 0 ]; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    echo "demo.sh: installing ${missing[*]}" >&2
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# patchflow and its Python packages go into .venv, never into the system's Python
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check .
exec .venv/bin/patchflow regen --tree debian-6.12 "$@"
