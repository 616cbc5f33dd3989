#!/usr/bin/env bash
# Drift report on 1,000,000 x 20 reference and current matrices: SciPy against Warden.Statistics' exact mode.
#
#   bash bench/drift-vs-scipy/run.sh [--rows N] [--cols N]
#
# 1. drift_scipy.py generates the matrices (seeded) into a temporary folder, runs ks_2samp, wasserstein_distance and
#    jensenshannon (10 reference-decile bins) per column, and writes scipy.json with the values and its seconds.
# 2. DriftBench (Release) reads the same files, runs DriftAnalyzer.Numeric with the same three methods, and prints
#    its seconds, the speedups and the largest absolute difference from SciPy's values; it fails above 1e-9.
# Timings cover the tests only (generation and file reading excluded). Needs Debian's /usr/bin/python3 with numpy and
# scipy (apt-get install -y python3-scipy) and the .NET SDK. KEEP_WORK=1 keeps the temporary folder.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/warden-drift-bench.XXXXXX")
[[ "${KEEP_WORK:-0}" == 1 ]] || trap 'rm -rf "$WORK"' EXIT

dotnet build -c Release "$HERE/DriftBench/DriftBench.csproj" -nologo -v q >&2
/usr/bin/python3 "$HERE/drift_scipy.py" --dir "$WORK" --out "$WORK/scipy.json" "$@" > /dev/null
dotnet "$HERE/DriftBench/bin/Release/net10.0/DriftBench.dll" "$WORK" "$WORK/scipy.json" > "$WORK/warden.json"
/usr/bin/python3 - "$WORK/warden.json" <<'PY'
import json, sys
w = json.load(open(sys.argv[1]))
print(f"rows x cols          {w['rows']} x {w['cols']}, {w['cores']} cores")
print(f"SciPy                {w['scipy_seconds']:.2f} s")
print(f"Warden, raw API      {w['seconds_raw_api_one_thread']:.2f} s  ({w['speedup_raw_api_one_thread']:.1f}x, one thread)")
print(f"Warden, sorted once  {w['seconds_one_thread']:.2f} s  ({w['speedup_one_thread']:.1f}x, one thread)")
print(f"Warden, parallel     {w['seconds_parallel']:.2f} s  ({w['speedup_parallel']:.1f}x, {w['threads']} threads)")
print("max |difference|     " + ", ".join(f"{k} {v:.1e}" for k, v in w["max_abs_difference"].items()))
PY
