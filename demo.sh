#!/usr/bin/env bash
# The main job on a fresh machine: install patchflow and what it needs, build a 6.12 kernel tree from
# Debian's linux-source-6.12 (or take the one already cached), and prove the BPF_HELPER change on it.
set -euo pipefail
cd "$(dirname "$0")"
export DEBIAN_FRONTEND=noninteractive
packages=(linux-source-6.12 clang llvm git python3-pip xz-utils)
if ! dpkg -s "${packages[@]}" >/dev/null 2>&1; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq "${packages[@]}" >/dev/null
fi
# Debian's own python3 refuses system-wide installs (PEP 668) unless told otherwise
python3 -m pip install -q -e . 2>/dev/null || python3 -m pip install -q --break-system-packages -e .
# debian-6.12 names the tree built from /usr/src/linux-source-6.12.tar.xz (cached in ~/.cache/patchflow)
python3 -m patchflow regen --tree debian-6.12 "$@"
