#!/usr/bin/env bash
# Remakes the pictures of the reports under docs/, as a person sees them:
#
#   docs/html-report.png        the HTML report of testdata/captures/seed-reset-fleet.pcap in
#                               headless Chromium (1200x2000)
#   docs/html-report-fleet.png  the HTML report of the big capture (1200x2400: its head)
#   docs/terminal-fleet.txt     the default terminal report of the big capture, as a 120-column
#                               tmux pane holds it (tmux capture-pane -J: wrapped lines joined),
#                               with the command line, its exit status, time and peak memory
#   docs/terminal-fleet.png     the same pane drawn as a terminal draws it (Chromium)
#
#   scripts/screenshots.sh [FLEET.pcap]
#
# The big capture is FLEET.pcap, by default /tmp/connscope-bench/fleet-190.pcap (101,270
# connections, 1.1 GB), made with ../shared/bench/make-fleet.sh when it is missing. Needs
# chromium, tmux and GNU time (apt-get install chromium tmux time). The test that looks at the
# same pages (cmd/connscope TestHTMLReportInChromium, TestHTMLFleetReportInChromium) checks their
# key elements; this script only makes the pictures.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
fleet=${1:-/tmp/connscope-bench/fleet-190.pcap}
for tool in chromium tmux /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "screenshots: $tool is missing (apt-get install chromium tmux time)" >&2; exit 2; }
done
if [ ! -f "$fleet" ]; then
  echo "screenshots: making $fleet (../shared/bench/make-fleet.sh, a few minutes)" >&2
  mkdir -p "$(dirname "$fleet")"
  ../shared/bench/make-fleet.sh "$fleet" 190
fi
work=$(mktemp -d)
trap 'tmux kill-session -t connscope-shot 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/connscope" ./cmd/connscope

shot() { # shot PAGE PNG HEIGHT
  chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-extensions --hide-scrollbars \
    --user-data-dir="$work/chromium" --host-resolver-rules='MAP * ~NOTFOUND' \
    --window-size=1200,"$3" --screenshot="$2" "file://$1" 2>/dev/null
}

# The HTML reports. The small one is the README's example.
"$work/connscope" analyze testdata/captures/seed-reset-fleet.pcap -p 4343 -f html -o "$work/small.html" || true
shot "$work/small.html" "$root/docs/html-report.png" 2000
"$work/connscope" analyze "$fleet" -f html -o "$work/fleet.html" || true
shot "$work/fleet.html" "$root/docs/html-report-fleet.png" 2400

# The terminal: the default report in a 120-column tmux pane, with how long it took.
cp "$work/connscope" "$work/bin-connscope"
mkdir -p "$work/bin" && mv "$work/bin-connscope" "$work/bin/connscope"
name=$(basename "$fleet")
cp /dev/null "$work/done"
tmux new-session -d -s connscope-shot -x 120 -y 50 \
  "cd $(dirname "$fleet") && PATH=$work/bin:\$PATH; printf '$ connscope analyze %s\n' '$name'; \
   /usr/bin/time -q -f '(%e s, %M KiB peak memory)' -o $work/time connscope analyze '$name'; echo \"(exit status \$?)\"; \
   cat $work/time; tmux wait-for -S connscope-shot-done; sleep 600"
tmux set-option -t connscope-shot history-limit 5000 >/dev/null
tmux wait-for connscope-shot-done
tmux capture-pane -t connscope-shot -p -J -S - -E - | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' > "$root/docs/terminal-fleet.txt"
tmux kill-session -t connscope-shot

# The pane drawn as a terminal draws it: light text on dark, monospace, 120 columns.
lines=$(wc -l < "$root/docs/terminal-fleet.txt")
python3 - "$root/docs/terminal-fleet.txt" "$work/terminal.html" <<'EOF'
import html, sys
text = open(sys.argv[1], encoding="utf-8").read()
page = ("<!DOCTYPE html><meta charset=utf-8><style>body{margin:0;background:#1e1e1e}"
        "pre{margin:0;padding:12px 16px;color:#d4d4d4;font:13px/17px 'DejaVu Sans Mono','Liberation Mono',monospace;white-space:pre-wrap;width:120ch}"
        "</style><pre>" + html.escape(text) + "</pre>")
open(sys.argv[2], "w", encoding="utf-8").write(page)
EOF
rows=$(awk '{ n += int((length($0) + 119) / 120); if (length($0) == 0) n++ } END { print n }' "$root/docs/terminal-fleet.txt")
shot "$work/terminal.html" "$root/docs/terminal-fleet.png" $((rows * 17 + 40))
echo "screenshots: wrote docs/html-report.png, docs/html-report-fleet.png, docs/terminal-fleet.txt ($lines lines), docs/terminal-fleet.png" >&2

# The README shows the pane between its terminal-fleet markers.
python3 - "$root/README.md" "$root/docs/terminal-fleet.txt" <<'EOF2'
import sys
readme, text = sys.argv[1], open(sys.argv[2], encoding="utf-8").read()
s = open(readme, encoding="utf-8").read()
start = s.index("<!-- terminal-fleet: docs/terminal-fleet.txt -->\n")
start += len("<!-- terminal-fleet: docs/terminal-fleet.txt -->\n")
end = s.index("<!-- /terminal-fleet -->", start)
open(readme, "w", encoding="utf-8").write(s[:start] + "```\n" + text + "```\n" + s[end:])
EOF2
