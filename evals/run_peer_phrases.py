"""Detect phrases with gensim's ``Phrases`` in this process (one pass), for the ``terms`` bench section.

    python -m evals.run_peer_phrases --input TOK.txt --output P.tsv --stats S.json [--min-count 5]
        [--threshold 0.5] [--scoring npmi] [--connectors none|english]

The library is imported before the clock starts; the timed call is the
``Phrases(...)`` constructor (reading the corpus and counting).  Scoring and
exporting the phrases (``export_phrases``) and writing the TSV
(``term<TAB>count<TAB>score``, best score first) are timed separately.
"""
from __future__ import annotations

import argparse
import json
import sys
import time


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m evals.run_peer_phrases")
    p.add_argument("--input", required=True)
    p.add_argument("--output", required=True)
    p.add_argument("--stats", required=True)
    p.add_argument("--min-count", type=int, default=5)
    p.add_argument("--threshold", type=float, default=0.5)
    p.add_argument("--scoring", default="npmi")
    p.add_argument("--connectors", choices=["none", "english"], default="none",
                   help="gensim's connector_words: its default (none) or ENGLISH_CONNECTOR_WORDS")
    a = p.parse_args(argv)

    import gensim
    from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS, Phrases
    from gensim.models.word2vec import LineSentence

    connectors = ENGLISH_CONNECTOR_WORDS if a.connectors == "english" else frozenset()
    t0 = time.perf_counter()
    model = Phrases(LineSentence(a.input), min_count=a.min_count, threshold=a.threshold, scoring=a.scoring,
                    connector_words=connectors)
    t1 = time.perf_counter()
    found = model.export_phrases()
    t2 = time.perf_counter()
    rows = sorted(found.items(), key=lambda kv: (-kv[1], -model.vocab[kv[0]], kv[0]))
    with open(a.output, "w", encoding="utf-8") as f:
        f.write(f"# gensim {gensim.__version__} Phrases(min_count={a.min_count}, threshold={a.threshold}, "
                f"scoring={a.scoring!r}, connector_words={a.connectors})\n")
        for term, score in rows:
            f.write(f"{term}\t{model.vocab[term]}\t{score:.6f}\n")
    t3 = time.perf_counter()
    with open(a.stats, "w") as f:
        json.dump({"train_s": t1 - t0, "export_s": t2 - t1, "write_s": t3 - t2, "terms": len(rows),
                   "corpus_word_count": int(model.corpus_word_count), "vocab_entries": len(model.vocab),
                   "version": gensim.__version__}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
