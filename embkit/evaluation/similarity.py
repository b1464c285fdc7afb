"""Word-pair similarity evaluation.

The model's similarity of a pair is the cosine of the two word vectors (0 when
either vector is zero). The agreement with the human scores of a data set is
reported as Spearman's rank correlation (the usual headline figure) and
Pearson's linear correlation, both from :mod:`scipy.stats`.

Pairs with an out-of-vocabulary word are dropped by default (``oov="drop"``)
and listed in the result with their share; ``oov="zero"`` keeps them with a
model similarity of 0 instead; ``oov="compose"`` (subword vectors only)
scores them with the unseen words' vectors composed from character n-grams
and lists them, dropping only the pairs with a word that has no n-gram.
Words are matched case-insensitively by default, by the rule described in
:mod:`embkit.evaluation.analogy`.

References
----------
Finkelstein, L. et al. (2002). Placing Search in Context: The Concept
Revisited. ACM TOIS 20(1), 116-131 (WordSim-353).

Hill, F., Reichart, R., Korhonen, A. (2015). SimLex-999: Evaluating Semantic
Models with (Genuine) Similarity Estimation. Computational Linguistics 41(4),
665-695.

Bruni, E., Tran, N. K., Baroni, M. (2014). Multimodal Distributional
Semantics. JAIR 49, 1-47 (MEN).

The citation of every bundled data set is in ``data/REGISTRY.json`` and
``data/README.md``.
"""
import warnings

import numpy as np
from scipy import stats

from ..exceptions import EmbkitError, InvalidParameterError
from .analogy import VocabIndex
from .datasets import load_similarity

__all__ = ["evaluate_similarity", "TooFewPairsError", "OOV_MODES"]

OOV_MODES = ("drop", "zero", "compose")


class TooFewPairsError(EmbkitError):
    """Fewer than two pairs could be scored, so no correlation is defined.

    Attributes
    ----------
    result : dict
        The result of the evaluation with ``spearman`` and ``pearson`` None.
    """

    def __init__(self, message, result=None):
        super().__init__(message)
        self.result = result


def _cosines(kv, rows1, rows2):
    """Cosines of row pairs in float64; 0 where a vector is zero or not finite."""
    vec = kv.vectors
    x = np.asarray(vec[rows1], dtype=np.float64)
    y = np.asarray(vec[rows2], dtype=np.float64)
    with np.errstate(all="ignore"):
        dots = np.einsum("ij,ij->i", x, y)
        norms = np.sqrt(np.einsum("ij,ij->i", x, x) * np.einsum("ij,ij->i", y, y))
        ok = np.isfinite(dots) & np.isfinite(norms) & (norms > 0)
        out = np.zeros(len(dots))
        out[ok] = dots[ok] / norms[ok]
    return np.clip(out, -1.0, 1.0)


def _correlations(gold, model):
    """(spearman, pearson, why): floats, or None and the reason where a side is constant."""
    if gold.min() == gold.max():           # not np.ptp: 1e308 - -1e308 overflows
        return None, None, "the human scores of the scored pairs are all equal"
    gold = gold / np.abs(gold).max()       # correlations ignore scale; scores near 1e308 no longer overflow
    if model.min() == model.max():
        return None, None, (f"the model's cosines of the scored pairs are all equal ({model[0]:g}; "
                            "all-zero vectors give 0)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        spearman = float(stats.spearmanr(gold, model)[0])
        pearson = float(stats.pearsonr(gold, model)[0])
    why = None if np.isfinite(spearman) and np.isfinite(pearson) else "the correlation is not finite"
    return (spearman if np.isfinite(spearman) else None,
            pearson if np.isfinite(pearson) else None, why)


def _compose_pairs(kv, pairs, rows1, rows2, known, model):
    """Score the OOV pairs whose unseen words have n-grams (in place: ``known``, ``model``); their list."""
    composed = []
    for i in np.flatnonzero(~known).tolist():
        vecs = []
        for word, row in ((pairs[i][0], rows1[i]), (pairs[i][1], rows2[i])):
            if row >= 0:
                vecs.append(np.asarray(kv.vectors[row], dtype=np.float64))
            elif kv.has_vector(word):
                vecs.append(np.asarray(kv.compose(word), dtype=np.float64))
        if len(vecs) < 2:
            continue
        x, y = vecs
        norms = np.sqrt(np.dot(x, x) * np.dot(y, y))
        model[i] = np.clip(np.dot(x, y) / norms, -1.0, 1.0) if np.isfinite(norms) and norms > 0 else 0.0
        known[i] = True
        composed.append([pairs[i][0], pairs[i][1]])
    return composed


def evaluate_similarity(kv, dataset, case_sensitive=False, oov="drop", *, vocab=None):
    """Correlation between model cosines and human similarity scores.

    Parameters
    ----------
    kv : KeyedVectors
    dataset : str, os.PathLike, SimilarityDataset or iterable
        A bundled data set name (see
        ``embkit.evaluation.available_datasets("similarity")``), the path of a
        ``word1 word2 score`` file (tab- or space-separated, ``#`` comments),
        or pairs already parsed.
    case_sensitive : bool
        Match words exactly instead of by :meth:`str.casefold`.
    oov : {"drop", "zero", "compose"}
        Drop pairs with an unknown word, score them as similarity 0, or
        (subword vectors) compose the unknown words from their n-grams and
        drop only the pairs with a word that has none.
    vocab : VocabIndex, optional
        A prebuilt look-up (no ``restrict_vocab``); built when omitted.

    Returns
    -------
    dict
        ``dataset``, ``spearman``, ``pearson`` (floats; None only when one
        side is constant), ``undefined`` (None, or why the correlations are
        None), ``pairs_used`` (pairs that entered the
        correlation), ``pairs_total``, ``oov_share`` (OOV pairs / total),
        ``oov`` (list of ``[word1, word2]`` as written in the data set),
        ``oov_mode`` and ``case_sensitive``; with ``oov="compose"`` also
        ``composed`` (the pairs scored with a composed vector, which are
        not in ``oov``) and ``composed_share``.

    Raises
    ------
    TooFewPairsError
        When fewer than 2 pairs can be scored.
    FormatError
        For a malformed file (the message says "0 valid pairs" and names the
        first bad line when no line parses).
    EmbkitError
        For an unknown data set or ``oov`` mode, or ``oov="compose"`` with
        vectors that have no n-grams.

    Examples
    --------
    >>> r = evaluate_similarity(kv, "simlex999")                # doctest: +SKIP
    >>> r["spearman"], r["pairs_used"], r["oov"][:3]            # doctest: +SKIP
    """
    if oov not in OOV_MODES:
        raise InvalidParameterError(f"unknown oov mode {oov!r}; expected one of {', '.join(OOV_MODES)}")
    if oov == "compose" and not hasattr(kv, "compose"):
        raise InvalidParameterError("oov='compose' needs subword vectors (a fastText model, .bin or native); these "
                                    "are word vectors without character n-grams")
    data = load_similarity(dataset)
    if vocab is None:
        vocab = VocabIndex(kv, None, case_sensitive)
    pairs = data.pairs
    total = len(pairs)
    rows1 = vocab.rows([p[0] for p in pairs])
    rows2 = vocab.rows([p[1] for p in pairs])
    gold = np.array([p[2] for p in pairs], dtype=np.float64)
    known = (rows1 >= 0) & (rows2 >= 0)
    model = np.zeros(total)
    model[known] = _cosines(kv, rows1[known], rows2[known])
    composed = _compose_pairs(kv, pairs, rows1, rows2, known, model) if oov == "compose" else []
    oov_pairs = [[p[0], p[1]] for p, k in zip(pairs, known.tolist()) if not k]
    if oov in ("drop", "compose"):
        gold, model = gold[known], model[known]
    result = {
        "dataset": data.name,
        "spearman": None,
        "pearson": None,
        "undefined": None,
        "pairs_used": len(gold),
        "pairs_total": total,
        "oov_share": len(oov_pairs) / total,
        "oov": oov_pairs,
        "oov_mode": oov,
        "case_sensitive": vocab.case_sensitive,
    }
    if oov == "compose":
        result["composed"] = composed
        result["composed_share"] = len(composed) / total
    if len(gold) < 2:
        result["undefined"] = "fewer than 2 pairs scored"
        raise TooFewPairsError(
            f"{data.name}: only {len(gold)} of {total} pairs can be scored, a correlation needs "
            f"at least 2 ({len(oov_pairs)} pair(s) have out-of-vocabulary words)", result)
    result["spearman"], result["pearson"], result["undefined"] = _correlations(gold, model)
    return result
