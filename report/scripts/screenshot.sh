#!/usr/bin/env bash
# Renders the sample report's HTML page in headless Chromium and saves a
# screenshot, to look at the page as a browser shows it.
#
#   report/scripts/screenshot.sh [OUT.png] [--compare]
#
# OUT.png defaults to report/docs/report-screenshot.png; --compare renders
# the comparison page of two sample implementations instead. Installs
# Debian's `chromium` (and `optipng`, which shrinks the PNG losslessly) when
# missing (needs root and Debian's package registry). The page is opened from a file:// path; Chromium runs with its
# background networking off, and the page itself loads nothing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
crate="$(dirname "$here")"
workspace="$(dirname "$crate")"
out="${1:-$crate/docs/report-screenshot.png}"
shift || true
mode=("$@")
width="${SCREENSHOT_WIDTH:-1400}"
height="${SCREENSHOT_HEIGHT:-2000}"

browser=""
for candidate in chromium chromium-browser; do
    if command -v "$candidate" >/dev/null 2>&1; then browser="$candidate"; break; fi
done
if [ -z "$browser" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "chromium is missing: install it (apt-get install chromium) or run as root" >&2
        exit 2
    fi
    echo "installing Debian's chromium..." >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    browser=chromium
fi
if ! command -v optipng >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq optipng >/dev/null 2>&1 || true
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
html="$work/report.html"
(cd "$workspace" && cargo run -q -p report --example sample-html -- "$html" "${mode[@]}") >/dev/null

"$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --hide-scrollbars \
    --user-data-dir="$work/profile" --screenshot="$work/shot.png" \
    --window-size="$width,$height" "file://$html" 2>"$work/chromium.log" || {
    cat "$work/chromium.log" >&2
    exit 1
}
if command -v optipng >/dev/null 2>&1; then
    optipng -quiet -o2 "$work/shot.png"
fi
mkdir -p "$(dirname "$out")"
mv "$work/shot.png" "$out"
echo "$out ($(du -k "$out" | cut -f1) KB)"
