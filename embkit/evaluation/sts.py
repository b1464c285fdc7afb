"""Sentence similarity (STS) from averaged word vectors: Spearman x 100 against human scores.

Each sentence is tokenised with the regex tokenizer (``\\w+(?:[-']\\w+)*``)
and lowercased; words not in the vocabulary are skipped. Its vector is the
average of its words' vectors (``weighting="mean"``) or their average
weighted by ``a / (a + p(w))`` (``weighting="sif"``, Arora et al. 2017,
with ``a = 1e-3`` and ``p`` from the model's counts; the common-component
removal of full SIF is not applied, so every pair is scored on its own). A
pair's score is the cosine of its two sentence vectors. A sentence with no
known word has no vector and its pair scores 0; such sentences are counted
and reported. The agreement with the gold scores is Spearman's (and
Pearson's) correlation times 100, as STS results are usually reported.

Files hold one pair per line, ``sentence1<TAB>sentence2<TAB>score``; blank
lines and lines starting with ``#`` are skipped. Bundled: ``stsb`` (the STS
Benchmark test split, 1,379 pairs) and ``stsb_dev`` (1,500 pairs).

References
----------
Cer, D., Diab, M., Agirre, E., Lopez-Gazpio, I., Specia, L. (2017).
SemEval-2017 Task 1: Semantic Textual Similarity Multilingual and
Crosslingual Focused Evaluation. SemEval-2017, 1-14 (STS Benchmark).

Arora, S., Liang, Y., Ma, T. (2017). A Simple but Tough-to-Beat Baseline
for Sentence Embeddings. ICLR 2017 (SIF weights).
"""
import errno
import math
import os
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from ..corpus.tokenize import Tokenizer
from ..exceptions import EmbkitError, FormatError, InvalidDataError, InvalidParameterError, MissingFileError
from ..formats._sniff import reports_damage, text_lines
from ..postprocess.frequencies import probabilities_with_info
from .datasets import available_datasets, dataset_info, dataset_path
from .similarity import _correlations

__all__ = ["WEIGHTINGS", "SIF_A", "StsDataset", "read_sts", "load_sts", "evaluate_sts"]

WEIGHTINGS = ("mean", "sif")
SIF_A = 1e-3


@dataclass
class StsDataset:
    """Sentence pairs with human similarity scores.

    Parameters
    ----------
    name : str
        Registry name for bundled sets, else the path or a label.
    pairs : list of (str, str, float)
        ``(sentence1, sentence2, score)`` in file order.
    path : str or None
    """

    name: str
    pairs: list = field(default_factory=list)
    path: str = None

    def __len__(self):
        return len(self.pairs)


@reports_damage
def read_sts(path, name=None):
    """Read a sentence-pair file (``sentence1<TAB>sentence2<TAB>score`` per line).

    Parameters
    ----------
    path : str or os.PathLike
    name : str, optional
        Label of the data set; defaults to the path.

    Returns
    -------
    StsDataset

    Raises
    ------
    FormatError
        On a line without exactly three tab-separated fields, a score that
        is not a finite number, text that is not UTF-8, or a file without
        pairs.
    """
    path = os.fspath(path)
    pairs = []
    for lineno, line in text_lines(path):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 3:
            raise FormatError(path, lineno, "expected 3 tab-separated fields 'sentence1<TAB>sentence2"
                              f"<TAB>score', found {len(fields)}: {line[:80]!r}")
        try:
            score = float(fields[2])
        except ValueError:
            score = math.nan
        if not math.isfinite(score):
            raise FormatError(path, lineno, f"score {fields[2]!r} is not a finite number")
        pairs.append((fields[0], fields[1], score))
    if not pairs:
        raise FormatError(path, None, "no 'sentence1<TAB>sentence2<TAB>score' line found")
    return StsDataset(name or path, pairs, path)


def load_sts(dataset):
    """Sentence pairs from a bundled name, a path, or pairs in memory.

    Parameters
    ----------
    dataset : str, os.PathLike, StsDataset or iterable
        ``"stsb"``, ``"stsb_dev"``, a file path, an :class:`StsDataset`, or
        an iterable of ``(sentence1, sentence2, score)``.

    Returns
    -------
    StsDataset

    Raises
    ------
    EmbkitError
        An unknown name that is not a file either, or malformed pairs.
    FormatError
        A malformed file.
    """
    if isinstance(dataset, StsDataset):
        return dataset
    if isinstance(dataset, (str, os.PathLike)):
        text = os.fspath(dataset)
        names = available_datasets("sts")
        if isinstance(dataset, str) and text in names:
            return read_sts(dataset_path(text, verify=True), name=text)
        if os.path.exists(text):
            return read_sts(text)
        try:
            kind = dataset_info(text)["kind"] if isinstance(dataset, str) else None
        except EmbkitError:
            kind = None
        what = f"a bundled {kind} data set, not a sentence-pair one" if kind else \
            "neither a bundled sentence-pair data set nor an existing file"
        raise (InvalidParameterError(f"{text!r} is {what}; available: {', '.join(names)}") if kind else
               MissingFileError(errno.ENOENT, "no such file or directory", text,
                                message=f"{text!r} is {what}; available: {', '.join(names)}"))
    pairs = []
    for item in dataset:
        item = tuple(item)
        score = float(item[2]) if len(item) == 3 and isinstance(item[2], (int, float)) else math.nan
        if not math.isfinite(score):
            raise InvalidDataError(f"a sentence pair must be (sentence1, sentence2, score), got {item!r}")
        pairs.append((str(item[0]), str(item[1]), score))
    if not pairs:
        raise InvalidDataError("no sentence pairs given")
    return StsDataset("<pairs>", pairs, None)


def _sentence_matrix(kv, sentences, weights):
    """(sparse (n_sentences, n_words) averaging matrix, tokens, known tokens)."""
    tokenize = Tokenizer("regex", lowercase=True)
    index = kv.key_to_index
    rows, cols = [], []
    n_tokens = 0
    for i, sentence in enumerate(sentences):
        tokens = tokenize(sentence)
        n_tokens += len(tokens)
        for token in tokens:
            j = index.get(token)
            if j is not None:
                rows.append(i)
                cols.append(j)
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    vals = np.ones(len(cols)) if weights is None else weights[cols]
    m = sparse.csr_matrix((vals, (rows, cols)), shape=(len(sentences), len(kv)))
    totals = np.asarray(m.sum(axis=1)).ravel()
    m = sparse.diags(np.divide(1.0, totals, out=np.zeros_like(totals), where=totals > 0)) @ m
    return m.tocsr(), n_tokens, len(cols)


def _sentence_vectors(kv, matrix):
    """Sentence vectors (float64), reading only the rows of the words that occur."""
    used = np.unique(matrix.indices)
    local = sparse.csr_matrix((matrix.data, np.searchsorted(used, matrix.indices), matrix.indptr),
                              shape=(matrix.shape[0], len(used)))
    return local @ np.asarray(kv.vectors[used], dtype=np.float64)


def _cosines(a, b):
    dots = np.einsum("ij,ij->i", a, b)
    norms = np.sqrt(np.einsum("ij,ij->i", a, a) * np.einsum("ij,ij->i", b, b))
    out = np.zeros(len(dots))
    ok = norms > 0
    out[ok] = dots[ok] / norms[ok]
    return np.clip(out, -1.0, 1.0)


def evaluate_sts(kv, dataset="stsb", weighting="mean", freq="model", sif_a=SIF_A):
    """Spearman x 100 between the cosines of averaged word vectors and human sentence-similarity scores.

    Parameters
    ----------
    kv : KeyedVectors
    dataset : str, os.PathLike, StsDataset or iterable
        ``"stsb"`` (STS Benchmark test), ``"stsb_dev"``, a file of
        ``sentence1<TAB>sentence2<TAB>score`` lines, or pairs (see
        :func:`load_sts`).
    weighting : {"mean", "sif"}
        Plain average, or SIF weights ``a / (a + p(w))``.
    freq : {"model", "zipf"}, str, os.PathLike or array_like
        Where ``p(w)`` comes from for ``"sif"`` (see
        :mod:`embkit.postprocess.frequencies`); unused for ``"mean"``.
    sif_a : float
        The SIF constant ``a`` (> 0).

    Returns
    -------
    dict
        ``dataset``, ``weighting``, ``spearman`` and ``pearson`` (the
        correlations times 100; None with the reason in ``undefined`` when
        one side is constant), ``pairs``, ``empty_sentences`` (sentences
        without a known word), ``pairs_with_empty`` (pairs scored 0 for that
        reason), ``tokens``, ``tokens_known``, ``token_coverage``, and for
        SIF ``sif_a`` and ``freq`` (where ``p`` came from).

    Raises
    ------
    InvalidParameterError
        An unknown weighting or ``sif_a`` <= 0.
    NoCountsError
        ``"sif"`` with ``freq="model"`` on vectors without counts.
    EmbkitError, FormatError
        An unknown data set or a malformed file.

    Examples
    --------
    >>> r = evaluate_sts(kv, "stsb", weighting="sif")             # doctest: +SKIP
    >>> r["spearman"], r["empty_sentences"]                       # doctest: +SKIP
    """
    if weighting not in WEIGHTINGS:
        raise InvalidParameterError(f"unknown weighting {weighting!r}; expected one of {', '.join(WEIGHTINGS)}",
                                    param="weighting")
    if not (isinstance(sif_a, (int, float)) and sif_a > 0 and math.isfinite(sif_a)):
        raise InvalidParameterError(f"sif_a must be a positive number, got {sif_a!r}", param="sif_a")
    data = load_sts(dataset)
    weights, source = None, None
    if weighting == "sif":
        p, info = probabilities_with_info(kv, freq)
        weights, source = sif_a / (sif_a + p), info["source"]
    sentences = [s for pair in data.pairs for s in pair[:2]]
    matrix, n_tokens, n_known = _sentence_matrix(kv, sentences, weights)
    vectors = _sentence_vectors(kv, matrix)
    empty = np.diff(matrix.indptr) == 0
    model = _cosines(vectors[0::2], vectors[1::2])
    gold = np.array([pair[2] for pair in data.pairs], dtype=np.float64)
    result = {"dataset": data.name, "weighting": weighting, "spearman": None, "pearson": None,
              "undefined": None, "pairs": len(data.pairs), "empty_sentences": int(empty.sum()),
              "pairs_with_empty": int((empty[0::2] | empty[1::2]).sum()), "tokens": n_tokens,
              "tokens_known": n_known, "token_coverage": n_known / n_tokens if n_tokens else 0.0}
    if weighting == "sif":
        result.update(sif_a=float(sif_a), freq=source)
    if len(gold) < 2:
        result["undefined"] = "fewer than 2 pairs"
        return result
    spearman, pearson, result["undefined"] = _correlations(gold, model)
    result["spearman"] = None if spearman is None else 100.0 * spearman
    result["pearson"] = None if pearson is None else 100.0 * pearson
    return result
