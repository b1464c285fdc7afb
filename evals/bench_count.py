"""Section `count`: co-occurrence counting, GloVe and PPMI-SVD.

Rows:

* counting (``embkit cooccur``, window 10, harmonic weights): from a cached
  encoded corpus (the encoding is made by an untimed run first) and cold
  (a fresh cache: reading and encoding the text included), then with
  ``--max-memory`` at a quarter of the cached run's peak RSS (spilled runs,
  and whether the matrix is identical);
* ``embkit train --model glove`` (dim 100, window 10, x_max 100, 25 epochs)
  end to end from the text, a fresh cache;
* ``embkit train --model ppmi-svd`` for dim 100 and 300, window 2 and 5,
  end to end;
* gensim's skip-gram (the `sgns` section's settings and runner), for the
  PPMI-SVD target.

GloVe C (Stanford's tools) is not installed here: its row quotes the figures
measured with it on the same corpus and settings (2 threads), as the
targets do.  Every system writes word2vec text vectors scored by the same
code as the `sgns` section, plus 3CosMul beside 3CosAdd.
"""
from __future__ import annotations

import importlib.util
import os
import re
import tempfile
from pathlib import Path

from . import bench_common as bc
from . import bench_sgns as sg
from .bench_eval import RESTRICT_VOCAB, evaluate_vectors, evaluator_name

NAME = "count"
TITLE = "Count-based models: co-occurrence counting, GloVe and PPMI-SVD"

COMMON = {"min_count": 5, "threads": 2, "seed": 1}
GLOVE = {"dim": 100, "window": 10, "x_max": 100, "epochs": 25}
PPMI = [(100, 2), (300, 2), (100, 5), (300, 5)]

SYSTEMS = ["count", "count-capped", "glove", *[f"ppmi-d{d}-w{w}" for d, w in PPMI], "gensim"]
DEFAULT_SYSTEMS = list(SYSTEMS)

GLOVE_C = {"label": "GloVe C (Stanford tools; measured beforehand, not run here)", "wall_s": 856.0,
           "steps_s": {"vocab_count": 1.2, "cooccur": 13.0, "shuffle": 9.8, "glove": 832.0},
           "cooccur_peak_rss_mib": 1.3 * 1024,
           "eval": {"google": 0.191, "msr": 0.252, "ws353": 0.488, "simlex999": 0.281, "men": 0.514, "rw": 0.262}}
GENSIM_QUOTED = {"wall_s": 152.0, "eval": {"google": 0.347, "msr": 0.410, "ws353": 0.641, "simlex999": 0.375,
                                           "men": 0.699, "rw": 0.419}}
FIGURES = [("google", "Google"), ("msr", "MSR"), ("ws353", "WS353"), ("simlex999", "SimLex"), ("men", "MEN"),
           ("rw", "RW")]
SIMILARITY = ["ws353", "simlex999", "men", "rw"]


def _flags(d: dict) -> list[str]:
    return [x for k, v in d.items() for x in (f"--{k.replace('_', '-')}", str(v))]


def _run(name: str, cmd: list[str], work: Path, env: dict | None, args) -> dict:
    """Time ``cmd``, re-running it (up to --retries times) when other processes disturbed it.

    ``env=None``: every attempt gets a fresh, empty ``EMBKIT_CACHE`` (nothing cached counts in the time).
    """
    log = work / f"{name}.log"
    row, tries = {"name": name, "command": " ".join(bc.rel(c) if os.path.isabs(c) else c for c in cmd)}, 0
    while True:
        if args.wait_quiet:
            row["quiet_wait"] = bc.wait_quiet(args.wait_quiet)
        bc.info(f"[{name}] running ...")
        row["date"] = bc.now_iso()
        if env is None:
            with tempfile.TemporaryDirectory(prefix="embkit-cache-") as cache:
                m = bc.run_measured(cmd, log, env=dict(os.environ, EMBKIT_CACHE=cache), cwd=bc.ROOT)
        else:
            m = bc.run_measured(cmd, log, env=env, cwd=bc.ROOT)
        load = None if m.other_cpu_s is None else m.other_cpu_s / max(m.wall_s, 1e-9)
        row.update(status="ok" if m.returncode == 0 else "failed", wall_s=round(m.wall_s, 2),
                   cpu_s=round(m.cpu_s, 1), peak_rss_mib=round(m.peak_rss_mib, 1),
                   other_load=None if load is None else round(load, 2), log=bc.rel(log))
        if m.returncode != 0:
            row["error"] = bc.log_tail(log)
            bc.warn(f"[{name}] failed (exit {m.returncode}):\n{row['error']}")
            return row
        if load is not None and load > sg.DISTURBED and tries < args.retries:
            tries += 1
            bc.warn(f"[{name}] other processes used {load:.2f} cores meanwhile; running it again")
            continue
        row["disturbed"] = load is not None and load > sg.DISTURBED
        bc.info(f"[{name}] {m.wall_s:.1f} s, CPU {m.cpu_s:.0f} s, peak RSS {m.peak_rss_mib:.0f} MiB")
        return row


def _evaluate(row: dict, vec: Path) -> None:
    import embkit

    try:
        row["eval"] = evaluate_vectors(vec)
        kv = embkit.load(str(vec))
        row["cosmul"] = {n: embkit.evaluate_analogies(kv, n, method="3cosmul", restrict_vocab=RESTRICT_VOCAB)
                         ["accuracy"] for n in ("google", "msr")}
    except Exception as exc:  # keep the timing figures
        row["status"] = "eval-failed"
        row["error"] = f"{type(exc).__name__}: {exc}"


def _counted(log: Path) -> dict:
    m = re.findall(r"counted (\d+) pairs of (\d+) words in [0-9.]+ s \((\d+) runs, (\d+) spilled", log.read_text())
    if not m:
        return {}
    nnz, words, runs, spilled = (int(x) for x in m[-1])
    return {"nnz": nnz, "vocab_size": words, "runs": runs, "spilled_runs": spilled}


def _same_matrix(a: Path, b: Path) -> bool:
    import numpy as np

    with np.load(a) as x, np.load(b) as y:
        return all(np.array_equal(x[k], y[k]) for k in ("indptr", "indices", "data", "vocab", "counts"))


def run_counting(names, tok, work, exe, args) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="embkit-cache-") as cache:
        env = dict(os.environ, EMBKIT_CACHE=cache)
        base = [exe, "cooccur", str(tok.path), "--window", "10", *_flags(COMMON)]
        cold = _run("count-cold", [*base, "-o", str(work / "cold.npz")], work, env, args)
        cold.update(_counted(work / "count-cold.log"))
        row = _run("count", [*base, "-o", str(work / "counts.npz")], work, env, args)     # the encoding is cached
        row.update(_counted(work / "count.log"), cold_wall_s=cold["wall_s"], cold_peak_rss_mib=cold["peak_rss_mib"],
                   tokens_per_s=round(tok.n_tokens / row["wall_s"]), label="embkit cooccur, cached encoding")
        rows.append(row)
        if "count-capped" in names and row["status"] == "ok":
            cap = int(row["peak_rss_mib"] * 2**20 / 4)
            capped = _run("count-capped", [*base, "--max-memory", str(cap), "-o", str(work / "capped.npz")], work,
                          env, args)
            capped.update(_counted(work / "count-capped.log"), max_memory=cap,
                          label="embkit cooccur --max-memory (a quarter of the uncapped peak)")
            if capped["status"] == "ok":
                capped["identical"] = _same_matrix(work / "counts.npz", work / "capped.npz")
            rows.append(capped)
    for f in ("cold.npz", "counts.npz", "capped.npz"):
        (work / f).unlink(missing_ok=True)
    return rows


def run_model(name, cmd_tail, tok, work, exe, args, label) -> dict:
    vec = work / f"{name}.vec"
    # a fresh cache for every attempt: reading, encoding and counting count in the time
    row = _run(name, [exe, "train", str(tok.path), *cmd_tail, *_flags(COMMON), "-o", str(vec)], work, None, args)
    row["label"] = label
    if row["status"] == "ok":
        _evaluate(row, vec)
    return row


def run(args, ctx) -> dict:
    names = args.systems or DEFAULT_SYSTEMS
    unknown = [n for n in names if n not in SYSTEMS]
    if unknown:
        raise SystemExit(f"bench: unknown system(s) for section count: {', '.join(unknown)}; known: "
                         f"{', '.join(SYSTEMS)}")
    work = ctx["work"] / NAME
    work.mkdir(parents=True, exist_ok=True)
    tok = ctx["tokenised"]
    ok, why = sg.embkit_train_available()
    if not ok:
        raise SystemExit(f"bench: {why}")
    exe = sg.embkit_exe()
    bc.info("compiling embkit's kernels into Numba's cache (untimed `embkit warmup`) ...")
    bc.run_measured([exe, "warmup"], work / "warmup.log", cwd=bc.ROOT)
    rows = []
    if "count" in names or "count-capped" in names:
        rows += run_counting(names, tok, work, exe, args)
    if "glove" in names:
        rows.append(run_model("glove", ["--model", "glove", *_flags(GLOVE)], tok, work, exe, args,
                              "embkit GloVe (dim 100, window 10, x_max 100, 25 epochs)"))
    for d, w in PPMI:
        n = f"ppmi-d{d}-w{w}"
        if n in names:
            rows.append(run_model(n, ["--model", "ppmi-svd", "--dim", str(d), "--window", str(w)], tok, work, exe,
                                  args, f"embkit PPMI-SVD (dim {d}, window {w})"))
    if "gensim" in names:
        if importlib.util.find_spec("gensim") is None:
            rows.append({"name": "gensim", "status": "skipped", "error": "gensim is not installed"})
        else:
            r = sg.run_system(sg.SYSTEMS["gensim"], tok, work, dict(sg.SETTINGS), args.wait_quiet, args.retries,
                              args.repeat)
            r["label"] = "gensim Word2Vec skip-gram (the sgns section's settings, 5 epochs)"
            rows.append(r)
    prev = ctx.get("previous")
    if prev and prev.get("corpus", {}).get("n_tokens") == tok.n_tokens:      # --merge: keep the rows not re-run
        done = {r["name"] for r in rows}
        rows += [dict(r, kept_from_previous_run=True) for r in prev.get("systems", []) if r["name"] not in done]
        rows.sort(key=lambda r: SYSTEMS.index(r["name"]) if r["name"] in SYSTEMS else len(SYSTEMS))
    return {"schema": 1, "section": NAME, "title": TITLE, "settings": {"common": COMMON, "glove": GLOVE,
                                                                        "ppmi": PPMI, "sgns": sg.SETTINGS},
            "evaluation": {"evaluator": evaluator_name(), "analogy_restrict_vocab": RESTRICT_VOCAB},
            "glove_c": GLOVE_C, "gensim_quoted": GENSIM_QUOTED, "systems": rows, "targets": targets(rows)}


# --------------------------------------------------------------------------
# targets
# --------------------------------------------------------------------------
def _fig(row, ds):
    ev = (row or {}).get("eval") or {}
    x = ev.get(ds) or {}
    return x.get("accuracy", x.get("spearman")) if isinstance(x, dict) else x


def _mean(row, keys):
    vals = [_fig(row, k) for k in keys]
    return None if any(v is None for v in vals) else sum(vals) / len(vals)


def targets(rows) -> list[dict]:
    by = {r["name"]: r for r in rows if r.get("status") in ("ok", "eval-failed")}
    out = []

    def add(target, value, threshold, passed, unit, why=None):
        out.append({"target": target, "value": value, "threshold": threshold, "unit": unit,
                    "status": "N/A" if passed is None else ("PASS" if passed else "FAIL"), **({"why": why} if why
                                                                                            else {})})

    g = by.get("glove")
    add("GloVe end to end <= 428 s (2x faster than GloVe C's 856 s)", g and g["wall_s"], 428.0,
        None if not g else g["wall_s"] <= 428.0, "s", None if g else "not run")
    for ds, label in FIGURES:
        v, ref = _fig(g, ds), GLOVE_C["eval"][ds]
        passed = None if v is None else v >= ref - 0.01 - 1e-9
        add(f"GloVe {label} >= GloVe C's - 0.01", v, round(ref - 0.01, 3), passed, "score",
            None if v is not None else "not run")
    gm, cm = _mean(g, [k for k, _ in FIGURES]), sum(GLOVE_C["eval"].values()) / len(GLOVE_C["eval"])
    add("GloVe mean of the six >= GloVe C's", gm, round(cm, 4), None if gm is None else gm >= cm, "score")
    c = by.get("count")
    add("counting, cached encoding, window 10 <= 13 s (GloVe C's cooccur)", c and c["wall_s"], 13.0,
        None if not c else c["wall_s"] <= 13.0, "s")
    add("counting peak RSS below GloVe C cooccur's 1.3 GB", c and c["peak_rss_mib"], GLOVE_C["cooccur_peak_rss_mib"],
        None if not c else c["peak_rss_mib"] < GLOVE_C["cooccur_peak_rss_mib"], "MiB")
    k = by.get("count-capped")
    add("capped counting spills and gives the identical matrix", k and k.get("spilled_runs"), "> 0 and identical",
        None if not k else bool(k.get("identical")) and k.get("spilled_runs", 0) > 0, "runs")
    p = by.get("ppmi-d300-w5")
    gen = by.get("gensim")
    limit = GENSIM_QUOTED["wall_s"]
    add(f"PPMI-SVD dim 300 window 5 end to end < gensim SGNS ({limit:.0f} s quoted"
        + (f"; {gen['wall_s']:.0f} s here" if gen else "") + ")", p and p["wall_s"],
        min(limit, gen["wall_s"]) if gen else limit,
        None if not p else p["wall_s"] < (min(limit, gen["wall_s"]) if gen else limit), "s")
    pm = _mean(p, SIMILARITY)
    ref = sum(GENSIM_QUOTED["eval"][k] for k in SIMILARITY) / 4
    add("PPMI-SVD mean Spearman (WS353/SimLex/MEN/RW) >= gensim SGNS's", pm, round(ref, 4),
        None if pm is None else pm >= ref, "score")
    return out


# --------------------------------------------------------------------------
# markdown
# --------------------------------------------------------------------------
def _f(x, fmt="{:.1f}"):
    return "–" if x is None else fmt.format(x)


def _pct(x):
    return "–" if x is None else f"{100 * x:.1f}"


def render(d: dict) -> str:
    c, m = d["corpus"], d["machine"]
    L = [f"## Section `count` — {d['title']}", ""]
    if d.get("quick"):
        L += ["**Quick run** (bundled corpus; a smoke test, not the benchmark).", ""]
    if c.get("fallback"):
        L += [f"**Corpus fallback:** {c['note']}", ""]
    L += [f"- Command: {d['command']}", f"- Date: {d['date']}",
          f"- Machine: {m['nproc']} cores available, {m['cpu_model']}, {_f(m.get('mem_total_gib'), '{:.0f}')} GiB RAM",
          "- Versions: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in d["versions"].items() if v),
          f"- Corpus: `{c['source']}`: {c['n_tokens']:,} tokens, {c['n_lines']:,} lines (lowercased, tokenised "
          f"with `{c['regex']}`, the same file for every system); min_count 5, 2 threads, seed 1", ""]
    rows = [r for r in d["systems"] if r["name"].startswith("count")]
    if rows:
        L += ["### Counting (window 10, harmonic weights, both sides)", "",
              "| run | wall s | tokens/s | CPU s | peak RSS MiB | pairs | runs (spilled) | cold wall s "
              "| cold peak MiB | identical |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
        for r in rows:
            if r["status"] != "ok":
                L.append(f"| {r['name']} | {r['status']} |" + " |" * 8)
                continue
            flag = (" ⚠" if r.get("disturbed") else "") + (" ‡‡" if r.get("kept_from_previous_run") else "")
            L.append(f"| {r['name']}{flag} | {_f(r['wall_s'])} | "
                     f"{_f(r.get('tokens_per_s'), '{:,}')} | {_f(r['cpu_s'], '{:.0f}')} | "
                     f"{_f(r['peak_rss_mib'], '{:.0f}')} | {_f(r.get('nnz'), '{:,}')} | {r.get('runs', '–')} "
                     f"({r.get('spilled_runs', '–')}) | {_f(r.get('cold_wall_s'))} | "
                     f"{_f(r.get('cold_peak_rss_mib'), '{:.0f}')} | "
                     f"{'yes' if r.get('identical') else ('–' if 'identical' not in r else '**no**')} |")
        L += ["", f"GloVe C's `cooccur` (quoted): {GLOVE_C['steps_s']['cooccur']} s, 1.3 GB RSS. `count-capped` ran "
              "with `--max-memory` at a quarter of `count`'s peak RSS; *identical* compares the two files' "
              "indptr, indices, data, vocab and counts.", ""]
    L += ["### Models (end to end from the text: reading, encoding, counting, training, writing .vec)", "",
          "| system | wall s | CPU s | peak RSS MiB | Google % | MSR % | Google × % | MSR × % | WS353 ρ | SimLex ρ "
          "| MEN ρ | RW ρ | mean of 6 | mean ρ |",
          "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    refs = [dict(GLOVE_C, name="GloVe C ‡")]
    for r in [x for x in d["systems"] if not x["name"].startswith("count")] + refs:
        if r.get("status") in ("failed", "skipped"):
            L.append(f"| {r['name']} | {r['status']} |" + " |" * 12)
            continue
        ev = r.get("eval") or {}
        fig = {ds: (ev.get(ds) if not isinstance(ev.get(ds), dict) else _fig(r, ds)) for ds, _ in FIGURES}
        cos = r.get("cosmul") or {}
        mean6 = None if any(v is None for v in fig.values()) else sum(fig.values()) / 6
        sims = [fig[k] for k in SIMILARITY]
        L.append("| " + " | ".join([
            r["name"] + (" ⚠" if r.get("disturbed") else "") + (" ‡‡" if r.get("kept_from_previous_run") else ""),
            _f(r.get("wall_s")), _f(r.get("cpu_s"), "{:.0f}"),
            _f(r.get("peak_rss_mib"), "{:.0f}"), _pct(fig["google"]), _pct(fig["msr"]), _pct(cos.get("google")),
            _pct(cos.get("msr")), *[_f(fig[k], "{:.3f}") for k in ("ws353", "simlex999", "men", "rw")],
            _f(mean6, "{:.4f}"), _f(None if None in sims else sum(sims) / 4, "{:.4f}")]) + " |")
    L += ["", "× = 3CosMul (3CosAdd otherwise), over the 30,000 most frequent words. ‡ GloVe C: Stanford's tools "
          "(vocab_count, cooccur, shuffle, glove) on the same corpus and settings with 2 threads, measured before "
          "this section existed and quoted from the task that set the targets; they are not installed here. "
          f"gensim skip-gram as quoted there: {GENSIM_QUOTED['wall_s']:.0f} s, mean ρ "
          f"{sum(GENSIM_QUOTED['eval'][k] for k in SIMILARITY) / 4:.4f}.", ""]
    L += ["### Targets", "", "| target | value | threshold | result |", "|---|---:|---:|---|"]
    for t in d["targets"]:
        v, th = t["value"], t["threshold"]
        fmt = "{:.3f}" if t["unit"] == "score" else "{:.1f}" if isinstance(v, float) else "{}"
        L.append(f"| {t['target']} | {_f(v, fmt)} | {th if isinstance(th, str) else _f(th, fmt)} | **{t['status']}**"
                 + (f" ({t['why']})" if t.get("why") else "") + " |")
    L += ["", f"{sum(t['status'] == 'PASS' for t in d['targets'])} of {len(d['targets'])} targets met.", ""]
    if any(r.get("kept_from_previous_run") for r in d["systems"]):
        L += ["‡‡ kept from an earlier run of this section on the same corpus (`--merge`); its date is in the JSON.",
              ""]
    disturbed = [r["name"] for r in d["systems"] if r.get("disturbed")]
    if disturbed:
        L += [f"⚠ other processes kept the CPU busy during {', '.join(disturbed)} (see `other_load` in the JSON): "
              "those wall times are inflated; CPU s is the process's own.", ""]
    return "\n".join(L)


def summary_lines(d: dict) -> list[str]:
    out = [f"{r['name']:<16} {r['status']:<6} {_f(r.get('wall_s')):>8} s  RSS {_f(r.get('peak_rss_mib'), '{:.0f}')} "
           f"MiB" for r in d["systems"]]
    return out + [f"{t['status']:<5} {t['target']}: {t['value']} (threshold {t['threshold']})" for t in d["targets"]]
