"""Shared machinery of the benchmark sections: corpus choice, tokenisation
cache, measured subprocess runs, machine description and evaluation.

Every section measures all systems the same way:

* the corpus is tokenised once (lowercase, regex ``\\w+(?:[-']\\w+)*``, one
  output line per input line, tokens joined by single spaces) and cached under
  ``evals/out/tok/`` keyed by the source's size and mtime;
* each system trains in its own fresh subprocess, started by the small
  measuring interpreter ``evals/run_measure.py``; its wall time, CPU time and
  peak RSS come from ``os.wait4`` on that child (exact, no polling, and free
  of the benchmark process's own memory);
* each system writes word2vec text vectors, which the same evaluation code
  scores for every system.
"""
from __future__ import annotations

import datetime as _dt
import gzip
import json
import os
import platform
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVALS = ROOT / "evals"
OUT = EVALS / "out"
RESULTS_DIR = EVALS / "results"
RESULTS_MD = EVALS / "RESULTS.md"

# Paths are given relative to the project root, as the README states them.
SHARED_MIX = "../shared/data/corpora/mix/en_mix.txt.gz"
BUNDLED = "data/corpora/sotu.txt.gz"
SHARED_SOTU = "../shared/data/corpora/en/sotu.txt.gz"  # same file as BUNDLED

TOKEN_RE = r"\w+(?:[-']\w+)*"
_TOKEN = re.compile(TOKEN_RE)


def warn(msg: str) -> None:
    print(f"bench: WARNING: {msg}", file=sys.stderr, flush=True)


def info(msg: str) -> None:
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def rel(path: Path | str) -> str:
    """`path` relative to the project root when it lies below or beside it."""
    p = Path(os.path.abspath(path))
    try:
        return os.path.relpath(p, ROOT)
    except ValueError:
        return str(p)


# --------------------------------------------------------------------------
# corpus choice
# --------------------------------------------------------------------------
@dataclass
class CorpusChoice:
    path: Path
    label: str            # short name shown in tables
    requested: str        # what was asked for
    fallback: bool = False
    note: str = ""


def choose_corpus(arg: str | None, quick: bool) -> CorpusChoice:
    """The corpus to run on.  Never falls back without saying so on stderr."""
    if arg:
        p = Path(arg)
        if not p.is_absolute():
            p = Path.cwd() / p
        if not p.exists():
            raise SystemExit(f"bench: corpus not found: {arg}")
        return CorpusChoice(p, _label(p), arg)
    if quick:
        for cand in (BUNDLED, SHARED_SOTU):
            p = ROOT / cand
            if p.exists():
                if cand != BUNDLED:
                    warn(f"bundled corpus {BUNDLED} is missing; using {cand} (the same file)")
                return CorpusChoice(p, _label(p), BUNDLED, fallback=cand != BUNDLED,
                                    note="" if cand == BUNDLED else f"{BUNDLED} missing, used {cand}")
        raise SystemExit(f"bench: neither {BUNDLED} nor {SHARED_SOTU} exists")
    p = ROOT / SHARED_MIX
    if p.exists():
        return CorpusChoice(p, _label(p), SHARED_MIX)
    for cand in (BUNDLED, SHARED_SOTU):
        q = ROOT / cand
        if q.exists():
            note = (f"{SHARED_MIX} not found: fell back to {cand}; these are NOT the "
                    f"en_mix (16M tokens) figures")
            warn(note)
            return CorpusChoice(q, _label(q), SHARED_MIX, fallback=True, note=note)
    raise SystemExit(f"bench: {SHARED_MIX} is missing and so is the bundled {BUNDLED}")


def _label(p: Path) -> str:
    name = p.name
    for suf in (".gz", ".txt"):
        if name.endswith(suf):
            name = name[: -len(suf)]
    return name


# --------------------------------------------------------------------------
# tokenisation (once, cached)
# --------------------------------------------------------------------------
@dataclass
class Tokenised:
    path: Path
    source: Path
    n_tokens: int
    n_lines: int
    n_types: int
    seconds: float
    cached: bool


def _open_text(path: Path):
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    return open(path, "rt", encoding="utf-8", errors="replace")


def tokenise(source: Path, out_dir: Path = OUT / "tok") -> Tokenised:
    """Lowercase + regex-tokenise `source` into a cached plain text file."""
    source = Path(os.path.abspath(source))
    st = source.stat()
    key = f"{_label(source)}-{st.st_size}-{st.st_mtime_ns}"
    out_dir.mkdir(parents=True, exist_ok=True)
    txt = out_dir / f"{key}.txt"
    meta = out_dir / f"{key}.json"
    if txt.exists() and meta.exists():
        m = json.loads(meta.read_text())
        if m.get("regex") == TOKEN_RE and m.get("bytes") == txt.stat().st_size:
            return Tokenised(txt, source, m["n_tokens"], m["n_lines"], m["n_types"],
                             m["seconds"], True)
    info(f"tokenising {rel(source)} -> {rel(txt)}")
    t0 = time.perf_counter()
    n_tok = n_lines = 0
    types: set[str] = set()
    tmp = txt.with_suffix(".txt.part")
    findall = _TOKEN.findall
    with _open_text(source) as f, open(tmp, "w", encoding="utf-8") as g:
        buf: list[str] = []
        for line in f:
            toks = findall(line.lower())
            n_tok += len(toks)
            n_lines += 1
            types.update(toks)
            buf.append(" ".join(toks))
            if len(buf) >= 10000:
                g.write("\n".join(buf) + "\n")
                buf.clear()
        if buf:
            g.write("\n".join(buf) + "\n")
    os.replace(tmp, txt)
    secs = time.perf_counter() - t0
    meta.write_text(json.dumps({
        "source": str(source), "size": st.st_size, "mtime_ns": st.st_mtime_ns,
        "regex": TOKEN_RE, "lowercase": True, "n_tokens": n_tok, "n_lines": n_lines,
        "n_types": len(types), "seconds": round(secs, 2), "bytes": txt.stat().st_size,
    }, indent=1))
    return Tokenised(txt, source, n_tok, n_lines, len(types), secs, False)


# --------------------------------------------------------------------------
# measured subprocess
# --------------------------------------------------------------------------
@dataclass
class Measured:
    returncode: int
    wall_s: float
    cpu_s: float
    user_s: float
    sys_s: float
    peak_rss_mib: float
    log: Path
    other_cpu_s: float | None = None   # CPU time used meanwhile by processes outside the child
    loadavg_before: float | None = None
    peak_anon_mib: float | None = None  # sampled every 20 ms: private memory (heap, arrays)
    peak_file_mib: float | None = None  # sampled: mapped files (mostly shared-library code)


MEASURER = EVALS / "run_measure.py"


def run_measured(cmd: list[str], log: Path, env: dict | None = None,
                 cwd: Path | None = None) -> Measured:
    """Run `cmd` as a fresh process; wall time, CPU time and peak RSS of that
    process alone.  It is launched by the small stand-alone interpreter
    `evals/run_measure.py` (see there why not from this process) which
    reads the ``os.wait4`` rusage of exactly that child."""
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_bytes(("$ " + " ".join(cmd) + "\n").encode())
    res_path = log.with_name(log.name + ".measure.json")
    if res_path.exists():
        res_path.unlink()
    subprocess.run([sys.executable, "-I", str(MEASURER), str(res_path), str(log), "--", *cmd],
                   env=env, cwd=cwd, check=True, stdin=subprocess.DEVNULL)
    r = json.loads(res_path.read_text())
    res_path.unlink()
    return Measured(r["returncode"], r["wall_s"], r["cpu_s"], r["user_s"], r["sys_s"],
                    r["peak_rss_kib"] / 1024.0, log, other_cpu_s=r["other_cpu_s"],
                    loadavg_before=r["loadavg_before"],
                    peak_anon_mib=None if r.get("peak_anon_kib") is None else r["peak_anon_kib"] / 1024.0,
                    peak_file_mib=None if r.get("peak_file_kib") is None else r["peak_file_kib"] / 1024.0)


def busy_cores(seconds: float = 3.0) -> float | None:
    """Average number of busy cores over the next `seconds` (whole machine)."""
    from .run_measure import _busy_seconds
    b0 = _busy_seconds()
    time.sleep(seconds)
    b1 = _busy_seconds()
    return None if b0 is None or b1 is None else (b1 - b0) / seconds


def wait_quiet(max_wait: float, threshold: float = 0.25) -> dict:
    """Wait (at most `max_wait` s) until other processes use < `threshold`
    cores, so that a timed run does not share the CPU with them."""
    t0 = time.monotonic()
    load = busy_cores()
    announced = False
    while load is not None and load >= threshold and time.monotonic() - t0 < max_wait:
        if not announced:
            info(f"machine busy ({load:.2f} cores in use by other processes); waiting up to "
                 f"{max_wait:.0f} s for it to calm down ...")
            announced = True
        time.sleep(10)
        load = busy_cores()
    waited = time.monotonic() - t0
    if load is not None and load >= threshold:
        warn(f"machine still busy after {waited:.0f} s ({load:.2f} cores in use); running anyway")
    return {"waited_s": round(waited, 1), "busy_cores_before": None if load is None else round(load, 2)}


def log_tail(log: Path, n: int = 12) -> str:
    try:
        data = log.read_bytes().replace(b"\r", b"\n").decode("utf-8", "replace")
    except OSError:
        return ""
    lines = [ln for ln in data.splitlines() if ln.strip()]
    return "\n".join(lines[-n:])


# --------------------------------------------------------------------------
# machine and versions
# --------------------------------------------------------------------------
def cpu_model() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def mem_total_gib() -> float | None:
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def dist_version(name: str) -> str | None:
    from importlib import metadata
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def machine_info() -> dict:
    try:
        avail = len(os.sched_getaffinity(0))
    except AttributeError:
        avail = os.cpu_count()
    return {
        "nproc": avail,
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model(),
        "mem_total_gib": mem_total_gib(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


def embkit_revision() -> str | None:
    """Short commit of the source tree, with "+changes" when embkit's code
    differs from it (read-only git queries; None outside a git checkout)."""
    def git(*a):
        return subprocess.run(["git", "--no-optional-locks", *a], cwd=ROOT, capture_output=True,
                              text=True)
    try:
        head = git("rev-parse", "--short", "HEAD")
    except OSError:
        return None
    if head.returncode != 0:
        return None
    paths = ["embkit", "cli"]
    changed = git("diff", "--quiet", "HEAD", "--", *paths).returncode != 0 or bool(
        git("ls-files", "--others", "--exclude-standard", "--", *paths).stdout.strip())
    return head.stdout.strip() + ("+changes" if changed else "")


def versions(extra: dict | None = None) -> dict:
    v = {
        "embkit": dist_version("embkit"),
        "embkit_commit": embkit_revision(),
        "gensim": dist_version("gensim"),
        "fasttext-wheel": dist_version("fasttext-wheel"),
        "numpy": dist_version("numpy"),
        "numba": dist_version("numba"),
        "scipy": dist_version("scipy"),
    }
    if extra:
        v.update(extra)
    return v


def now_iso() -> str:
    return _dt.datetime.now().astimezone().replace(microsecond=0).isoformat()


def command_line(argv: list[str] | None = None) -> str:
    """The command as a user would type it (make target when run by make)."""
    argv = sys.argv[1:] if argv is None else argv
    cmd = ("python -m evals.bench " + " ".join(argv)).strip()
    if os.environ.get("MAKELEVEL"):
        return f"`{cmd}` (run by make)"
    return f"`{cmd}`"


# --------------------------------------------------------------------------
# results files
# --------------------------------------------------------------------------
def write_json(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".part")
    tmp.write_text(json.dumps(obj, indent=1, sort_keys=False) + "\n")
    os.replace(tmp, path)


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".part")
    tmp.write_text(text)
    os.replace(tmp, path)
