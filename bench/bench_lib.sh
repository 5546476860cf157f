# Shell functions the benchmarks share (sourced, not run). The sourcing
# script sets REPO, PY, NET and WORK, and keeps the pids it starts in
# RESOLVER_PID and DRIVER_PID, which cleanup stops.

say() { printf '%s\n' "$*"; }
progress() { printf '[%3ds] %s\n' "$SECONDS" "$*"; }

stop_pid() {   # SIGTERM one pid we started, wait up to 10 s, then SIGKILL
    local pid=$1 i
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for i in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}

cleanup() {
    stop_pid "${RESOLVER_PID:-}"
    stop_pid "${DRIVER_PID:-}"
    if [ "${BENCH_KEEP:-0}" = 1 ]; then say "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}

# Starts the mini-internet (NSD on NET.x.y) and reads its environment
# (INTERNET_ROOT_HINTS, INTERNET_TRUST_ANCHOR, ...); false if it did not come up.
start_mini_internet() {
    progress "starting the mini-internet on $NET.x.y"
    "$PY" "$REPO/bench/mini_internet_driver.py" --workdir "$WORK/internet" --net "$NET" \
        >"$WORK/driver.log" 2>&1 &
    DRIVER_PID=$!
    for _ in $(seq 600); do
        [ -f "$WORK/internet/ready" ] && break
        kill -0 "$DRIVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    if [ ! -f "$WORK/internet/ready" ]; then
        tail -5 "$WORK/driver.log"
        return 1
    fi
    # shellcheck disable=SC1091
    . "$WORK/internet/internet.env"
}

free_port() {
    "$PY" -c 'import sys; sys.path.insert(0, "'"$REPO"'/tests/integration"); from resolvers import free_port; print(free_port())'
}
