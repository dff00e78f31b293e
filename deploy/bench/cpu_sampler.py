#!/usr/bin/python3
"""Who had the CPU, every 100 ms, while an open loop of deploy/bench/run ran.

    cpu_sampler.py OUT PID...

Until SIGTERM, writes a line every 100 ms to OUT: CLOCK_MONOTONIC in ms, then
the nanoseconds since the previous line that the machine's CPUs were busy
(/proc/stat, in whole ticks), that the given processes and their children
(the load generator, refundsd, the postmaster and its backends) ran, that
those spent runnable but waiting for a CPU (the scheduler's run-queue wait,
from /proc/PID/task/TID/schedstat), and that the hypervisor reports as
stolen (/proc/stat). report.py tail lines the slow calls up with these
intervals, which tells a tail made by other work on the shared cores from one
the benchmark makes itself.

It must not make the tail it watches: a sweep of every task of the machine
costs ~5 ms of CPU, and sampling with one every 100 ms doubled the open
loop's p99 (docs/performance.md). So it reads only /proc/stat and the
benchmark's own tasks (~0.3 ms), looks for new child processes once a
second, and leaves the others' share to the difference: busy minus ours, to a
tick (10 ms a CPU) or so per interval. It reads /proc only.
"""
import glob
import os
import signal
import sys
import time

INTERVAL_S = 0.1
RESCAN_S = 1.0
TICK_NS = 1_000_000_000 // os.sysconf("SC_CLK_TCK")


def machine():
    """Busy and stolen nanoseconds of all CPUs since boot, in whole ticks."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = v
    return (user + nice + system + irq + softirq) * TICK_NS, steal * TICK_NS


def ours(roots):
    """The roots and their children: pids, by a scan of /proc."""
    found = set(roots)
    for path in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(path) as f:
                if f.read().rsplit(")", 1)[1].split()[1] in roots:
                    found.add(path.split("/")[2])
        except (OSError, IndexError):
            continue  # the process ended while we looked
    found.discard(str(os.getpid()))
    return found


def tasks(pids):
    """Run and wait nanoseconds of every thread of pids, by thread."""
    out = {}
    for pid in pids:
        for path in glob.glob(f"/proc/{pid}/task/[0-9]*/schedstat"):
            try:
                with open(path) as f:
                    run, wait, _ = map(int, f.read().split())
            except (OSError, ValueError):
                continue
            out[path] = (run, wait)
    return out


def main():
    out = open(sys.argv[1], "w")
    roots = set(sys.argv[2:])
    signal.signal(signal.SIGTERM, lambda *_: (out.close(), sys.exit(0)))
    pids, scanned = ours(roots), time.monotonic()
    prev, prev_busy, prev_steal = tasks(pids), *machine()
    while True:
        time.sleep(INTERVAL_S)
        t = time.monotonic()
        if t - scanned >= RESCAN_S:
            pids, scanned = ours(roots), t
        cur = tasks(pids)
        busy, steal = machine()
        # A thread new since the last look ran all its time inside the interval.
        run = sum(r - prev.get(k, (0, 0))[0] for k, (r, _) in cur.items())
        wait = sum(w - prev.get(k, (0, 0))[1] for k, (_, w) in cur.items())
        out.write(f"{t * 1000:.1f} {busy - prev_busy} {run} {wait} {steal - prev_steal}\n")
        out.flush()
        prev, prev_busy, prev_steal = cur, busy, steal


if __name__ == "__main__":
    main()
