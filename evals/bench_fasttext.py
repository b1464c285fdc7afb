"""Section `fasttext`: the subword (fastText) model, embkit beside Facebook fastText (and gensim FastText).

embkit ``--model fasttext`` (both skip-gram updates), Facebook fastText
``skipgram`` and, when asked for, gensim ``FastText`` (sg=1) train with the
`sgns` section's settings plus ``minn=3, maxn=6, bucket=2000000`` on the same
tokenised corpus; CBOW rows (embkit ``fasttext-cbow`` with and without
``--position-weights``, fastText ``cbow``) are reported beside them.  Each
system writes a fastText ``.bin`` (embkit: its timed ``embkit train`` command
writes it; the peers write it after their timed training call), which embkit
reads to score the vectors: the usual figures over the words in the
vocabulary (fastText's ``</s>`` left out, as in the `sgns` section), Google
split into its semantic and syntactic sections, and RW again over all pairs
with unseen words composed from their n-grams.
"""
from __future__ import annotations

import importlib.util

from . import bench_common as bc
from . import bench_sgns as sg
from .bench_eval import ANALOGY_SETS, RESTRICT_VOCAB, SIMILARITY_SETS, evaluate_kv, evaluator_name

NAME = "fasttext"
TITLE = "fastText: skip-gram with character n-grams (CBOW rows beside it)"

SETTINGS = dict(sg.SETTINGS, minn=3, maxn=6, bucket=2000000)
_SUB = ["--minn", "3", "--maxn", "6", "--bucket", "2000000"]
_BIN = {"output": ".bin"}


def _shared_default() -> bool:
    from embkit import _params

    return next(p.default for p in _params.FASTTEXT if p.name == "share_negatives")


_DEFAULT_UPDATE = ("shared noise words, batched window" if _shared_default()
                   else "fastText's pair-by-pair update")
_OTHER = ("embkit-classic", "--no-share-negatives", "fastText's pair-by-pair update") if _shared_default() else \
    ("embkit-shared", "--share-negatives", "shared noise words, batched window")

SYSTEMS = {s.name: s for s in [
    sg.System("embkit", "embkit", "fasttext", f"embkit fasttext (default: {_DEFAULT_UPDATE})",
              options={**_BIN, "args": _SUB}),
    sg.System(_OTHER[0], "embkit", "fasttext", f"embkit fasttext {_OTHER[1]} ({_OTHER[2]})",
              options={**_BIN, "args": _SUB + [_OTHER[1]]}),
    sg.System("embkit-ns0.75", "embkit", "fasttext", "embkit fasttext --ns-exponent 0.75 (word2vec's noise exponent)",
              default=False, options={**_BIN, "args": _SUB + ["--ns-exponent", "0.75"]}),
    sg.System("fasttext", "fasttext", "sgns", "fastText skipgram minn=3 maxn=6 bucket=2M",
              options={**_BIN, "peer_args": _SUB}),
    sg.System("gensim", "gensim-fasttext", "sgns", "gensim FastText sg=1 min_n=3 max_n=6 (corpus_file)",
              default=False, options={**_BIN, "peer_args": _SUB}),
    sg.System("embkit-cbow", "embkit", "fasttext-cbow", "embkit fasttext-cbow", options={**_BIN, "args": _SUB}),
    sg.System("embkit-cbow-pos", "embkit", "fasttext-cbow", "embkit fasttext-cbow --position-weights",
              options={**_BIN, "args": _SUB + ["--position-weights"]}),
    sg.System("fasttext-cbow", "fasttext", "cbow", "fastText cbow minn=3 maxn=6 bucket=2M",
              options={**_BIN, "peer_args": _SUB}),
]}
DEFAULT_SYSTEMS = [s.name for s in SYSTEMS.values() if s.default]
FASTTEXT_PEER = {"fasttext": "fasttext", "sgns": "fasttext", "fasttext-cbow": "fasttext-cbow", "cbow": "fasttext-cbow"}
_MODULES = {"fasttext": "fasttext", "gensim-fasttext": "gensim"}


# --------------------------------------------------------------------------
# evaluation
# --------------------------------------------------------------------------
def _without_eos(kv):
    """The vectors without fastText's end-of-line word ``</s>`` (the n-gram rows are shared, not copied)."""
    if "</s>" not in kv:
        return kv
    from embkit.subword_vectors import SubwordVectors

    keep = [i for i, w in enumerate(kv.index_to_key) if w != "</s>"]
    return SubwordVectors([kv.index_to_key[i] for i in keep], kv.word_rows[keep], kv.ngram_vectors, kv.minn,
                          kv.maxn, counts=None if kv.counts is None else kv.counts[keep], vectors=kv.vectors[keep])


def evaluate_subword(path) -> dict:
    """The `sgns` section's figures of the .bin model at `path`, Google by section, and RW with composed words."""
    import embkit

    kv = _without_eos(embkit.load(str(path)))
    out = evaluate_kv(kv)
    out["vocab_size"] = len(kv)
    google = embkit.evaluate_analogies(kv, "google", restrict_vocab=RESTRICT_VOCAB)
    for part, test in (("google_semantic", lambda n: not n.startswith("gram")),
                       ("google_syntactic", lambda n: n.startswith("gram"))):
        secs = [x for x in google["sections"] if test(x["name"])]
        correct, answered = sum(x["correct"] for x in secs), sum(x["answered"] for x in secs)
        out[part] = {"accuracy": correct / answered if answered else None, "correct": correct, "answered": answered}
    try:
        r = embkit.evaluate_similarity(kv, "rw", oov="compose")
        out["rw_composed"] = {"spearman": r["spearman"], "pairs_used": r["pairs_used"],
                              "pairs_total": r["pairs_total"], "coverage": r["pairs_used"] / r["pairs_total"],
                              "composed": len(r["composed"])}
    except embkit.EmbkitError as exc:
        out["rw_composed"] = {"error": f"{type(exc).__name__}: {exc}"}
    return out


# --------------------------------------------------------------------------
# running
# --------------------------------------------------------------------------
def run(args, ctx) -> dict:
    """Run the section; returns the JSON-able result."""
    s = dict(SETTINGS)
    names = args.systems or DEFAULT_SYSTEMS
    unknown = [n for n in names if n not in SYSTEMS]
    if unknown:
        raise SystemExit(f"bench: unknown system(s) for section fasttext: {', '.join(unknown)}; "
                         f"known: {', '.join(SYSTEMS)}")
    work = ctx["work"] / NAME
    work.mkdir(parents=True, exist_ok=True)
    tok = ctx["tokenised"]
    embkit_ok, why = sg.embkit_train_available()
    want_embkit = [n for n in names if SYSTEMS[n].kind == "embkit"]
    warm = None
    if want_embkit and not embkit_ok:
        bc.warn(f"embkit rows skipped: {why}")
    if want_embkit and embkit_ok:
        bc.info("warming up embkit's Numba kernels (untimed) ...")
        warm = sg.warm_embkit(tok.path, work, sorted({SYSTEMS[n].model for n in want_embkit}), s)
    missing = {kind: f"the `{mod}` module is not importable (install the bench extra: `pip install -e '.[bench]'`)"
               for kind, mod in _MODULES.items() if importlib.util.find_spec(mod) is None}
    rows = []
    kept = _kept_rows(ctx.get("previous"), names, s, tok)
    for n in names:
        sysm = SYSTEMS[n]
        skip = why if sysm.kind == "embkit" and not embkit_ok else missing.get(sysm.kind)
        if skip:
            rows.append({"name": n, "system": sysm.kind, "model": sysm.model, "label": sysm.label,
                         "status": "skipped", "error": skip})
            continue
        row = sg.run_system(sysm, tok, work, s, args.wait_quiet, args.retries, args.repeat, evaluate=evaluate_subword)
        if isinstance(row.get("eval"), dict):
            row["vocab_size"] = row["eval"].get("vocab_size")
        rows.append(row)
    if kept:
        order = list(SYSTEMS)
        rows = sorted(rows + kept, key=lambda r: order.index(r["name"]))
    _add_ratios(rows)
    return {
        "schema": 1, "section": NAME, "title": TITLE, "settings": s,
        "evaluation": {"evaluator": evaluator_name(), "analogy": list(ANALOGY_SETS),
                       "analogy_restrict_vocab": RESTRICT_VOCAB, "analogy_method": "3CosAdd",
                       "similarity": list(SIMILARITY_SETS), "composed": "rw"},
        "repeat": args.repeat, "retries": args.retries, "embkit_warmup": warm,
        "systems": rows, "targets": (tg := targets(rows)), "all_targets_pass": all(t["status"] == "PASS" for t in tg),
    }


def _kept_rows(previous, names, s, tok) -> list[dict]:
    """With --merge: the previous rows of the systems not re-run, when corpus and settings are the same."""
    if not previous:
        return []
    if previous.get("settings") != s or previous.get("corpus", {}).get("n_tokens") != tok.n_tokens:
        bc.warn("--merge: the previous results used another corpus or other settings; not merging")
        return []
    return [dict(r, kept_from_previous_run=True, date=r.get("date") or previous.get("date"))
            for r in previous.get("systems", []) if r["name"] not in names and r["name"] in SYSTEMS]


def _by_name(rows):
    return {r["name"]: r for r in rows if r.get("status") in ("ok", "eval-failed")}


def _add_ratios(rows) -> None:
    ok = _by_name(rows)
    for r in rows:
        peer = ok.get(FASTTEXT_PEER.get(r.get("model")))
        if "words_per_s" in r:
            r["ratio_vs_fasttext"] = round(r["words_per_s"] / peer["words_per_s"], 3) if peer else None


def _metric(row, ds, key):
    return sg._metric(row, ds, key)


def targets(rows) -> list[dict]:
    """The issue's targets for embkit's default skip-gram row against fastText skipgram."""
    ok = _by_name(rows)
    e, f = ok.get("embkit"), ok.get("fasttext")
    out = []

    def add(name, target, unit, value, threshold, passed, why=None):
        status = "N/A" if passed is None else ("PASS" if passed else "FAIL")
        out.append({"name": name, "target": target, "value": value, "threshold": threshold, "unit": unit,
                    "status": status, **({"why": why} if why else {})})

    if not (e and f):
        for name, target, unit in _TARGETS:
            add(name, target, unit, None, None, None, "not run: embkit and fasttext rows are both needed")
        return out
    ratio = e["words_per_s"] / f["words_per_s"]
    add("speed", _TARGETS[0][1], "ratio", round(ratio, 3), 2.5, ratio >= 2.5)
    for (name, target, unit), (ds, key) in zip(_TARGETS[1:5], [("google", "accuracy"), ("msr", "accuracy"),
                                                                ("rw", "spearman"), ("rw_composed", "spearman")]):
        ev, fv = _metric(e, ds, key), _metric(f, ds, key)
        margin = 0.01
        if ev is None or fv is None:
            add(name, target, unit, None, None, None, "no figure")
            continue
        scale = 100 if key == "accuracy" else 1
        add(name, target, unit, round(scale * ev, 4), round(scale * (fv - margin), 4), ev >= fv - margin - 1e-12)
    add("rss", _TARGETS[5][1], "MiB", e["peak_rss_mib"], f["peak_rss_mib"], e["peak_rss_mib"] <= f["peak_rss_mib"])
    return out


_TARGETS = [("speed", "embkit fasttext words/s >= 2.5x fastText skipgram", "ratio"),
            ("google", "embkit Google >= fastText - 1 point", "percent"),
            ("msr", "embkit MSR >= fastText - 1 point", "percent"),
            ("rw", "embkit RW (in vocabulary) >= fastText - 0.01", "score"),
            ("rw_composed", "embkit RW (unseen words composed) >= fastText - 0.01", "score"),
            ("rss", "embkit peak RSS <= fastText's", "MiB")]


# --------------------------------------------------------------------------
# markdown
# --------------------------------------------------------------------------
def _f(x, fmt="{:.1f}", none="–"):
    return none if x is None else fmt.format(x)


def _pct(x):
    return "–" if x is None else f"{100 * x:.1f}"


def render(d: dict) -> str:
    s, c, m, v = d["settings"], d["corpus"], d["machine"], d["versions"]
    L = [f"## Section `fasttext` — {d['title']}", ""]
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
        f"- Corpus: `{c['source']}` ({c['label']}): {c['n_tokens']:,} tokens, {c['n_lines']:,} lines "
        f"(tokenised with `{c['regex']}`, lowercased, once for every system)",
        f"- Settings: dim={s['dim']}, window={s['window']}, negative={s['negative']}, sample={s['sample']:g}, "
        f"min_count={s['min_count']}, epochs={s['epochs']}, threads={s['threads']}, seed={s['seed']}, "
        f"minn={s['minn']}, maxn={s['maxn']}, bucket={s['bucket']:,}; each system's default learning rate",
        f"- Evaluation: {d['evaluation']['evaluator']}, reading every system's fastText .bin; analogies by "
        f"3CosAdd over the {d['evaluation']['analogy_restrict_vocab']:,} most frequent words; similarity: "
        "Spearman ρ over the pairs in the vocabulary, and for RW also over every pair whose unseen words have "
        "n-grams (composed as fastText's get_word_vector does); `</s>` is left out of fastText's words",
        "",
        "| system | wall s | words/s | × fastText | peak RSS MiB | anon / file MiB | CPU s | Google % | sem % "
        "| syn % | MSR % | SimLex ρ | WS353 ρ | MEN ρ | RW ρ (pairs) | RW composed ρ (pairs) | vocab |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in d["systems"]:
        if r["status"] in ("skipped", "failed"):
            L.append(f"| {r['name']} | {r['status']} |" + " |" * 15)
            continue
        ev = r.get("eval") or {}
        rw, rwc = ev.get("rw") or {}, ev.get("rw_composed") or {}
        flag = (" ⚠" if r.get("disturbed") else "") + (" ‡" if r.get("kept_from_previous_run") else "")
        L.append("| " + " | ".join([
            r["name"] + flag, _f(r["wall_s"]), f"{r['words_per_s']:,}", _f(r.get("ratio_vs_fasttext"), "{:.2f}×"),
            _f(r["peak_rss_mib"], "{:.0f}"),
            (f"{r['peak_anon_mib']:.0f} / {r['peak_file_mib']:.0f}"
             if r.get("peak_anon_mib") is not None and r.get("peak_file_mib") is not None else "–"),
            _f(r["cpu_s"], "{:.0f}"),
            _pct(_metric(r, "google", "accuracy")), _pct(_metric(r, "google_semantic", "accuracy")),
            _pct(_metric(r, "google_syntactic", "accuracy")), _pct(_metric(r, "msr", "accuracy")),
            _f(_metric(r, "simlex999", "spearman"), "{:.3f}"), _f(_metric(r, "ws353", "spearman"), "{:.3f}"),
            _f(_metric(r, "men", "spearman"), "{:.3f}"),
            f"{_f(rw.get('spearman'), '{:.3f}')} ({_f(rw.get('coverage'), '{:.0%}')})",
            f"{_f(rwc.get('spearman'), '{:.3f}')} ({_f(rwc.get('coverage'), '{:.0%}')})",
            _f(r.get("vocab_size"), "{:,}"),
        ]) + " |")
    if any(r.get("disturbed") for r in d["systems"]):
        L += ["", "⚠ other processes kept the CPU busy during this row's run even after a retry "
              "(see *other load* below): its timing is not reliable."]
    if any(r.get("kept_from_previous_run") for r in d["systems"]):
        L += ["", "‡ kept from an earlier run with the same corpus and settings (`--merge`)."]
    L += ["", "Rows: " + "; ".join(f"`{r['name']}` = {r['label']}" for r in d["systems"]) + ".",
          "CBOW rows compare with fastText cbow (× fastText). *(pairs)*: the share of RW's 2,034 pairs scored.", ""]
    fmt = {"ratio": "{:.2f}×", "percent": "{:.2f} %", "MiB": "{:.0f} MiB", "score": "{:.4f}"}
    L += ["### Targets (embkit fasttext against fastText skipgram)", "", "| target | value | threshold | result |",
          "|---|---:|---:|---|"]
    for t in d["targets"]:
        f = fmt.get(t.get("unit"), "{}")
        res = f"**{t['status']}**" + (f" ({t['why']})" if t.get("why") else "")
        L.append(f"| {t['target']} | {_f(t['value'], f)} | {_f(t['threshold'], f)} | {res} |")
    L += ["", f"{sum(t['status'] == 'PASS' for t in d['targets'])} of {len(d['targets'])} targets met.", "",
          "### How it was measured", "",
          "- Words/s = raw corpus tokens × epochs ÷ wall time: for embkit the whole `embkit train … -o x.bin` "
          "command (start-up, reading, vocabulary, encoding into a fresh cache, n-gram index, training and "
          "writing the fastText .bin, which holds the 2M n-gram rows); for the peers their training call "
          "(reading, vocabulary, training), with import and writing their .bin excluded.",
          "- Peak RSS and CPU time are each process's own (`os.wait4`), as in the `sgns` section. CPU time "
          "hardly depends on other processes' load, so it is the steadier speed comparison when a row is marked "
          "⚠" + _cpu_note(d["systems"]) + ".",
          "- fastText is the `fasttext-wheel` build through its Python binding (`train_unsupervised`, "
          "`loss='ns'`); it takes no seed (uses 0). gensim FastText, when run, uses its `corpus_file` reader.",
          ]
    if d.get("embkit_warmup"):
        L.append("- embkit's kernels were compiled into Numba's cache by an untimed run on a 5,000-line sample.")
    L += ["", "Timing details (*other load*: CPU used by other processes meanwhile, in cores; above ~0.1 "
          "the timing was disturbed):", "",
          "| system | started | wall s | process s | own timer s | CPU s | other load | write s |",
          "|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in d["systems"]:
        if "wall_s" not in r:
            continue
        st = r.get("peer_stats") or {}
        other = r.get("other_cpu_s")
        other = None if other is None else other / max(r["process_s"], 1e-9)
        L.append(f"| {r['name']} | {(r.get('date') or '')[:16].replace('T', ' ') or '–'} | {_f(r['wall_s'])} | "
                 f"{_f(r['process_s'])} | {_f(r.get('own_train_s'))} | {_f(r['cpu_s'])} | "
                 f"{_f(other, '{:.2f}')} | {_f(st.get('write_s'))} |")
    bad = [r for r in d["systems"] if r["status"] != "ok"]
    if bad:
        L += ["", "Problems:", ""]
        L += [f"- `{r['name']}`: {r['status']}: {(r.get('error') or '').strip()[-600:]}" for r in bad]
    L.append("")
    return "\n".join(L)


def _cpu_note(rows) -> str:
    """``: embkit fasttext used N× less CPU time than fastText skipgram`` when both ran."""
    ok = _by_name(rows)
    e, f = ok.get("embkit"), ok.get("fasttext")
    if not (e and f and e.get("cpu_s") and f.get("cpu_s")):
        return ""
    return (f": embkit fasttext used {f['cpu_s'] / e['cpu_s']:.1f}× less CPU time than fastText skipgram "
            f"({e['cpu_s']:.0f} s against {f['cpu_s']:.0f} s)")


def summary_lines(d: dict) -> list[str]:
    out = []
    for r in d["systems"]:
        if "words_per_s" in r:
            ev = r.get("eval") or {}
            out.append(f"{r['name']:<16} {r['wall_s']:8.1f} s {r['words_per_s']:>10,} w/s "
                       f"RSS {r['peak_rss_mib']:6.0f} MiB google {_pct(_metric(r, 'google', 'accuracy'))} "
                       f"msr {_pct(_metric(r, 'msr', 'accuracy'))} "
                       f"rw {_f((ev.get('rw') or {}).get('spearman'), '{:.3f}')} "
                       f"rw-composed {_f((ev.get('rw_composed') or {}).get('spearman'), '{:.3f}')}")
        else:
            out.append(f"{r['name']:<16} {r['status']}")
    for t in d["targets"]:
        out.append(f"{t['status']:<5} {t['target']}: {t['value']} (threshold {t['threshold']})")
    return out
