# Shared by the peer scripts (sourced with NAME and ROOT set): defaults, the real
# GloVe 6B 50d files and their venv (made by shared/data/make-glove-6b-50d.sh),
# hyperfine (installed with apt-get when missing), and `bench NAME RUNS WARMUP
# COMMAND`, which times a shell command into $OUT/NAME.json (hyperfine's JSON; a
# plain timing loop writes the same fields when hyperfine cannot be had).

cd "$ROOT"
SHARED=${SHARED:-$ROOT/../shared}
DATA=${PV_BENCH_DATA:-target/bench-data}
RUNS=${RUNS:-10}
PEER_RUNS=${PEER_RUNS:-3}
THREADS=${THREADS:-2}
log() { printf '[%s] %s\n' "$NAME" "$*" >&2; }

bash "$SHARED/data/make-glove-6b-50d.sh" "$DATA" >/dev/null
DATA=$(cd "$DATA" && pwd)
PY=$DATA/venv/bin/python
TXT=$DATA/glove.6B.50d.txt
GZ=$DATA/glove.6B.50d.txt.gz
BIN=$DATA/glove.6B.50d.w2v.bin
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps |
    "$PY" -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
OUT=$DATA/$NAME
mkdir -p "$OUT"

if ! command -v hyperfine >/dev/null; then
    if command -v apt-get >/dev/null; then
        log "installing hyperfine"
        SUDO=$([[ $(id -u) == 0 ]] || echo sudo)
        $SUDO apt-get update -qq >/dev/null && $SUDO apt-get install -y -qq hyperfine >/dev/null ||
            log "could not install hyperfine: using a plain timing loop"
    fi
fi

# bench NAME RUNS WARMUP COMMAND: times COMMAND (a shell string) into $OUT/NAME.json
bench() {
    local name=$1 runs=$2 warmup=$3 cmd=$4
    if [[ $runs == 0 ]]; then
        [[ -s $OUT/$name.json ]] || { log "$name: no earlier timing to keep; set PEER_RUNS"; exit 1; }
        log "$name: keeping the timing of the previous run"
        return
    fi
    rm -f "$OUT/$name.json"
    log "$name: $runs runs of: $cmd"
    if command -v hyperfine >/dev/null; then
        hyperfine --style basic --runs "$runs" --warmup "$warmup" \
            --export-json "$OUT/$name.json" "$cmd" >&2
    else
        # Plain loop: wall, user and system seconds of each run, as hyperfine's JSON.
        local i t times=() users=() syss=() TIMEFORMAT='%R %U %S'
        for ((i = 0; i < warmup; i++)); do bash -c "$cmd" >/dev/null; done
        for ((i = 0; i < runs; i++)); do
            t=$({ time bash -c "$cmd" >/dev/null; } 2>&1 | tail -n 1)
            read -r w u s <<<"$t"
            times+=("$w") users+=("$u") syss+=("$s")
        done
        "$PY" - "$OUT/$name.json" "$cmd" "${times[*]}" "${users[*]}" "${syss[*]}" <<'EOF'
import json, statistics as st, sys
out, cmd, w, u, s = sys.argv[1:]
w, u, s = ([float(x) for x in v.split()] for v in (w, u, s))
json.dump({"results": [{"command": cmd, "times": w, "median": st.median(w),
                        "mean": st.mean(w), "min": min(w), "max": max(w),
                        "user": st.mean(u), "system": st.mean(s)}]}, open(out, "w"))
EOF
    fi
}

