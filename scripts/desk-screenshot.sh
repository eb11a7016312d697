#!/usr/bin/env bash
# Regenerates docs/desk-page.png: runs the desk page's browser test (real daemon, fake venue,
# headless Chromium through chromedriver), which saves its screenshot where ORACLED_DESK_SCREENSHOT says.
# Needs chromium and chromedriver (Debian: apt-get install chromium chromium-driver).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v chromedriver >/dev/null || { echo "chromedriver not found: apt-get install chromium chromium-driver" >&2; exit 1; }
swift build --build-tests
out="$PWD/docs/desk-page.png"
ORACLED_DESK_SCREENSHOT="$out" swift test --skip-build --filter DeskPageBrowserTests
test -s "$out" && echo "wrote $out"
