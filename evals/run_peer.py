"""Train one peer system (gensim or Facebook fastText) in this process.

The benchmark runs this module as a fresh subprocess per system so that the
peak RSS it measures belongs to that system alone::

    python -m evals.run_peer gensim   --input TOK.txt --output OUT.vec --stats S.json --model sg ...
    python -m evals.run_peer fasttext --input TOK.txt --output OUT.vec --stats S.json --model sg ...
    python -m evals.run_peer fasttext --input TOK.txt --output OUT.bin ... --minn 3 --maxn 6
    python -m evals.run_peer gensim-fasttext --input TOK.txt --output OUT.bin ... --minn 3 --maxn 6

fastText with subwords (``--maxn`` > 0) and gensim's ``FastText`` write the
model as a fastText ``.bin`` when the output ends in ``.bin`` (untimed, as
the .vec).

The library is imported before the clock starts; the timed call covers
reading the corpus, building the vocabulary and training.  Writing the
word2vec text file is timed separately.  Learning rates are left at each
system's default.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
import time


def _gensim(a) -> dict:
    import gensim
    from gensim.models import Word2Vec
    from gensim.models.word2vec import LineSentence

    logging.basicConfig(format="%(asctime)s %(levelname)s %(message)s", level=logging.INFO,
                        stream=sys.stderr)
    sg = 1 if a.model == "sg" else 0
    t0 = time.perf_counter()
    m = Word2Vec(vector_size=a.dim, window=a.window, negative=a.negative, hs=0, sample=a.sample,
                 min_count=a.min_count, sg=sg, workers=a.threads, seed=a.seed, epochs=a.epochs)
    if a.mode == "corpus_file":
        m.build_vocab(corpus_file=a.input)
        t_vocab = time.perf_counter()
        effective, raw = m.train(corpus_file=a.input, total_words=m.corpus_total_words,
                                 epochs=a.epochs)
    else:
        sentences = LineSentence(a.input)
        m.build_vocab(corpus_iterable=sentences)
        t_vocab = time.perf_counter()
        effective, raw = m.train(corpus_iterable=sentences, total_examples=m.corpus_count,
                                 epochs=a.epochs)
    t1 = time.perf_counter()
    m.wv.save_word2vec_format(a.output, binary=False)
    t2 = time.perf_counter()
    return {"train_s": t1 - t0, "vocab_s": t_vocab - t0, "write_s": t2 - t1,
            "vocab_size": len(m.wv), "raw_words": int(raw), "effective_words": int(effective),
            "corpus_total_words": int(m.corpus_total_words), "mode": a.mode,
            "alpha": m.alpha, "version": gensim.__version__}


def _fasttext(a) -> dict:
    import fasttext
    import numpy as np

    subwords = {} if a.bucket is None else {"bucket": a.bucket}
    t0 = time.perf_counter()
    m = fasttext.train_unsupervised(
        input=a.input, model="skipgram" if a.model == "sg" else "cbow", dim=a.dim, ws=a.window,
        neg=a.negative, t=a.sample, minCount=a.min_count, epoch=a.epochs, thread=a.threads,
        minn=a.minn, maxn=a.maxn, wordNgrams=1, loss="ns", verbose=2, **subwords)  # 0.9.2: no seed (uses 0)
    t1 = time.perf_counter()
    sys.stderr.write("\n")
    if a.output.endswith(".bin"):
        m.save_model(a.output)
        args = m.f.getArgs()
        return {"train_s": t1 - t0, "write_s": time.perf_counter() - t1, "vocab_size": len(m.words),
                "lr": args.lr, "bucket": args.bucket, "minn": args.minn, "maxn": args.maxn, "seed": args.seed}
    words = m.words
    matrix = np.asarray(m.get_input_matrix(), dtype=np.float32)
    if matrix.shape[0] != len(words):
        raise SystemExit(f"fastText input matrix has {matrix.shape[0]} rows for "
                         f"{len(words)} words (subword buckets were not disabled)")
    keep = [i for i, w in enumerate(words) if w != "</s>"]   # end-of-line marker, not a word
    line = "%s" + " %.6f" * a.dim + "\n"
    with open(a.output, "w", encoding="utf-8") as f:
        f.write(f"{len(keep)} {a.dim}\n")
        for i in keep:
            f.write(line % (words[i], *matrix[i].tolist()))
    t2 = time.perf_counter()
    args = m.f.getArgs()
    return {"train_s": t1 - t0, "write_s": t2 - t1, "vocab_size": len(keep),
            "lr": args.lr, "bucket": args.bucket, "seed": args.seed}


def _gensim_fasttext(a) -> dict:
    import gensim
    from gensim.models import FastText
    from gensim.models.fasttext import save_facebook_model

    logging.basicConfig(format="%(asctime)s %(levelname)s %(message)s", level=logging.INFO,
                        stream=sys.stderr)
    t0 = time.perf_counter()
    m = FastText(vector_size=a.dim, window=a.window, negative=a.negative, hs=0, sample=a.sample,
                 min_count=a.min_count, sg=1 if a.model == "sg" else 0, workers=a.threads, seed=a.seed,
                 epochs=a.epochs, min_n=a.minn, max_n=a.maxn, bucket=2000000 if a.bucket is None else a.bucket)
    m.build_vocab(corpus_file=a.input)
    effective, raw = m.train(corpus_file=a.input, total_words=m.corpus_total_words, epochs=a.epochs)
    t1 = time.perf_counter()
    if a.output.endswith(".bin"):
        save_facebook_model(m, a.output)
    else:
        m.wv.save_word2vec_format(a.output, binary=False)
    return {"train_s": t1 - t0, "write_s": time.perf_counter() - t1, "vocab_size": len(m.wv),
            "raw_words": int(raw), "effective_words": int(effective), "alpha": m.alpha,
            "version": gensim.__version__}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m evals.run_peer")
    p.add_argument("system", choices=["gensim", "fasttext", "gensim-fasttext"])
    p.add_argument("--input", required=True)
    p.add_argument("--output", required=True)
    p.add_argument("--stats", required=True)
    p.add_argument("--model", choices=["sg", "cbow"], default="sg")
    p.add_argument("--mode", choices=["corpus_file", "iterable"], default="corpus_file",
                   help="gensim only: read with its C++ corpus_file reader or a LineSentence")
    p.add_argument("--dim", type=int, default=100)
    p.add_argument("--window", type=int, default=5)
    p.add_argument("--negative", type=int, default=5)
    p.add_argument("--sample", type=float, default=1e-4)
    p.add_argument("--min-count", type=int, default=5)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--minn", type=int, default=0, help="fastText/gensim-fasttext: shortest n-gram (0: none)")
    p.add_argument("--maxn", type=int, default=0, help="fastText/gensim-fasttext: longest n-gram (0: none)")
    p.add_argument("--bucket", type=int, default=None, help="n-gram buckets [default: the system's]")
    a = p.parse_args(argv)
    stats = {"gensim": _gensim, "fasttext": _fasttext, "gensim-fasttext": _gensim_fasttext}[a.system](a)
    with open(a.stats, "w") as f:
        json.dump(stats, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
