"""Semantic change between aligned slices: shift scores, neighbourhood overlap, neighbours within a slice.

Given slices aligned in one coordinate system (:class:`~embkit.models.aligned.AlignedSlices`,
from ``embkit align`` or :class:`~embkit.CompassAligner`), a word's **shift**
between slices ``a`` and ``b`` is the cosine distance ``1 - cos(v_a, v_b)``
between its two vectors (Hamilton, Leskovec & Jurafsky 2016).  Its
**overlap** is a second measure that needs no common coordinates: the
Jaccard index of its ``k`` nearest neighbours in ``a`` and in ``b``, both
searched among the same words, those occurring at least ``min_count``
times in both slices (Gonen et al. 2020 use the intersection of these
neighbour sets).  Low overlap is a change; words frequent in both slices
with high cosine and high overlap are the most stable.

References
----------
Hamilton, W. L., Leskovec, J., Jurafsky, D. (2016). Diachronic Word
Embeddings Reveal Statistical Laws of Semantic Change. ACL 2016.
Gonen, H., Jawahar, G., Seddah, D., Goldberg, Y. (2020). Simple, Interpretable
and Stable Method for Detecting Words with Usage Change across Corpora.
ACL 2020.
"""
import logging
import os
from collections.abc import Mapping

import numpy as np

from ..exceptions import InvalidDataError, InvalidParameterError, KeyNotFoundError, ParameterTypeError
from ..postprocess.align import anchor_words
from ..subword_vectors import SubwordVectors

log = logging.getLogger(__name__)

BLOCK_ROWS = 512
"""Query rows scored at once (keeps the score matrix small)."""

PAIRS = ("consecutive", "all")

__all__ = ["shift_scores", "neighbors_in", "self_retrieval", "slice_pairs", "shift_report", "as_aligned", "in_slice",
           "PAIRS"]


def as_aligned(aligned):
    """Aligned slices from what the functions of this module accept.

    Parameters
    ----------
    aligned : AlignedSlices, CompassAligner, mapping of str to KeyedVectors, or path
        A fitted aligner, slice vectors by name, or an ``embkit align``
        output directory (loaded memory-mapped).

    Returns
    -------
    AlignedSlices

    Raises
    ------
    EmbkitError
        An unreadable directory, or an object of another type.
    """
    from ..models.aligned import AlignedSlices

    if isinstance(aligned, AlignedSlices):
        return aligned
    if hasattr(aligned, "aligned_"):
        return aligned.aligned_
    if isinstance(aligned, Mapping):
        return AlignedSlices(aligned)
    if isinstance(aligned, (str, os.PathLike)):
        return AlignedSlices.load(aligned)
    raise ParameterTypeError(f"expected aligned slices (a directory, an AlignedSlices, a CompassAligner or a dict of "
                             f"KeyedVectors), got {type(aligned).__name__}")


def in_slice(kv, word):
    """Whether a slice gives ``word`` a vector: in its vocabulary or, for a subword slice, composed.

    Parameters
    ----------
    kv : KeyedVectors or SubwordVectors
        One slice.
    word : str

    Returns
    -------
    bool
        True for a word of its vocabulary, and for a word a subword
        (fastText) slice composes from its character n-grams.
    """
    return word in kv.key_to_index or (isinstance(kv, SubwordVectors) and kv.has_vector(word))


def _count(kv, word):
    if word not in kv.key_to_index:
        return 0                                 # composed from its n-grams: it never occurs in the slice
    return int(kv.counts[kv.key_to_index[word]]) if kv.counts is not None else None


def _unit_rows(kv, words):
    """Unit vectors of ``words`` in ``kv``, ``(len(words), dim)`` float32; a subword slice composes those it lacks."""
    if not words:
        return np.zeros((0, kv.dim), np.float32)
    idx = np.array([kv.key_to_index.get(w, -1) for w in words], dtype=np.int64)
    out = kv.unit_vectors[np.maximum(idx, 0)]
    for i in np.flatnonzero(idx < 0).tolist():
        out[i] = kv.get_vector(words[i], norm=True)
    return out


def _top_k(unit_queries, unit_keys, k, exclude=None):
    """Indices of the ``k`` best keys for each query (cosine; equal scores by key index), ``(n, k)`` int64."""
    n = len(unit_queries)
    k = min(k, len(unit_keys) - (1 if exclude is not None else 0))
    out = np.zeros((n, max(k, 0)), np.int64)
    if k <= 0:
        return out
    for start in range(0, n, BLOCK_ROWS):
        sims = unit_queries[start:start + BLOCK_ROWS] @ unit_keys.T
        if exclude is not None:
            rows = np.arange(len(sims))
            sims[rows, exclude[start:start + BLOCK_ROWS]] = -np.inf
        part = np.argpartition(-sims, k - 1, axis=1)[:, :k] if k < sims.shape[1] else np.tile(
            np.arange(sims.shape[1]), (len(sims), 1))
        scores = np.take_along_axis(sims, part, axis=1)
        order = np.lexsort((part, -scores), axis=1)
        out[start:start + len(sims)] = np.take_along_axis(part, order, axis=1)
    return out


def shift_scores(aligned, a, b, min_count=20, k=10, words=None):
    """How far each word moved between slices ``a`` and ``b``: cosine distance and neighbourhood overlap.

    Parameters
    ----------
    aligned : AlignedSlices, CompassAligner, mapping of str to KeyedVectors, or path
        See :func:`as_aligned`.
    a, b : str
        Slice names.
    min_count : int
        Scored words occur at least this often in both slices (by the
        slices' counts; slices without counts take every shared word).
    k : int
        Neighbours compared by the overlap, searched among the scored words
        (and ``words``) in each slice.
    words : sequence of str, optional
        Score these words only, whatever their counts: each must be in both
        slices, or be composed there from its character n-grams (subword
        slices: fastText models).

    Returns
    -------
    list of dict
        One per word, most shifted first (equal shifts by word; ``words`` in
        their given order): ``word``,
        ``shift`` (``1 - cosine``, in [0, 2]), ``cosine``, ``overlap``
        (Jaccard of the ``k`` nearest neighbours, in [0, 1]; None when
        fewer than two words are compared), ``count_a`` and ``count_b``;
        with ``words``, also ``composed``: the slices (``a``, ``b``, both or
        none) whose vector of the word was composed from its n-grams
        (its count there is 0), and ``below_min_count``: True for a word
        outside the words scored (seen fewer than ``min_count`` times in a
        slice), reported because it was asked for.

    Raises
    ------
    EmbkitError
        An unknown slice, slices of different dims, or a given word missing
        from a word-vector slice (or without n-grams in a subword slice; all
        named).
    """
    s = as_aligned(aligned)
    ka, kb = s[a], s[b]
    if ka.dim != kb.dim:
        raise InvalidDataError(f"slices {a!r} and {b!r} have dims {ka.dim} and {kb.dim}: they are not aligned")
    universe = anchor_words(kb, ka, min_count)        # ka's words, frequent in both
    if words is not None:
        words = list(dict.fromkeys(words))
        for name, kv in ((a, ka), (b, kb)):
            missing = [w for w in words if not in_slice(kv, w)]
            if missing:
                raise KeyNotFoundError(missing[0], message=f"not in slice {name!r} ({len(kv)} words): "
                                                              f"{', '.join(map(repr, missing))}")
        seen = set(universe)
        universe = universe + [w for w in words if w not in seen]
    rows = words if words is not None else universe
    pos = {w: i for i, w in enumerate(universe)}
    ua, ub = _unit_rows(ka, universe), _unit_rows(kb, universe)
    idx = np.array([pos[w] for w in rows], dtype=np.int64)
    cos = np.einsum("ij,ij->i", ua[idx], ub[idx], dtype=np.float64) if len(idx) else np.zeros(0)
    overlap = [None] * len(rows)
    if len(universe) >= 2 and k >= 1:
        na = _top_k(ua[idx], ua, k, exclude=idx)
        nb = _top_k(ub[idx], ub, k, exclude=idx)
        overlap = [len(set(x) & set(y)) / len(set(x) | set(y)) for x, y in zip(na.tolist(), nb.tolist())]
    out = [{"word": w, "shift": round(1.0 - float(c), 6), "cosine": round(float(c), 6),
            "overlap": None if o is None else round(o, 6), "count_a": _count(ka, w), "count_b": _count(kb, w)}
           for w, c, o in zip(rows, cos.tolist(), overlap)]
    if words is None:
        out.sort(key=lambda r: (-r["shift"], r["word"]))
    else:
        for r in out:
            r["composed"] = [n for n, kv in ((a, ka), (b, kb)) if r["word"] not in kv.key_to_index]
            r["below_min_count"] = r["word"] not in seen     # shown as asked, outside the scored words
    return out


def neighbors_in(aligned, slice, word, k=10, of=None, min_count=None):
    """The nearest words in one slice to a word's vector (from that slice, or from another).

    Parameters
    ----------
    aligned : AlignedSlices, CompassAligner, mapping of str to KeyedVectors, or path
        See :func:`as_aligned`.
    slice : str
        Where to search.
    word : str
        A word of the query slice's vocabulary or, in a subword slice
        (fastText model), any word it composes from its character n-grams.
    k : int
        How many neighbours.
    of : str, optional
        The slice whose vector of ``word`` is the query (default ``slice``);
        e.g. ``neighbors_in(s, "1990s", "broadcast", of="1800s")`` gives the
        1990s words nearest to the 1800s meaning.
    min_count : int, optional
        Search only words occurring at least this often in ``slice``.

    Returns
    -------
    list of (str, float)
        Words and cosines, best first (equal cosines by row); ``word``
        itself is left out when ``of`` is ``slice``.

    Raises
    ------
    EmbkitError
        An unknown slice, or ``word`` not in the query slice (a word-vector
        slice, or a subword slice finding no n-gram of it).
    """
    s = as_aligned(aligned)
    target = s[slice]
    source = s[slice if of is None else of]
    if not in_slice(source, word):
        raise KeyNotFoundError(word, message=f"{word!r} is not in slice {slice if of is None else of!r} "
                                             f"({len(source)} words)")
    query = _unit_rows(source, [word])[0]
    rows = np.arange(len(target))
    if min_count is not None and target.counts is not None:
        rows = np.flatnonzero(target.counts >= min_count)
    if of is None or of == slice:
        rows = rows[rows != target.key_to_index.get(word, -1)]
    if not len(rows) or k <= 0:
        return []
    sims = target.unit_vectors[rows] @ query
    order = np.lexsort((rows, -sims))[:k]
    return [(target.index_to_key[rows[i]], round(float(sims[i]), 6)) for i in order.tolist()]


def self_retrieval(aligned, a, b, min_count=50):
    """How often a word's vector in ``a`` has the same word as its nearest neighbour in ``b``.

    A check of the alignment on slices that share most of their meaning
    (e.g. two translations of one text): the words occurring at least
    ``min_count`` times in both are the queries, searched among every word of
    ``b``.

    Parameters
    ----------
    aligned : AlignedSlices, CompassAligner, mapping of str to KeyedVectors, or path
        See :func:`as_aligned`.
    a, b : str
        Query and searched slice.
    min_count : int

    Returns
    -------
    dict
        ``top1`` (fraction, or None without any query word), ``words`` (the
        number of query words), ``hits``.
    """
    s = as_aligned(aligned)
    ka, kb = s[a], s[b]
    words = anchor_words(kb, ka, min_count)
    if not words:
        return {"top1": None, "words": 0, "hits": 0}
    queries = ka.unit_vectors[[ka.key_to_index[w] for w in words]]
    best = _top_k(queries, kb.unit_vectors, 1)[:, 0]
    hits = sum(kb.index_to_key[j] == w for w, j in zip(words, best.tolist()))
    return {"top1": hits / len(words), "words": len(words), "hits": int(hits)}


def slice_pairs(names, pairs="consecutive"):
    """The slice pairs to compare.

    Parameters
    ----------
    names : sequence of str
        Slices in order.
    pairs : {"consecutive", "all"}

    Returns
    -------
    list of (str, str)
        ``consecutive``: each slice with the next; ``all``: every pair, in order.
    """
    names = list(names)
    if pairs not in PAIRS:
        raise InvalidParameterError(f"pairs must be one of {', '.join(PAIRS)}, got {pairs!r}")
    if pairs == "consecutive":
        return list(zip(names[:-1], names[1:]))
    return [(x, y) for i, x in enumerate(names) for y in names[i + 1:]]


def shift_report(aligned, pairs="consecutive", top=50, min_count=20, k=10, words=None):
    """The semantic-change report of ``embkit shift``: per pair, the most shifted and most stable words.

    Parameters
    ----------
    aligned : AlignedSlices, CompassAligner, mapping of str to KeyedVectors, or path
        See :func:`as_aligned`.
    pairs : {"consecutive", "all"}
        See :func:`slice_pairs`.
    top : int
        Words listed as most shifted, and as most stable.
    min_count : int
        See :func:`shift_scores`; also the neighbours listed occur at least
        this often in their slice.
    k : int
        Neighbours of the overlap and of the lists.
    words : sequence of str, optional
        Report these words instead of the top lists.

    Returns
    -------
    dict
        ``slices``, ``method``, ``min_count``, ``k`` and ``pairs``: for
        each pair ``a``, ``b``, ``scored`` (words compared) and either
        ``most_shifted`` and ``most_stable`` or ``words``: rows of
        :func:`shift_scores` plus ``neighbors_a`` and ``neighbors_b``
        (lists of [word, cosine]).
    """
    s = as_aligned(aligned)
    if len(s) < 2:
        raise InvalidDataError(f"a shift report needs at least two slices, found {len(s)}")
    report = {"slices": s.names, "method": s.manifest.get("method"), "min_count": min_count, "k": k,
              "pairs": []}
    uncounted = [n for n in s.names if s[n].counts is None]
    if uncounted and min_count > 1:
        log.warning("slice%s %s carr%s no word counts (word2vec .vec/.bin files store none): min_count=%d cannot "
                    "apply there, so every word %s is compared; write the slices in the native format "
                    "to keep the counts", "s" if len(uncounted) > 1 else "", ", ".join(uncounted),
                    "y" if len(uncounted) > 1 else "ies", min_count, "they hold" if len(uncounted) > 1 else "it holds",
                    extra={"params": ("min_count",)})
        report["uncounted"] = uncounted
    for a, b in slice_pairs(s.names, pairs):
        rows = shift_scores(s, a, b, min_count=min_count, k=k, words=words)
        scored = len(rows) if words is None else len(anchor_words(s[b], s[a], min_count))
        entry = {"a": a, "b": b, "scored": scored}
        if words is not None:
            entry["words"] = rows
        else:
            stable = sorted(rows, key=lambda r: (r["shift"], -(r["overlap"] or 0), r["word"]))
            entry["most_shifted"], entry["most_stable"] = rows[:top], stable[:top]
        for group in ("words", "most_shifted", "most_stable"):
            for r in entry.get(group, []):
                r["neighbors_a"] = [list(x) for x in neighbors_in(s, a, r["word"], k, min_count=min_count)]
                r["neighbors_b"] = [list(x) for x in neighbors_in(s, b, r["word"], k, min_count=min_count)]
        report["pairs"].append(entry)
    return report
