#!/usr/bin/env bash
# Installs the system packages the app and its tests need, when they are missing.
# libmagic identifies evidence by content; Chromium runs the browser tests; gettext
# compiles translations; wrk drives the benchmark.
set -euo pipefail

missing=()
[ -e /usr/lib/x86_64-linux-gnu/libmagic.so.1 ] || ldconfig -p 2>/dev/null | grep -q libmagic.so.1 || missing+=(libmagic1)
command -v chromium >/dev/null || missing+=(chromium)
command -v msgfmt >/dev/null || missing+=(gettext)
command -v wrk >/dev/null || missing+=(wrk)

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "error: missing system packages: ${missing[*]}" >&2
  echo "install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" fonts-dejavu-core >/dev/null
