"""Section `whiten`: Zipfian whitening and its alternatives on trained vectors.

For every model row (SGNS trained here by `embkit train` at the `sgns`
section's settings, written as a native model so that its counts are kept),
the vectors are scored raw and after ``center``, ``uniform``, ``abtt`` and
``zipfian`` (``embkit.whiten``): STS Benchmark test (Spearman × 100 of the
cosine of averaged word vectors, and SIF-weighted), the word-similarity sets
(Spearman ρ) and the analogy sets (3CosAdd over the 30,000 most frequent
words).  For SGNS the squared norm of each word vector is correlated with
its information gain KL(p(·|w) ‖ p(·)) from the co-occurrence counts of the
same corpus (window 5, uniform weighting).  Finally ``embkit whiten`` is
timed end to end (process start to native model written) on a 75k × 300
native model.

More models: add a :class:`Model` to ``MODELS`` (``model`` and ``args``
for `embkit train`, e.g. ``Model("glove", "embkit GloVe", "glove")``, or
``vectors`` for a file made elsewhere).
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import bench_common as bc
from . import bench_sgns as sg
from .bench_eval import ANALOGY_SETS, RESTRICT_VOCAB, SIMILARITY_SETS

NAME = "whiten"
TITLE = "Zipfian whitening, centring, uniform whitening and ABTT on STS-B, similarity and analogies"

METHODS = ("raw", "center", "uniform", "abtt", "zipfian")
# an extra row when the shared data is there: zipfian with external (wordfreq) frequencies; never committed
SHARED_FREQ = "../shared/data/freq/wordfreq_large_en.tsv.gz"
TIMING_SHAPE = (None, 300)            # rows: the SGNS model's vocabulary (about 75k words on en_mix)
TIMING_TARGET_S = 2.0
STS_GAIN_TARGET = 8.0                 # points of STS-B x 100, zipfian over raw, for SGNS
FIT_MIN_COUNT = 200                   # an extra row: zipfian fitted on the words seen this often (the paper's list)


@dataclass
class Model:
    name: str
    label: str
    model: str = "sgns"                          # `embkit train --model`
    args: list = field(default_factory=list)     # extra `embkit train` arguments
    vectors: str | None = None                   # or: an existing vectors file/directory (project-relative)
    default: bool = True
    info_gain: bool = False                      # correlate norms with information gain


MODELS = {m.name: m for m in [
    Model("sgns", "embkit SGNS (native model with counts, trained by this section)", "sgns", info_gain=True),
    Model("sgns-classic", "embkit SGNS with word2vec.c's pair-by-pair update (`--no-share-negatives`, alpha "
          "0.025; the kind of vectors the +8 target was calibrated on)", "sgns", ["--no-share-negatives"]),
    Model("sgns-seed2", "embkit SGNS as `sgns`, seed 2 (run-to-run spread)", "sgns", ["--seed", "2"],
          default=False),
    Model("sgns-seed3", "embkit SGNS as `sgns`, seed 3 (run-to-run spread)", "sgns", ["--seed", "3"],
          default=False),
    Model("glove", "embkit GloVe (dim 100, window 10, x_max 100, 25 epochs: the `count` section's settings)",
          "glove", ["--dim", "100", "--window", "10", "--x-max", "100", "--epochs", "25"]),
    Model("ppmi-svd", "embkit PPMI-SVD (dim 100, window 5, context smoothing 0.75, eigenvalue weighting 0.5)",
          "ppmi-svd", ["--dim", "100", "--window", "5"]),
    Model("sgns-vec", "the `sgns` section's embkit .vec (no counts: zipfian uses --freq zipf)",
          vectors="evals/out/full/sgns/embkit.vec", default=False),
]}
# the systems of `--systems`: the model rows, and "timing" (the 75k x 300 whitening time)
SYSTEMS = [*MODELS, "timing"]
DEFAULT_SYSTEMS = [m.name for m in MODELS.values() if m.default] + ["timing"]


# --------------------------------------------------------------------------
# training (once; reused while the corpus and the command are the same)
# --------------------------------------------------------------------------
def _train_cmd(model: Model, tok: bc.Tokenised, out: Path, s: dict) -> list[str]:
    if model.model in ("glove", "ppmi-svd"):        # count-based: their own window and epochs, no SGNS options
        return [sg.embkit_exe(), "train", str(tok.path), "-o", str(out), "--model", model.model,
                "--min-count", str(s["min_count"]), "--threads", str(s["threads"]), "--seed", str(s["seed"]),
                *model.args]
    return sg.embkit_cmd(tok.path, out, model.model, s, model.args)


def _train(model: Model, tok: bc.Tokenised, work: Path, s: dict) -> tuple[Path, dict]:
    out = work / f"{model.name}.embkit"
    cmd = _train_cmd(model, tok, out, s)
    st = tok.path.stat()
    stamp = {"command": [bc.rel(c) if os.path.isabs(c) else c for c in cmd[1:]],
             "corpus": [bc.rel(tok.path), st.st_size, st.st_mtime_ns]}
    stamp_path = work / f"{model.name}.train.json"
    if out.is_dir() and stamp_path.exists():
        old = json.loads(stamp_path.read_text())
        if old.get("stamp") == stamp:
            bc.info(f"[{model.name}] reusing {bc.rel(out)} (same corpus and command)")
            return out, dict(old["row"], reused=True)
    bc.info(f"[{model.name}] training: {' '.join(stamp['command'])}")
    m = bc.run_measured(cmd, work / f"{model.name}.train.log", cwd=bc.ROOT)
    row = {"command": "embkit " + " ".join(stamp["command"]), "wall_s": round(m.wall_s, 1),
           "returncode": m.returncode}
    if m.returncode != 0 or not out.is_dir():
        raise RuntimeError(f"training failed (exit {m.returncode}):\n{bc.log_tail(m.log)}")
    bc.write_json(stamp_path, {"stamp": stamp, "row": row})
    return out, dict(row, reused=False)


# --------------------------------------------------------------------------
# scoring
# --------------------------------------------------------------------------
def score(kv, freq) -> dict:
    """STS-B test (mean, SIF), similarity and analogy figures of one KeyedVectors."""
    import embkit

    out = {}
    for weighting in ("mean", "sif"):
        r = embkit.evaluate_sts(kv, "stsb", weighting=weighting, freq=freq)
        out[f"stsb_{weighting}"] = r["spearman"]
        out.setdefault("stsb_empty_sentences", r["empty_sentences"])
        out.setdefault("stsb_token_coverage", round(r["token_coverage"], 4))
    for name in SIMILARITY_SETS:
        try:
            out[name] = embkit.evaluate_similarity(kv, name)["spearman"]
        except embkit.EmbkitError:
            out[name] = None
    for name in ANALOGY_SETS:
        out[name] = embkit.evaluate_analogies(kv, name, restrict_vocab=RESTRICT_VOCAB)["accuracy"]
    return out


def _info_gain(kv, tok: bc.Tokenised) -> dict:
    from embkit.analysis import count_cooccurrence, norm_information_gain
    t0 = time.perf_counter()
    cooc = count_cooccurrence(kv, str(tok.path), progress=False)
    t1 = time.perf_counter()
    r = norm_information_gain(kv, cooc, min_count=100)
    out = {k: r[k] for k in ("spearman", "n_words", "spearman_frequent", "n_frequent", "min_count", "settings")}
    out.update(count_s=round(t1 - t0, 1), kl_s=round(time.perf_counter() - t1, 1))
    return out


def run_model(model: Model, tok: bc.Tokenised, work: Path, s: dict) -> dict:
    import embkit

    row = {"name": model.name, "label": model.label, "status": "ok"}
    try:
        if model.vectors:
            path = bc.ROOT / model.vectors
            if not path.exists():
                return dict(row, status="skipped", error=f"{model.vectors} not found (run section sgns first)")
            row["source"] = model.vectors
        else:
            path, row["train"] = _train(model, tok, work, s)
            row["source"] = bc.rel(path)
        kv = embkit.load(str(path))
    except RuntimeError as exc:
        bc.warn(f"[{model.name}] {exc}")
        return dict(row, status="failed", error=str(exc))
    freq = "model" if kv.counts is not None else "zipf"
    row.update(n_words=len(kv), dim=kv.dim, freq=freq, methods=[])
    external = bc.ROOT / SHARED_FREQ
    variants = [(m, m, freq, None) for m in METHODS]
    if kv.counts is not None:
        variants.append((f"zipfian-min{FIT_MIN_COUNT}", "zipfian", freq, FIT_MIN_COUNT))
    if external.exists():
        variants.append(("zipfian-wordfreq", "zipfian", str(external), None))
    for name, method, f, min_count in variants:
        t0 = time.perf_counter()
        out = kv if method == "raw" else embkit.whiten(kv, method=method, freq=f, min_count=min_count)
        secs = time.perf_counter() - t0
        bc.info(f"[{model.name}] {name}: scoring ...")
        row["methods"].append({"method": name, "whiten_s": None if method == "raw" else round(secs, 3),
                               **score(out, freq)})
    if model.info_gain and kv.counts is not None:
        bc.info(f"[{model.name}] counting co-occurrences for the information gain ...")
        row["info_gain"] = _info_gain(kv, tok)
    return row


# --------------------------------------------------------------------------
# timing: embkit whiten on a 75k x 300 native model
# --------------------------------------------------------------------------
def _timing_model(work: Path, like: Path | None) -> Path:
    import numpy as np

    import embkit
    if like is not None and like.is_dir():
        src = embkit.load(str(like), mmap="r")
        keys, counts = src.index_to_key, src.counts
    else:
        keys = [f"w{i}" for i in range(75000)]
        counts = np.maximum(1, (1e6 / np.arange(1, 75001)).astype(np.int64))
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((len(keys), TIMING_SHAPE[1]), dtype=np.float32)
    vectors *= np.linspace(2.0, 0.2, TIMING_SHAPE[1], dtype=np.float32)
    path = work / f"timing-{len(keys)}x{TIMING_SHAPE[1]}.embkit"
    embkit.save(embkit.KeyedVectors(keys, vectors, counts=counts), str(path))
    return path


def time_whitening(work: Path, like: Path | None, wait_quiet: float = 0, repeat: int = 3) -> dict:
    """Fastest of ``repeat`` runs of `embkit whiten` (a fresh process each), with the other load of each run."""
    import embkit

    src = _timing_model(work, like)
    dst = work / "timing.whiten-zipfian.embkit"
    walls, loads = [], []
    one_thread = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    walls_1, loads_1 = [], []
    for i in range(repeat):
        for env, w, ld in ((None, walls, loads), (one_thread, walls_1, loads_1)):
            if wait_quiet and env is None:
                bc.wait_quiet(wait_quiet)
            m = bc.run_measured([sg.embkit_exe(), "whiten", str(src), "-o", str(dst), "-q"],
                                work / f"timing-{i}.log", env=env, cwd=work)
            if m.returncode != 0:
                return {"status": "failed", "error": bc.log_tail(m.log)}
            w.append(round(m.wall_s, 3))
            ld.append(None if m.other_cpu_s is None else round(m.other_cpu_s / max(m.wall_s, 1e-9), 2))
    t0 = time.perf_counter()
    kv = embkit.load(str(src), mmap="r")
    t1 = time.perf_counter()
    out = embkit.whiten(kv)
    t2 = time.perf_counter()
    embkit.save(out, str(dst))
    t3 = time.perf_counter()
    return {"status": "ok", "shape": [len(kv), kv.dim], "model": bc.rel(src),
            "vectors": "the sgns row's vocabulary and counts, random float32 vectors" if like else
            "75,000 synthetic words with Zipfian counts, random float32 vectors",
            "command": f"embkit whiten {src.name} -o {dst.name} -q", "wall_s": min(walls), "runs_s": walls,
            "other_load": loads, "disturbed": (loads[walls.index(min(walls))] or 0) > sg.DISTURBED,
            "one_blas_thread": {"wall_s": min(walls_1), "runs_s": walls_1, "other_load": loads_1},
            "in_process_s": {"load": round(t1 - t0, 3), "whiten": round(t2 - t1, 3), "save": round(t3 - t2, 3)}}


# --------------------------------------------------------------------------
# section interface
# --------------------------------------------------------------------------
def _method(row, name):
    return next((m for m in row.get("methods", []) if m["method"] == name), None)


def targets(rows, timing) -> list[dict]:
    out = []

    def add(target, value, threshold, passed, why=None):
        out.append({"target": target, "value": value, "threshold": threshold,
                    "status": "N/A" if passed is None else ("PASS" if passed else "FAIL"),
                    **({"why": why} if why else {})})

    for r in rows:
        z = _method(r, "zipfian")
        if r["status"] != "ok" or z is None:
            continue
        others = {m["method"]: m["stsb_mean"] for m in r["methods"] if m["method"] in METHODS[:-1]}
        best = max(others, key=lambda k: others[k])
        add(f"{r['name']}: zipfian beats raw, center, uniform and abtt on STS-B (mean)",
            round(z["stsb_mean"], 2), f"{best} {others[best]:.2f}", z["stsb_mean"] > others[best])
        if r["name"] in ("sgns", "sgns-classic"):
            raw = others["raw"]
            add(f"{r['name']}: zipfian >= raw + {STS_GAIN_TARGET:g} on STS-B (mean)", round(z["stsb_mean"] - raw, 2),
                STS_GAIN_TARGET, z["stsb_mean"] - raw >= STS_GAIN_TARGET)
    gains = [_method(r, "zipfian")["stsb_mean"] - _method(r, "raw")["stsb_mean"] for r in rows
             if r["status"] == "ok" and (r["name"] == "sgns" or r["name"].startswith("sgns-seed"))]
    if len(gains) > 1:
        mean = sum(gains) / len(gains)
        add(f"sgns over {len(gains)} seeds: mean zipfian gain over raw on STS-B (mean) >= {STS_GAIN_TARGET:g} "
            f"(gains {', '.join(f'{g:.2f}' for g in gains)})", round(mean, 2), STS_GAIN_TARGET,
            mean >= STS_GAIN_TARGET)
    if timing and timing.get("status") == "ok":
        why = None
        if timing.get("disturbed"):
            load = timing["other_load"][timing["runs_s"].index(timing["wall_s"])]
            why = f"timing disturbed: other processes used {load} of the cores during the fastest run"
        add(f"embkit whiten {timing['shape'][0]:,} x {timing['shape'][1]} native in and out, end to end",
            timing["wall_s"], TIMING_TARGET_S, timing["wall_s"] < TIMING_TARGET_S, why)
    else:
        add("embkit whiten 75k x 300 end to end", None, TIMING_TARGET_S, None, "not run")
    return out


def _kept(previous: dict | None, names: list[str], s: dict, tok: bc.Tokenised) -> tuple[list, dict | None]:
    """With --merge: the previous result's model rows (and timing) not re-run now, same corpus and settings."""
    if not previous:
        return [], None
    if previous.get("settings") != s or previous.get("corpus", {}).get("n_tokens") != tok.n_tokens:
        bc.warn("--merge: the previous results used another corpus or other settings; not merging")
        return [], None
    rows = [dict(r, kept_from_previous_run=True) for r in previous.get("models", [])
            if r["name"] not in names and r["name"] in MODELS]
    timing = previous.get("timing") if "timing" not in names else None
    return rows, (dict(timing, kept_from_previous_run=True) if timing else None)


def run(args, ctx) -> dict:
    s = dict(sg.SETTINGS)
    names = args.systems or DEFAULT_SYSTEMS
    unknown = [n for n in names if n not in SYSTEMS]
    if unknown:
        raise SystemExit(f"bench: unknown system(s) for section whiten: {', '.join(unknown)}; "
                         f"known: {', '.join(SYSTEMS)}")
    ok, why = sg.embkit_train_available()
    if not ok:
        raise SystemExit(f"bench: {why}")
    work = ctx["work"] / NAME
    work.mkdir(parents=True, exist_ok=True)
    tok = ctx["tokenised"]
    rows = [run_model(MODELS[n], tok, work, s) for n in names if n in MODELS]
    kept, timing = _kept(ctx.get("previous") if args.merge else None, names, s, tok)
    rows = sorted(rows + kept, key=lambda r: list(MODELS).index(r["name"]))
    if "timing" in names:
        bc.info("timing embkit whiten on a 300-dimensional native model ...")
        sgns = work / "sgns.embkit"
        timing = time_whitening(work, sgns if sgns.is_dir() else None, args.wait_quiet, max(3, args.repeat))
    tg = targets(rows, timing)
    return {"schema": 1, "section": NAME, "title": TITLE, "settings": s,
            "evaluation": {"sts": "STS Benchmark test (1,379 pairs), Spearman x 100; mean and SIF (a = 1e-3)",
                           "similarity": list(SIMILARITY_SETS), "analogy": list(ANALOGY_SETS),
                           "analogy_restrict_vocab": RESTRICT_VOCAB},
            "models": rows, "timing": timing, "targets": tg,
            "all_targets_pass": all(t["status"] == "PASS" for t in tg)}


def _f(x, fmt="{:.1f}"):
    return "–" if x is None else fmt.format(x)


COLUMNS = [("stsb_mean", "STS-B", "{:.1f}", 1), ("stsb_sif", "STS-B SIF", "{:.1f}", 1),
           ("ws353", "WS353", "{:.3f}", 1), ("simlex999", "SimLex", "{:.3f}", 1), ("men", "MEN", "{:.3f}", 1),
           ("rw", "RW", "{:.3f}", 1), ("mturk771", "MTurk", "{:.3f}", 1), ("simverb3500", "SimVerb", "{:.3f}", 1),
           ("google", "Google %", "{:.1f}", 100), ("msr", "MSR %", "{:.1f}", 100)]


def render(d: dict) -> str:
    s, c = d["settings"], d["corpus"]
    L = [f"## Section `whiten` — {d['title']}", ""]
    if d.get("quick"):
        L += ["**Quick run** (bundled corpus; a smoke test, not the benchmark).", ""]
    if c.get("fallback"):
        L += [f"**Corpus fallback:** {c['note']}", ""]
    L += [f"- Command: {d['command']}", f"- Date: {d['date']}",
          f"- Corpus: `{c['source']}` ({c['label']}, {c['n_tokens']:,} tokens, lowercased and tokenised as in "
          "section `sgns`)",
          f"- Training (embkit, native model): dim={s['dim']}, window={s['window']}, negative={s['negative']}, "
          f"sample={s['sample']:g}, min_count={s['min_count']}, epochs={s['epochs']}, threads={s['threads']}, "
          f"seed={s['seed']}",
          f"- Scores: {d['evaluation']['sts']}; similarity Spearman ρ; analogies 3CosAdd over the "
          f"{d['evaluation']['analogy_restrict_vocab']:,} most frequent words, accuracy in %",
          "- Methods: `embkit.whiten(kv, method)` with default settings (zipfian: p from the model's counts; "
          "abtt: dim/100 components removed); raw = the vectors as trained", ""]
    order = list(MODELS)
    for r in sorted(d["models"], key=lambda r: order.index(r["name"]) if r["name"] in order else len(order)):
        if r["status"] != "ok":
            L += [f"### {r['name']}: {r['status']}", "", f"{r.get('error', '')}", ""]
            continue
        train = r.get("train") or {}
        kept = " (kept from an earlier run with the same corpus and settings, `--merge`)" \
            if r.get("kept_from_previous_run") else ""
        L += [f"### {r['name']} — {r['label']}{kept}", "",
              f"{r['n_words']:,} words × {r['dim']}, frequencies: {r['freq']}"
              + (f"; trained in {train['wall_s']} s" + (" (reused)" if train.get("reused") else "")
                 if train else f"; vectors `{r.get('source')}`"), "",
              "| method | " + " | ".join(col[1] for col in COLUMNS) + " | whiten s |",
              "|---|" + "---:|" * (len(COLUMNS) + 1)]
        best = max(m["stsb_mean"] for m in r["methods"])
        for m in r["methods"]:
            cells = [_f(None if m.get(k) is None else scale * m[k], fmt) for k, _, fmt, scale in COLUMNS]
            if m["stsb_mean"] == best:
                cells[0] = f"**{cells[0]}**"
            L.append(f"| {m['method']} | " + " | ".join(cells) + f" | {_f(m.get('whiten_s'), '{:.2f}')} |")
        ig = r.get("info_gain")
        if ig:
            L += ["", f"Squared norm vs information gain KL(p(·|w) ‖ p(·)) (window {ig['settings']['window']}, "
                  f"uniform weighting, counted in {ig['count_s']} s): Spearman {_f(ig['spearman'], '{:.3f}')} "
                  f"over all {ig['n_words']:,} words, {_f(ig.get('spearman_frequent'), '{:.3f}')} over the "
                  f"{ig.get('n_frequent', 0):,} words seen at least {ig.get('min_count')} times (the gain of rare "
                  "words is overestimated from few co-occurrences, and their vectors got few updates)."]
        L.append("")
    methods = {m["method"] for r in d["models"] for m in r.get("methods", [])}
    if f"zipfian-min{FIT_MIN_COUNT}" in methods:
        L += [f"`zipfian-min{FIT_MIN_COUNT}`: zipfian whitening with the mean and covariance fitted on the words the "
              f"model saw at least {FIT_MIN_COUNT} times (`--min-count {FIT_MIN_COUNT}`; every word is transformed), "
              "as the paper's experiments fit on a list of words seen at least 200 times in Wikipedia. "
              "`zipfian-wordfreq`: zipfian whitening with external frequencies "
              f"(`--freq {SHARED_FREQ}`, wordfreq, CC BY-SA, read from the shared data and never committed) "
              "instead of the model's counts. Neither is part of the targets, which use the defaults.", ""]
    t = d.get("timing") or {}
    if t.get("status") == "ok":
        ip = t["in_process_s"]
        L += ["### Whitening time" + (" (kept from an earlier run, `--merge`)" if t.get("kept_from_previous_run")
                                      else ""), "",
              f"`{t['command']}` on a native model of {t['shape'][0]:,} × {t['shape'][1]} ({t['vectors']}): "
              f"**{t['wall_s']:.2f} s** end to end (fastest of {len(t['runs_s'])}: "
              f"{', '.join(f'{x:.2f}' for x in t['runs_s'])} s; process start, load, whiten, write; other "
              f"processes' load during each run: {', '.join(_f(x, '{:.2f}') for x in t.get('other_load', []))} "
              f"cores{'; ⚠ the fastest run was disturbed' if t.get('disturbed') else ''}). "
              f"In process (after the runs): load {ip['load']:.2f} s, whiten {ip['whiten']:.2f} s, "
              f"save {ip['save']:.2f} s."]
        one = t.get("one_blas_thread")
        if one:
            L += ["", f"The same command with one BLAS thread (`OPENBLAS_NUM_THREADS=1`), alternating with the runs "
                  f"above: {one['wall_s']:.2f} s (runs {', '.join(f'{x:.2f}' for x in one['runs_s'])} s; other load "
                  f"{', '.join(_f(x, '{:.2f}') for x in one['other_load'])} cores). Multi-threaded BLAS slows down "
                  "sharply when other processes hold the cores (this machine was never idle during these runs)."]
        L.append("")
    L += ["### Targets", "", "| target | value | threshold | result |", "|---|---:|---:|---|"]
    for tg in d["targets"]:
        res = f"**{tg['status']}**" + (f" ({tg['why']})" if tg.get("why") else "")
        L.append(f"| {tg['target']} | {_f(tg['value'], '{}')} | {tg['threshold']} | {res} |")
    L.append("")
    L += _gain_note(d)
    return "\n".join(L)


def _gain_note(d: dict) -> list[str]:
    """Why the default SGNS gains less than the calibration's vectors, from the rows themselves."""
    rows = {r["name"]: r for r in d["models"] if r["status"] == "ok"}
    if "sgns" not in rows or "sgns-classic" not in rows:
        return []
    sg_raw, sg_z = (_method(rows["sgns"], m)["stsb_mean"] for m in ("raw", "zipfian"))
    cl_raw, cl_z = (_method(rows["sgns-classic"], m)["stsb_mean"] for m in ("raw", "zipfian"))
    return ["The +8 target was calibrated on word2vec-C vectors of en_mix (STS-B raw 47.5, Zipfian 57.7: +10.2). "
            f"embkit's word2vec.c update gives the same picture (raw {cl_raw:.1f}, Zipfian {cl_z:.1f}: "
            f"{cl_z - cl_raw:+.1f}). The default batched update's raw vectors already score {sg_raw - cl_raw:.1f} "
            f"points higher ({sg_raw:.1f}) and its Zipfian-whitened ones {sg_z - cl_z:.1f} higher ({sg_z:.1f}), "
            "so the gain left to whitening is smaller.", ""]


def summary_lines(d: dict) -> list[str]:
    out = []
    for r in d["models"]:
        if r["status"] != "ok":
            out.append(f"{r['name']}: {r['status']}")
            continue
        out.append(f"{r['name']}: STS-B x100 " + ", ".join(f"{m['method']} {m['stsb_mean']:.1f}"
                                                          for m in r["methods"]))
        if r.get("info_gain"):
            out.append(f"{r['name']}: Spearman(|w|^2, KL) {r['info_gain']['spearman']}")
    t = d.get("timing") or {}
    if t.get("status") == "ok":
        out.append(f"whiten {t['shape'][0]}x{t['shape'][1]}: {t['wall_s']:.2f} s end to end")
    out += [f"{t['status']:<5} {t['target']}: {t['value']} (threshold {t['threshold']})" for t in d["targets"]]
    return out
