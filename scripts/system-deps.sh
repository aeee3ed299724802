#!/usr/bin/env bash
# Installs the system packages a target needs, when they are missing: `run` needs libmagic
# (evidence is identified by content); `test` adds Chromium (browser tests) and gettext
# (translations) and redis-server (the cluster test starts its own) and Node.js with npm (the
# single sign-on tests' OpenID provider) and promtool (Debian's prometheus package: the alert
# rules' checks and tests); `bench` adds wrk (the load generator).
set -euo pipefail
target=${1:-test}

missing=()
ldconfig -p 2>/dev/null | grep libmagic.so.1 >/dev/null || missing+=(libmagic1)
if [ "$target" != run ]; then
  command -v chromium >/dev/null || missing+=(chromium)
  command -v msgfmt >/dev/null || missing+=(gettext)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
  command -v promtool >/dev/null || missing+=(prometheus)
fi
if [ "$target" = bench ]; then
  command -v wrk >/dev/null || missing+=(wrk)
fi

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
