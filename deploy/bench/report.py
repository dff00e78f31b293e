#!/usr/bin/python3
"""The arithmetic and the report of deploy/bench/run.

run measures; this file reads what the tools wrote and turns it into
figures: it checks and summarises an h2load or a pgbench run, accounts the
CPU of a phase, reads refundsd's access log and case-cache counters, looks at
where an open loop's slow calls fall, and prints the table with the targets.
Each phase's figures go to STATE/results/NAME.json, which the table reads.
It measures nothing itself and starts nothing. Called as

    report.py COMMAND ARGS...

with the commands below (see each function). Exit status 1 with a message
when a measurement is not valid.
"""
import bisect
import glob
import json
import math
import os
import re
import sys


def fail(msg):
    sys.exit(f"bench: {msg}")


def percentile(sorted_values, p):
    """Nearest rank, as refunds-loadgen computes it (deploy/bench/stats.c)."""
    if not sorted_values:
        return 0.0
    rank = max(1, min(len(sorted_values), math.ceil(len(sorted_values) * p / 100)))
    return sorted_values[rank - 1]


def save(path, fields):
    with open(path, "w") as f:
        json.dump(fields, f)
        f.write("\n")


def load(path):
    with open(path) as f:
        return json.load(f)


def cmd_json_field(path, key):
    """json-field FILE KEY: a top-level value of the one-line JSON in FILE."""
    print(load(path)[key])


def cmd_mix(mix, n):
    """mix MIX N: for a hot mix ("hot:SHARE:CASES"), prints the hot set's size and pgbench's
    threshold on random(1, 1000000), as deploy/bench/picker.c rounds them; "0 0" for uniform."""
    if mix == "uniform":
        print("0 0")
        return
    m = re.fullmatch(r"hot:([0-9.]+):([0-9.]+)", mix)
    if not m:
        fail(f"REFUNDS_BENCH_MIX must be uniform or hot:SHARE:CASES, not {mix}")
    share, cases = float(m.group(1)), float(m.group(2))
    hot = min(int(n), max(1, math.ceil(int(n) * cases / 100)))
    print(hot, round(share * 10000))


def cmd_h2load_n(warmup_out, seconds):
    """h2load-n WARMUP_OUTPUT SECONDS: the -n that lasts about SECONDS at the warm-up's rate."""
    m = re.search(r"^finished in [^,]*, ([0-9.]+) req/s", open(warmup_out).read(), re.M)
    print(max(1000, int(float(m.group(1) if m else 0) * float(seconds))))


def cmd_h2load(name, out, log, n, per_call, result):
    """h2load NAME OUTPUT LOG N DATA_BYTES_PER_CALL RESULT_JSON: checks an h2load run.

    Every request must have succeeded and the DATA bytes received must be
    exactly N x per-call bytes: h2load counts a gRPC error (trailers only, no
    DATA) as a success.
    """
    n, per_call = int(n), int(per_call)
    text = open(out).read()

    def grab(pattern):
        m = re.search(pattern, text, re.M)
        if not m:
            fail(f"{name}: no '{pattern}' in the h2load output")
        return m.groups()

    _, rps = grab(r"^finished in ([0-9.]+)(?:s|ms), ([0-9.]+) req/s")
    total, done, ok, failed, errored, timeout = map(int, grab(
        r"^requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, "
        r"(\d+) errored, (\d+) timeout"))
    (data,) = map(int, grab(r"^traffic: .*\((\d+)\) data"))
    if total != n or done != n or ok != n or failed or errored or timeout:
        fail(f"{name}: h2load: {n} requested, {done} done, {ok} succeeded, {failed} failed, "
             f"{errored} errored, {timeout} timeout")
    if data != n * per_call:
        fail(f"{name}: h2load received {data} bytes of DATA, not {n} x {per_call} = "
             f"{n * per_call}: some calls ended in a gRPC error (trailers only) or another reply")
    lat = sorted(int(line.split()[2]) / 1000.0 for line in open(log) if line.strip())
    if len(lat) != n:
        fail(f"{name}: the h2load log has {len(lat)} requests, not {n}")
    save(result, {"rps": float(rps), "p50_ms": percentile(lat, 50),
                  "p99_ms": percentile(lat, 99), "error_count": 0})


def cmd_pgbench(name, out, log_prefix, result):
    """pgbench NAME OUTPUT LOG_PREFIX RESULT_JSON: checks a pgbench run (no failed transactions)."""
    text = open(out).read()
    tps = re.search(r"^tps = ([0-9.]+)", text, re.M)
    failed = re.search(r"^number of failed transactions: (\d+)", text, re.M)
    if not tps or (failed and int(failed.group(1))):
        fail(f"{name}: pgbench: no tps, or failed transactions:\n{text}")
    lat = sorted(int(line.split()[2]) / 1000.0
                 for f in glob.glob(log_prefix + ".*") for line in open(f))
    save(result, {"rps": float(tps.group(1)), "p50_ms": percentile(lat, 50),
                  "p99_ms": percentile(lat, 99), "error_count": 0})


def cmd_cpu(name, before, after, client_cpu, clk_tck, out):
    """cpu NAME "BEFORE" "AFTER" CLIENT_CPU_SECONDS CLK_TCK CPU_TXT: appends a phase's CPU.

    BEFORE and AFTER are run's cpu_snapshot: refundsd, PostgreSQL, busy,
    idle and steal ticks, nanoseconds, and cpu_sampler.py's ticks. The line
    gives the wall seconds and the cores used by the client, refundsd,
    PostgreSQL, everything else on the machine (the sampler left out), left
    idle, and stolen by the hypervisor.
    """
    b = [int(x) for x in before.split()]
    a = [int(x) for x in after.split()]
    tck = int(clk_tck)
    wall = (a[5] - b[5]) / 1e9
    srv, pg = (a[0] - b[0]) / tck / wall, (a[1] - b[1]) / tck / wall
    sampler = max(0, a[6] - b[6]) / tck / wall
    busy, idle, steal = ((a[i] - b[i]) / tck / wall for i in (2, 3, 4))
    cl = float(client_cpu) / wall
    with open(out, "a") as f:
        f.write(f"{name} {wall:.2f} {cl:.3f} {srv:.3f} {pg:.3f} "
                f"{max(0.0, busy - srv - pg - cl - sampler):.3f} {idle:.3f} {steal:.3f}\n")


def cmd_server_times(log, mark, warmup, rate, method, result):
    """server-times LOG LINE_MARK WARMUP RATE METHOD_PATH RESULT_JSON: refundsd's own times.

    From the access log after line LINE_MARK, the handling time (from taking
    the call off the queue to starting the reply) of the open loop's calls,
    the warm-up's (the first WARMUP x RATE) left out.
    """
    mark, skip = int(mark), int(float(warmup) * float(rate))
    ms = []
    with open(log) as f:
        for i, line in enumerate(f):
            if i >= mark and f'"method":"{method}"' in line:
                ms.append(json.loads(line)["ms"])
    ms = sorted(ms[skip:])
    save(result, {"calls": len(ms), "p50_ms": percentile(ms, 50), "p99_ms": percentile(ms, 99),
                  "max_ms": percentile(ms, 100)})


def cmd_cache_stats(log, result):
    """cache-stats LOG RESULT_JSON: the case cache's counters refundsd logged when it stopped."""
    stats = None
    with open(log) as f:
        for line in f:
            if '"event":"case_cache"' in line:
                stats = json.loads(line)
    if stats is None:
        fail(f"no case_cache line in {log}: did refundsd stop cleanly?")
    calls = stats["hits"] + stats["misses"]
    save(result, {"hits": stats["hits"], "misses": stats["misses"],
                  "hit_ratio": stats["hits"] / calls if calls else 0.0})


def cmd_tail(log, seconds, result, samples=None, window_json=None):
    """tail CALL_LOG SECONDS RESULT_JSON [SAMPLES LOADGEN_JSON]: where an open loop's slow calls fall.

    From refunds-loadgen's --log-file (start ms, code, ms, connection): the
    p99 of each second of the window, and how many of the calls slower than
    the run's p99 fall in its worst 100 ms. With cpu_sampler.py's SAMPLES (and
    the run's JSON, for when its window began): the cores other work took
    (busy minus ours, to a tick or so), the steal, and the benchmark's own
    run-queue wait; and the p99 of the calls started in the intervals where
    that wait was at most its median, next to those where it was above, with
    how many of the slow calls started in the latter: a tail made by waiting
    for a CPU concentrates there.
    """
    calls = []
    for line in open(log):
        start, code, ms, _conn = line.rstrip("\n").split("\t")
        if code == "OK":
            calls.append((float(start), float(ms)))
    out = {}
    if calls:
        all_ms = sorted(ms for _, ms in calls)
        p99 = percentile(all_ms, 99)
        per_second = [round(percentile(sorted(ms for start, ms in calls
                                              if s * 1000 <= start < (s + 1) * 1000), 99), 3)
                      for s in range(int(float(seconds)))]
        buckets = {}
        for start, ms in calls:
            if ms > p99:
                buckets[int(start // 100)] = buckets.get(int(start // 100), 0) + 1
        out = {"p99_ms": p99, "p99_by_second_ms": per_second,
               "slow_calls": sum(buckets.values()),
               "slow_in_worst_100ms": max(buckets.values(), default=0)}
    if calls and samples:
        w0 = load(window_json)["window_mono_ms"]
        rows = []  # (from ms, to ms into the window, other cores, own wait ms/s, steal cores)
        lines = [list(map(float, line.split())) for line in open(samples)]
        for a, b in zip(lines, lines[1:]):
            # b: time, then busy, own run, own wait, steal ns since a
            dt_ns = (b[0] - a[0]) * 1e6
            rows.append((a[0] - w0, b[0] - w0, max(0.0, b[1] - b[2]) / dt_ns,
                         b[3] / dt_ns * 1000, b[4] / dt_ns))
        inside = [x for x in rows if x[1] > 0 and x[0] < float(seconds) * 1000]
        if inside:
            median_wait = sorted(x[3] for x in inside)[len(inside) // 2]
            starts = [x[0] for x in inside]

            def interval(t):
                i = bisect.bisect_right(starts, t) - 1
                return inside[i] if i >= 0 and t < inside[i][1] else None

            low, high, slow, slow_high = [], [], 0, 0
            for start, ms in calls:
                x = interval(start)
                if x is None:
                    continue
                (high if x[3] > median_wait else low).append(ms)
                if ms > out["p99_ms"]:
                    slow += 1
                    slow_high += x[3] > median_wait
            n = len(inside)
            out.update({
                "other_cores": sum(x[2] for x in inside) / n,
                "own_wait_ms_per_s": sum(x[3] for x in inside) / n,
                "steal_cores": sum(x[4] for x in inside) / n,
                "p99_low_wait_ms": percentile(sorted(low), 99),
                "p99_high_wait_ms": percentile(sorted(high), 99),
                "slow_in_high_wait": slow_high, "slow_seen": slow})
    save(result, out)


def cmd_table(state, *settings):
    """table STATE KEY=VALUE...: prints the table and the targets; writes STATE/verdict.

    KEY=VALUE: conc, rate, threads, seconds, warmup, ncpu, cases, mix.
    """
    cfg = dict(kv.split("=", 1) for kv in settings)
    conc, rate, ncpu = cfg["conc"], float(cfg["rate"]), cfg["ncpu"]
    res = {os.path.basename(p)[:-5]: load(p) for p in glob.glob(state + "/results/*.json")}

    def r(name):
        if name not in res:
            fail(f"no result for phase {name}")
        return res[name]

    print(f"refunds benchmark: {ncpu} cores, refundsd {cfg['threads']} threads, {cfg['seconds']} s "
          f"per phase after {cfg['warmup']} s warm-up, PostgreSQL fsync=on synchronous_commit=on")
    print()
    print(f"  {'phase':<62}{'requests/s':>11}{'p50 ms':>9}{'p99 ms':>9}  errors")

    def errs(x):
        e = dict(x.get("errors", {}))
        if x.get("dropped"):
            e["dropped"] = x["dropped"]
        return ", ".join(f"{k} {v}" for k, v in e.items()) or "0"

    def row(label, name, note=""):
        x = r(name)
        print(f"  {label:<62}{x['rps']:>11.1f}{x['p50_ms']:>9.2f}{x['p99_ms']:>9.2f}  "
              f"{errs(x)}{note}")

    checked = ", bytes checked"
    row("a. Health/Check, h2load -c16 -m32 (the ceiling)", "check", checked)
    row("b. GetCase, h2load -c16 -m32 (case cache on, the default)", "getcase", checked)
    row("   GetCase, h2load -c16 -m32, case cache off (reference)", "getcase-nocache", checked)
    row(f"   GetCase's SELECT alone, pgbench -c{conc} -j2 (reference)", "getcase-sql")
    row("   OpenCase, h2load -c16 -m32, a retried request_id (reference)", "opencase-replay",
        checked)
    row(f"c. OpenCase, refunds-loadgen closed loop, {conc} in flight", "opencase")
    row(f"d. OpenCase's SQL transaction, pgbench -c{conc} -j2", "opencase-sql")
    row(f"e. GetCase, refunds-loadgen open loop at {rate:.0f}/s", "getcase-R")
    rt, sv = r("getcase-R"), r("getcase-R-server")
    print(f"     e: p90 {rt['p90_ms']:.2f} ms, max {rt['max_ms']:.2f} ms; the client started calls "
          f"{rt['issue_lag_p99_ms']:.2f} ms late at p99, {rt['issue_lag_max_ms']:.2f} ms at most;")
    print(f"        refundsd's own handling time (access log): p50 {sv['p50_ms']:.2f} ms, "
          f"p99 {sv['p99_ms']:.2f} ms, max {sv['max_ms']:.2f} ms")
    row(f"   Health/Check, open loop at {rate:.0f}/s (the floor of e)", "check-R")
    row(f"   GetCase, open loop at {rate:.0f}/s, case cache off (reference)", "getcase-R-nocache")
    print()

    # ---- many cases
    n, mix = cfg["cases"], cfg["mix"]
    print(f"  GetCase over {int(n):,} cases, each server started with an empty cache, "
          f"{conc} in flight")
    print(f"  {'reads':<30}{'refundsd/s':>11}{'p50':>7}{'p99':>7}{'cache hits':>11}"
          f"{'pgbench/s':>11}{'p50':>7}{'p99':>7}{'ratio':>7}")
    dist = [("one case (all hits)", "getcase-one", None, "getcase-sql"),
            ("uniform", "getcase-uniform", "getcase-uniform-cache", "getcase-sql-uniform"),
            (f"{mix} (hot set)", "getcase-hot", "getcase-hot-cache", "getcase-sql-hot")]
    for label, lg, cache, pg in dist:
        a, b = r(lg), r(pg)
        hits = f"{r(cache)['hit_ratio'] * 100:.0f} %" if cache else "100 %"
        print(f"  {label:<30}{a['rps']:>11.0f}{a['p50_ms']:>7.2f}{a['p99_ms']:>7.2f}{hits:>11}"
              f"{b['rps']:>11.0f}{b['p50_ms']:>7.2f}{b['p99_ms']:>7.2f}"
              f"{a['rps'] / b['rps']:>7.2f}")
    one = r("getcase-one")["rps"]
    print(f"    uniform / one case: {r('getcase-uniform')['rps'] / one:.2f}; "
          f"hot set / one case: {r('getcase-hot')['rps'] / one:.2f}; distinct cases read: "
          f"uniform {r('getcase-uniform')['distinct_cases']:,}, "
          f"hot {r('getcase-hot')['distinct_cases']:,} (warm-up included)")
    u = r("getcase-R-uniform")
    print(f"  open loop at {rate:.0f}/s, uniform over the {int(n):,} cases (empty cache at start):"
          f" p50 {u['p50_ms']:.2f} ms, p99 {u['p99_ms']:.2f} ms, errors {errs(u)}, "
          f"cache hits {r('getcase-R-uniform-cache')['hit_ratio'] * 100:.0f} %")
    print()

    # ---- the open loops' tails
    print(f"  open loops at {rate:.0f}/s: the tail against the other work on the cores and the"
          " benchmark's own wait for a CPU")
    print(f"  {'phase':<20}{'p99':>7}{'other':>7}{'steal':>7}{'own wait':>10}"
          f"{'p99 low/high wait':>19}{'slow calls at high wait':>25}  p99 of each second (ms)")
    for name in ("check-R", "getcase-R", "getcase-R-uniform", "getcase-R-nocache"):
        t = res.get(name + "-tail")
        if t and "other_cores" in t:
            split = f"{t['p99_low_wait_ms']:.2f}/{t['p99_high_wait_ms']:.2f}"
            print(f"  {name:<20}{t['p99_ms']:>7.2f}{t['other_cores']:>7.2f}"
                  f"{t['steal_cores']:>7.2f}{t['own_wait_ms_per_s']:>8.0f}/s{split:>19}"
                  f"{t['slow_in_high_wait']:>15} of {t['slow_seen']:<6}"
                  f"  {' '.join(f'{v:.1f}' for v in t['p99_by_second_ms'])}")
    print("    other, steal: cores; own wait: ms per second the benchmark's threads were runnable"
          " but not running;")
    print("    low/high wait: the calls started in the 100 ms intervals where that wait was at"
          " most / above its median")
    print()

    # ---- CPU
    print(f"  CPU, in cores of {ncpu} {'':<37} and in microseconds per request")
    print(f"  {'phase':<22}{'client':>7}{'refundsd':>9}{'postgres':>9}{'other':>7}{'idle':>6}"
          f"{'steal':>6}    {'client':>7}{'refundsd':>9}{'postgres':>9}")
    others = {}
    for line in open(state + "/cpu.txt"):
        name, wall, cl, srv, pg, other, idle, steal = line.split()
        cl, srv, pg, other, idle, steal = map(float, (cl, srv, pg, other, idle, steal))
        others[name] = other
        rps = res.get(name, {}).get("rps", 0.0)

        def us(c):
            return c / rps * 1e6 if rps else 0.0

        print(f"  {name:<22}{cl:>7.2f}{srv:>9.2f}{pg:>9.2f}{other:>7.2f}{idle:>6.2f}{steal:>6.2f}"
              f"    {us(cl):>7.0f}{us(srv):>9.0f}{us(pg):>9.0f}")
    print()

    # ---- targets
    check, get, op, pgb, rt, rtn = (r(x) for x in ("check", "getcase", "opencase",
                                                   "opencase-sql", "getcase-R",
                                                   "getcase-R-nocache"))
    other_limit = 0.15  # cores
    invalid = any(r(x)["error_count"] > 0 or r(x).get("dropped", 0) > 0
                  for x in ("opencase", "getcase-R", "getcase-R-nocache", "check-R", "getcase-one",
                            "getcase-uniform", "getcase-hot", "getcase-R-uniform"))
    targets = [
        ("GetCase >= 1/3 of the health-check rate",
         f"{get['rps']:.0f} / {check['rps']:.0f} = {get['rps'] / check['rps']:.2f} (needs 0.33)",
         get["rps"] * 3 >= check["rps"], ("check", "getcase")),
        (f"GetCase p99 < 5 ms at {rate:.0f}/s",
         f"p99 {rt['p99_ms']:.2f} ms; {rt['rps']:.0f}/s served, "
         f"{rt['error_count'] + rt['dropped']} failed or dropped",
         rt["p99_ms"] < 5 and rt["error_count"] == 0 and rt["dropped"] == 0
         and rt["rps"] >= 0.99 * rate, ("getcase-R",)),
        ("OpenCase >= 1/2 of pgbench's rate",
         f"{op['rps']:.0f} / {pgb['rps']:.0f} = {op['rps'] / pgb['rps']:.2f} (needs 0.50)",
         op["rps"] * 2 >= pgb["rps"] and op["error_count"] == 0, ("opencase", "opencase-sql")),
    ]
    print("  targets (the default configuration: case cache on):")
    for name, value, met, phases in targets:
        busy = [f"{p} {others[p]:.2f}" for p in phases if others.get(p, 0) > other_limit]
        note = f" (disturbed: other processes used cores in {', '.join(busy)})" if busy else ""
        print(f"    {name:<41} {value:<50} {'met' if met else 'NOT met'}{note}")
    print("  the same with the case cache off, and over many cases, for reference:")
    print(f"    {'GetCase vs the health-check rate':<41} {r('getcase-nocache')['rps']:.0f} / "
          f"{check['rps']:.0f} = {r('getcase-nocache')['rps'] / check['rps']:.2f}")
    print(f"    {'GetCase p99 at ' + format(rate, '.0f') + '/s':<41} p99 {rtn['p99_ms']:.2f} ms "
          f"(cache off), {u['p99_ms']:.2f} ms (uniform over {int(n):,} cases), "
          f"{r('check-R')['p99_ms']:.2f} ms (Health/Check)")
    print()
    print("  pgbench, mean latency of each statement of OpenCase's transaction (d):")
    text = open(state + "/opencase-sql.pgbench").read()
    for line in text.split("statement latencies", 1)[1].splitlines()[1:]:
        m = re.match(r"\s+([0-9.]+)\s+\d+\s+(.*)", line)
        if m and not m.group(2).startswith("\\"):
            print(f"    {float(m.group(1)):7.3f} ms  {m.group(2)[:64]}")
    with open(state + "/verdict", "w") as f:
        f.write("invalid" if invalid else "met" if all(t[2] for t in targets) else "not-met")


COMMANDS = {
    "json-field": cmd_json_field,
    "mix": cmd_mix,
    "h2load-n": cmd_h2load_n,
    "h2load": cmd_h2load,
    "pgbench": cmd_pgbench,
    "cpu": cmd_cpu,
    "server-times": cmd_server_times,
    "cache-stats": cmd_cache_stats,
    "tail": cmd_tail,
    "table": cmd_table,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        fail(f"report.py: usage: report.py {'|'.join(COMMANDS)} ARGS...")
    COMMANDS[sys.argv[1]](*sys.argv[2:])
