#!/usr/bin/env bash
# Measures a running cockpit the way a shared bastion feels it: CPU % of one
# core, resident memory and bytes written to the terminal per second, over a
# window of idleness, in a tmux pane of the given size. Runs the demo, first
# with no incident open, then with one declared; then the cockpit alone
# against examples/fake_apiserver with 2,000 pods (KUBECONFIG, no alert
# source), idle and under 10 and 100 pod changes a second.
#
#   scripts/measure.sh [WINDOW_SECONDS] [WIDTHxHEIGHT] [demo|pods|all]
#
# Needs tmux and a release build (built here if missing). Prints a table.
set -euo pipefail
cd "$(dirname "$0")/.."
window="${1:-20}"
size="${2:-200x50}"
cases="${3:-all}"
w="${size%x*}"
h="${size#*x}"
bin=target/release/warroom
fake=target/release/examples/fake_apiserver
[ -x "$bin" ] || cargo build --release --quiet
[ -x "$fake" ] || cargo build --release --quiet --example fake_apiserver
command -v tmux >/dev/null || { echo "measure.sh needs tmux" >&2; exit 2; }
work="$(mktemp -d)"
sock="warroom-measure-$$"
fake_pid=""
cleanup() {
    tmux -L "$sock" kill-server 2>/dev/null || true
    [ -z "$fake_pid" ] || kill "$fake_pid" 2>/dev/null || true
    rm -rf "$work"
}
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

printf '%-28s %8s  %9s  %10s\n' "state (${size}, ${window}s)" "CPU" "RSS" "terminal"

if [ "$cases" != pods ]; then
tmux -L "$sock" -f /dev/null new-session -d -s m -x "$w" -y "$h" \
    "WARROOM_DATA_DIR='$work/data' WARROOM_AUTHOR=measure exec '$bin' demo"
tmux -L "$sock" pipe-pane -o -t m "cat >> '$work/out'"
touch "$work/out"
sleep 3
pid="$(tmux -L "$sock" list-panes -t m -F '#{pane_pid}')"
measure "idle, no incident" "$pid" "$work/out"
tmux -L "$sock" send-keys -t m Enter
sleep 1
tmux -L "$sock" send-keys -t m Enter
sleep 3
measure "idle, incident open" "$pid" "$work/out"
tmux -L "$sock" kill-session -t m
fi

# The cockpit with only a cluster: 2,000 pods in the kubeconfig's namespace,
# changing CHURN times a second.
pods_case() {
    local churn="$1" kc="$work/kubeconfig-path" pid
    : > "$kc"
    "$fake" --pods 2000 --churn "$churn" --namespaces 1 > "$kc" &
    fake_pid=$!
    for _ in $(seq 100); do [ -s "$kc" ] && break; sleep 0.1; done
    : > "$work/empty.yaml"
    : > "$work/out-k"
    tmux -L "$sock" -f /dev/null new-session -d -s k -x "$w" -y "$h" \
        "WARROOM_CONFIG='$work/empty.yaml' WARROOM_DATA_DIR='$work/data-k' WARROOM_AUTHOR=measure \
         KUBECONFIG='$(cat "$kc")' exec '$bin'"
    tmux -L "$sock" pipe-pane -o -t k "cat >> '$work/out-k'"
    sleep 5
    pid="$(tmux -L "$sock" list-panes -t k -F '#{pane_pid}')"
    measure "2,000 pods, ${churn} changes/s" "$pid" "$work/out-k"
    if [ "$churn" = 0 ]; then
        # The same, with an incident open (declared by hand).
        tmux -L "$sock" send-keys -t k ':declare measuring idle P2' Enter
        sleep 3
        measure "2,000 pods, incident open" "$pid" "$work/out-k"
    fi
    tmux -L "$sock" kill-session -t k
    kill "$fake_pid" 2>/dev/null || true
    wait "$fake_pid" 2>/dev/null || true
    fake_pid=""
}

if [ "$cases" != demo ]; then
    for churn in 0 10 100; do pods_case "$churn"; done
fi
