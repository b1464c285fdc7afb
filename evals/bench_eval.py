"""Scoring of word2vec text vectors: the same code for every system.

Every system's vectors are read with ``embkit.load`` and scored with
``embkit.evaluate_analogies`` (Google and MSR, 3CosAdd over the 30,000 most
frequent words) and ``embkit.evaluate_similarity`` (WS353, SimLex-999, MEN,
RW, MTurk-771, SimVerb-3500; Spearman).  Vectors files list words by descending frequency for all three
systems, so "the first 30,000 rows" means the same for each.
"""
from __future__ import annotations

import time
from pathlib import Path

ANALOGY_SETS = ("google", "msr")
SIMILARITY_SETS = ("ws353", "simlex999", "men", "rw", "mturk771", "simverb3500")
RESTRICT_VOCAB = 30000


def evaluator_name() -> str:
    from .bench_common import dist_version
    return f"embkit {dist_version('embkit')} (embkit.evaluate_analogies / evaluate_similarity)"


def _analogy(res: dict) -> dict:
    return {k: res.get(k) for k in ("accuracy", "accuracy_oov_as_wrong", "correct", "answered",
                                     "total", "coverage")}


def _similarity(res: dict) -> dict:
    share = res.get("oov_share")
    return {"spearman": res.get("spearman"), "pearson": res.get("pearson"),
            "pairs_used": res.get("pairs_used"), "pairs_total": res.get("pairs_total"),
            "coverage": None if share is None else 1.0 - share}


def evaluate_vectors(path: Path) -> dict:
    """Google/MSR analogy accuracy (top 30k words) and WS353/SimLex/MEN/RW/MTurk/SimVerb
    Spearman of the vectors in `path` (word2vec text format).  A data set that
    cannot be scored gets ``{"error": ...}`` instead of figures."""
    import embkit

    return evaluate_kv(embkit.load(str(path)))


def evaluate_kv(kv) -> dict:
    """The figures of :func:`evaluate_vectors` for vectors already loaded."""
    import embkit

    t0 = time.perf_counter()
    out: dict = {}
    for name in ANALOGY_SETS:
        try:
            out[name] = _analogy(embkit.evaluate_analogies(kv, name, restrict_vocab=RESTRICT_VOCAB))
        except embkit.EmbkitError as exc:
            out[name] = {"error": f"{type(exc).__name__}: {exc}"}
    for name in SIMILARITY_SETS:
        try:
            out[name] = _similarity(embkit.evaluate_similarity(kv, name))
        except embkit.EmbkitError as exc:
            out[name] = {"error": f"{type(exc).__name__}: {exc}"}
    out["eval_s"] = round(time.perf_counter() - t0, 1)
    return out
