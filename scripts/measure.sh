#!/usr/bin/env bash
# Measures a running cockpit the way a shared bastion feels it: CPU % of one
# core, resident memory and bytes written to the terminal per second, over a
# window of idleness, in a tmux pane of the given size. Runs the demo, first
# with no incident open, then with one declared.
#
#   scripts/measure.sh [WINDOW_SECONDS] [WIDTHxHEIGHT]
#
# Needs tmux and a release build (built here if missing). Prints a table.
set -euo pipefail
cd "$(dirname "$0")/.."
window="${1:-20}"
size="${2:-200x50}"
w="${size%x*}"
h="${size#*x}"
bin=target/release/warroom
[ -x "$bin" ] || cargo build --release --quiet
command -v tmux >/dev/null || { echo "measure.sh needs tmux" >&2; exit 2; }
work="$(mktemp -d)"
sock="warroom-measure-$$"
cleanup() { tmux -L "$sock" kill-server 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
hz="$(getconf CLK_TCK)"

# CPU ticks (user+system) of a process.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

measure() {
    local label="$1" pid="$2" log="$3"
    local t0 b0 t1 b1 rss
    t0="$(ticks "$pid")"; b0="$(stat -c %s "$log")"
    sleep "$window"
    t1="$(ticks "$pid")"; b1="$(stat -c %s "$log")"
    rss="$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")"
    awk -v l="$label" -v dt="$((t1 - t0))" -v hz="$hz" -v w="$window" \
        -v rss="$rss" -v db="$((b1 - b0))" \
        'BEGIN { printf "%-28s %6.2f %%  %6.1f MB  %8.1f B/s\n", l, 100*dt/hz/w, rss/1024, db/w }'
}

tmux -L "$sock" -f /dev/null new-session -d -s m -x "$w" -y "$h" \
    "WARROOM_DATA_DIR='$work/data' WARROOM_AUTHOR=measure exec '$bin' demo"
tmux -L "$sock" pipe-pane -o -t m "cat >> '$work/out'"
touch "$work/out"
sleep 3
pid="$(tmux -L "$sock" list-panes -t m -F '#{pane_pid}')"
printf '%-28s %8s  %9s  %10s\n' "state (${size}, ${window}s)" "CPU" "RSS" "terminal"
measure "idle, no incident" "$pid" "$work/out"
tmux -L "$sock" send-keys -t m Enter
sleep 1
tmux -L "$sock" send-keys -t m Enter
sleep 3
measure "idle, incident open" "$pid" "$work/out"
