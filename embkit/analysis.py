"""Geometry of an embedding space: isotropy, word norms by frequency, norm against information gain.

Every function returns a plain dict of numbers and NumPy arrays, for
notebooks; :func:`analyze` gathers them (the ``embkit analyze`` command).

Isotropy (:func:`isotropy`), under uniform weights and under the word
probabilities ``p`` (Zipfian weights, Yokoi et al. 2024):

``mean_norm_ratio``
    ``|| sum_w p(w) w || / sum_w p(w) ||w||``: 0 when the vectors are
    centred, 1 when they all point the same way.
``eigenvalue_ratio``
    Smallest over largest eigenvalue of the weighted covariance
    ``sum_w p(w) (w - mu)(w - mu)^T``: 1 for a perfectly isotropic cloud.
``partition_ratio``
    ``min_c Z(c) / max_c Z(c)`` with ``Z(c) = sum_w p(w) exp(<w, c>)`` over
    the principal directions ``c`` (Mu & Viswanath 2018, §2): the unit
    eigenvectors of the weighted second moment ``sum_w p(w) w w^T`` (their
    ``V^T V``), each with both signs so the result does not depend on the
    sign an eigen-solver returns. 1 is isotropic; computed in log space.

Word norms by frequency band (:func:`norms_by_frequency`): words ranked by
frequency, bands of ranks 1-10, 11-100, 101-1,000, ..., with the norms'
mean, standard deviation and quantiles.

Information gain (:func:`information_gain`, Oyama et al. 2023): for word
``w`` with co-occurrence counts ``X[w, c]``,
``KL(p(.|w) || p(.)) = sum_c p(c|w) log(p(c|w) / p(c))`` in nats, with
``p(c|w) = X[w, c] / sum_c X[w, c]`` and ``p(c)`` the unigram distribution
(the corpus counts, or the matrix's column sums when none are given).
:func:`norm_information_gain` correlates it (Spearman) with the squared
norm of each word vector. Co-occurrence counts come from :func:`embkit.cooccur`
or its ``.npz`` file (read by :meth:`embkit.Cooccurrence.load`, which also
takes ``scipy.sparse.save_npz`` arrays plus ``vocab``), or are counted from
a corpus by :func:`count_cooccurrence` (read as the model read its corpus:
tokenizer, lowercasing and joined terms; the model's window, every pair
within the window counted once, no subsampling).

References
----------
Mu, J., Viswanath, P. (2018). All-but-the-Top: Simple and Effective
Postprocessing for Word Representations. ICLR 2018.

Yokoi, S., Bao, H., Kurita, H., Shimodaira, H. (2024). Zipfian Whitening.
NeurIPS 2024.

Oyama, M., Yokoi, S., Shimodaira, H. (2023). Norm of Word Embedding Encodes
Information Gain. EMNLP 2023.
"""
import logging
import os

import numpy as np
from scipy import sparse, stats
from scipy.special import logsumexp

from ._outputs import check_figure_output, write_figure
from .exceptions import InvalidDataError, InvalidParameterError, MissingDependencyError, ParameterTypeError
from .postprocess.frequencies import probabilities_with_info
from .postprocess.whiten import weighted_moments

__all__ = ["isotropy", "norms_by_frequency", "information_gain", "count_cooccurrence",
           "norm_information_gain", "analyze", "plot_analysis", "PLOT_INSTALL_HINT"]

log = logging.getLogger(__name__)

PLOT_INSTALL_HINT = "pip install 'embkit[plot]' (or pip install matplotlib)"
_CHUNK_ROWS = 1 << 15


def _norms(vectors):
    out = np.empty(vectors.shape[0])
    for start in range(0, vectors.shape[0], _CHUNK_ROWS):
        block = np.asarray(vectors[start:start + _CHUNK_ROWS], dtype=np.float64)
        out[start:start + len(block)] = np.sqrt(np.einsum("ij,ij->i", block, block))
    return out


def _isotropy_under(vectors, p, norms):
    """The three measures of the module notes under the probabilities ``p`` (summing to 1)."""
    mean, cov = weighted_moments(vectors, p)
    lam = np.clip(np.linalg.eigvalsh(cov)[::-1], 0.0, None)
    second = cov + np.outer(mean, mean)
    _, directions = np.linalg.eigh(second)
    directions = directions[:, ::-1]
    log_p = np.log(np.where(p > 0, p, 1.0))
    log_z = np.empty((2, directions.shape[1]))
    proj = np.empty((vectors.shape[0], directions.shape[1]))
    for start in range(0, vectors.shape[0], _CHUNK_ROWS):
        block = np.asarray(vectors[start:start + _CHUNK_ROWS], dtype=np.float64)
        proj[start:start + len(block)] = block @ directions
    masked = np.where(p > 0, log_p, -np.inf)[:, None]
    log_z[0] = logsumexp(proj + masked, axis=0)
    log_z[1] = logsumexp(-proj + masked, axis=0)
    mean_norm = float(p @ norms)
    return {
        "mean_norm_ratio": float(np.linalg.norm(mean) / mean_norm) if mean_norm > 0 else float("nan"),
        "eigenvalue_ratio": float(lam[-1] / lam[0]) if lam[0] > 0 else float("nan"),
        "partition_ratio": float(np.exp(log_z.min() - log_z.max())),
        "eigenvalues": lam,
        "log_partition": log_z,
    }


def isotropy(kv, freq="model"):
    """Isotropy of the vectors under uniform and under Zipfian (frequency) weights.

    Parameters
    ----------
    kv : KeyedVectors
    freq : {"model", "zipf"}, str, os.PathLike, array_like or None
        Word probabilities for the Zipfian measures (see
        :mod:`embkit.postprocess.frequencies`); None gives the uniform
        measures only.

    Returns
    -------
    dict
        ``uniform`` and ``zipfian`` (None when ``freq`` is None), each a
        dict of ``mean_norm_ratio``, ``eigenvalue_ratio`` and
        ``partition_ratio`` (floats), ``eigenvalues`` (float64, (dim,),
        decreasing) and ``log_partition`` (float64, (2, dim): ``log Z(c)``
        and ``log Z(-c)`` per principal direction); ``freq`` (where ``p``
        came from, or None).

    Raises
    ------
    NoCountsError
        ``freq="model"`` on vectors without counts.
    EmbkitError
        Fewer than 2 vectors, or a frequency file covering too little.
    """
    if len(kv) < 2:
        raise InvalidDataError(f"isotropy needs at least 2 vectors, got {len(kv)}")
    norms = _norms(kv.vectors)
    n = len(kv)
    out = {"uniform": _isotropy_under(kv.vectors, np.full(n, 1.0 / n), norms), "zipfian": None, "freq": None}
    if freq is not None:
        p, info = probabilities_with_info(kv, freq)
        out["zipfian"] = _isotropy_under(kv.vectors, p, norms)
        out["freq"] = info["source"]
    return out


def norms_by_frequency(kv, freq="model"):
    """Distribution of the word-vector norms in bands of frequency rank (1-10, 11-100, 101-1,000, ...).

    Parameters
    ----------
    kv : KeyedVectors
    freq : {"model", "zipf"}, str, os.PathLike or array_like
        What ranks the words (see :mod:`embkit.postprocess.frequencies`);
        ``"zipf"`` keeps the row order.

    Returns
    -------
    dict
        Arrays with one entry per band: ``rank_start`` and ``rank_stop``
        (1-based, inclusive), ``n_words``, ``p_min`` and ``p_max`` (word
        probabilities), ``norm_mean``, ``norm_std``, ``norm_min``,
        ``norm_q25``, ``norm_median``, ``norm_q75``, ``norm_max``; and
        ``freq`` (where ``p`` came from).

    Raises
    ------
    NoCountsError
        ``freq="model"`` on vectors without counts.
    """
    p, info = probabilities_with_info(kv, freq)
    order = np.argsort(-p, kind="stable")
    norms = _norms(kv.vectors)[order]
    p = p[order]
    n = len(order)
    edges = [0]
    while edges[-1] < n:
        edges.append(min(n, 10 ** len(edges)))
    keys = ("rank_start", "rank_stop", "n_words", "p_min", "p_max", "norm_mean", "norm_std", "norm_min",
            "norm_q25", "norm_median", "norm_q75", "norm_max")
    rows = []
    for a, b in zip(edges[:-1], edges[1:]):
        band = norms[a:b]
        q = np.quantile(band, [0.0, 0.25, 0.5, 0.75, 1.0])
        rows.append((a + 1, b, b - a, p[b - 1], p[a], band.mean(), band.std(), *q))
    out = {k: np.array([r[i] for r in rows]) for i, k in enumerate(keys)}
    for k in ("rank_start", "rank_stop", "n_words"):
        out[k] = out[k].astype(np.int64)
    out["freq"] = info["source"]
    return out


def information_gain(cooccurrence, counts=None):
    """KL divergence of each word's context distribution from the unigram distribution, in nats.

    Parameters
    ----------
    cooccurrence : scipy.sparse matrix, shape (n_words, n_words)
        ``X[w, c]``: how often context ``c`` occurs around word ``w``
        (non-negative; converted to CSR).
    counts : array_like, shape (n_words,), optional
        Unigram counts (or probabilities) giving ``p(c)``; default the
        column sums of ``cooccurrence``.

    Returns
    -------
    numpy.ndarray of float64, shape (n_words,)
        ``KL(p(.|w) || p(.))``; NaN for a word without any co-occurrence.

    Raises
    ------
    EmbkitError
        A shape mismatch, negative entries, or a context that co-occurs
        while its ``p(c)`` is 0.

    Examples
    --------
    >>> from scipy import sparse
    >>> x = sparse.csr_matrix([[0, 2, 2], [1, 0, 1], [3, 1, 0]])
    >>> information_gain(x, counts=[2, 1, 1]).round(4).tolist()
    [0.6931, 0.3466, 0.3041]
    """
    x = sparse.csr_matrix(cooccurrence, dtype=np.float64)
    n_rows, n_cols = x.shape
    if x.nnz and x.data.min() < 0:
        raise InvalidDataError("co-occurrence counts must not be negative")
    if counts is None:
        unigram = np.asarray(x.sum(axis=0)).ravel()
    else:
        unigram = np.asarray(counts, dtype=np.float64).ravel()
        if unigram.shape != (n_cols,):
            raise InvalidDataError(f"counts must have one entry per column ({n_cols}), got shape {unigram.shape}")
    total = unigram.sum()
    if not total > 0:
        raise InvalidDataError("the unigram counts sum to 0")
    x.eliminate_zeros()
    rows = np.repeat(np.arange(n_rows), np.diff(x.indptr))
    row_sums = np.asarray(x.sum(axis=1)).ravel()
    p_c = unigram / total
    if x.nnz and p_c[x.indices].min() <= 0:
        bad = int(x.indices[np.argmin(p_c[x.indices])])
        raise InvalidDataError(f"context {bad} co-occurs with words but its unigram count is 0")
    p_cw = x.data / row_sums[rows]
    terms = p_cw * (np.log(p_cw) - np.log(p_c[x.indices]))
    kl = np.bincount(rows, weights=terms, minlength=n_rows)
    kl[row_sums == 0] = np.nan
    return kl


def _reading_settings(kv, tokenizer, lowercase):
    """How the model read its corpus (``meta["params"]``): the settings to encode with, and those lost.

    Returns
    -------
    settings : dict
        ``tokenizer``, ``lowercase``, ``max_sentence_length``,
        ``encoding_errors`` and the ``phrases`` / ``terms`` that can be
        applied again (``"auto"``, or a file that is still there).
    lost : list of str
        What the model joined terms with but cannot be applied again (a
        file that is gone, a term list given in Python).
    """
    params = kv.meta.get("params") or {}
    if (tokenizer is None and "tokenizer" not in params) or (lowercase is None and "lowercase" not in params):
        log.warning("the vectors do not record how their corpus was read (word2vec and fastText files do not): "
                    "the corpus is read with tokenizer=%r and lowercase=%s; if the model read it otherwise, give "
                    "them (--tokenizer, --lowercase; tokenizer=, lowercase= in Python), or fewer of its words "
                    "will be counted",
                    tokenizer or params.get("tokenizer") or "whitespace",
                    bool(params.get("lowercase", False)) if lowercase is None else bool(lowercase))
    settings = {"tokenizer": tokenizer or params.get("tokenizer") or "whitespace",
                "lowercase": bool(params.get("lowercase", False)) if lowercase is None else bool(lowercase),
                "max_sentence_length": int(params.get("max_sentence_length") or 10000),
                "encoding_errors": params.get("encoding_errors") or "strict"}
    lost = []
    for name in ("phrases", "terms"):
        value = params.get(name)
        if value is None:
            continue
        if (name == "phrases" and value == "auto") or (isinstance(value, str) and os.path.isfile(value)):
            settings[name] = value
        else:
            lost.append(f"{name} {value!r}")
    return settings, lost


def count_cooccurrence(kv, corpus, window=None, tokenizer=None, lowercase=None, progress=True):
    """Count word co-occurrences in a corpus for the vocabulary of ``kv`` (rows and columns = rows of ``kv``).

    The corpus is read as the model read its own (``meta["params"]``): the
    same tokenizer, lowercasing, sentence length and invalid-UTF-8 rule,
    and the same multi-word terms joined (``phrases``: ``"auto"`` detects
    them again in ``corpus``, a phrases file is read again; ``terms``: the
    terms file), so term vectors (``new_york``) are counted.  A phrases or
    terms file that is gone is left out with a warning naming how many of
    the model's words were then not counted.  Words outside the vocabulary
    are dropped before windows are taken (as in training), every pair at
    distance 1 to ``window`` within a sentence counts 1 in both directions
    (uniform weighting, no subsampling, no dynamic window).

    Parameters
    ----------
    kv : KeyedVectors
    corpus : str, os.PathLike or sequence of them
        Text files as ``embkit train`` reads them.
    window : int, optional
        Default: the model's ``window`` (``meta["params"]``, or the ``ws`` of
        a fastText ``.bin`` header).
    tokenizer : {"whitespace", "regex"}, optional
        Default: the model's tokenizer, else ``"whitespace"``.
    lowercase : bool, optional
        Default: the model's setting, else False.
    progress : bool
        Show a progress bar while reading the corpus.

    Returns
    -------
    Cooccurrence
        ``matrix`` (scipy.sparse.csr_matrix of float64, (n_words,
        n_words)), ``words`` (the keys of ``kv``), ``counts`` (int64 token
        counts in this corpus), ``settings`` (window, weighting, context,
        tokenizer, lowercase, the phrases and terms joined, corpus).

    Raises
    ------
    EmbkitError
        No window given and none in the model's metadata.
    CorpusError
        The corpus cannot be read or holds no vocabulary word.
    FormatError
        The model's phrases or terms file is malformed.
    """
    from .corpus._counting import count_runs
    from .corpus.cooccur import Cooccurrence
    from .corpus.encoded import EncodedCorpus
    from .corpus.vocab import Vocabulary

    params = kv.meta.get("params") or {}
    window = (params.get("window") or (kv.meta.get("fasttext_args") or {}).get("ws")) if window is None else window
    if window is None or int(window) < 1:
        raise InvalidParameterError("counting co-occurrences needs a window >= 1: the vectors' metadata has none, "
                                    "give one (--window N; window= in Python)")
    window = int(window)
    reading, lost = _reading_settings(kv, tokenizer, lowercase)
    counts = kv.counts if kv.counts is not None else np.ones(len(kv), dtype=np.int64)
    vocab = Vocabulary(kv.index_to_key, np.maximum(counts, 1))
    enc = EncodedCorpus.encode(corpus, vocab=vocab, progress=progress, **reading)
    runs, _ = count_runs(enc, window, "uniform", "both", progress=progress)     # the counting kernel of cooccur
    try:
        matrix = runs.to_csr()
    finally:
        runs.spill.remove()
    token_counts = np.bincount(np.asarray(enc.tokens), minlength=len(kv)).astype(np.int64)
    if lost:
        log.warning("the vectors were trained with %s joined, which cannot be read here (not a file from the "
                    "current directory): the corpus was counted without those terms, and %d of the %d words of "
                    "the vectors were not counted (their information gain is left out)", " and ".join(lost),
                    int(np.count_nonzero(token_counts == 0)), len(kv))
    settings = {"window": window, "weighting": "uniform", "context": "both",
                **{k: reading.get(k) for k in ("tokenizer", "lowercase", "phrases", "terms")},
                "corpus": [os.fspath(c) for c in corpus] if isinstance(corpus, (list, tuple)) else os.fspath(corpus)}
    return Cooccurrence(matrix, Vocabulary(kv.index_to_key, token_counts), settings)


def _aligned_gain(kv, cooc):
    """Information gain and unigram count of every row of ``kv`` (NaN where the counts lack the word)."""
    from .corpus.cooccur import Cooccurrence

    if sparse.issparse(cooc):
        words, matrix, counts, settings = list(kv.index_to_key), cooc, None, {}
    else:
        if isinstance(cooc, (str, os.PathLike)):
            cooc = Cooccurrence.load(cooc)
        elif not isinstance(cooc, Cooccurrence):
            raise ParameterTypeError("co-occurrence counts must be the path of a counts .npz file, a Cooccurrence "
                                     "(embkit.cooccur) or a square scipy.sparse matrix, not "
                                     f"{type(cooc).__name__}")
        words, matrix, settings = cooc.words, cooc.matrix, cooc.settings
        counts = None if settings.get("counts_from") == "column sums" else cooc.counts
    gain = information_gain(matrix, counts)
    if counts is None:
        counts = np.asarray(sparse.csr_matrix(matrix).sum(axis=0)).ravel()
    rows = np.array([kv.key_to_index.get(w, -1) for w in words], dtype=np.int64)
    out, out_counts = np.full(len(kv), np.nan), np.full(len(kv), np.nan)
    out[rows[rows >= 0]] = gain[rows >= 0]
    out_counts[rows[rows >= 0]] = np.asarray(counts, dtype=np.float64)[rows >= 0]
    return out, out_counts, settings


def _spearman(x, y, mask):
    if mask.sum() < 3 or np.ptp(x[mask]) == 0 or np.ptp(y[mask]) == 0:
        return None
    return float(stats.spearmanr(x[mask], y[mask])[0])


def norm_information_gain(kv, cooccurrence, min_count=100):
    """Squared norm of each word vector beside its information gain, and their Spearman correlation.

    Parameters
    ----------
    kv : KeyedVectors
    cooccurrence : str, os.PathLike, Cooccurrence or scipy.sparse matrix
        A counts ``.npz`` path (read by
        :meth:`embkit.Cooccurrence.load <embkit.corpus.cooccur.Cooccurrence.load>`:
        the file ``embkit cooccur`` writes, or SciPy's arrays plus
        ``vocab``), counts from :func:`embkit.cooccur` or
        :func:`count_cooccurrence` (rows matched to ``kv`` by word; ``p(c)``
        from their word counts), or a square sparse matrix whose rows and
        columns are the rows of ``kv`` (``p(c)`` then from its column sums).
    min_count : int
        The correlation is also given over the words seen at least this
        many times (the model's counts, else those of the co-occurrence
        data). The gain of a rare word is estimated from few co-occurrences
        and comes out too high (the plug-in estimate of a KL divergence is
        biased upwards), and its vector got few updates, so the figure over
        frequent words is the cleaner one.

    Returns
    -------
    dict
        ``squared_norm`` and ``information_gain`` (float64, (n_words,), in
        row order; NaN gain for words without co-occurrences or absent from
        the counts), ``spearman`` (over the words with a gain; None when
        fewer than 3), ``n_words`` (that number), ``spearman_frequent`` and
        ``n_frequent`` (the same over the words seen at least ``min_count``
        times), ``min_count`` and ``settings`` (of the counts).

    Raises
    ------
    FormatError
        A counts file that cannot be read (see ``Cooccurrence.load``).
    ParameterTypeError
        ``cooccurrence`` of another type.
    EmbkitError
        As :func:`information_gain`.
    """
    gain, cooc_counts, settings = _aligned_gain(kv, cooccurrence)
    counts = kv.counts.astype(np.float64) if kv.counts is not None and kv.counts.any() else cooc_counts
    sq = _norms(kv.vectors) ** 2
    ok = np.isfinite(gain)
    frequent = ok & (np.nan_to_num(counts, nan=-1.0) >= min_count)
    return {"squared_norm": sq, "information_gain": gain, "spearman": _spearman(sq, gain, ok),
            "n_words": int(ok.sum()), "spearman_frequent": _spearman(sq, gain, frequent),
            "n_frequent": int(frequent.sum()), "min_count": int(min_count),
            "settings": dict(settings)}


#: ``analyze`` warns when the counts cover less than this share of the vectors' words.
COVERAGE_WARNING = 0.5


def analyze(kv, freq="model", cooccurrence=None, corpus=None, window=None, min_count=100, tokenizer=None,
            lowercase=None):
    """Isotropy, norms by frequency band and (with co-occurrence counts) norm against information gain.

    Parameters
    ----------
    kv : KeyedVectors
    freq : {"model", "zipf"}, str, os.PathLike or array_like
        Word probabilities (see :mod:`embkit.postprocess.frequencies`), as
        for :func:`embkit.whiten`: ``"model"`` on vectors without counts
        (word2vec text and binary files) is an error naming the
        alternatives (``"zipf"`` or a frequency file).
    cooccurrence : str, os.PathLike, Cooccurrence or scipy.sparse matrix, optional
        Co-occurrence counts (see :func:`norm_information_gain`).
    corpus : str, os.PathLike or sequence of them, optional
        Count co-occurrences in this corpus instead (see
        :func:`count_cooccurrence`).
    window : int, optional
        Window for ``corpus`` (default the model's).
    min_count : int
        Also correlate over the words seen at least this often (see
        :func:`norm_information_gain`).
    tokenizer : {"whitespace", "regex"}, optional
        How ``corpus`` is split (default: as the model recorded, see
        :func:`count_cooccurrence`).
    lowercase : bool, optional
        Lowercase ``corpus`` (default: as the model recorded).

    Returns
    -------
    dict
        ``n_words``, ``dim``, ``freq``, ``isotropy`` (:func:`isotropy`),
        ``norms_by_frequency`` (:func:`norms_by_frequency`),
        ``probabilities`` (float64, (n_words,): the ``p`` used, row order),
        ``squared_norm`` (float64, (n_words,)) and ``information_gain``
        (:func:`norm_information_gain`, or None).

    Raises
    ------
    NoCountsError
        ``freq="model"`` on vectors without counts.
    EmbkitError
        Both ``cooccurrence`` and ``corpus`` given, or as the functions
        called.
    """
    if cooccurrence is not None and corpus is not None:
        raise InvalidParameterError("give co-occurrence counts or a corpus to count them in, not both")
    p, info = probabilities_with_info(kv, freq)
    result = {"n_words": len(kv), "dim": kv.dim, "freq": info["source"],
              "isotropy": isotropy(kv, p), "norms_by_frequency": norms_by_frequency(kv, p),
              "probabilities": p, "squared_norm": _norms(kv.vectors) ** 2, "information_gain": None}
    result["isotropy"]["freq"] = result["norms_by_frequency"]["freq"] = result["freq"]
    if corpus is not None:
        cooccurrence = count_cooccurrence(kv, corpus, window=window, tokenizer=tokenizer, lowercase=lowercase)
    if cooccurrence is not None:
        result["information_gain"] = ig = norm_information_gain(kv, cooccurrence, min_count=min_count)
        if ig["n_words"] < COVERAGE_WARNING * len(kv):
            log.warning("the co-occurrence counts give an information gain for only %d of the %d words of the "
                        "vectors: counts of another corpus, or read with another tokenizer or case?",
                        ig["n_words"], len(kv))
    return result


def plot_analysis(result, path):
    """Write a figure: squared norm against information gain (or against frequency), coloured by frequency.

    Parameters
    ----------
    result : dict
        As returned by :func:`analyze`.
    path : str or os.PathLike
        The file to write (atomically): ``.png``, ``.pdf`` or ``.svg``, the
        format its suffix names.

    Raises
    ------
    EmbkitError
        When matplotlib is not installed (the message says what to install);
        a ``path`` with another suffix, or that is a directory, a device,
        pipe or socket, or in a directory that does not exist (checked
        before drawing; see :mod:`embkit._outputs`).
    """
    check_figure_output(path)
    try:
        from matplotlib.figure import Figure  # no pyplot: the caller's backend is left alone
    except ImportError:
        raise MissingDependencyError(f"--plot needs matplotlib, which is not installed: {PLOT_INSTALL_HINT}") from None
    p = result["probabilities"]
    ig = result.get("information_gain")
    sq = result["squared_norm"]
    fig = Figure(figsize=(7, 5), dpi=120)
    ax = fig.subplots()
    colour = np.log10(np.where(p > 0, p, np.nan))
    if ig:
        ok = np.isfinite(ig["information_gain"])
        pts = ax.scatter(ig["information_gain"][ok], sq[ok], c=colour[ok], s=3, cmap="viridis", linewidths=0)
        ax.set_xlabel("information gain KL(p(·|w) ‖ p(·)) [nats]")
        rho = ig["spearman"]
        ax.set_title("squared norm vs information gain" + ("" if rho is None else f" (Spearman {rho:.3f})"))
    else:
        pts = ax.scatter(colour, result["squared_norm"], c=colour, s=3, cmap="viridis", linewidths=0)
        ax.set_xlabel("log10 p(w)")
        ax.set_title("squared norm vs word frequency")
    ax.set_ylabel("squared norm ||w||²")
    fig.colorbar(pts, ax=ax, label="log10 p(w)")
    fig.tight_layout()
    write_figure(fig, path)
