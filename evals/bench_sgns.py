"""Section `sgns`: word2vec skip-gram with negative sampling (and CBOW rows).

embkit, gensim ``Word2Vec`` (sg=1, hs=0) and Facebook fastText (skipgram,
``minn=maxn=0``: no subwords) train with identical settings on the same
tokenised corpus; CBOW rows (embkit ``--model cbow``, gensim sg=0, fastText
cbow) are reported beside them.
"""
from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import bench_common as bc
from .bench_eval import ANALOGY_SETS, RESTRICT_VOCAB, SIMILARITY_SETS, evaluate_vectors, evaluator_name

NAME = "sgns"
TITLE = "SGNS: word2vec skip-gram with negative sampling (CBOW rows beside it)"

SETTINGS = {"dim": 100, "window": 5, "negative": 5, "sample": 1e-4, "min_count": 5,
            "epochs": 5, "threads": 2, "seed": 1}


@dataclass
class System:
    name: str
    kind: str            # embkit | gensim | fasttext
    model: str           # sgns | cbow
    label: str
    default: bool = True
    options: dict = field(default_factory=dict)


SYSTEMS = {s.name: s for s in [
    System("embkit", "embkit", "sgns", "embkit SGNS (default: batched window, shared negatives)"),
    System("embkit-classic", "embkit", "sgns", "embkit SGNS --no-share-negatives (word2vec.c's pair-by-pair update)",
           options={"args": ["--no-share-negatives"]}),
    System("gensim", "gensim", "sgns", "gensim Word2Vec sg=1 hs=0 (corpus_file)"),
    System("fasttext", "fasttext", "sgns", "fastText skipgram minn=maxn=0"),
    System("embkit-cbow", "embkit", "cbow", "embkit CBOW"),
    System("gensim-cbow", "gensim", "cbow", "gensim Word2Vec sg=0 hs=0 (corpus_file)"),
    System("fasttext-cbow", "fasttext", "cbow", "fastText cbow minn=maxn=0"),
    System("gensim-iter", "gensim", "sgns", "gensim Word2Vec sg=1 hs=0 (LineSentence iterable)",
           default=False, options={"mode": "iterable"}),
]}
DEFAULT_SYSTEMS = [s.name for s in SYSTEMS.values() if s.default]

# the peer each row's speed is compared with, per model
GENSIM_PEER = {"sgns": "gensim", "cbow": "gensim-cbow"}
FASTTEXT_PEER = {"sgns": "fasttext", "cbow": "fasttext-cbow"}


# --------------------------------------------------------------------------
# embkit CLI
# --------------------------------------------------------------------------
def embkit_exe() -> str | None:
    cand = Path(sys.executable).parent / "embkit"
    if cand.exists():
        return str(cand)
    return shutil.which("embkit")


def embkit_train_available() -> tuple[bool, str]:
    exe = embkit_exe()
    if exe is None:
        return False, "no `embkit` executable next to this Python"
    r = subprocess.run([exe, "train", "--help"], capture_output=True, text=True)
    if r.returncode != 0:
        return False, "`embkit train --help` failed: " + (r.stderr or r.stdout).strip()[-300:]
    return True, ""


def embkit_cmd(tok: Path, out: Path, model: str, s: dict, extra: list[str] = ()) -> list[str]:
    return [embkit_exe(), "train", str(tok), "-o", str(out), "--model", model,
            "--dim", str(s["dim"]), "--window", str(s["window"]), "--negative", str(s["negative"]),
            "--sample", str(s["sample"]), "--min-count", str(s["min_count"]),
            "--epochs", str(s["epochs"]), "--threads", str(s["threads"]), "--seed", str(s["seed"]), *extra]


def peer_cmd(sysm: System, tok: Path, out: Path, stats: Path, s: dict) -> list[str]:
    cmd = [sys.executable, "-m", "evals.run_peer", sysm.kind, "--input", str(tok),
           "--output", str(out), "--stats", str(stats),
           "--model", "sg" if sysm.model == "sgns" else "cbow",
           "--dim", str(s["dim"]), "--window", str(s["window"]), "--negative", str(s["negative"]),
           "--sample", str(s["sample"]), "--min-count", str(s["min_count"]),
           "--epochs", str(s["epochs"]), "--threads", str(s["threads"]), "--seed", str(s["seed"])]
    if "mode" in sysm.options:
        cmd += ["--mode", sysm.options["mode"]]
    return cmd + list(sysm.options.get("peer_args", []))


def warm_embkit(tok: Path, work: Path, models: list[str], s: dict) -> dict:
    """Untimed runs on a small sample so that Numba's on-disk cache holds the
    compiled kernels before the timed run (as after `make warmup`)."""
    sample = work / "warmup-sample.txt"
    with open(tok, encoding="utf-8") as f, open(sample, "w", encoding="utf-8") as g:
        for i, line in enumerate(f):
            if i >= 5000:
                break
            g.write(line)
    out = {}
    for model in models:
        with tempfile.TemporaryDirectory(prefix="embkit-cache-") as cache:
            env = dict(os.environ, EMBKIT_CACHE=cache)
            cmd = embkit_cmd(sample, work / f"warmup-{model}.vec", model, dict(s, epochs=1, min_count=1))
            m = bc.run_measured(cmd, work / f"warmup-{model}.log", env=env, cwd=bc.ROOT)
        out[model] = {"wall_s": round(m.wall_s, 2), "returncode": m.returncode}
        if m.returncode != 0:
            bc.warn(f"embkit warm-up ({model}) failed:\n{bc.log_tail(m.log)}")
    return out


# --------------------------------------------------------------------------
# running
# --------------------------------------------------------------------------
def _vec_size(path: Path) -> int | None:
    try:
        with open(path, encoding="utf-8") as f:
            return int(f.readline().split()[0])
    except (OSError, ValueError, IndexError):
        return None


DISTURBED = 0.15   # other processes' CPU use (in cores) above which a timing is re-taken


def _attempt(sysm: System, tok: bc.Tokenised, vec: Path, log: Path, stats_path: Path, s: dict,
             wait_quiet: float) -> tuple[dict, bc.Measured]:
    for p in (vec, stats_path):
        if p.exists():
            p.unlink()
    row = {"name": sysm.name, "system": sysm.kind, "model": sysm.model, "label": sysm.label,
           "status": "ok"}
    if wait_quiet:
        row["quiet_wait"] = bc.wait_quiet(wait_quiet)
    with tempfile.TemporaryDirectory(prefix="embkit-cache-") as cache:
        env = dict(os.environ, EMBKIT_CACHE=cache)   # fresh: encoding counts in the wall time
        if sysm.kind == "embkit":
            cmd = embkit_cmd(tok.path, vec, sysm.model, s, sysm.options.get("args", []))
        else:
            cmd = peer_cmd(sysm, tok.path, vec, stats_path, s)
        row["command"] = " ".join(bc.rel(c) if os.path.isabs(c) else c for c in cmd)
        bc.info(f"[{sysm.name}] training ...")
        row["date"] = bc.now_iso()
        m = bc.run_measured(cmd, log, env=env, cwd=bc.ROOT)
    row.update(process_s=round(m.wall_s, 2), cpu_s=round(m.cpu_s, 1),
               peak_rss_mib=round(m.peak_rss_mib, 1),
               peak_anon_mib=None if m.peak_anon_mib is None else round(m.peak_anon_mib, 1),
               peak_file_mib=None if m.peak_file_mib is None else round(m.peak_file_mib, 1),
               returncode=m.returncode,
               loadavg_before=m.loadavg_before,
               other_cpu_s=None if m.other_cpu_s is None else round(m.other_cpu_s, 1))
    return row, m


def _timing(sysm: System, row: dict, m: bc.Measured, log: Path, stats_path: Path) -> None:
    """The primary wall time of a successful attempt (see the module notes)."""
    if sysm.kind == "embkit":
        own = re.findall(r" in ([0-9.]+) s \(", log.read_text(errors="replace"))
        row["own_train_s"] = float(own[-1]) if own else None   # embkit's own report, for reference
        row["timing_scope"] = ("whole `embkit train` command (start-up, reading, vocabulary, "
                               "encoding, training, writing .vec)")
        row["wall_s"] = round(m.wall_s, 2)
    else:
        st = json.loads(stats_path.read_text())
        row["peer_stats"] = st
        row["timing_scope"] = "training call (reading, vocabulary, training); import and .vec writing excluded"
        row["wall_s"] = round(st["train_s"], 2)
        row["own_train_s"] = row["wall_s"]


def run_system(sysm: System, tok: bc.Tokenised, work: Path, s: dict, wait_quiet: float = 0,
               retries: int = 0, repeat: int = 1, evaluate=evaluate_vectors) -> dict:
    """Train `sysm` `repeat` times (keeping the fastest), re-running an attempt
    that other processes disturbed up to `retries` times; evaluate the kept
    vectors with `evaluate(path)`.  The output is a .vec file unless
    ``sysm.options["output"]`` names another extension (e.g. ".bin")."""
    out_ext = sysm.options.get("output", ".vec")
    vec, log, stats_path = (work / f"{sysm.name}{ext}" for ext in (out_ext, ".log", ".stats.json"))
    tvec, tlog, tstats = (work / f"{sysm.name}.try{ext}" for ext in (out_ext, ".log", ".stats.json"))
    best, history, n_ok, n_disturbed = None, [], 0, 0
    while n_ok < max(1, repeat):
        row, m = _attempt(sysm, tok, tvec, tlog, tstats, s, wait_quiet)
        if m.returncode != 0 or not tvec.exists():
            os.replace(tlog, log)
            row.update(status="failed", log=bc.rel(log), error=bc.log_tail(log))
            bc.warn(f"[{sysm.name}] failed (exit {m.returncode}); log {bc.rel(log)}:\n{row['error']}")
            return row
        _timing(sysm, row, m, tlog, tstats)
        load = None if m.other_cpu_s is None else m.other_cpu_s / max(m.wall_s, 1e-9)
        history.append({k: row.get(k) for k in ("date", "wall_s", "process_s", "cpu_s", "other_cpu_s",
                                                "peak_rss_mib", "peak_anon_mib", "peak_file_mib")})
        if load is not None and load > DISTURBED:
            bc.warn(f"[{sysm.name}] other processes used {m.other_cpu_s:.0f} CPU s during this "
                    f"{m.wall_s:.0f} s run ({load:.2f} cores): the timing is disturbed")
            history[-1]["disturbed"] = True
            if n_disturbed < retries:
                n_disturbed += 1
                bc.info(f"[{sysm.name}] running it again (retry {n_disturbed}/{retries})")
                wait_quiet = max(wait_quiet, 120)
                continue
            row["disturbed"] = True
        n_ok += 1
        bc.info(f"[{sysm.name}] {row['wall_s']:.1f} s, peak RSS {row['peak_rss_mib']:.0f} MiB"
                + (f" (run {n_ok}/{repeat})" if repeat > 1 else ""))
        if best is None or row["wall_s"] < best["wall_s"]:
            best = row
            os.replace(tvec, vec)
            os.replace(tlog, log)
            if tstats.exists():
                os.replace(tstats, stats_path)
    row = best
    row["log"] = bc.rel(log)
    if len(history) > 1:
        row["attempts"] = history     # every timed run; the row shows the fastest accepted one
    row["words_per_s"] = round(tok.n_tokens * s["epochs"] / row["wall_s"])
    row["vocab_size"] = _vec_size(vec)
    bc.info(f"[{sysm.name}] {row['wall_s']:.1f} s, {row['words_per_s']:,} words/s; evaluating ...")
    try:
        row["eval"] = evaluate(vec)
    except Exception as exc:  # report, keep the timing figures
        row["status"] = "eval-failed"
        row["error"] = f"{type(exc).__name__}: {exc}"
        bc.warn(f"[{sysm.name}] evaluation failed: {row['error']}")
    return row


def _by_name(rows):
    return {r["name"]: r for r in rows if r.get("status") in ("ok", "eval-failed")}


def add_ratios(rows) -> None:
    ok = _by_name(rows)
    for r in rows:
        if "words_per_s" not in r:
            continue
        for key, peers in (("ratio_vs_gensim", GENSIM_PEER), ("ratio_vs_fasttext", FASTTEXT_PEER)):
            peer = ok.get(peers.get(r["model"]))
            r[key] = round(r["words_per_s"] / peer["words_per_s"], 3) if peer else None


def _metric(row, ds, key):
    ev = (row or {}).get("eval") or {}
    return (ev.get(ds) or {}).get(key)


QUALITY = [("google", "accuracy", "Google"), ("msr", "accuracy", "MSR"), ("ws353", "spearman", "WS353"),
           ("simlex999", "spearman", "SimLex"), ("men", "spearman", "MEN"), ("rw", "spearman", "RW")]
"""The figures each of which embkit must reach within 0.01 of the best peer; their mean must reach fastText's."""


def quality_mean(row) -> float | None:
    """Mean of the QUALITY figures (accuracy as a fraction, Spearman ρ)."""
    vals = [_metric(row, ds, key) for ds, key, _ in QUALITY]
    return None if any(v is None for v in vals) else sum(vals) / len(vals)


def targets(rows) -> list[dict]:
    ok = _by_name(rows)
    e, g, f = ok.get("embkit"), ok.get("gensim"), ok.get("fasttext")
    out = []

    units = {"speed_vs_gensim": "ratio", "speed_vs_fasttext": "ratio",
             "peak_rss_vs_gensim": "MiB", "quality_mean": "score",
             **{f"{ds}_vs_best_peer": ("percent" if key == "accuracy" else "score") for ds, key, _ in QUALITY}}

    def add(name, target, value, threshold, passed, why=None):
        status = "N/A" if passed is None else ("PASS" if passed else "FAIL")
        out.append({"name": name, "target": target, "value": value, "threshold": threshold,
                    "unit": units[name], "status": status, **({"why": why} if why else {})})

    missing = lambda *xs: ", ".join(n for n, x in xs if x is None)  # noqa: E731
    # speed
    for peer, peer_name, factor in ((g, "gensim", 2.0), (f, "fastText", 1.3)):
        if e and peer:
            v = e["words_per_s"] / peer["words_per_s"]
            add(f"speed_vs_{peer_name.lower()}", f"embkit SGNS words/s >= {factor}x {peer_name}",
                round(v, 3), factor, v >= factor)
        else:
            add(f"speed_vs_{peer_name.lower()}", f"embkit SGNS words/s >= {factor}x {peer_name}",
                None, factor, None, "not run: " + missing(("embkit", e), (peer_name, peer)))
    # quality: every figure within 0.01 of the best peer, and the mean at least fastText's
    for ds, key, label in QUALITY:
        ev = _metric(e, ds, key)
        pv = [x for x in (_metric(g, ds, key), _metric(f, ds, key)) if x is not None]
        scale = 100 if key == "accuracy" else 1
        name = f"embkit {label} >= best peer - " + ("1 point" if key == "accuracy" else "0.01")
        if ev is not None and pv:
            add(f"{ds}_vs_best_peer", name, round(scale * ev, 3), round(scale * (max(pv) - 0.01), 3),
                ev >= max(pv) - 0.01 - 1e-12)
        else:
            add(f"{ds}_vs_best_peer", name, None, None, None, f"no {label} figure for embkit or either peer")
    em, fm = quality_mean(e), quality_mean(f)
    if em is not None and fm is not None:
        add("quality_mean", "embkit mean of those six >= fastText's", round(em, 4), round(fm, 4), em >= fm)
    else:
        add("quality_mean", "embkit mean of those six >= fastText's", None, None, None, "not run")
    # memory
    if e and g:
        add("peak_rss_vs_gensim", "embkit peak RSS <= gensim's", e["peak_rss_mib"], g["peak_rss_mib"],
            e["peak_rss_mib"] <= g["peak_rss_mib"])
    else:
        add("peak_rss_vs_gensim", "embkit peak RSS <= gensim's", None, None, None,
            "not run: " + missing(("embkit", e), ("gensim", g)))
    return out


def _kept_rows(previous: dict | None, names: list[str], s: dict, tok: bc.Tokenised) -> list[dict]:
    """With --merge: the previous result's rows of the systems not re-run now,
    provided that result used the same corpus and settings."""
    if not previous:
        return []
    same = (previous.get("settings") == s
            and previous.get("corpus", {}).get("n_tokens") == tok.n_tokens
            and previous.get("corpus", {}).get("source") == bc.rel(tok.source))
    if not same:
        bc.warn("--merge: the previous results used another corpus or other settings; not merging")
        return []
    kept = []
    for r in previous.get("systems", []):
        if r["name"] not in names and r["name"] in SYSTEMS:
            r = dict(r)
            r.setdefault("date", previous.get("date"))
            r["kept_from_previous_run"] = True
            kept.append(r)
    return kept


def run(args, ctx) -> dict:
    """Run the section; returns the JSON-able result (ctx: bench context)."""
    s = dict(SETTINGS)
    names = args.systems or DEFAULT_SYSTEMS
    unknown = [n for n in names if n not in SYSTEMS]
    if unknown:
        raise SystemExit(f"bench: unknown system(s) for section sgns: {', '.join(unknown)}; "
                         f"known: {', '.join(SYSTEMS)}")
    work = ctx["work"] / NAME
    work.mkdir(parents=True, exist_ok=True)
    tok = ctx["tokenised"]
    embkit_ok, why = embkit_train_available()
    rows, warm = [], None
    want_embkit = [n for n in names if SYSTEMS[n].kind == "embkit"]
    if want_embkit and not embkit_ok:
        bc.warn(f"embkit rows skipped: {why}")
    if want_embkit and embkit_ok:
        bc.info("warming up embkit's Numba kernels (untimed) ...")
        warm = warm_embkit(tok.path, work, sorted({SYSTEMS[n].model for n in want_embkit}), s)
    missing_peer = {k: f"the `{k}` module is not importable (install the bench extra: "
                       f"`pip install -e '.[bench]'`; fasttext-wheel has no wheel for Python >= 3.13)"
                    for k in ("gensim", "fasttext") if importlib.util.find_spec(k) is None}
    for k, msg in missing_peer.items():
        if any(SYSTEMS[n].kind == k for n in names):
            bc.warn(f"{k} rows skipped: {msg}")
    kept = _kept_rows(ctx.get("previous"), names, s, tok)
    for n in names:
        sysm = SYSTEMS[n]
        skip = why if sysm.kind == "embkit" and not embkit_ok else missing_peer.get(sysm.kind)
        if skip:
            rows.append({"name": n, "system": sysm.kind, "model": sysm.model, "label": sysm.label,
                         "status": "skipped", "error": skip})
            continue
        rows.append(run_system(sysm, tok, work, s, args.wait_quiet, args.retries, args.repeat))
    if kept:
        if warm is None and any(r["system"] == "embkit" for r in kept):
            warm = ctx["previous"].get("embkit_warmup")
        bc.info(f"kept from {ctx['previous']['date']}: {', '.join(r['name'] for r in kept)}")
        order = list(SYSTEMS)
        rows = sorted(rows + kept, key=lambda r: order.index(r["name"]))
    add_ratios(rows)
    return {
        "schema": 1,
        "section": NAME,
        "title": TITLE,
        "settings": s,
        "evaluation": {"evaluator": evaluator_name(), "analogy": list(ANALOGY_SETS),
                       "analogy_restrict_vocab": RESTRICT_VOCAB, "analogy_method": "3CosAdd",
                       "similarity": list(SIMILARITY_SETS)},
        "repeat": args.repeat,
        "retries": args.retries,
        "embkit_warmup": warm,
        "systems": rows,
        "targets": (tg := targets(rows)),
        "all_targets_pass": all(t["status"] == "PASS" for t in tg),
    }


# --------------------------------------------------------------------------
# markdown
# --------------------------------------------------------------------------
def _f(x, fmt="{:.1f}", none="–"):
    return none if x is None else fmt.format(x)


def _pct(x):
    return "–" if x is None else f"{100 * x:.1f}"


def _coverage_line(rows) -> str | None:
    """How many questions/pairs were in the vocabulary (per distinct value)."""
    seen: dict[str, list[str]] = {}
    for r in rows:
        ev = r.get("eval")
        if not ev:
            continue
        parts = []
        for ds in ("google", "msr"):
            x = ev.get(ds) or {}
            if x.get("answered") is not None:
                parts.append(f"{ds} {x['answered']:,}/{x['total']:,}")
        for ds in SIMILARITY_SETS:
            x = ev.get(ds) or {}
            if x.get("pairs_used") is not None:
                parts.append(f"{ds} {x['pairs_used']:,}/{x['pairs_total']:,}")
        seen.setdefault(", ".join(parts), []).append(r["name"])
    if not seen:
        return None
    if len(seen) == 1:
        return "In vocabulary (all rows): " + next(iter(seen)) + "."
    return ("In vocabulary: " + "; ".join(f"{', '.join(names)}: {k}" for k, names in seen.items())
            + ". (The analogy counts differ where words of equal frequency straddle the "
            f"{RESTRICT_VOCAB:,}-word cut: each system orders ties its own way.)")


def render(d: dict) -> str:
    s = d["settings"]
    c = d["corpus"]
    m = d["machine"]
    v = d["versions"]
    L = [f"## Section `sgns` — {d['title']}", ""]
    if d.get("quick"):
        L += ["**Quick run** (bundled corpus; a smoke test, not the benchmark).", ""]
    if c.get("fallback"):
        L += [f"**Corpus fallback:** {c['note']}", ""]
    L += [
        f"- Command: {d['command']}",
        f"- Date: {d['date']}",
        f"- Machine: {m['nproc']} cores available (nproc), {m['cpu_model']}, "
        f"{_f(m.get('mem_total_gib'), '{:.0f}')} GiB RAM, {m['os']}, Python {m['python']}",
        "- Versions: " + ", ".join(f"{k.replace('_', ' ')} {val}" for k, val in v.items() if val),
        f"- Corpus: `{c['source']}` ({c['label']}): {c['n_tokens']:,} tokens, {c['n_lines']:,} lines, "
        f"{c['n_types']:,} types after lowercasing and tokenising with `{c['regex']}` "
        "(tokenised once, the same file for every system)",
        f"- Settings: dim={s['dim']}, window={s['window']}, negative={s['negative']}, "
        f"sample={s['sample']:g}, min_count={s['min_count']}, epochs={s['epochs']}, "
        f"threads={s['threads']}, seed={s['seed']}; each system's default learning rate",
        f"- Evaluation: {d['evaluation']['evaluator']} for every system; analogies by 3CosAdd "
        f"over the {d['evaluation']['analogy_restrict_vocab']:,} most frequent words "
        "(accuracy over the questions whose four words are among them); similarity: Spearman ρ "
        "of cosine vs. human score over the pairs in the vocabulary",
        "",
        "| system | wall s | words/s | × gensim | × fastText | peak RSS MiB | anon / file MiB | CPU s "
        "| Google % | MSR % | WS353 ρ | SimLex ρ | MEN ρ | RW ρ | MTurk ρ | SimVerb ρ | mean | vocab |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in d["systems"]:
        if r["status"] in ("skipped", "failed"):
            L.append(f"| {r['name']} | {r['status']} |" + " |" * 16)
            continue
        flag = (" ⚠" if r.get("disturbed") else "") + (" ‡" if r.get("kept_from_previous_run") else "")
        L.append("| " + " | ".join([
            r["name"] + flag, _f(r["wall_s"]), f"{r['words_per_s']:,}",
            _f(r.get("ratio_vs_gensim"), "{:.2f}×"), _f(r.get("ratio_vs_fasttext"), "{:.2f}×"),
            _f(r["peak_rss_mib"], "{:.0f}"),
            (f"{r['peak_anon_mib']:.0f} / {r['peak_file_mib']:.0f}"
             if r.get("peak_anon_mib") is not None and r.get("peak_file_mib") is not None else "–"),
            _f(r["cpu_s"], "{:.0f}"),
            _pct(_metric(r, "google", "accuracy")), _pct(_metric(r, "msr", "accuracy")),
            _f(_metric(r, "ws353", "spearman"), "{:.3f}"), _f(_metric(r, "simlex999", "spearman"), "{:.3f}"),
            _f(_metric(r, "men", "spearman"), "{:.3f}"), _f(_metric(r, "rw", "spearman"), "{:.3f}"),
            _f(_metric(r, "mturk771", "spearman"), "{:.3f}"), _f(_metric(r, "simverb3500", "spearman"), "{:.3f}"),
            _f(quality_mean(r), "{:.4f}"), _f(r.get("vocab_size"), "{:,}"),
        ]) + " |")
    if any(r.get("disturbed") for r in d["systems"]):
        L += ["", "⚠ other processes kept the CPU busy during this row's run even after a retry "
              "(see *other load* below): its timing is not reliable."]
    if any(r.get("kept_from_previous_run") for r in d["systems"]):
        L += ["", "‡ kept from an earlier run with the same corpus and settings (`--merge`); "
              "its start time is in the timing details."]
    cov = _coverage_line(d["systems"])
    if cov:
        L += ["", cov]
    L += ["", "Rows: " + "; ".join(f"`{r['name']}` = {r['label']}" for r in d["systems"]) + ".",
          "CBOW rows compare with the CBOW peers (× gensim: gensim-cbow, × fastText: fasttext-cbow).", ""]
    fmt = {"ratio": "{:.2f}×", "percent": "{:.2f} %", "MiB": "{:.0f} MiB", "score": "{:.4f}"}
    L += ["### Targets (embkit SGNS)", "", "| target | value | threshold | result |", "|---|---:|---:|---|"]
    for t in d["targets"]:
        f = fmt.get(t.get("unit"), "{}")
        res = f"**{t['status']}**" + (f" ({t['why']})" if t.get("why") else "")
        L.append(f"| {t['target']} | {_f(t['value'], f)} | {_f(t['threshold'], f)} | {res} |")
    n_pass = sum(t["status"] == "PASS" for t in d["targets"])
    L += ["", f"{n_pass} of {len(d['targets'])} targets met."]
    L += ["", "### How it was measured", "",
          "- Words/s = raw corpus tokens × epochs ÷ wall time. Wall time is that of the whole "
          "`embkit train` command for embkit (Python start-up, reading, vocabulary, encoding into a "
          "fresh `EMBKIT_CACHE`, training and writing the .vec file) and of the training call for "
          "gensim and fastText (reading, vocabulary and training; library import and .vec writing "
          "excluded) — so the comparison, if anything, favours the peers.",
          ("- Each system was timed {n} times and the table shows its fastest run (all runs are "
           "in the JSON under `attempts`).".format(n=d.get("repeat", 1)) if d.get("repeat", 1) > 1 else
           "- Each system was timed once."),
          "- Each system ran in its own fresh subprocess; peak RSS and CPU time are that process's "
          "own (`os.wait4` rusage), read by the small interpreter `evals/run_measure.py` that "
          "launched it (launching from the benchmark process itself would make Linux report that "
          "process's larger high-water mark for the child; the launcher's is about 12 MiB). "
          "*anon / file* are, each on its own, the highest of samples taken every 20 ms (not necessarily at "
          "the same moment) of the process's `RssAnon` "
          "(private memory: heap, arrays, matrices) and `RssFile` (mapped files, mostly shared-library "
          "code): they say where the peak comes from, and a spike shorter than 20 ms can escape them. "
          "embkit asks Linux (`madvise(MADV_PAGEOUT)`) to reclaim the code pages of LLVM "
          "(`libllvmlite.so`) once Numba has loaded its kernels, before the matrices are allocated; "
          "without that its peak RSS would be about 65 MiB higher.",
          "- gensim ran with its `corpus_file` reader (its fastest multi-threaded mode). gensim logs "
          "*effective* words/s (after frequent-word down-sampling and min_count pruning); the "
          "table uses raw tokens for every system.",
          "- fastText is the `fasttext-wheel` 0.9.2 build, trained through its Python binding with "
          "`minn=0, maxn=0` (so no subword buckets); its end-of-line token `</s>` is left out of "
          "the written vectors.",
          ]
    if d.get("embkit_warmup"):
        L.append("- embkit's Numba kernels were compiled into Numba's on-disk cache by an untimed "
                 "run on a 5,000-line sample before the timed runs (the equivalent of `make warmup`).")
    L += ["", "Timing details (*process*: the whole subprocess including imports and writing the "
          ".vec file; *own timer*: the time the system reports for itself (embkit's summary line) or "
          "the timed call (peers); "
          "*other load*: CPU time used by every other process on the machine "
          "while this one ran, from /proc/stat, in average cores; above ~0.1 the timing was disturbed "
          "by something else running):", "",
          "| system | started | wall s | process s | own timer s | CPU s | other load | write .vec s | scope |",
          "|---|---|---:|---:|---:|---:|---:|---:|---|"]
    for r in d["systems"]:
        if "wall_s" not in r:
            continue
        st = r.get("peer_stats") or {}
        other = r.get("other_cpu_s")
        other = None if other is None else other / max(r["process_s"], 1e-9)
        started = (r.get("date") or "")[:16].replace("T", " ")
        L.append(f"| {r['name']} | {started or '–'} | {_f(r['wall_s'])} | {_f(r['process_s'])} | "
                 f"{_f(r.get('own_train_s'))} | {_f(r['cpu_s'])} | "
                 f"{_f(other, '{:.2f}')} | {_f(st.get('write_s'))} | {r['timing_scope']} |")
    gens = [r for r in d["systems"] if r.get("system") == "gensim" and r.get("peer_stats")]
    if gens:
        L += ["", "gensim's own counts (raw vs effective words trained over all epochs): " + "; ".join(
            f"{r['name']}: {r['peer_stats']['raw_words']:,} raw, {r['peer_stats']['effective_words']:,} "
            f"effective ({r['peer_stats']['effective_words'] / max(1, r['peer_stats']['raw_words']):.0%})"
            for r in gens) + "."]
    bad = [r for r in d["systems"] if r["status"] not in ("ok",)]
    if bad:
        L += ["", "Problems:", ""]
        for r in bad:
            err = (r.get("error") or "").strip().replace("\n", " ⏎ ")
            L.append(f"- `{r['name']}`: {r['status']}: {err[-600:]}")
    L.append("")
    return "\n".join(L)


def summary_lines(d: dict) -> list[str]:
    out = []
    for r in d["systems"]:
        if "words_per_s" in r:
            out.append(f"{r['name']:<14} {r['wall_s']:8.1f} s {r['words_per_s']:>11,} w/s "
                       f"RSS {r['peak_rss_mib']:6.0f} MiB  google {_pct(_metric(r, 'google', 'accuracy'))} "
                       f"msr {_pct(_metric(r, 'msr', 'accuracy'))} "
                       f"ws353 {_f(_metric(r, 'ws353', 'spearman'), '{:.3f}')}")
        else:
            out.append(f"{r['name']:<14} {r['status']}")
    for t in d["targets"]:
        out.append(f"{t['status']:<5} {t['target']}: {t['value']} (threshold {t['threshold']})")
    return out
