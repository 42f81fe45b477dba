#!/usr/bin/env bash
# Makes docs/html-report-ja.png: the Japanese HTML report of testdata/captures/many-agents.pcap
# (--profile apexone --lang ja) as headless Chromium renders it at 1200x2000. The picture is the
# one cmd/connscope's TestJapaneseHTMLInChromium takes, after it has checked that the page
# declares lang="ja", logs nothing to the console, and that an installed font has every character
# the page shows (no missing glyphs).
#
# Needs chromium and a font with Japanese glyphs: apt-get install chromium fonts-noto-cjk
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/html-report-ja.png}"
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
CI=1 CONNSCOPE_SCREENSHOT_JA="$out" go test -count=1 -run '^TestJapaneseHTMLInChromium$' ./cmd/connscope
echo "wrote $out"
