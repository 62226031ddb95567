#!/usr/bin/env bash
# Installs the Debian packages softmax-repro needs, only those that are missing:
# hwloc and PAPI (headers and libraries) for pinning, placement and counters, and python3-venv for the
# plotting step. Runs apt-get as root, or through sudo when not root.
set -euo pipefail

missing=()
[ -f /usr/include/hwloc.h ] || missing+=(libhwloc-dev)
[ -f /usr/include/papi.h ] || missing+=(libpapi-dev)
python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "error: missing ${missing[*]} and no apt-get here: install them with your package manager" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then sudo="sudo"; else
    echo "error: missing ${missing[*]}: run 'apt-get install ${missing[*]}' as root" >&2
    exit 1
  fi
fi
echo "installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
