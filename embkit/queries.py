"""Cosine queries on KeyedVectors: neighbours, analogies, similarities and distances.

Every function takes a :class:`~embkit.vectors.KeyedVectors` first; the
methods of :class:`~embkit.vectors.KeyedVectors` of the same names call
them. Arguments and scores follow gensim 4's ``KeyedVectors``, with three
rules that gensim does not keep:

* a zero (or non-finite) vector has cosine 0 with every vector, so no score
  is NaN (gensim divides by a zero norm);
* equal scores are ranked by row, the lower row first, so results do not
  depend on the sorting algorithm;
* keys given as query terms are never returned.

Cosines come from :attr:`~embkit.vectors.KeyedVectors.unit_vectors`
(float32), are summed in float64 and rounded to float32 (so equal vectors
score exactly alike), and are clipped to [-1, 1].

>>> import numpy as np
>>> from embkit.vectors import KeyedVectors
>>> kv = KeyedVectors(["man", "woman", "king", "queen"],
...                   [[1, 0, 1], [0, 1, 1], [1, 0, -1], [0, 1, -1]])
>>> analogy(kv, "man", "king", "woman", topn=1)[0][0]
'queen'

References
----------
Mikolov, T., Yih, W., Zweig, G. (2013). Linguistic Regularities in Continuous
Space Word Representations. NAACL-HLT 2013, 746-751 (the vector offset,
3CosAdd).

Levy, O., Goldberg, Y. (2014). Linguistic Regularities in Sparse and Explicit
Word Representations. CoNLL 2014, 171-180 (3CosMul: equation 4, with cosines
shifted to [0, 1] as in footnote 7).

Řehůřek, R., Sojka, P. (2010). Software Framework for Topic Modelling with
Large Corpora. LREC 2010 workshop (gensim, whose queries these match).
"""
import numpy as np

from .exceptions import InvalidParameterError, KeyNotFoundError

__all__ = [
    "ANALOGY_METHODS", "most_similar", "most_similar_cosmul", "similar_by_vector", "analogy",
    "similarity", "n_similarity", "distance", "distances", "closer_than", "rank", "doesnt_match",
]

#: Objectives of :func:`analogy` (the same as those of the analogy evaluation).
ANALOGY_METHODS = ("3cosadd", "3cosmul")

# gensim's most_similar_cosmul epsilon; the analogy evaluation uses Levy &
# Goldberg's 0.001, and so does analogy(method="3cosmul")
COSMUL_EPSILON = 1e-6


# -- helpers -------------------------------------------------------------------

def _unit(vector):
    """``vector`` scaled to length 1 (float64); a zero or non-finite vector becomes zero."""
    vector = np.asarray(vector, dtype=np.float64)
    with np.errstate(all="ignore"):
        norm = np.linalg.norm(vector)
    if not np.isfinite(norm) or norm == 0:
        return np.zeros_like(vector)
    return vector / norm


def _count(name, value, default):
    """A non-negative integer argument; None gives ``default``."""
    if value is None:
        return default
    if isinstance(value, bool) or int(value) != value or value < 0:
        raise InvalidParameterError(f"{name} must be a non-negative integer or None, got {value!r}")
    return int(value)


def _as_list(group):
    """Query terms as a list: one key or 1-D vector is wrapped, a 2-D array gives its rows."""
    if group is None:
        return []
    if isinstance(group, str):
        return [group]
    if isinstance(group, np.ndarray):
        return list(group) if group.ndim == 2 else [group]
    return list(group)


def _keys(words):
    """A list of keys; one str stands for a list of one key."""
    return [words] if isinstance(words, str) else list(words)


def _lookup(kv, case_sensitive, vocab):
    """The word look-up to use: ``vocab``, or a case-folding one, or None (exact keys)."""
    if vocab is not None or case_sensitive:
        return vocab
    from .evaluation.analogy import VocabIndex
    return VocabIndex(kv, case_sensitive=False)


def _row(kv, key, vocab):
    """Row of ``key``, exactly or through ``vocab``."""
    if vocab is None:
        return kv.get_index(key)
    row = vocab.row(key) if isinstance(key, str) else -1
    if row < 0:
        raise KeyNotFoundError(key, len(kv))
    return row


def _term(kv, item, weight, vocab, weighted=True):
    """(unit vector float64 of shape (dim,), rows to leave out, weight) of one query term."""
    if isinstance(item, tuple) and len(item) == 2 and not isinstance(item[1], str):
        if not weighted:
            raise InvalidParameterError("most_similar_cosmul takes keys or vectors, not (term, weight) pairs")
        item, weight = item[0], float(item[1])
    if isinstance(item, str):
        row = _row(kv, item, vocab)
        rows = (row,) if vocab is None else tuple(vocab.variants(row))
        return np.asarray(kv.unit_vectors[row], dtype=np.float64), rows, weight
    vec = np.asarray(item, dtype=np.float64)
    if vec.shape != (kv.dim,):
        raise InvalidParameterError(f"a query vector must have shape ({kv.dim},), got {vec.shape}")
    return _unit(vec), (), weight


def _dots(block, terms):
    """Dot products (m, k) of ``block`` (m, dim) with ``terms`` (k, dim), summed in float64.

    A float32 product can give equal rows results an ulp apart (its rounding
    depends on where a row sits in memory); float64 sums rounded to float32
    by the callers do not.
    """
    return np.einsum("ij,kj->ik", block, np.asarray(terms, dtype=np.float64), dtype=np.float64)


def _cosines(block, query):
    """Cosines (float32, shape (m,)) of unit rows ``block`` with a unit ``query``; equal rows tie."""
    cos = _dots(block, np.reshape(query, (1, -1)))[:, 0]
    return np.clip(cos, -1.0, 1.0, out=cos).astype(np.float32)


def _fast_cosines(block, query):
    """Cosines of ``block`` with ``query`` by a float32 product: quick; equal rows may differ."""
    return block @ np.asarray(query, dtype=np.float32)


# Far above the rounding error of a float32 cosine (about dim * 6e-8 at worst).
_MARGIN = 1e-4


def _top(kv, score, exclude, topn, restrict_vocab, query=None):
    """(key, score) of the best of the first ``restrict_vocab`` rows but ``exclude``, equal scores by row.

    ``score`` maps unit rows (m, dim) to float32 scores (m,), alike for equal
    rows. With a cosine ``query``, a float32 product picks the candidates first.
    """
    topn = _count("topn", topn, None)
    limit = min(len(kv), _count("restrict_vocab", restrict_vocab, len(kv)))
    unit = kv.unit_vectors
    skip = np.asarray(sorted({i for i in exclude if i < limit}), dtype=np.int64)
    n_left = limit - len(skip)
    wanted = n_left if topn is None else min(topn, n_left)
    if wanted <= 0:
        return []
    if query is not None and wanted < n_left:
        fast = _fast_cosines(unit[:limit], query)
        fast[skip] = -np.inf
        threshold = float(np.partition(fast, limit - wanted)[limit - wanted])
        candidates = np.flatnonzero(fast >= threshold - _MARGIN)      # all that may make it
        scores = score(unit[candidates])
    else:
        scores = score(unit[:limit])
        scores[skip] = -np.inf
        candidates = np.arange(limit)
    if wanted < len(candidates):
        # every row scoring at least the wanted-th best score, in row order
        threshold = np.partition(scores, len(scores) - wanted)[len(scores) - wanted]
        keep = np.flatnonzero(scores >= threshold)
        candidates, scores = candidates[keep], scores[keep]
    order = np.argsort(-scores, kind="stable")[:wanted]      # stable: equal scores by row
    return [(kv.index_to_key[candidates[i]], float(scores[i])) for i in order.tolist()]


# -- neighbours ----------------------------------------------------------------

def most_similar(kv, positive=None, negative=None, topn=10, restrict_vocab=None, *,
                 case_sensitive=True, vocab=None):
    """Keys closest (by cosine) to the weighted mean of the query terms (3CosAdd).

    Parameters
    ----------
    kv : KeyedVectors
        The vectors searched.
    positive, negative : str, array_like or list of them, optional
        Query terms: keys, or vectors of shape (dim,) (a 2-D array gives one
        term per row). Every term is scaled to length 1 (gensim takes a
        vector as it is) and weighted +1 (positive) or -1 (negative). A term
        may be a ``(term, weight)`` tuple whose weight replaces that default,
        as in gensim: ``negative=[("man", -2.0)]`` subtracts ``man`` twice.
        The cosine with the weighted mean ranks keys as the 3CosAdd objective
        ``sum(weight * cos(x, term))`` does.
    topn : int or None
        How many results; None returns every candidate.
    restrict_vocab : int, optional
        Only the first ``restrict_vocab`` rows (usually the most frequent
        words) are candidates.
    case_sensitive : bool
        Match keys exactly (the default). Otherwise a key stands for its most
        frequent case variant, the rule of the analogy evaluation
        (:class:`~embkit.evaluation.analogy.VocabIndex`), and all its case
        variants are left out of the results.
    vocab : VocabIndex, optional
        A prebuilt look-up to use instead of ``case_sensitive`` (saves
        building one per call, O(n_words)).

    Returns
    -------
    list of (str, float)
        Keys and cosine similarities to the query, best first; equal scores
        keep row order. Keys given as query terms are left out. Scores are
        finite: zero vectors score 0.0.

    Raises
    ------
    KeyNotFoundError
        (a KeyError) for an unknown key.
    ValueError
        When no term is given, a vector has the wrong shape, or ``topn`` or
        ``restrict_vocab`` is not a non-negative integer.
    """
    vocab = _lookup(kv, case_sensitive, vocab)
    terms = [_term(kv, item, default, vocab)
             for group, default in ((positive, 1.0), (negative, -1.0))
             for item in _as_list(group)]
    if not terms:
        raise InvalidParameterError("most_similar needs at least one positive or negative term")
    query = _unit(np.sum([weight * vec for vec, _, weight in terms], axis=0))
    exclude = [row for _, rows, _ in terms for row in rows]
    return _top(kv, lambda block: _cosines(block, query), exclude, topn, restrict_vocab, query)


def similar_by_vector(kv, vector, topn=10, restrict_vocab=None):
    """Keys closest (by cosine) to ``vector``; nothing is left out.

    Parameters
    ----------
    kv : KeyedVectors
        The vectors searched.
    vector : array_like, shape (dim,)
        The query; it is scaled to length 1.
    topn : int or None
        How many results; None returns all.
    restrict_vocab : int, optional
        Only the first ``restrict_vocab`` rows are candidates.

    Returns
    -------
    list of (str, float)
        Keys and cosines, best first; equal scores keep row order.

    Raises
    ------
    ValueError
        When ``vector`` does not have shape (dim,).
    """
    query, _, _ = _term(kv, np.asarray(vector), 1.0, None)
    return _top(kv, lambda block: _cosines(block, query), (), topn, restrict_vocab, query)


def _cosmul_score(pos, neg, epsilon):
    """Scores (float32) of unit rows: 3CosMul with the unit term vectors ``pos`` and ``neg``."""
    pos = np.array([vec for vec, _, _ in pos], dtype=np.float64)
    neg = np.array([vec for vec, _, _ in neg], dtype=np.float64).reshape(-1, pos.shape[1])

    def shifted(block, terms):
        cos = _dots(block, terms)
        np.clip(cos, -1.0, 1.0, out=cos)
        return np.prod((cos + 1.0) / 2.0, axis=1)

    def score(block):
        denominator = shifted(block, neg) if len(neg) else 1.0
        return (shifted(block, pos) / (denominator + epsilon)).astype(np.float32)
    return score


def most_similar_cosmul(kv, positive=None, negative=None, topn=10, restrict_vocab=None, *,
                        epsilon=COSMUL_EPSILON, case_sensitive=True, vocab=None):
    """Keys ranked by the multiplicative objective 3CosMul (Levy & Goldberg 2014).

    The score of a key ``x`` is ``prod(cos'(x, p) for p in positive) /
    (prod(cos'(x, n) for n in negative) + epsilon)`` with every cosine
    shifted to ``cos' = (1 + cos) / 2`` in [0, 1]. For ``positive=[b, c],
    negative=[a]`` this is equation 4 of Levy & Goldberg (2014), the answer
    to "a is to b as c is to ?"; with one positive term it ranks as
    :func:`most_similar`.

    Parameters
    ----------
    kv : KeyedVectors
        The vectors searched.
    positive : str, array_like or list of them
        Keys or vectors of shape (dim,) in the numerator; at least one.
        Vectors are scaled to length 1 (gensim takes them as they are).
    negative : str, array_like or list of them, optional
        Keys or vectors in the denominator.
    topn : int or None
        How many results; None returns every candidate.
    restrict_vocab : int, optional
        Only the first ``restrict_vocab`` rows are candidates (gensim accepts
        this argument and ignores it).
    epsilon : float
        Added to the denominator so that it is never zero; gensim's 1e-6 by
        default (Levy & Goldberg and the analogy evaluation use 0.001).
    case_sensitive : bool
        Match keys exactly, or by the evaluation's rule (see
        :func:`most_similar`).
    vocab : VocabIndex, optional
        A prebuilt look-up to use instead of ``case_sensitive``.

    Returns
    -------
    list of (str, float)
        Keys and scores (not cosines: from 0 up to ``1 / epsilon``), best
        first; equal scores keep row order. Keys given as query terms are
        left out. A zero vector has cosine 0 (``cos' = 0.5``) with everything.

    Raises
    ------
    KeyNotFoundError
        (a KeyError) for an unknown key.
    ValueError
        When ``positive`` is empty, a term is a ``(term, weight)`` pair, a
        vector has the wrong shape, ``epsilon`` is not positive, or ``topn``
        or ``restrict_vocab`` is not a non-negative integer.
    """
    if not (np.isfinite(epsilon) and epsilon > 0):
        raise InvalidParameterError(f"epsilon must be a positive number, got {epsilon!r}")
    vocab = _lookup(kv, case_sensitive, vocab)
    pos = [_term(kv, item, 1.0, vocab, weighted=False) for item in _as_list(positive)]
    neg = [_term(kv, item, 1.0, vocab, weighted=False) for item in _as_list(negative)]
    if not pos:
        raise InvalidParameterError("most_similar_cosmul needs at least one positive term")
    exclude = [row for _, rows, _ in pos + neg for row in rows]
    return _top(kv, _cosmul_score(pos, neg, float(epsilon)), exclude, topn, restrict_vocab)


def analogy(kv, a, b, c, method="3cosadd", topn=10, restrict_vocab=None, *,
            case_sensitive=True, vocab=None):
    """Answers to "``a`` is to ``b`` as ``c`` is to ?", best first.

    Parameters
    ----------
    kv : KeyedVectors
        The vectors searched.
    a, b, c : str
        The keys of the question, e.g. ``"man", "king", "woman"`` (answer
        ``"queen"``).
    method : {"3cosadd", "3cosmul"}
        ``"3cosadd"``: :func:`most_similar` with ``positive=[b, c],
        negative=[a]`` (the cosine with ``b - a + c`` of unit vectors);
        ``"3cosmul"``: :func:`most_similar_cosmul` with the same terms and
        Levy & Goldberg's epsilon 0.001, as the analogy evaluation uses.
    topn : int or None
        How many answers; None returns every candidate.
    restrict_vocab : int, optional
        Only the first ``restrict_vocab`` rows are candidates.
    case_sensitive : bool
        Match keys exactly (the default), or as the analogy evaluation does:
        a word stands for its most frequent case variant, and the case
        variants of ``a``, ``b`` and ``c`` are never answers.
    vocab : VocabIndex, optional
        A prebuilt look-up to use instead of ``case_sensitive``.

    Returns
    -------
    list of (str, float)
        Answers and their scores (cosines for 3CosAdd), best first; equal
        scores keep row order; ``a``, ``b`` and ``c`` are left out. The first
        answer is the one :func:`~embkit.evaluation.evaluate_analogies` checks.

    Raises
    ------
    KeyNotFoundError
        (a KeyError) for an unknown key.
    ValueError
        For an unknown ``method``.
    """
    from .evaluation.analogy import _COSMUL_EPS

    method_key = str(method).lower()
    if method_key not in ANALOGY_METHODS:
        raise InvalidParameterError(f"unknown analogy method {method!r}; expected one of "
                         f"{', '.join(ANALOGY_METHODS)}")
    vocab = _lookup(kv, case_sensitive, vocab)
    if method_key == "3cosadd":
        return most_similar(kv, [b, c], [a], topn, restrict_vocab, vocab=vocab)
    return most_similar_cosmul(kv, [b, c], [a], topn, restrict_vocab, epsilon=_COSMUL_EPS,
                               vocab=vocab)


# -- similarities and distances ------------------------------------------------

def similarity(kv, w1, w2):
    """Cosine similarity of two keys.

    Parameters
    ----------
    kv : KeyedVectors
        The vectors.
    w1, w2 : str
        The keys.

    Returns
    -------
    float
        In [-1, 1]; 0.0 when either vector is zero (never NaN).

    Raises
    ------
    KeyNotFoundError
        (a KeyError) for an unknown key.
    """
    unit = kv.unit_vectors
    return float(_cosines(unit[kv.get_index(w1)][None, :], unit[kv.get_index(w2)])[0])


def n_similarity(kv, ws1, ws2):
    """Cosine similarity of the means of two lists of keys.

    The raw vectors (not scaled to length 1) of each list are averaged, as
    in gensim.

    Parameters
    ----------
    kv : KeyedVectors
        The vectors.
    ws1, ws2 : list of str
        The keys; one str stands for a list of one key.

    Returns
    -------
    float
        In [-1, 1]; 0.0 when a mean is the zero vector.

    Raises
    ------
    KeyNotFoundError
        (a KeyError) for an unknown key (gensim 4.4 leaves unknown keys out
        silently).
    ValueError
        When a list is empty (gensim raises ZeroDivisionError).
    """
    ws1, ws2 = _keys(ws1), _keys(ws2)
    if not ws1 or not ws2:
        raise InvalidParameterError("n_similarity needs at least one key in each list")
    mean1 = np.asarray(kv[ws1], dtype=np.float64).mean(axis=0)
    mean2 = np.asarray(kv[ws2], dtype=np.float64).mean(axis=0)
    return float(np.clip(np.dot(_unit(mean1), _unit(mean2)), -1.0, 1.0))


def distance(kv, w1, w2):
    """Cosine distance ``1 - similarity(w1, w2)`` of two keys.

    Parameters
    ----------
    kv : KeyedVectors
        The vectors.
    w1, w2 : str
        The keys.

    Returns
    -------
    float
        In [0, 2]; 1.0 when either vector is zero.

    Raises
    ------
    KeyNotFoundError
        (a KeyError) for an unknown key.
    """
    return 1.0 - similarity(kv, w1, w2)


def distances(kv, word_or_vector, other_words=()):
    """Cosine distances from a key or vector to other keys, or to every key.

    Parameters
    ----------
    kv : KeyedVectors
        The vectors.
    word_or_vector : str or array_like of shape (dim,)
        The key or vector distances are measured from.
    other_words : list of str, optional
        The keys to measure to (one str stands for a list of one key); empty
        or None: every key, in row order (``word_or_vector`` included).

    Returns
    -------
    numpy.ndarray of float32, shape (len(other_words),) or (n_words,)
        ``1 - cosine``, in [0, 2]; 1.0 for a zero vector on either side.

    Raises
    ------
    KeyNotFoundError
        (a KeyError) for an unknown key.
    ValueError
        When a vector does not have shape (dim,).
    """
    if isinstance(word_or_vector, str):
        query = kv.unit_vectors[kv.get_index(word_or_vector)]
    else:
        query, _, _ = _term(kv, np.asarray(word_or_vector), 1.0, None)
    others = [] if other_words is None else _keys(other_words)
    if others:
        block = kv.unit_vectors[np.asarray([kv.get_index(w) for w in others], dtype=np.int64)]
    else:
        block = kv.unit_vectors
    return np.float32(1.0) - _cosines(block, query)


def _closer(kv, w1, w2):
    """Rows, in order, of the keys other than ``w1`` closer to ``w1`` than ``w2`` is."""
    i, j = kv.get_index(w1), kv.get_index(w2)
    unit = kv.unit_vectors
    cos_j = _cosines(unit[j][None, :], unit[i])[0]
    # a float32 product first, then exact cosines only for the rows near cos_j
    fast = _fast_cosines(unit, unit[i])
    closer = fast > cos_j + _MARGIN
    near = np.flatnonzero(np.abs(fast - cos_j) <= _MARGIN)
    closer[near] = _cosines(unit[near], unit[i]) > cos_j
    closer[i] = False
    return np.flatnonzero(closer)


def closer_than(kv, w1, w2):
    """Keys closer to ``w1`` than ``w2`` is: of higher cosine, lower cosine distance.

    Parameters
    ----------
    kv : KeyedVectors
        The vectors.
    w1, w2 : str
        The keys.

    Returns
    -------
    list of str
        In row order; neither ``w1`` nor ``w2`` is included. Empty when
        ``w1`` is a zero vector (every distance from it is 1).

    Raises
    ------
    KeyNotFoundError
        (a KeyError) for an unknown key.
    """
    return [kv.index_to_key[i] for i in _closer(kv, w1, w2).tolist()]


def rank(kv, w1, w2):
    """Rank of ``w2`` among the neighbours of ``w1`` (1 = nearest).

    Parameters
    ----------
    kv : KeyedVectors
        The vectors.
    w1, w2 : str
        The keys.

    Returns
    -------
    int
        ``len(closer_than(w1, w2)) + 1``: keys as close as ``w2`` do not count.

    Raises
    ------
    KeyNotFoundError
        (a KeyError) for an unknown key.
    """
    return len(_closer(kv, w1, w2)) + 1


def doesnt_match(kv, words):
    """The key least similar to the mean of the unit vectors of ``words``.

    Parameters
    ----------
    kv : KeyedVectors
        The vectors.
    words : list of str
        The keys; one str stands for a list of one key.

    Returns
    -------
    str
        The key whose cosine to the mean is lowest; on equal cosines the one
        given first (gensim takes the smallest string).

    Raises
    ------
    KeyNotFoundError
        (a KeyError) for an unknown key (gensim leaves unknown keys out with
        a warning).
    ValueError
        When ``words`` is empty.
    """
    words = _keys(words)
    if not words:
        raise InvalidParameterError("doesnt_match needs at least one word")
    rows = np.asarray([kv.get_index(w) for w in words], dtype=np.int64)
    unit = kv.unit_vectors[rows].astype(np.float64)
    scores = unit @ _unit(unit.mean(axis=0))
    return words[int(np.argmin(scores))]
