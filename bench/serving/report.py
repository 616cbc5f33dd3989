#!/usr/bin/python3
"""Helpers for run.sh: parse wrk, LoadGen and BenchmarkDotNet output, check responses, write the results table.

    report.py rps WRK_OUTPUT                 print wrk's Requests/sec as an integer
    report.py check RESPONSE EXPECTED        exit 0 when the response's first probability matches expected.json (1e-4)
    report.py table WORKDIR OUTPUT.md        print the Markdown results and write them to OUTPUT.md
    perf script -F comm,ip,sym | report.py profile
                                             sort perf's samples into where the time went (KEY.profile.txt)

WORKDIR holds, per contender key (a…e, and u: (a) with unclassified features, closed loop only): KEY.status ("ok" or the reason it did not run), KEY.wrk.txt (measured wrk run),
KEY.fixed.txt (LoadGen fixed-rate run), KEY.cpu.txt (CPU used during the measured wrk run), optionally
KEY.profile.txt (from `profile`) and, for e, e.csv (BenchmarkDotNet's CSV report); settings.json holds the run's
settings.
"""
import csv
import json
import os
import platform
import re
import subprocess
import sys
import time

CONTENDERS = [
    ("a", "Warden tabular predict (auth, validation, event log, metrics)", "POST /api/v1/predict/{model}"),
    ("u", "(a) with the features left unclassified (default personal: a keyed pseudonym per value in each stored event)",
     "POST /api/v1/predict/{model}"),
    ("b", "Warden Open Inference Protocol infer", "POST /v2/models/{m}/infer"),
    ("c", "bare ASP.NET Core endpoint (HTTP floor)", "POST /predict"),
    ("d", "FastAPI + uvicorn + scikit-learn", "POST /predict"),
    ("e", "ONNX Runtime in-process (BenchmarkDotNet)", "InferenceSession.Run, batch 1"),
]


def read(path, default=None):
    try:
        with open(path) as f:
            return f.read()
    except FileNotFoundError:
        return default


def to_ms(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not m:
        return None
    value, unit = float(m.group(1)), m.group(2)
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(text):
    if not text:
        return None
    out = {}
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    out["rps"] = float(m.group(1)) if m else None
    m = re.search(r"(\d+) requests in ([\d.]+\w+)", text)
    out["requests"] = int(m.group(1)) if m else None
    for pct in ("50", "75", "90", "99"):
        m = re.search(rf"^\s+{pct}%\s+(\S+)", text, re.M)
        out[f"p{pct}"] = to_ms(m.group(1)) if m else None
    m = re.search(r"non-2xx: (\d+)", text)
    bad = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    out["socket_errors"] = sum(int(g) for g in m.groups()) if m else 0
    out["errors"] = bad
    return out


def parse_cpu(text):
    """KEY.cpu.txt: the server's and the machine's busy clock ticks and wrk's user and system seconds over one wrk run."""
    if not text:
        return None
    values = dict(pair.split("=", 1) for pair in text.split())
    try:
        per_second = float(values["ticks_per_s"])
        return {"server_s": int(values["server_ticks"]) / per_second, "busy_s": int(values["busy_ticks"]) / per_second,
                "wrk_s": float(values["wrk_user_s"]) + float(values["wrk_system_s"])}
    except (KeyError, ValueError):
        return None


# Where a sample's time went: the first frame, from the sampled one outwards, that matches a category's pattern names it
# (so JSON written by the event log counts as the event log's, a socket send in the kernel as socket I/O).
PROFILE_CATEGORIES = [
    ("thread pool idle spin", ("LowLevelLifoSemaphore", "__sched_yield")),
    ("garbage collector", ("gc_heap::", "WKS::", "SVR::", "GCHeap", ".NET Server GC", ".NET BGC", ".NET Background GC")),
    ("JIT compiler", ("libclrjit", ".NET Tiered Com")),
    ("event log (serialize, seal, fsync)", ("Warden.Server.Serving.EventLog",)),
    ("monitoring (profiles, segments, label index)", ("Warden.Server.Monitoring",)),
    ("model (ONNX Runtime call and feature conversion)", ("Warden.Inference", "Microsoft.ML.OnnxRuntime", "libonnxruntime")),
    ("privacy policy on stored inputs", ("Warden.Server.Privacy",)),
    ("serving (read JSON, validate, route, batch, respond)", ("Warden.Server.Serving", "Warden.Server.Experiments")),
    ("authentication (API key)", ("Warden.Server.Access", "Microsoft.AspNetCore.Authentication")),
    ("rate limiting", ("RateLimiting",)),
    ("authorization", ("Microsoft.AspNetCore.Authorization",)),
    ("metrics", ("OpenTelemetry", "System.Diagnostics.Metrics")),
    ("other Warden middleware (request id, body limits, audit)", ("Warden.Server",)),
    ("bare endpoint's own code (parse, score)", ("BareEndpoint", "[Program]", "PredictRequest")),
    ("socket I/O (kernel: send, receive, epoll)", ("__send", "__libc_recv", "recvfrom", "epoll_wait", "sendto", "SocketAsyncEngine")),
    ("ASP.NET Core (Kestrel, HTTP parsing, routing, middleware)", ("Microsoft.AspNetCore", "Microsoft.Extensions")),
    ("Python interpreter and libraries", ("python3", "_PyEval", "PyObject")),
]


def profile(lines):
    """Reads `perf script -F comm,ip,sym` and returns [(category, share)] over all samples, largest first."""
    counts, stack, total = {}, None, 0

    def flush(frames):
        nonlocal total
        if not frames:
            return
        total += 1
        name = "other (runtime, libraries, kernel scheduling)"
        for frame in frames:
            hit = next((c for c, patterns in PROFILE_CATEGORIES if any(p in frame for p in patterns)), None)
            if hit:
                name = hit
                break
        counts[name] = counts.get(name, 0) + 1

    for line in lines:
        line = line.rstrip("\n")
        if not line.strip():
            flush(stack)
            stack = None
        elif not line[0].isspace():
            flush(stack)
            stack = [line.strip()]  # the thread's name: a GC or JIT thread names its category
        elif stack is not None:
            parts = line.strip().split(" ", 1)
            stack.insert(len(stack) - 1, parts[1] if len(parts) > 1 else parts[0])
    flush(stack)
    return sorted(((k, v / total) for k, v in counts.items()), key=lambda kv: -kv[1]) if total else []


def parse_loadgen(text):
    if not text:
        return None
    m = re.search(r"^RESULT (.*)$", text, re.M)
    if not m:
        return None
    return {k: float(v) for k, v in (kv.split("=", 1) for kv in m.group(1).split())}


def bdn_ns(text):
    m = re.fullmatch(r"([\d,.]+) (ns|μs|us|ms|s)", text.strip())
    if not m:
        return None
    return float(m.group(1).replace(",", "")) * {"ns": 1, "μs": 1e3, "us": 1e3, "ms": 1e6, "s": 1e9}[m.group(2)]


def parse_bdn(path):
    text = read(path)
    if not text:
        return []
    rows = []
    for row in csv.DictReader(text.splitlines()):
        rows.append({"method": row["Method"].strip("'"), "mean_ns": bdn_ns(row["Mean"]),
                     "median_ns": bdn_ns(row.get("Median", row["Mean"])), "allocated": row.get("Allocated", "")})
    return rows


def fmt_ms(value):
    if value is None:
        return "—"
    return f"{value:.2f} ms" if value >= 0.1 else f"{value * 1000:.0f} µs"


def fmt_ns(value):
    if value is None:
        return "—"
    return f"{value:.0f} ns" if value < 1000 else f"{value / 1000:.2f} µs"


def fmt_rps(value):
    return "—" if value is None else f"{value:,.0f}"


def machine():
    cpu = "unknown CPU"
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout.splitlines():
            if line.startswith("Model name:"):
                cpu = line.split(":", 1)[1].strip()
    except OSError:
        pass
    def out(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=30).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            return "?"
    return {
        "cpu": cpu, "cores": os.cpu_count(), "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "os": out(["sh", "-c", ". /etc/os-release && echo \"$PRETTY_NAME\""]), "kernel": platform.release(),
        "dotnet": out(["dotnet", "--version"]), "python": platform.python_version(),
    }


def table(workdir, output):
    settings = json.loads(read(os.path.join(workdir, "settings.json"), "{}"))
    lines = []
    lines.append("# Serving benchmark results")
    lines.append("")
    m = machine()
    lines.append(f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by `bash bench/serving/run.sh` "
                 f"(commit {settings.get('commit', '?')}). Machine: {m['cpu']}, {m['cores']} cores, {m['os']}, "
                 f"kernel {m['kernel']}, .NET SDK {m['dotnet']}, Python {m['python']}; load average at the end {m['load']}.")
    lines.append("")
    repeat = settings.get('repeat', 1)
    repeated = "" if repeat == 1 else f", run {repeat} times back to back, the run with the median throughput reported"
    lines.append(f"Closed loop: `wrk -t{settings.get('threads')} -c{settings.get('connections')} -d{settings.get('duration')} "
                 f"--latency` after a {settings.get('warmup')} warm-up run{repeated}. Fixed rate: `LoadGen` (open loop) at half of each "
                 f"contender's own wrk peak for {settings.get('fixed_duration')} s after {settings.get('fixed_warmup')} s of "
                 f"warm-up, over up to {settings.get('connections')} connections. FastAPI ran {settings.get('fastapi_workers')} "
                 f"uvicorn worker(s) without access log; Warden ran with ASP.NET Core's per-request logs "
                 f"{'on (WARDEN_REQUEST_LOGS=1)' if settings.get('warden_request_logs') else 'at Warning'}. "
                 f"Load generator and server share the machine's cores.")
    lines.append("")
    lines.append("| | contender | route | req/s | p50 | p90 | p99 | fixed rate | p50 @ rate | p99 @ rate |")
    lines.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
    results = {}
    problems = []
    for key, label, route in CONTENDERS:
        status = (read(os.path.join(workdir, f"{key}.status"), "not run") or "").strip()
        if key == "e":
            rows = parse_bdn(os.path.join(workdir, "e.csv"))
            if status != "ok" or not rows:
                lines.append(f"| ({key}) | {label} | {route} | {status if status != 'ok' else 'no BenchmarkDotNet report'} | | | | | | |")
                continue
            for row in rows:
                per_second = 1e9 / row["mean_ns"] if row["mean_ns"] else None
                lines.append(f"| ({key}) | {row['method']} | in-process | {fmt_rps(per_second)} calls/s on one thread | "
                             f"{fmt_ns(row['median_ns'])} (median) | — | — | — | — | — |")
                results.setdefault("e", row)
            continue
        if status != "ok":
            lines.append(f"| ({key}) | {label} | `{route}` | {status} | | | | | | |")
            continue
        wrk = parse_wrk(read(os.path.join(workdir, f"{key}.wrk.txt")))
        fixed = parse_loadgen(read(os.path.join(workdir, f"{key}.fixed.txt")))
        results[key] = {"wrk": wrk, "fixed": fixed}
        if wrk and (wrk["errors"] or wrk["socket_errors"]):
            problems.append(f"({key}): wrk saw {wrk['errors']} non-2xx answers and {wrk['socket_errors']} socket errors")
        if fixed and (fixed.get("errors") or fixed.get("unfinished")):
            problems.append(f"({key}): the fixed-rate run had {fixed['errors']:.0f} errors and {fixed['unfinished']:.0f} unfinished requests")
        rate = f"{fixed['rate']:,.0f} req/s" if fixed else "—"
        if fixed and fixed["achieved"] < 0.97 * fixed["rate"]:
            rate += f" (achieved {fixed['achieved']:,.0f})"
        lines.append(f"| ({key}) | {label} | `{route}` | {fmt_rps(wrk and wrk['rps'])} | {fmt_ms(wrk and wrk['p50'])} | "
                     f"{fmt_ms(wrk and wrk['p90'])} | {fmt_ms(wrk and wrk['p99'])} | {rate} | "
                     f"{fmt_ms(fixed and fixed['p50_ms'])} | {fmt_ms(fixed and fixed['p99_ms'])} |")
        at_a = parse_loadgen(read(os.path.join(workdir, f"{key}.fixed-at-a.txt")))
        if at_a:
            rate = f"{at_a['rate']:,.0f} req/s = (a)'s"
            if at_a["achieved"] < 0.97 * at_a["rate"]:
                rate += f" (achieved {at_a['achieved']:,.0f})"
            lines.append(f"| ({key}) | {label}, at (a)'s fixed rate | `{route}` | | | | | {rate} | "
                         f"{fmt_ms(at_a['p50_ms'])} | {fmt_ms(at_a['p99_ms'])} |")
    lines.append("")
    lines.append("Latencies from wrk are per request under a closed loop (a connection sends its next request when the "
                 "previous one is answered); the fixed-rate columns are from the open-loop generator, measured from the "
                 "moment a request is handed to the HTTP client, so queueing inside the client counts. (e) reports "
                 "BenchmarkDotNet's mean as calls per second on one thread and the median of its iteration means.")
    lines.append("")
    cpu_section(workdir, results, lines)
    lines.append("## Targets")
    lines.append("")

    def rps(key):
        r = results.get(key)
        return r["wrk"]["rps"] if r and r.get("wrk") and r["wrk"].get("rps") else None

    a, c, d = rps("a"), rps("c"), rps("d")
    lines.append("| target | measured | verdict |")
    lines.append("|---|---:|---|")
    if a and d:
        lines.append(f"| (a) ≥ 15× the throughput of (d) | {a / d:.1f}× | {'met' if a / d >= 15 else 'NOT met'} |")
    else:
        lines.append("| (a) ≥ 15× the throughput of (d) | — | not measured |")
    if a and c:
        lines.append(f"| (a) ≥ 70 % of the throughput of (c) | {100 * a / c:.0f} % | {'met' if a / c >= 0.70 else 'NOT met'} |")
    else:
        lines.append("| (a) ≥ 70 % of the throughput of (c) | — | not measured |")
    fixed_a = results.get("a", {}).get("fixed") if results.get("a") else None
    if fixed_a:
        ok = fixed_a["p99_ms"] <= 5 and not fixed_a.get("errors") and not fixed_a.get("unfinished")
        lines.append(f"| (a) p99 ≤ 5 ms at half of (a)'s peak ({fixed_a['rate']:,.0f} req/s) | {fixed_a['p99_ms']:.2f} ms | "
                     f"{'met' if ok else 'NOT met'} |")
    else:
        lines.append("| (a) p99 ≤ 5 ms at half of (a)'s peak | — | not measured |")
    if c and d:
        lines.append("")
        lines.append(f"For scale: the HTTP floor (c) itself is {c / d:.1f}× (d) on this machine.")
    if problems:
        lines.append("")
        lines.append("**Problems:** " + "; ".join(problems) + ".")
    text = "\n".join(lines) + "\n"
    with open(output, "w") as f:
        f.write(text)
    sys.stdout.write(text)


def cpu_section(workdir, results, lines):
    """CPU per request over each contender's reported wrk run and, when profiled, where the server's share went."""
    rows = []
    for key, label, _ in CONTENDERS:
        cpu = parse_cpu(read(os.path.join(workdir, f"{key}.cpu.txt")))
        wrk = (results.get(key) or {}).get("wrk") if key in results else parse_wrk(read(os.path.join(workdir, f"{key}.wrk.txt")))
        if not cpu or not wrk or not wrk.get("requests"):
            continue
        n = wrk["requests"]
        other = max(0.0, cpu["busy_s"] - cpu["server_s"] - cpu["wrk_s"])
        rows.append((key, label, wrk, cpu, 1e6 * cpu["server_s"] / n, 1e6 * cpu["wrk_s"] / n, 1e6 * other / n))
    if not rows:
        return
    lines.append("## CPU per request")
    lines.append("")
    lines.append("Over the same wrk run as the table above: the server's CPU time (every process it started), wrk's (bash's `time`) "
                 "and the rest of the machine's busy time, each divided by the requests answered. Throughput on this shared "
                 "machine is about the busy cores divided by the sum. A host that slows the machine down shows here too, "
                 "as more CPU time per request, so compare contenders within one run.")
    lines.append("")
    lines.append("| | contender | req/s | server µs/request | wrk µs/request | rest of machine µs/request | server cores busy |")
    lines.append("|---|---|---:|---:|---:|---:|---:|")
    seconds = {}
    for key, label, wrk, cpu, server, client, other in rows:
        duration = wrk["requests"] / wrk["rps"] if wrk.get("rps") else None
        cores = f"{cpu['server_s'] / duration:.2f}" if duration else "—"
        lines.append(f"| ({key}) | {label} | {fmt_rps(wrk['rps'])} | {server:.1f} | {client:.1f} | {other:.1f} | {cores} |")
        seconds[key] = server
    lines.append("")
    profiles = {key: read(os.path.join(workdir, f"{key}.profile.txt")) for key, *_ in rows}
    profiles = {k: [(line.split("\t", 1)[1], float(line.split("\t", 1)[0])) for line in v.splitlines() if "\t" in line]
                for k, v in profiles.items() if v}
    if not profiles:
        return
    keys = [k for k, *_ in rows if k in profiles]
    order = []
    for k in keys:
        for category, _ in profiles[k]:
            if category not in order:
                order.append(category)
    lines.append("### Where the server's CPU went")
    lines.append("")
    lines.append("`perf record -F 999 -g` on the server's processes during one more wrk run per contender (CPU_PROFILE=1); each "
                 "sample goes to the first category, from the sampled frame outwards, that one of its frames matches "
                 "(report.py PROFILE_CATEGORIES). Microseconds are the share times the server µs/request above.")
    lines.append("")
    lines.append("| category | " + " | ".join(f"({k}) share | ({k}) µs/request" for k in keys) + " |")
    lines.append("|---|" + "---:|---:|" * len(keys))
    for category in order:
        cells = []
        for k in keys:
            share = dict(profiles[k]).get(category)
            cells.append("—" if share is None else f"{100 * share:.1f} %")
            cells.append("—" if share is None else f"{share * seconds[k]:.1f}")
        lines.append(f"| {category} | " + " | ".join(cells) + " |")
    lines.append("")


def check(response_path, expected_path):
    expected = json.loads(read(expected_path))["probability"]
    try:
        response = json.loads(read(response_path))
    except (TypeError, json.JSONDecodeError):
        print(f"not JSON: {read(response_path, '')[:300]}")
        return 1
    if "predictions" in response:
        got = response["predictions"][0]["probability"]
    elif "outputs" in response:
        data = response["outputs"][0]["data"]
        while isinstance(data, list):
            data = data[0]
        got = data
    else:
        print(f"unexpected answer: {json.dumps(response)[:300]}")
        return 1
    if abs(float(got) - expected) > 1e-4:
        print(f"probability {got} differs from scikit-learn's {expected}")
        return 1
    print(f"probability {float(got):.6f} (scikit-learn {expected:.6f})")
    return 0


def main(argv):
    if len(argv) == 3 and argv[1] == "rps":
        wrk = parse_wrk(read(argv[2]))
        if not wrk or not wrk["rps"]:
            return 1
        print(int(wrk["rps"]))
        return 0
    if len(argv) == 4 and argv[1] == "check":
        return check(argv[2], argv[3])
    if len(argv) == 2 and argv[1] == "profile":
        for category, share in profile(sys.stdin):
            print(f"{share:.4f}\t{category}")
        return 0
    if len(argv) == 4 and argv[1] == "table":
        table(argv[2], argv[3])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
