#!/usr/bin/env bash
# Verifies the unit as installed (BINDIR substituted) with systemd-analyze, and prints its exposure.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bindir=${BINDIR:-$(cd "$here/.." && pwd)/.build/debug}
sed -e "s|@BINDIR@|$bindir|g" -e "s|@DOCDIR@|/usr/local/share/doc/oracled|g" "$here/oracled.service" > "$tmp/oracled.service"
systemd-analyze verify "$tmp/oracled.service"
systemd-analyze security --offline=true --no-pager "$tmp/oracled.service" | tail -n 3
