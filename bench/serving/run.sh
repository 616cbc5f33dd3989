#!/usr/bin/env bash
# The serving benchmark: Warden against an HTTP floor, FastAPI and raw ONNX Runtime, one model, one body, one run.
#
#   bash bench/serving/run.sh [--quick] [--only a,b,c,d,e] [--no-warden] [--no-onnx] [--no-install]
#
# See bench/serving/README.md. Prints a Markdown table and writes it to bench/serving/results.md.
# Settings (environment): DURATION (10s), WARMUP (30s: long enough for .NET's tiered JIT to reach its final code on
# 2 busy cores; FastAPI gets the same), THREADS (2), CONNECTIONS (32), FIXED_DURATION (10, seconds),
# FIXED_WARMUP (3), REPEAT (1: closed-loop wrk runs per contender, back to back; the run with the median throughput is
# reported — use an odd number on a noisy machine), FASTAPI_WORKERS (number of cores), WARDEN_PORT (5100), BARE_PORT (5101), FASTAPI_PORT (5102),
# RESULTS (bench/serving/results.md), KEEP_WORK=1 keeps the temporary folder with every log, WARDEN_NO_BUILD=1 uses the
# existing Release build of src/Warden.Cli, WARDEN_REQUEST_LOGS=1 keeps ASP.NET Core's per-request Information logs in
# Warden (turned down to Warning by default, as uvicorn runs without its access log), CPU_PROFILE=1 adds one more wrk run
# per server contender under `perf record` and reports where its CPU went (installs linux-perf; the .NET servers then
# run with DOTNET_PerfMapEnabled=1 and DOTNET_EnableWriteXorExecute=0 so that perf can name JIT-compiled methods).
set -euo pipefail
exec 3>&2 # the terminal's stderr, for output inside `time` groups whose stderr is captured

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PY=/usr/bin/python3

ONLY=abcde INSTALL=1
while (($#)); do
  arg=$1; shift
  case "$arg" in
    --only) [[ $# -gt 0 ]] || { echo "run.sh: --only needs a list such as a,b" >&2; exit 2; }; ONLY=${1//,/}; shift ;;
    --only=*) ONLY=${arg#--only=}; ONLY=${ONLY//,/} ;;
    --quick) DURATION=${DURATION:-3s} WARMUP=${WARMUP:-1s} FIXED_DURATION=${FIXED_DURATION:-3} FIXED_WARMUP=${FIXED_WARMUP:-1} ;;
    --no-warden) ONLY=${ONLY//[ab]/} ;;
    --no-onnx) ONLY=${ONLY//e/} ;;
    --no-install) INSTALL=0 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $arg (see --help)" >&2; exit 2 ;;
  esac
done
DURATION=${DURATION:-10s} WARMUP=${WARMUP:-30s} THREADS=${THREADS:-2} CONNECTIONS=${CONNECTIONS:-32} REPEAT=${REPEAT:-1}
FIXED_DURATION=${FIXED_DURATION:-10} FIXED_WARMUP=${FIXED_WARMUP:-3}
FASTAPI_WORKERS=${FASTAPI_WORKERS:-$(nproc)}
WARDEN_PORT=${WARDEN_PORT:-5100} BARE_PORT=${BARE_PORT:-5101} FASTAPI_PORT=${FASTAPI_PORT:-5102}
RESULTS=${RESULTS:-$HERE/results.md}
CPU_PROFILE=${CPU_PROFILE:-0}
want() { [[ $ONLY == *"$1"* ]]; }
RUN_WARDEN=0
if want a || want b; then RUN_WARDEN=1; fi
MODEL=serving-bench
FAILED=0

log() { printf '\033[1m[serving-bench]\033[0m %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
seconds() { local d=$1; case "$d" in *ms) echo 1 ;; *s) echo "${d%s}" ;; *m) echo $(( ${d%m} * 60 )) ;; *) echo "$d" ;; esac; }

# ---------------------------------------------------------------------------------------------------- packages
if [[ $INSTALL == 1 ]]; then
  need=()
  command -v wrk >/dev/null || need+=(wrk)
  command -v curl >/dev/null || need+=(curl)
  [[ -x $PY ]] || need+=(python3)
  for pair in fastapi:python3-fastapi uvicorn:python3-uvicorn sklearn:python3-sklearn numpy:python3-numpy \
              uvloop:python3-uvloop httptools:python3-httptools; do
    [[ -x $PY ]] && $PY -c "import ${pair%%:*}" 2>/dev/null || need+=("${pair#*:}")
  done
  [[ -f $HERE/model.onnx ]] || { $PY -c "import onnx" 2>/dev/null || need+=(python3-onnx); }
  [[ $CPU_PROFILE == 1 ]] && ! command -v perf >/dev/null && need+=(linux-perf)
  if ((${#need[@]})); then
    SUDO=; [[ $(id -u) == 0 ]] || SUDO=sudo
    log "installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get install -y "${need[@]}" >/dev/null || { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y "${need[@]}" >/dev/null; } \
      || die "could not install ${need[*]}"
  fi
fi
command -v wrk >/dev/null || die "wrk is missing (apt-get install wrk)"
[[ $CPU_PROFILE == 0 ]] || command -v perf >/dev/null || die "CPU_PROFILE=1 needs perf (apt-get install linux-perf)"
if [[ $CPU_PROFILE == 1 ]]; then export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0; fi
[[ -f $HERE/model.onnx && -f $HERE/body-tabular.json ]] || { log "generating the model"; $PY "$HERE/make_model.py"; }

# ---------------------------------------------------------------------------------------------------- work folder, cleanup
WORK=$(mktemp -d /tmp/serving-bench.XXXXXX)
PIDS=()
stop_all() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill -TERM -- "-$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 70); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  PIDS=()
}
cleanup() {
  local rc=$?
  stop_all
  if [[ ${KEEP_WORK:-0} == 1 || $rc != 0 ]]; then log "logs kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start NAME CMD…: runs CMD in its own session (process group) so stopping it stops its children (dotnet run → app).
start() {
  local name=$1; shift
  setsid "$@" >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
}
stop_last() {
  local pid=${PIDS[-1]}
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 1 70); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.5; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  unset 'PIDS[-1]'
}
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# wait_http URL SECONDS [curl args…]: until URL answers 200.
wait_http() {
  local url=$1 limit=$2; shift 2
  local deadline=$((SECONDS + limit))
  while ((SECONDS < deadline)); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$@" "$url" || true) == 200 ]] && return 0
    sleep 0.5
  done
  return 1
}
# check KEY URL BODY [BEARER]: one request whose probability must match scikit-learn's (message on stderr).
check() {
  local key=$1 url=$2 body=$3 bearer=${4:-}
  local auth=(); [[ -n $bearer ]] && auth=(-H "Authorization: Bearer $bearer")
  curl -s --max-time 10 -X POST -H 'Content-Type: application/json' "${auth[@]}" --data-binary "@$body" "$url" -o "$WORK/$key.response.json" || true
  $PY "$HERE/report.py" check "$WORK/$key.response.json" "$HERE/expected.json" >&2
}
# fixed FILE URL BODY RATE [BEARER]: the open-loop run at RATE req/s.
fixed() {
  local file=$1 url=$2 body=$3 rate=$4 bearer=${5:-}
  local header=(); [[ -n $bearer ]] && header=(--header "Authorization: Bearer $bearer")
  log "fixed rate $rate req/s for ${FIXED_DURATION}s: $url"
  timeout $((FIXED_DURATION + FIXED_WARMUP + 60)) dotnet "$LOADGEN" --url "$url" --body "$body" --rate "$rate" --duration "$FIXED_DURATION" \
    --warmup "$FIXED_WARMUP" --connections "$CONNECTIONS" "${header[@]}" 2>&1 | tee "$WORK/$file" >&2 || true
}
# bench KEY URL BODY [BEARER]: the closed-loop runs of `closed`, then the fixed-rate run at half the measured peak.
bench() {
  local key=$1 url=$2 body=$3 bearer=${4:-}
  closed "$key" "$url" "$body" "$bearer" || { FAILED=1; return 1; }
  local peak rate
  peak=$($PY "$HERE/report.py" rps "$WORK/$key.wrk.txt")
  rate=$(( peak / 2 ))
  ((rate > 0)) || rate=1
  echo "$rate" >"$WORK/$key.rate"
  fixed "$key.fixed.txt" "$url" "$body" "$rate" "$bearer"
  status "$key" ok
}
status() { echo "$2" >"$WORK/$1.status"; }
# CPU accounting, in clock ticks: every process of the server's session (the last one started: `dotnet run` and the app,
# uvicorn and its workers), and the whole machine's busy time (user, nice, system, irq, softirq, steal).
TICK=$(getconf CLK_TCK)
session_ticks() {
  local t=0 p v
  for p in $(ps -s "${PIDS[-1]}" -o pid=); do v=$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0); t=$((t + v)); done
  echo "$t"
}
busy_ticks() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
# closed KEY URL BODY [BEARER]: wrk warm-up and measured wrk run only (no fixed-rate run).
closed() {
  local key=$1 url=$2 body=$3 bearer=${4:-}
  local limit=$(( $(seconds "$DURATION") + $(seconds "$WARMUP") + 60 ))
  log "($key) warm-up $WARMUP, then wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency $url"
  BODY_FILE=$body BEARER=$bearer timeout "$limit" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" --timeout 5s -s "$HERE/post.lua" "$url" >"$WORK/$key.warmup.txt" 2>&1 || true
  # REPEAT runs back to back; the one with the median throughput is reported (its latencies with it).
  local i runs=()
  for ((i = 1; i <= REPEAT; i++)); do
    # The server's CPU time, wrk's (bash's `time`: user and system seconds of the pipeline) and the machine's busy time
    # over the run, for the CPU-per-request table.
    local s0 b0 s1 b1 wu ws TIMEFORMAT='%U %S'
    s0=$(session_ticks); b0=$(busy_ticks)
    { time { BODY_FILE=$body BEARER=$bearer timeout "$limit" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 5s --latency \
        -s "$HERE/post.lua" "$url" 2>&3 | tee "$WORK/$key.wrk.$i.txt" >&3 || true; }; } 2>"$WORK/$key.wrkcpu.$i.txt"
    s1=$(session_ticks); b1=$(busy_ticks)
    read -r wu ws <"$WORK/$key.wrkcpu.$i.txt" || true
    echo "server_ticks=$(( s1 - s0 )) busy_ticks=$(( b1 - b0 )) ticks_per_s=$TICK wrk_user_s=${wu:-0} wrk_system_s=${ws:-0}" >"$WORK/$key.cpu.$i.txt"
    runs+=("$WORK/$key.wrk.$i.txt")
  done
  local median
  median=$($PY - "${runs[@]}" <<'PYEOF'
import re, sys
found = []
for path in sys.argv[1:]:
    m = re.search(r"Requests/sec:\s+([0-9.]+)", open(path).read())
    if m:
        found.append((float(m.group(1)), path))
found.sort()
print(found[(len(found) - 1) // 2][1] if found else sys.argv[1])
PYEOF
)
  cp "$median" "$WORK/$key.wrk.txt"
  cp "${median/.wrk./.cpu.}" "$WORK/$key.cpu.txt"
  ((REPEAT == 1)) || log "($key) closed-loop runs: $(grep -ho 'Requests/sec: *[0-9.]*' "${runs[@]}" | awk '{printf "%s ", $2}')→ median $(grep -o 'Requests/sec: *[0-9.]*' "$median" | awk '{print $2}')"
  $PY "$HERE/report.py" rps "$WORK/$key.wrk.txt" >/dev/null || { status "$key" "not available: wrk gave no result (see $key.wrk.txt)"; return 1; }
  [[ $CPU_PROFILE == 0 ]] || profile "$key" "$url" "$body" "$bearer"
  status "$key" ok
}
# profile KEY URL BODY [BEARER]: one more closed-loop run, the server's processes sampled by `perf record` (999 Hz, call
# stacks) in its middle; report.py sorts the samples into where the time went.
profile() {
  local key=$1 url=$2 body=$3 bearer=${4:-} secs pids
  secs=$(seconds "$DURATION")
  pids=$(ps -s "${PIDS[-1]}" -o pid= | tr -s ' \n' ',' | sed 's/^,//; s/,$//')
  log "($key) profiling: wrk for $DURATION, perf record -g on the server's processes ($pids)"
  BODY_FILE=$body BEARER=$bearer wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 5s -s "$HERE/post.lua" "$url" >"$WORK/$key.profile-wrk.txt" 2>&1 &
  local wrk_pid=$!
  sleep 1
  perf record -F 999 -g -p "$pids" -o "$WORK/$key.perf.data" -- sleep $(( secs > 3 ? secs - 2 : 1 )) >"$WORK/$key.perf.log" 2>&1 || true
  wait "$wrk_pid" || true
  perf script -F comm,ip,sym -i "$WORK/$key.perf.data" 2>/dev/null | $PY "$HERE/report.py" profile >"$WORK/$key.profile.txt" || true
}

for port in "$BARE_PORT" "$FASTAPI_PORT" "$WARDEN_PORT"; do
  port_free "$port" || die "port $port on 127.0.0.1 is in use; set WARDEN_PORT/BARE_PORT/FASTAPI_PORT"
done

COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
[[ -z $(git -C "$ROOT" status --porcelain -- src 2>/dev/null) ]] || COMMIT="$COMMIT + uncommitted changes in src/"
REQUEST_LOGS=$([[ ${WARDEN_REQUEST_LOGS:-0} == 1 ]] && echo true || echo false)
cat >"$WORK/settings.json" <<EOF2
{"commit": "$COMMIT", "threads": $THREADS, "connections": $CONNECTIONS, "duration": "$DURATION", "warmup": "$WARMUP",
 "fixed_duration": $FIXED_DURATION, "fixed_warmup": $FIXED_WARMUP, "fastapi_workers": $FASTAPI_WORKERS,
 "warden_request_logs": $REQUEST_LOGS, "repeat": $REPEAT}
EOF2
for key in a b c d e; do if ! want $key; then status $key "skipped (--only $ONLY)"; fi; done
want a || status u "skipped (--only $ONLY)"

# ---------------------------------------------------------------------------------------------------- builds
log "building the bare endpoint and the load generator (Release)"
dotnet build "$HERE/BareEndpoint/BareEndpoint.csproj" -c Release -nologo -v q >"$WORK/build-bare.log" 2>&1 || { cat "$WORK/build-bare.log" >&2; die "BareEndpoint did not build"; }
dotnet build "$HERE/LoadGen/LoadGen.csproj" -c Release -nologo -v q >"$WORK/build-loadgen.log" 2>&1 || { cat "$WORK/build-loadgen.log" >&2; die "LoadGen did not build"; }
LOADGEN=$HERE/LoadGen/bin/Release/net10.0/LoadGen.dll
WARDEN_BUILT=0
if [[ $RUN_WARDEN == 1 && ${WARDEN_NO_BUILD:-0} == 1 && -f $ROOT/src/Warden.Cli/bin/Release/net10.0/warden.dll ]]; then
  log "using the Warden Release build already in src/Warden.Cli/bin (WARDEN_NO_BUILD=1)"
  WARDEN_BUILT=1
elif [[ $RUN_WARDEN == 1 ]]; then
  log "building Warden (src/Warden.Cli, Release)"
  if dotnet build "$ROOT/src/Warden.Cli/Warden.Cli.csproj" -c Release -nologo -v q >"$WORK/build-warden.log" 2>&1; then
    WARDEN_BUILT=1
  else
    tail -20 "$WORK/build-warden.log" >&2
    log "Warden did not build; (a) and (b) are skipped"
    FAILED=1
  fi
fi

# ---------------------------------------------------------------------------------------------------- (a), (b) Warden
# First, so that (c) can also be measured at (a)'s fixed rate.
run_warden() {
  W="http://127.0.0.1:$WARDEN_PORT"
  BOOT=$($PY -c 'import base64, secrets; print("wdn_" + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("="))')
  mkdir -p "$WORK/warden"
  # Warden reads appsettings.json from its working directory. The per-key rate limit stays on, with a bucket larger
  # than any rate this machine reaches, so that the limiter's cost is measured but it never answers 429. ASP.NET Core's
  # own per-request Information logs (five lines a request) are turned down to Warning, as in the ASP.NET Core
  # templates' appsettings.json, unless WARDEN_REQUEST_LOGS=1; Warden's logs, metrics and prediction events are untouched.
  if [[ $REQUEST_LOGS == true ]]; then
    echo '{ "Warden": { "RateLimit": { "PerKeyPerSecond": 10000000, "PerKeyBurst": 10000000 } } }' >"$WORK/warden/appsettings.json"
  else
    echo '{ "Warden": { "RateLimit": { "PerKeyPerSecond": 10000000, "PerKeyBurst": 10000000 } },
  "Logging": { "LogLevel": { "Microsoft.AspNetCore": "Warning" } } }' >"$WORK/warden/appsettings.json"
  fi
  log "(a, b) starting Warden on $W (data in $WORK/warden/data)"
  start warden env -C "$WORK/warden" WARDEN_BOOTSTRAP_KEY="$BOOT" \
    dotnet run --no-build -c Release --project "$ROOT/src/Warden.Cli" -- serve --urls "$W" --data "$WORK/warden/data"
  if ! setup_warden >"$WORK/warden-setup.log" 2>&1; then
    cat "$WORK/warden-setup.log" >&2
    status a "not available: registering the model failed (see warden-setup.log)"; status b "not available: see (a)"; FAILED=1
    stop_last
    return
  fi
  if want a; then
    check a "$W/api/v1/predict/$MODEL" "$HERE/body-tabular.json" "$CLIENT" || true
    bench a "$W/api/v1/predict/$MODEL" "$HERE/body-tabular.json" "$CLIENT" || true
    if check u "$W/api/v1/predict/$MODEL-unclassified" "$HERE/body-tabular.json" "$CLIENT"; then
      closed u "$W/api/v1/predict/$MODEL-unclassified" "$HERE/body-tabular.json" "$CLIENT" || true
    else
      status u "not available: the unclassified model did not answer correctly"
    fi
  fi
  if want b; then
    local ready
    ready=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H "Authorization: Bearer $CLIENT" "$W/v2/health/ready" || true)
    if [[ $ready == 404 ]]; then
      status b "not available: GET /v2/health/ready answered 404 (no Open Inference Protocol endpoint in this build)"
    elif [[ $ready != 200 ]]; then
      status b "not available: GET /v2/health/ready answered $ready"
    elif wait_http "$W/v2/models/$MODEL/ready" 30 -H "Authorization: Bearer $CLIENT" && \
         check b "$W/v2/models/$MODEL/infer" "$HERE/body-oip.json" "$CLIENT"; then
      bench b "$W/v2/models/$MODEL/infer" "$HERE/body-oip.json" "$CLIENT" || true
    else
      status b "not available: infer did not answer correctly ($(head -c 200 "$WORK/b.response.json" 2>/dev/null | tr '\n|' '  '))"
    fi
  fi
  stop_last
}
warden() { WARDEN_URL=$W WARDEN_API_KEY=$1 dotnet "$ROOT/src/Warden.Cli/bin/Release/net10.0/warden.dll" "${@:2}"; }
secret() { $PY -c 'import json, sys; print(json.load(sys.stdin)["secret"])'; }
# Registers, approves and promotes the model as separate people would. Runs in an `if`, where set -e does not apply:
# every step says `|| return 1`.
setup_warden() {
  wait_http "$W/health/ready" 180 || { echo "Warden did not become ready:"; tail -30 "$WORK/warden.log"; return 1; }
  local dev appr op
  dev=$(warden "$BOOT" keys create --name bench-developer --role developer --json | secret) || return 1
  appr=$(warden "$BOOT" keys create --name bench-approver --role approver --json | secret) || return 1
  op=$(warden "$BOOT" keys create --name bench-operator --role operator --json | secret) || return 1
  CLIENT=$(warden "$BOOT" keys create --name bench-client --role developer --json | secret) || return 1
  warden "$dev" models create "$MODEL" --owner serving-bench --tier 3 --description "20-feature logistic regression (bench/serving)" \
    --purpose "Serving benchmark" --tag bench || return 1
  warden "$dev" models upload "$MODEL" "$HERE/model.onnx" --metadata "$HERE/metadata.json" --code-ref bench/serving/make_model.py || return 1
  warden "$dev" models card "$MODEL" 1 --set "$HERE/card.json" || return 1
  warden "$dev" models submit "$MODEL" 1 --reason "serving benchmark" || return 1
  warden "$appr" models approve "$MODEL" 1 --comment "benchmark model, synthetic data" || return 1
  warden "$op" models promote "$MODEL" 1 --alias champion --reason "serving benchmark" || return 1
  # The same model with its features left unclassified (Warden's default: personal, so every stored event holds a keyed
  # pseudonym per value instead of the value): measured as row (u), for transparency.
  local u=$MODEL-unclassified
  warden "$dev" models create "$u" --owner serving-bench --tier 3 --description "bench/serving model, features unclassified" \
    --purpose "Serving benchmark" --tag bench || return 1
  warden "$dev" models upload "$u" "$HERE/model.onnx" --metadata "$HERE/metadata-unclassified.json" --code-ref bench/serving/make_model.py || return 1
  warden "$dev" models card "$u" 1 --set "$HERE/card.json" || return 1
  warden "$dev" models submit "$u" 1 --reason "serving benchmark" || return 1
  warden "$appr" models approve "$u" 1 --comment "benchmark model, synthetic data" || return 1
  warden "$op" models promote "$u" 1 --alias champion --reason "serving benchmark" || return 1
  # The serving routes pick the promotion up within their refresh interval.
  local deadline=$((SECONDS + 60))
  until check a "$W/api/v1/predict/$MODEL" "$HERE/body-tabular.json" "$CLIENT" 2>/dev/null; do
    ((SECONDS < deadline)) || { echo "predictions never succeeded: $(cat "$WORK/a.response.json")"; return 1; }
    sleep 1
  done
}
if [[ $RUN_WARDEN == 1 && $WARDEN_BUILT == 0 ]]; then
  for key in a b; do if want $key; then status $key "not available: Warden did not build (see build-warden.log)"; fi; done
elif [[ $RUN_WARDEN == 1 ]]; then
  run_warden
fi

# ---------------------------------------------------------------------------------------------------- (c) bare ASP.NET endpoint
if want c; then
  log "(c) starting the bare endpoint on 127.0.0.1:$BARE_PORT"
  start bare dotnet "$HERE/BareEndpoint/bin/Release/net10.0/BareEndpoint.dll" "http://127.0.0.1:$BARE_PORT" "$HERE/model.json"
  if wait_http "http://127.0.0.1:$BARE_PORT/health" 60 && check c "http://127.0.0.1:$BARE_PORT/predict" "$HERE/body-bare.json"; then
    bench c "http://127.0.0.1:$BARE_PORT/predict" "$HERE/body-bare.json" || true
    # The floor's latency under the same load as (a)'s fixed-rate run.
    if [[ -f $WORK/a.rate ]]; then
      fixed c.fixed-at-a.txt "http://127.0.0.1:$BARE_PORT/predict" "$HERE/body-bare.json" "$(cat "$WORK/a.rate")"
    fi
  else
    status c "not available: the bare endpoint did not answer correctly (see bare.log)"; FAILED=1
  fi
  stop_last
fi

# ---------------------------------------------------------------------------------------------------- (d) FastAPI
if want d; then
  log "(d) starting FastAPI (uvicorn, $FASTAPI_WORKERS worker(s)) on 127.0.0.1:$FASTAPI_PORT"
  start fastapi $PY -m uvicorn fastapi_app:app --app-dir "$HERE" --host 127.0.0.1 --port "$FASTAPI_PORT" \
    --workers "$FASTAPI_WORKERS" --no-access-log --log-level warning
  if wait_http "http://127.0.0.1:$FASTAPI_PORT/health" 60 && check d "http://127.0.0.1:$FASTAPI_PORT/predict" "$HERE/body-fastapi.json"; then
    bench d "http://127.0.0.1:$FASTAPI_PORT/predict" "$HERE/body-fastapi.json" || true
  else
    status d "not available: FastAPI did not answer correctly (see fastapi.log)"; FAILED=1
  fi
  stop_last
fi

# ---------------------------------------------------------------------------------------------------- (e) ONNX Runtime in-process
if want e; then
  log "(e) BenchmarkDotNet: dotnet run -c Release --project bench/Warden.Benchmarks -- --filter '*OnnxRuntime*'"
  if (cd "$ROOT" && SERVING_BENCH_MODEL="$HERE/model.onnx" timeout 1200 dotnet run -c Release --project bench/Warden.Benchmarks -- \
        --filter '*OnnxRuntime*' --artifacts "$WORK/bdn") >"$WORK/bdn.log" 2>&1 \
     && cp "$WORK"/bdn/results/*OnnxRuntimeBenchmarks-report.csv "$WORK/e.csv" 2>/dev/null; then
    grep -A8 '^| Method' "$WORK"/bdn/results/*OnnxRuntimeBenchmarks-report-github.md >&2 || true
    status e ok
  else
    tail -20 "$WORK/bdn.log" >&2
    status e "not available: BenchmarkDotNet failed (see bdn.log)"; FAILED=1
  fi
fi

# ---------------------------------------------------------------------------------------------------- report
echo >&2
$PY "$HERE/report.py" table "$WORK" "$RESULTS"
log "wrote $RESULTS"
exit $FAILED
