"""Section `terms`: multi-word term detection (embkit phrases vs gensim Phrases) and SGNS with detected terms.

Phrase detection rows time one command each in a fresh subprocess (wall
time, CPU time and peak RSS through ``evals/run_measure.py``) and score the
terms it writes against the WordNet 3.0 multiword lemmas with the same code
(``embkit.evaluation.phrases.evaluate_phrases``).  Every system reads the
same tokens (lowercase, regex ``\\w+(?:[-']\\w+)*``): gensim and
``embkit-tok`` the bench's tokenised file (punctuation removed), the other
embkit rows the corpus itself with ``--tokenizer regex --lowercase``, which
yields the same tokens and also knows where punctuation stood (a term never
spans it); ``gensim-breaks`` reads the tokenised corpus cut at the same
punctuation (one segment per line), so that it has the same information.
The SGNS rows train skip-gram with the settings of section `sgns` without
and with the terms of the ``embkit`` row joined (``--phrases``).
"""
from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import bench_common as bc
from .bench_eval import ANALOGY_SETS, SIMILARITY_SETS, evaluate_vectors, evaluator_name
from .bench_sgns import SETTINGS as SGNS_SETTINGS
from .bench_sgns import embkit_exe

NAME = "terms"
TITLE = "Multi-word terms: phrase detection (embkit phrases vs gensim Phrases) and SGNS with detected terms"

SETTINGS = {"min_count": 5, "threshold": 0.5, "scorer": "npmi", "passes": 2, "max_len": 4}
CONJUNCTIONS = ("and", "or")
DISTURBED = 0.15     # other processes' CPU use (in cores) above which a timing is re-taken
TARGET_SECONDS = 15.0
TARGET_PRECISION = 0.40


@dataclass
class System:
    name: str
    kind: str            # embkit | gensim | sgns
    label: str
    reads: str = "raw"   # raw (the corpus, regex tokenizer) | tok (tokenised file) | segments
    cache: str = "encoded"   # embkit: encoded (cached encoding, no cached counts) | fresh (cold)
    default: bool = True
    options: dict = field(default_factory=dict)


SYSTEMS = {s.name: s for s in [
    System("embkit", "embkit", "embkit phrases, 2 passes, default connectors, from a cached encoding"),
    System("embkit-cold", "embkit", "embkit phrases, 2 passes, empty cache (encoding included)", cache="fresh"),
    System("embkit-1pass", "embkit", "embkit phrases --passes 1", options={"args": ["--passes", "1"]}),
    System("embkit-conj", "embkit", "embkit phrases with the conjunctions and/or added to the connectors",
           options={"connectors": "conjunctions"}),
    System("embkit-tok", "embkit", "embkit phrases on the tokenised file (no punctuation: as gensim reads it)",
           reads="tok"),
    System("gensim", "gensim", "gensim Phrases(min_count=5, threshold=0.5, scoring='npmi'), one pass", reads="tok"),
    System("gensim-breaks", "gensim", "gensim Phrases as above on the corpus cut at punctuation", reads="segments"),
    System("gensim-conn", "gensim", "gensim Phrases with ENGLISH_CONNECTOR_WORDS", reads="tok", default=False,
           options={"connectors": "english"}),
    System("sgns", "sgns", "embkit train (SGNS, settings of section sgns), words only"),
    System("sgns-terms", "sgns", "embkit train as above with --phrases (the terms of the embkit row)"),
]}
DEFAULT_SYSTEMS = [s.name for s in SYSTEMS.values() if s.default]


# --------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------
_SEGMENT = re.compile(r"(" + bc.TOKEN_RE + r")|\S")


def segments(source: Path, out_dir: Path = bc.OUT / "tok") -> Path:
    """The corpus lowercased, tokenised as the bench does and cut at punctuation: one segment per line."""
    st = source.stat()
    out = out_dir / f"{bc._label(source)}-{st.st_size}-{st.st_mtime_ns}-segments.txt"
    if out.exists():
        return out
    out_dir.mkdir(parents=True, exist_ok=True)
    bc.info(f"cutting {bc.rel(source)} at punctuation -> {bc.rel(out)}")
    opener = gzip.open if source.suffix == ".gz" else open
    tmp = out.with_suffix(".part")
    with opener(source, "rt", encoding="utf-8", errors="replace") as f, open(tmp, "w", encoding="utf-8") as g:
        for line in f:
            seg: list[str] = []
            for tok in _SEGMENT.findall(line.lower()):
                if tok:
                    seg.append(tok)
                elif seg:
                    g.write(" ".join(seg) + "\n")
                    seg = []
            if seg:
                g.write(" ".join(seg) + "\n")
    os.replace(tmp, out)
    return out


def _input(sysm: System, ctx: dict) -> tuple[Path, list[str]]:
    """The file a row reads and the tokenizer options that go with it."""
    if sysm.reads == "tok":
        return ctx["tokenised"].path, []
    if sysm.reads == "segments":
        return segments(ctx["corpus"].path), []
    return ctx["corpus"].path, ["--tokenizer", "regex", "--lowercase"]


def _connectors_file(work: Path) -> Path:
    from embkit.corpus.phrase_counts import DEFAULT_CONNECTORS

    path = work / "connectors-conjunctions.txt"
    path.write_text("\n".join(sorted(set(DEFAULT_CONNECTORS) | set(CONJUNCTIONS))) + "\n")
    return path


def _phrases_cmd(sysm: System, ctx: dict, out: Path, s: dict) -> list[str]:
    path, tok_args = _input(sysm, ctx)
    cmd = [embkit_exe(), "phrases", str(path), "-o", str(out), *tok_args, "--min-count", str(s["min_count"]),
           "--threshold", str(s["threshold"]), "--scorer", s["scorer"], "--passes", str(s["passes"]),
           "--max-len", str(s["max_len"])]
    if sysm.options.get("connectors") == "conjunctions":
        cmd += ["--connectors", str(_connectors_file(ctx["work"] / NAME))]
    return cmd + sysm.options.get("args", [])


def _gensim_cmd(sysm: System, ctx: dict, out: Path, stats: Path, s: dict) -> list[str]:
    path, _ = _input(sysm, ctx)
    return [sys.executable, "-m", "evals.run_peer_phrases", "--input", str(path), "--output", str(out),
            "--stats", str(stats), "--min-count", str(s["min_count"]), "--threshold", str(s["threshold"]),
            "--scoring", s["scorer"], "--connectors", sysm.options.get("connectors", "none")]


# --------------------------------------------------------------------------
# running
# --------------------------------------------------------------------------
def _cache_dir(sysm: System, work: Path) -> Path:
    return work / f"cache-{sysm.reads}"


def _prepare_cache(sysm: System, ctx: dict, work: Path, s: dict) -> None:
    """Fill the row's cache with its encoded corpus (untimed), then remove every cached count."""
    cache = _cache_dir(sysm, work)
    encodings = list((cache / "corpora").glob("*/manifest.json")) if (cache / "corpora").is_dir() else []
    if not encodings:
        bc.info(f"[{sysm.name}] encoding the corpus into the bench's cache (untimed) ...")
        cmd = _phrases_cmd(sysm, ctx, work / "prepare.tsv", s)
        m = bc.run_measured(cmd, work / f"{sysm.name}.prepare.log", env=dict(os.environ, EMBKIT_CACHE=str(cache)),
                            cwd=bc.ROOT)
        if m.returncode != 0:
            raise RuntimeError(f"preparing the cache failed:\n{bc.log_tail(m.log)}")
    shutil.rmtree(cache / "phrases", ignore_errors=True)


def _measure(sysm: System, ctx: dict, work: Path, s: dict, out: Path, log: Path) -> tuple[dict, bc.Measured]:
    stats = work / f"{sysm.name}.stats.json"
    row: dict = {"date": bc.now_iso()}
    if sysm.kind == "gensim":
        cmd = _gensim_cmd(sysm, ctx, out, stats, s)
        m = bc.run_measured(cmd, log, cwd=bc.ROOT)
        if m.returncode == 0:
            st = json.loads(stats.read_text())
            row.update(peer_stats=st, wall_s=round(st["train_s"], 2),
                       timing_scope="the Phrases(...) call (reading and counting; import, export and writing excluded)")
    else:
        cmd = _phrases_cmd(sysm, ctx, out, s)
        with tempfile.TemporaryDirectory(prefix="embkit-cache-") as fresh:
            if sysm.cache == "fresh":
                env = dict(os.environ, EMBKIT_CACHE=fresh)
            else:
                _prepare_cache(sysm, ctx, work, s)
                env = dict(os.environ, EMBKIT_CACHE=str(_cache_dir(sysm, work)))
            m = bc.run_measured(cmd, log, env=env, cwd=bc.ROOT)
        row.update(wall_s=round(m.wall_s, 2),
                   timing_scope="whole `embkit phrases` command (start-up, " + (
                       "reading, encoding, " if sysm.cache == "fresh" else "opening the cached encoding, ")
                   + "counting and scoring every pass, writing the TSV)")
    row["command"] = " ".join(bc.rel(c) if os.path.isabs(c) else c for c in cmd)
    row.update(process_s=round(m.wall_s, 2), cpu_s=round(m.cpu_s, 1), peak_rss_mib=round(m.peak_rss_mib, 1),
               returncode=m.returncode, other_cpu_s=None if m.other_cpu_s is None else round(m.other_cpu_s, 1))
    return row, m


def run_phrases(sysm: System, ctx: dict, work: Path, s: dict, args) -> dict:
    """Time one detection row (``--repeat`` times, re-running disturbed runs ``--retries`` times), then score it."""
    from embkit.evaluation.phrases import evaluate_phrases

    out, log = work / f"{sysm.name}.tsv", work / f"{sysm.name}.log"
    base = {"name": sysm.name, "system": sysm.kind, "label": sysm.label, "reads": sysm.reads, "status": "ok",
            "passes": s["passes"] if sysm.kind == "embkit" and "--passes" not in sysm.options.get("args", [])
            else 1 if sysm.kind == "gensim" else int(sysm.options["args"][1])}
    best, attempts, retries = None, [], 0
    while len([a for a in attempts if not a.get("disturbed")]) < max(1, args.repeat):
        if args.wait_quiet:
            base["quiet_wait"] = bc.wait_quiet(args.wait_quiet)
        bc.info(f"[{sysm.name}] running ...")
        row, m = _measure(sysm, ctx, work, s, out, log)
        if m.returncode != 0:
            return {**base, **row, "status": "failed", "log": bc.rel(log), "error": bc.log_tail(log)}
        load = None if m.other_cpu_s is None else m.other_cpu_s / max(m.wall_s, 1e-9)
        row["disturbed"] = bool(load is not None and load > DISTURBED)
        attempts.append({k: row.get(k) for k in ("date", "wall_s", "process_s", "cpu_s", "other_cpu_s",
                                                  "peak_rss_mib", "disturbed")})
        if row["disturbed"]:
            bc.warn(f"[{sysm.name}] other processes used {load:.2f} cores during the run: timing disturbed")
            if retries < args.retries:
                retries += 1
                continue
        if best is None or row["wall_s"] < best["wall_s"]:
            best = row
            shutil.copyfile(out, work / f"{sysm.name}.best.tsv")
        if row["disturbed"]:
            break
    row = {**base, **best, "log": bc.rel(log), "output": bc.rel(work / f"{sysm.name}.best.tsv")}
    if len(attempts) > 1:
        row["attempts"] = attempts
    ev = evaluate_phrases(_read_rows(work / f"{sysm.name}.best.tsv"), gold="wordnet")
    row["terms"] = ev["terms"]
    row["eval"] = {f"p@{p['k']}": p["precision"] for p in ev["precision"]}
    row["eval"].update(found=ev["found"], gold_size=ev["gold_size"])
    bc.info(f"[{sysm.name}] {row['wall_s']:.1f} s, peak RSS {row['peak_rss_mib']:.0f} MiB, {row['terms']} terms, "
            f"P@1000 {row['eval']['p@1000']}")
    return row


def _read_rows(path: Path) -> list[tuple[str, int, float]]:
    """(term, count, score) rows of a TSV, read leniently: a gensim term may hold an empty word (``a__b``)."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#") and line.strip():
                term, count, score = line.rstrip("\n").split("\t")
                rows.append((term, int(count), float(score)))
    return rows


def run_sgns(sysm: System, ctx: dict, work: Path, phrases: Path | None) -> dict:
    """Train SGNS on the corpus (regex tokenizer, lowercased), with or without the terms joined; evaluate."""
    s = SGNS_SETTINGS
    vec, log = work / f"{sysm.name}.vec", work / f"{sysm.name}.log"
    cmd = [embkit_exe(), "train", str(ctx["corpus"].path), "-o", str(vec), "--tokenizer", "regex", "--lowercase",
           "--model", "sgns", "--dim", str(s["dim"]), "--window", str(s["window"]), "--negative",
           str(s["negative"]), "--sample", str(s["sample"]), "--min-count", str(s["min_count"]), "--epochs",
           str(s["epochs"]), "--threads", str(s["threads"]), "--seed", str(s["seed"])]
    if phrases is not None:
        cmd += ["--phrases", str(phrases)]
    row = {"name": sysm.name, "system": "sgns", "label": sysm.label, "status": "ok", "date": bc.now_iso(),
           "command": " ".join(bc.rel(c) if os.path.isabs(c) else c for c in cmd)}
    bc.info(f"[{sysm.name}] training ...")
    with tempfile.TemporaryDirectory(prefix="embkit-cache-") as cache:
        m = bc.run_measured(cmd, log, env=dict(os.environ, EMBKIT_CACHE=cache), cwd=bc.ROOT)
    if m.returncode != 0 or not vec.exists():
        return {**row, "status": "failed", "log": bc.rel(log), "error": bc.log_tail(log)}
    row.update(process_s=round(m.wall_s, 1), peak_rss_mib=round(m.peak_rss_mib, 1))
    with open(vec, encoding="utf-8") as f:
        row["vocab_size"] = int(f.readline().split()[0])
        row["term_vectors"] = sum(1 for line in f if "_" in line.split(" ", 1)[0])
    row["eval"] = evaluate_vectors(vec)
    return row


def _warm_up(ctx: dict, work: Path) -> None:
    """Compile the phrase kernels into Numba's cache (untimed), as `make warmup` would."""
    sample = work / "warmup-sample.txt"
    with open(ctx["tokenised"].path, encoding="utf-8") as f, open(sample, "w", encoding="utf-8") as g:
        for i, line in enumerate(f):
            if i >= 2000:
                break
            g.write(line)
    with tempfile.TemporaryDirectory(prefix="embkit-cache-") as cache:
        bc.run_measured([embkit_exe(), "phrases", str(sample), "-o", str(work / "warmup.tsv")],
                        work / "warmup.log", env=dict(os.environ, EMBKIT_CACHE=cache), cwd=bc.ROOT)


def run(args, ctx) -> dict:
    """Run the section; returns the JSON-able result (ctx: bench context)."""
    import importlib.util

    s = dict(SETTINGS)
    names = args.systems or DEFAULT_SYSTEMS
    unknown = [n for n in names if n not in SYSTEMS]
    if unknown:
        raise SystemExit(f"bench: unknown system(s) for section terms: {', '.join(unknown)}; "
                         f"known: {', '.join(SYSTEMS)}")
    work = ctx["work"] / NAME
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    _warm_up(ctx, work)
    rows = _kept_rows(ctx.get("previous"), names, s)
    for n in names:
        sysm = SYSTEMS[n]
        if sysm.kind == "gensim" and importlib.util.find_spec("gensim") is None:
            rows.append({"name": n, "system": "gensim", "label": sysm.label, "status": "skipped",
                         "error": "gensim is not importable (pip install -e '.[bench]')"})
        elif sysm.kind in ("embkit", "gensim"):
            rows.append(run_phrases(sysm, ctx, work, s, args))
        elif n == "sgns":
            rows.append(run_sgns(sysm, ctx, work, None))
        else:
            terms = work / "embkit.best.tsv"
            if not terms.exists():
                bc.info("[sgns-terms] detecting the terms first (untimed) ...")
                run_phrases(SYSTEMS["embkit"], ctx, work, s, args)
            rows.append(run_sgns(sysm, ctx, work, terms))
    order = list(SYSTEMS)
    rows.sort(key=lambda r: order.index(r["name"]))
    return {"schema": 1, "section": NAME, "title": TITLE, "settings": s, "sgns_settings": SGNS_SETTINGS,
            "evaluation": {"gold": "wordnet (WordNet 3.0 multiword lemmas, 64,188)", "evaluator": evaluator_name(),
                           "analogy": list(ANALOGY_SETS), "similarity": list(SIMILARITY_SETS)},
            "repeat": args.repeat, "retries": args.retries, "systems": rows,
            "targets": (tg := targets(rows)), "all_targets_pass": all(t["status"] == "PASS" for t in tg),
            "run_s": round(time.perf_counter() - started, 1)}


def _kept_rows(previous: dict | None, names: list[str], s: dict) -> list[dict]:
    """With --merge: the previous result's rows of the systems not run now (same settings only)."""
    if not previous:
        return []
    if previous.get("settings") != s or previous.get("sgns_settings") != SGNS_SETTINGS:
        bc.warn("--merge: the previous results used other settings; not merging")
        return []
    kept = [dict(r, kept_from_previous_run=True, date=r.get("date") or previous.get("date"))
            for r in previous.get("systems", []) if r["name"] not in names and r["name"] in SYSTEMS]
    if kept:
        bc.info(f"kept from {previous['date']}: {', '.join(r['name'] for r in kept)}")
    return kept


def targets(rows) -> list[dict]:
    ok = {r["name"]: r for r in rows if r.get("status") == "ok"}
    e, g = ok.get("embkit"), ok.get("gensim")
    out = []

    def add(target, value, threshold, passed, unit, why=None):
        status = "N/A" if passed is None else "PASS" if passed else "FAIL"
        out.append({"target": target, "value": value, "threshold": threshold, "unit": unit, "status": status,
                    **({"why": why} if why else {})})

    add(f"embkit: two passes from a cached encoding (no cached counts) < {TARGET_SECONDS:g} s",
        e and e["wall_s"], TARGET_SECONDS, e and e["wall_s"] < TARGET_SECONDS, "s", None if e else "not run")
    add("embkit peak RSS below gensim's one-pass run", e and e["peak_rss_mib"], g and g["peak_rss_mib"],
        (e["peak_rss_mib"] < g["peak_rss_mib"]) if e and g else None, "MiB", None if e and g else "not run")
    p = e and e["eval"]["p@1000"]
    add(f"embkit precision@1000 vs WordNet multiword lemmas >= {TARGET_PRECISION}", p, TARGET_PRECISION,
        None if p is None else p >= TARGET_PRECISION, "score", None if e else "not run")
    gp = g and g["eval"]["p@1000"]
    add("embkit precision@1000 above gensim's", p, gp, None if p is None or gp is None else p > gp, "score",
        None if e and g else "not run")
    return out


# --------------------------------------------------------------------------
# markdown
# --------------------------------------------------------------------------
def _f(x, fmt="{:.1f}", none="–"):
    return none if x is None else fmt.format(x)


def _metric(row, ds, key):
    return ((row.get("eval") or {}).get(ds) or {}).get(key)


_READS = {"raw": "corpus, regex tokenizer", "tok": "tokenised file", "segments": "tokenised, cut at punctuation"}


def render(d: dict) -> str:
    s, c, m, v = d["settings"], d["corpus"], d["machine"], d["versions"]
    L = [f"## Section `terms` — {d['title']}", ""]
    if d.get("quick"):
        L += ["**Quick run** (bundled corpus; a smoke test, not the benchmark).", ""]
    if c.get("fallback"):
        L += [f"**Corpus fallback:** {c['note']}", ""]
    L += [f"- Command: {d['command']}", f"- Date: {d['date']}",
          f"- Machine: {m['nproc']} cores available (nproc), {m['cpu_model']}, "
          f"{_f(m.get('mem_total_gib'), '{:.0f}')} GiB RAM, {m['os']}, Python {m['python']}; shared with other "
          "jobs (the *other load* column says how busy it was)",
          "- Versions: " + ", ".join(f"{k.replace('_', ' ')} {val}" for k, val in v.items() if val),
          f"- Corpus: `{c['source']}` ({c['label']}): {c['n_tokens']:,} tokens, {c['n_lines']:,} lines, lowercased "
          f"and tokenised with `{c['regex']}` for every system (see the notes for how each reads it)",
          f"- Detection settings: scorer {s['scorer']}, threshold {s['threshold']}, min_count {s['min_count']}; "
          f"embkit: {s['passes']} passes, max_len {s['max_len']}, default connectors; gensim: one pass, its default "
          "connector_words (none)",
          "- Gold list: the 64,188 WordNet 3.0 multiword lemmas (`embkit eval phrases --gold wordnet`): "
          "precision@K = share of the K best-scored terms that are lemmas", "",
          "| system | reads | passes | wall s | process s | peak RSS MiB | CPU s | other load | terms "
          "| P@100 | P@1000 | P@10000 | lemmas found |",
          "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in d["systems"]:
        if r.get("system") == "sgns":
            continue
        if r["status"] != "ok":
            L.append(f"| {r['name']} | {r['status']} |" + " |" * 11)
            continue
        other = None if r.get("other_cpu_s") is None else r["other_cpu_s"] / max(r["process_s"], 1e-9)
        ev = r["eval"]
        L.append("| " + " | ".join([
            r["name"] + (" ⚠" if r.get("disturbed") else "") + (" ‡" if r.get("kept_from_previous_run") else ""),
            _READS[r["reads"]], str(r["passes"]),
            _f(r["wall_s"]), _f(r["process_s"]), _f(r["peak_rss_mib"], "{:.0f}"), _f(r["cpu_s"], "{:.0f}"),
            _f(other, "{:.2f}"), f"{r['terms']:,}", _f(ev.get("p@100"), "{:.3f}"), _f(ev.get("p@1000"), "{:.3f}"),
            _f(ev.get("p@10000"), "{:.3f}"), f"{ev['found']:,}"]) + " |")
    L += ["", "Rows: " + "; ".join(f"`{r['name']}` = {r['label']}" for r in d["systems"]
                                   if r.get("system") != "sgns") + "."]
    if any(r.get("kept_from_previous_run") for r in d["systems"]):
        L += ["", "‡ kept from an earlier run with the same corpus and settings (`--merge`), started "
              + ", ".join(f"{r['name']} {(r.get('date') or '')[:16]}" for r in d["systems"]
                          if r.get("kept_from_previous_run")) + "."]
    L += [""]
    L += _render_sgns(d)
    L += _render_targets(d)
    L += _notes(d)
    return "\n".join(L)


def _render_sgns(d: dict) -> list[str]:
    rows = [r for r in d["systems"] if r.get("system") == "sgns"]
    if not rows:
        return []
    s = d["sgns_settings"]
    L = ["### SGNS without and with the detected terms", "",
         f"`embkit train` on the corpus (`--tokenizer regex --lowercase`), dim={s['dim']}, window={s['window']}, "
         f"negative={s['negative']}, sample={s['sample']:g}, min_count={s['min_count']}, epochs={s['epochs']}, "
         f"threads={s['threads']}, seed={s['seed']}; evaluated as in section `sgns` (analogies over the 30,000 most "
         "frequent words; Spearman ρ).", "",
         "| system | vocabulary | term vectors | Google % (answered) | MSR % (answered) | WS353 ρ | SimLex ρ | MEN ρ "
         "| RW ρ | MTurk ρ | SimVerb ρ |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        if r["status"] != "ok":
            L.append(f"| {r['name']} | {r['status']} |" + " |" * 9)
            continue
        L.append("| " + " | ".join([r["name"], f"{r['vocab_size']:,}", f"{r['term_vectors']:,}", _acc(r, "google"),
                                    _acc(r, "msr")] + [_f(_metric(r, ds, "spearman"), "{:.3f}") for ds in
                                                   ("ws353", "simlex999", "men", "rw", "mturk771", "simverb3500")])
                 + " |")
    L += ["", "Joining terms takes their words' occurrences away from the words themselves (`york` is rarer once "
          "`new_york` is a token), and a data set's word pair that became part of a term can fall out of the "
          "vocabulary: compare the answered counts.", ""]
    return L


def _acc(r: dict, ds: str) -> str:
    a, n = _metric(r, ds, "accuracy"), _metric(r, ds, "answered")
    return "–" if a is None else f"{100 * a:.1f} ({n:,})"


def _render_targets(d: dict) -> list[str]:
    fmt = {"s": "{:.1f} s", "MiB": "{:.0f} MiB", "score": "{:.3f}"}
    L = ["### Targets", "", "| target | value | threshold | result |", "|---|---:|---:|---|"]
    for t in d["targets"]:
        f = fmt[t["unit"]]
        L.append(f"| {t['target']} | {_f(t['value'], f)} | {_f(t['threshold'], f)} | **{t['status']}**"
                 + (f" ({t['why']})" if t.get("why") else "") + " |")
    n = sum(t["status"] == "PASS" for t in d["targets"])
    return L + ["", f"{n} of {len(d['targets'])} targets met.", ""]


def _notes(d: dict) -> list[str]:
    ok = {r["name"]: r for r in d["systems"] if r.get("status") == "ok"}

    def p(name):
        return ((ok.get(name) or {}).get("eval") or {}).get("p@1000")

    def cmp(a, b):
        if p(a) is None or p(b) is None:
            return "–"
        return "above" if p(a) > p(b) else "below" if p(a) < p(b) else "equal to"
    L = ["### How it was measured, and what limits precision", "",
         "- Each row ran in its own fresh subprocess; peak RSS and CPU time are that process's (`os.wait4`). "
         "embkit's wall time is the whole `embkit phrases` command (Python start-up, loading the kernels from "
         "Numba's cache, reading, every pass, writing the TSV); gensim's is its `Phrases(...)` call only "
         "(import, `export_phrases` and writing left out), which favours gensim.",
         "- `embkit`, `embkit-1pass`, `embkit-conj` and `embkit-tok` start from a cache holding the encoded corpus "
         "(built by an untimed run) but no phrase counts (`$EMBKIT_CACHE/phrases` removed before each timed "
         "run); `embkit-cold` starts from an empty cache, so its time includes reading and encoding the text. "
         "The phrase kernels were compiled into Numba's cache by an untimed run on a sample. embkit counts on one "
         "thread (CPU s about equals its wall time on a quiet machine).",
         "- *other load*: CPU time used by other processes while the row ran, in cores; other jobs may share "
         "the machine, so timings above ~0.15 (⚠) are disturbed (a row is re-run once when it "
         "is, and the table keeps the fastest run).",
         f"- Punctuation is the largest single factor. Reading the corpus itself, embkit never joins words that a "
         f"comma, a parenthesis or a full stop separates; the tokenised file has lost them (en_mix holds "
         f"WordNet's own glosses, which list lemmas as `elm, ulmus` or `saber, sabre`: adjacent words once the "
         f"commas are gone). On the tokenised file embkit (`embkit-tok`, P@1000 {_f(p('embkit-tok'), '{:.3f}')}) "
         f"is {cmp('embkit-tok', 'gensim')} gensim ({_f(p('gensim'), '{:.3f}')}): there its connectors and second "
         f"pass also join across the lost commas. Given the same cuts, gensim gains as much "
         f"(`gensim-breaks`, {_f(p('gensim-breaks'), '{:.3f}')}), {cmp('gensim-breaks', 'embkit')} embkit's "
         f"default run: one pass and no connectors rank only two-word terms.",
         f"- The second pass adds 3- and 4-word terms, mostly names with a title or a first name "
         f"(`coach_bernard_laporte`, `president_barack_obama`) that WordNet does not list: one pass gives "
         f"{_f(p('embkit-1pass'), '{:.3f}')}, two {_f(p('embkit'), '{:.3f}')}. The default connectors leave "
         f"out the conjunctions; with `and`/`or` (`embkit-conj`, {_f(p('embkit-conj'), '{:.3f}')}) "
         f"coordinated names (`dathan_and_abiram`) enter the top ranks. The rest is the gold list itself: most "
         f"high-npmi pairs in en_mix are names of people, clubs and places, and Latin binomials, of which WordNet "
         f"lists only some.",
         ""]
    return L


def summary_lines(d: dict) -> list[str]:
    out = []
    for r in d["systems"]:
        if r.get("status") != "ok":
            out.append(f"{r['name']:<14} {r['status']}")
        elif r["system"] == "sgns":
            out.append(f"{r['name']:<14} google {_f(_metric(r, 'google', 'accuracy'), '{:.3f}')} msr "
                       f"{_f(_metric(r, 'msr', 'accuracy'), '{:.3f}')} ws353 "
                       f"{_f(_metric(r, 'ws353', 'spearman'), '{:.3f}')} ({r['vocab_size']:,} words, "
                       f"{r['term_vectors']:,} terms)")
        else:
            out.append(f"{r['name']:<14} {r['wall_s']:6.1f} s  RSS {r['peak_rss_mib']:5.0f} MiB  {r['terms']:>6,} "
                       f"terms  P@1000 {_f(r['eval']['p@1000'], '{:.3f}')}")
    for t in d["targets"]:
        out.append(f"{t['status']:<5} {t['target']}: {t['value']} (threshold {t['threshold']})")
    return out
