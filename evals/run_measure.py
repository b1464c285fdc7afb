"""Run one command and measure it: ``python -I evals/run_measure.py RESULT.json LOG -- CMD...``

Standard library only, started as a small fresh interpreter by the benchmark.
Why a separate process: Linux carries the parent's memory high-water mark
into a child's ``ru_maxrss`` when the child is forked (or vforked) and then
execs, so a command launched straight from the benchmark process (which holds
loaded vectors) would inherit that process's peak RSS.  Launched from this
small process, the command's ``ru_maxrss`` is its own (this interpreter's
few MiB are far below any trainer's).

RESULT.json gets: returncode, wall_s (Popen to exit), user_s, sys_s, cpu_s,
peak_rss_kib (``os.wait4`` rusage of exactly that child), other_cpu_s (busy
CPU seconds of the whole machine during the run, /proc/stat, minus the
child's own) and loadavg_before.  Where /proc exists, a thread also samples
the child's ``RssAnon`` (private memory: heap, arrays) and ``RssFile``
(mapped files, mostly code of shared libraries) every 20 ms:
peak_anon_kib and peak_file_kib are the highest samples (a sampled peak
can miss a spike shorter than 20 ms; peak_rss_kib cannot).
"""
import json
import os
import subprocess
import sys
import threading
import time


def _busy_seconds():
    try:
        with open("/proc/stat") as f:
            vals = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = vals[3] + (vals[4] if len(vals) > 4 else 0)
    return (sum(vals[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _loadavg():
    try:
        with open("/proc/loadavg") as f:
            return float(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _sample_memory(pid, stop, peaks):
    path = f"/proc/{pid}/status"
    while not stop.is_set():
        try:
            with open(path) as f:
                for line in f:
                    key, _, value = line.partition(":")
                    if key in ("RssAnon", "RssFile"):
                        peaks[key] = max(peaks.get(key, 0), int(value.split()[0]))
        except (OSError, ValueError, IndexError):
            pass
        stop.wait(0.02)


def main(argv):
    if len(argv) < 4 or argv[2] != "--":
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    result_path, log_path, cmd = argv[0], argv[1], argv[3:]
    with open(log_path, "ab") as log:
        load0, busy0 = _loadavg(), _busy_seconds()
        t0 = time.perf_counter()
        try:
            p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        except OSError as exc:
            log.write(f"cannot start {cmd[0]}: {exc}\n".encode())
            res = {"returncode": 127, "wall_s": 0.0, "user_s": 0.0, "sys_s": 0.0, "cpu_s": 0.0,
                   "peak_rss_kib": 0, "other_cpu_s": None, "loadavg_before": load0}
        else:
            stop, peaks = threading.Event(), {}
            sampler = threading.Thread(target=_sample_memory, args=(p.pid, stop, peaks), daemon=True)
            sampler.start()
            _, status, ru = os.wait4(p.pid, 0)
            stop.set()
            sampler.join()
            wall = time.perf_counter() - t0
            busy1 = _busy_seconds()
            cpu = ru.ru_utime + ru.ru_stime
            res = {"returncode": os.waitstatus_to_exitcode(status), "wall_s": wall,
                   "user_s": ru.ru_utime, "sys_s": ru.ru_stime, "cpu_s": cpu,
                   "peak_rss_kib": ru.ru_maxrss,   # KiB on Linux
                   "other_cpu_s": None if busy0 is None or busy1 is None
                   else max(0.0, busy1 - busy0 - cpu),
                   "loadavg_before": load0,
                   "peak_anon_kib": peaks.get("RssAnon"), "peak_file_kib": peaks.get("RssFile")}
    tmp = result_path + ".part"
    with open(tmp, "w") as f:
        json.dump(res, f)
    os.replace(tmp, result_path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
