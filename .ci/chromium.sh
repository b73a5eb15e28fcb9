#!/usr/bin/env bash
# Makes sure a headless Chromium is on PATH for the report example's screenshot test (`report --png`,
# examples/report/tests/png.rs), which fails rather than skips when none is found. On a fresh Debian or
# Ubuntu machine run as root (CI), Debian's `chromium` package is installed with apt-get, with the DejaVu
# fonts so that the page's text is drawn; elsewhere the script says what to install and fails.
set -euo pipefail

for name in chromium chromium-browser google-chrome; do
    if command -v "$name" >/dev/null; then
        echo "chromium: using $(command -v "$name")" >&2
        exit 0
    fi
done
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "chromium: installing Debian's chromium package with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
    command -v chromium >/dev/null
else
    echo "chromium: none on PATH (chromium, chromium-browser, google-chrome) and this is not root with apt-get:" \
        "install one (Debian/Ubuntu: apt install chromium), or set CLOUDTRAIL_SKIP_CHROMIUM=1 to skip the" \
        "screenshot test knowingly" >&2
    exit 1
fi
