"""Retrofitting word vectors to a semantic lexicon (Faruqui et al. 2015): :func:`retrofit`.

>>> import numpy as np
>>> from embkit import KeyedVectors
>>> kv = KeyedVectors(["apple", "Apple", "fruit", "company"],
...                   [[1, 0], [0, 1], [0.6, 0.8], [0.8, -0.6]])
>>> out = retrofit(kv, {"apple": ["fruit"], "Apple": ["company"]})
>>> out["apple"].round(6).tolist(), out["Apple"].round(6).tolist()
([0.8, 0.4], [0.4, 0.2])
>>> out.meta["retrofit"]["report"]["edges"]["used"]
2
"""
import logging
import math
import time
from itertools import chain, repeat

import numpy as np
import scipy.sparse as sp

from ..exceptions import InvalidDataError, InvalidParameterError, ParameterTypeError
from ..vectors import KeyedVectors
from .lexicon import load_lexicon
from .rows import with_vectors

__all__ = ["retrofit", "GRAPHS", "CASES", "INVERSE_DEGREE", "PRESETS"]

logger = logging.getLogger(__name__)

#: ``graph`` values: edges as written, or every edge also reversed.
GRAPHS = ("directed", "symmetric")
#: ``case`` values: lexicon words match keys exactly, or under :meth:`str.casefold`.
CASES = ("exact", "fold")
#: The paper's ``beta``: each head's neighbour weights scaled to sum to 1.
INVERSE_DEGREE = "inverse-degree"

#: Named settings: the paper's, and one that keeps rare-word and relatedness scores (see :func:`retrofit`'s Notes).
PRESETS = {
    "paper": {"alpha": 1.0, "center": False, "min_similarity": None},
    "rare-words": {"alpha": 2.25, "center": True, "min_similarity": 0.35},
}

_DROP_REASONS = ("self_loop", "duplicate", "head_not_in_vectors", "neighbour_not_in_vectors", "dissimilar")
_EDGE_BLOCK = 1 << 16          # edges whose cosine is computed at once (min_similarity)


def retrofit(kv, lexicon, iterations=10, alpha=1.0, beta=INVERSE_DEGREE, graph="directed", case="exact",
             normalize=True, center=False, min_similarity=None):
    r"""Pull word vectors towards their neighbours in a semantic lexicon; returns new vectors.

    Every word :math:`i` that has neighbours :math:`j \in N(i)` in the
    lexicon is moved to minimise (Faruqui et al. 2015, Eq. 1)

    .. math::

        \Psi(Q) = \sum_i \Big[ \alpha_i \lVert q_i - \hat q_i \rVert^2
                  + \sum_{j \in N(i)} \beta_{ij} \lVert q_i - q_j \rVert^2 \Big]

    where :math:`\hat q_i` is the input vector, by iterating the update of
    the paper (its Eq. 2 and Section 2)

    .. math::

        q_i \leftarrow \frac{\alpha_i \hat q_i + \sum_{j \in N(i)} \beta_{ij} q_j}
                            {\alpha_i + \sum_{j \in N(i)} \beta_{ij}} ,

    for all words at once from the previous iteration's vectors (a Jacobi
    iteration, one sparse matrix product per iteration). The paper's
    defaults are :math:`\alpha_i = 1`, :math:`\beta_{ij} = 1/\deg(i)` and 10
    iterations. Words without neighbours in the vectors keep their input
    vector (after ``normalize``).

    Parameters
    ----------
    kv : KeyedVectors
        The vectors; not modified.
    lexicon : str, os.PathLike, Lexicon or mapping
        ``"wordnet"`` (the bundled WordNet syn+ lexicon), the path of a
        lexicon file (see :mod:`embkit.postprocess.lexicon` for the
        format), a :class:`~embkit.postprocess.lexicon.Lexicon` (e.g. from
        :func:`~embkit.postprocess.wordnet.read_wordnet`) or a mapping
        ``{head: [neighbour, ...]}`` / ``{head: {neighbour: weight}}``.
    iterations : int
        Number of updates, >= 0 (0 returns the (normalised) input).
    alpha : float
        :math:`\alpha_i`, the same for every word: the pull towards the
        input vector, >= 0.
    beta : "inverse-degree" or float
        ``"inverse-degree"``: :math:`\beta_{ij} = w_{ij} / \sum_k w_{ik}`,
        the paper's :math:`1/\deg(i)` when the lexicon has no weights
        (:math:`w_{ij}` is the written weight, 1 by default). A float
        :math:`b > 0`: :math:`\beta_{ij} = b \, w_{ij}`.
    graph : {"directed", "symmetric"}
        ``"directed"`` (default, as the paper's lexicon files and script):
        a line ``h n1 n2`` gives edges ``h -> n1`` and ``h -> n2`` only, so
        only heads move. ``"symmetric"``: every edge is also reversed; when
        both directions are written with different weights the larger is
        kept.
    case : {"exact", "fold"}
        ``"exact"`` (default): a lexicon word applies to the vector key
        written the same way (``Apple`` is not ``apple``). ``"fold"``: the
        lexicon is read ignoring case (:meth:`str.casefold`; heads differing
        only in case are merged) and a lexicon word applies to every key
        equal to it under casefold; the keys stay distinct rows. A
        neighbour matching ``k`` keys gives an edge of weight ``w/k`` to
        each, so it still counts once in its head's degree.
    normalize : bool
        Scale every input vector to unit length first (the reference script
        does); zero vectors stay zero. All rows of the output are then
        unit-length inputs or retrofitted vectors.
    center : bool
        Subtract the mean input vector from every row (after ``normalize``;
        with ``normalize`` the rows are then scaled to unit length again)
        before retrofitting. Not in the paper; see Notes.
    min_similarity : float, optional
        Drop the lexicon edges whose two input vectors (as given, before
        ``center``) have a cosine <= this value, in [-1, 1] (counted as
        ``dissimilar``). None (default, as the paper) keeps every edge. Not
        in the paper; see Notes.

    Returns
    -------
    KeyedVectors
        Same keys, order and counts as ``kv``; new float32 vectors. The
        context (output) matrix is not carried over (it belongs to the
        vectors before retrofitting). ``meta`` is ``kv.meta`` without
        ``created``/``embkit_version`` plus ``meta["retrofit"]``:
        ``{"lexicon", "lexicon_path", "settings", "report",
        "source_created"}`` (and
        ``"previous"``, the input's own ``meta["retrofit"]``, when it was
        retrofitted before). The report counts (see Notes): ``words``
        (``vectors``, ``lexicon``, ``in_both``, ``retrofitted``, and with
        ``case="fold"`` ``lexicon_words_matching_several_keys``),
        ``entries`` (``read``, ``repeated_heads``, ``empty``, plus the
        reader's ``lines``, ``blank``, ``comments``), ``edges`` (``read``,
        ``used``, ``dropped`` by reason, ``graph``: edges between rows after
        case folding and symmetrising, and ``reverse_added``),
        ``movement`` (mean cosine distance between successive iterates of
        the retrofitted rows, one value per iteration),
        ``distance_from_input`` (mean cosine distance of the retrofitted
        rows from their input) and ``seconds`` (``graph``, ``iterations``).

    Raises
    ------
    InvalidParameterError
        A parameter out of range (the message names it).
    EmbkitError
        A lexicon that is neither built in nor a file, or vectors holding
        non-finite values.
    FormatError
        A malformed lexicon file (file and line named).

    Notes
    -----
    The lexicon is resolved as follows, and every edge as written
    (``edges.read``) is either used or dropped for the first reason that
    applies, so ``read == used + sum(dropped)``:

    - **repeated heads** (a head on several lines; with ``case="fold"``
      also heads differing only in case): their neighbours are merged
      (the reference script keeps only the last line); counted in
      ``entries.repeated_heads``.
    - **self-loops** (a head listed as its own neighbour): dropped
      (``self_loop``).
    - **duplicate edges** (the same neighbour twice for a head, over all
      its lines): the first is kept with its weight (``duplicate``).
    - **words missing from the vectors**: an edge whose head or neighbour
      matches no key is dropped (``head_not_in_vectors``, then
      ``neighbour_not_in_vectors``); the degree counts only neighbours in
      the vectors, as in the reference script.
    - **empty neighbour lists**: nothing to do; counted in
      ``entries.empty``.

    The reference script (``retrofit.py`` of the paper's repository)
    updates the vectors in place, in the order of a Python set, so each
    word sees some neighbours already updated in the same iteration
    (Gauss-Seidel); the fixed point is the same but intermediate values
    differ slightly. It also lower-cases every key and lexicon word,
    which merges words such as ``apple`` and ``Apple`` (later ones
    overwrite earlier ones); embkit never merges keys.

    Beyond the paper: on SGNS vectors the paper's update raises SimLex-999
    and SimVerb-3500 but lowers the Stanford Rare Words (RW) and WordSim-353
    correlations (en_mix SGNS: RW -0.11). Rarity itself is not the main
    cause (keeping the vectors of the words seen fewer than 100 times
    unchanged still loses 0.05); two mechanisms are. (1) The pull ignores
    whether the corpus agrees with the lexicon. A third of RW's pairs are
    linked in WordNet and their mean human score is that of the other
    pairs (6.2 of 10), yet retrofitting raises their cosine by 0.25 against
    0.09; linked pairs whose vectors were far apart (another sense, a loose
    hypernym; human score about 4-5) gain the most (+0.3). (2) A
    retrofitted vector is an average of unit vectors, so it keeps their
    common component and loses part of the rest: any two retrofitted words
    become more similar (mean cosine of random pairs 0.19 -> 0.29), which
    reorders the pairs that involve a word outside the lexicon (a third of
    RW's rare words). ``min_similarity`` addresses (1) and ``center`` (2).
    With ``center=True, min_similarity=0.35, alpha=2.25``
    (``PRESETS["rare-words"]``, ``embkit retrofit --preset rare-words``)
    SimLex-999 and SimVerb-3500 still rise by about 0.055 on that model
    while RW and WordSim-353 stay within 0.01 of their input values. The
    three values were chosen on these data sets, so the margins are
    optimistic, and on the small bundled corpus (2M tokens) the preset
    does not keep RW (see the ``post`` section of the benchmarks, which
    also shows ``center`` alone).

    Subword vectors: the vocabulary's vectors (``kv.vectors``) are
    retrofitted, and each word's own row moves so that its composed vector
    is the retrofitted one (saved as fastText ``.bin``, it stays so); the
    n-gram rows are shared with the input and left as they are, so vectors
    composed for unseen words are not retrofitted and keep the input's
    scale (with ``normalize`` the vocabulary's are unit length: cosines are
    unaffected, sums and means of seen and unseen words mix scales).

    References
    ----------
    Faruqui, M., Dodge, J., Jauhar, S. K., Dyer, C., Hovy, E., Smith, N. A.
    (2015). Retrofitting Word Vectors to Semantic Lexicons. NAACL-HLT 2015,
    1606-1615. Eq. 1 and the update of Section 2.
    """
    settings = _check_params(iterations, alpha, beta, graph, case, normalize, center, min_similarity)
    if not isinstance(kv, KeyedVectors):
        raise ParameterTypeError(f"retrofit() needs a KeyedVectors, got {type(kv).__name__}")
    lex = load_lexicon(lexicon)
    base, unit = _input_vectors(kv, normalize, center, min_similarity is not None)
    t0 = time.perf_counter()
    weights, report = _build_graph(lex, kv, graph, case, unit, min_similarity)
    del unit
    t1 = time.perf_counter()
    vectors, movement, distance = _iterate(base, weights, iterations, alpha, beta)
    t2 = time.perf_counter()
    report.update(movement=movement, distance_from_input=distance,
                  seconds={"graph": round(t1 - t0, 4), "iterations": round(t2 - t1, 4)})
    logger.debug("retrofit with %s: %d rows moved, movement per iteration %s", lex.name,
                 report["words"]["retrofitted"], movement)
    return _result(kv, vectors, lex, settings, report)


def _check_params(iterations, alpha, beta, graph, case, normalize, center, min_similarity):
    """The settings as stored in meta, after range checks."""
    if isinstance(iterations, bool) or not isinstance(iterations, (int, np.integer)) or iterations < 0:
        raise InvalidParameterError(f"iterations must be an integer >= 0, got {iterations!r}", "iterations")
    if not _finite_number(alpha) or alpha < 0:
        raise InvalidParameterError(f"alpha must be a finite number >= 0, got {alpha!r}", "alpha")
    if not (beta == INVERSE_DEGREE or (_finite_number(beta) and beta > 0)):
        raise InvalidParameterError(f"beta must be {INVERSE_DEGREE!r} or a finite number > 0, got {beta!r}",
                                    "beta")
    if graph not in GRAPHS:
        raise InvalidParameterError(f"graph must be one of {', '.join(GRAPHS)}, got {graph!r}", "graph")
    if case not in CASES:
        raise InvalidParameterError(f"case must be one of {', '.join(CASES)}, got {case!r}", "case")
    for name, flag in (("normalize", normalize), ("center", center)):
        if not isinstance(flag, (bool, np.bool_)):
            raise InvalidParameterError(f"{name} must be True or False, got {flag!r}", name)
    if min_similarity is not None and not (_finite_number(min_similarity) and -1 <= min_similarity <= 1):
        raise InvalidParameterError(f"min_similarity must be None or a number in [-1, 1], got {min_similarity!r}",
                                    "min_similarity")
    return {"iterations": int(iterations), "alpha": float(alpha),
            "beta": beta if isinstance(beta, str) else float(beta), "graph": graph, "case": case,
            "normalize": bool(normalize), "center": bool(center),
            "min_similarity": None if min_similarity is None else float(min_similarity)}


def _finite_number(x):
    return (isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, (bool, np.bool_))
            and math.isfinite(x))


def _unit(vectors):
    """Rows scaled to unit length, in place (zero rows stay zero)."""
    norms = np.sqrt(np.einsum("ij,ij->i", vectors, vectors, dtype=np.float64))
    vectors /= np.where(norms > 0, norms, 1.0).astype(np.float32)[:, None]
    return vectors


def _input_vectors(kv, normalize, center, need_unit):
    """The float32 vectors retrofitting starts from, and (when ``need_unit``) the input's unit rows.

    Rows are scaled to unit length when asked (zero rows stay zero), then
    centred when asked (and scaled again with ``normalize``).
    """
    vectors = np.array(kv.vectors, dtype=np.float32, copy=True)
    bad = ~np.isfinite(vectors).all(axis=1)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InvalidDataError(f"the vectors hold non-finite values (first at row {row}, key "
                               f"{kv.index_to_key[row]!r}); retrofitting needs finite vectors")
    if normalize:
        _unit(vectors)
    unit = None
    if need_unit and normalize:
        unit = vectors.copy() if center else vectors
    elif need_unit:
        unit = _unit(vectors.copy())
    if center:
        vectors -= vectors.mean(axis=0, dtype=np.float64).astype(np.float32)
        if normalize:
            _unit(vectors)
    return vectors, unit


# -- the graph ---------------------------------------------------------------

class _Ids(dict):
    """A dict giving each new key the next id: ``map(ids.__getitem__, words)`` runs in C for known words."""

    def __missing__(self, key):
        value = self[key] = len(self)
        return value


def _word_edges(lex, fold):
    """Edges between lexicon words (ids), self-loops and duplicates removed; the words; the counts."""
    heads, nbrs = lex.heads, lex.neighbours
    if fold:
        heads, nbrs = list(map(str.casefold, heads)), list(map(str.casefold, nbrs))
    ids = _Ids()                                                # word -> id, in order of appearance
    head_ids = np.fromiter(map(ids.__getitem__, heads), np.int64, len(heads))
    dst = np.fromiter(map(ids.__getitem__, nbrs), np.int64, len(nbrs))
    words = list(ids)
    sizes = np.diff(lex.offsets)
    src = np.repeat(head_ids, sizes)
    w = np.ones(len(dst)) if lex.weights is None else lex.weights.copy()
    counts = {"read": len(dst)}
    keep = src != dst
    counts["self_loop"] = int(len(dst) - keep.sum())
    src, dst, w = src[keep], dst[keep], w[keep]
    _, first = np.unique(src * max(len(words), 1) + dst, return_index=True)
    first.sort()
    counts["duplicate"] = int(len(src) - len(first))
    entries = {"read": len(lex), "repeated_heads": int(len(head_ids) - len(np.unique(head_ids))),
               "empty": int((sizes == 0).sum()), **lex.stats}
    return src[first], dst[first], w[first], words, counts, entries


def _rows_of_words(words, kv, fold):
    """CSR-like (ptr, rows): the vector rows each lexicon word applies to."""
    if fold:
        by_fold = {}
        for i, key in enumerate(kv.index_to_key):
            by_fold.setdefault(key.casefold(), []).append(i)
        lists = list(map(by_fold.get, words, repeat(())))
        sizes = np.fromiter(map(len, lists), np.int64, len(words))
        rows = np.fromiter(chain.from_iterable(lists), np.int64, int(sizes.sum()))
    else:
        found = np.fromiter(map(kv.key_to_index.get, words, repeat(-1)), np.int64, len(words))
        sizes = (found >= 0).astype(np.int64)
        rows = found[found >= 0]
    ptr = np.zeros(len(words) + 1, dtype=np.int64)
    np.cumsum(sizes, out=ptr[1:])
    return ptr, rows


def _hint_integer_weights(words, n_rows, kv, fold):
    """Warn about words such as ``cat:2`` that match no key while ``cat`` does: weights need a decimal point."""
    keys = {k.casefold() for k in kv.index_to_key} if fold else kv.key_to_index
    found = []
    for i in np.flatnonzero(n_rows == 0):
        word = words[i]
        if ":" in word:
            head, _, tail = word.rpartition(":")
            if tail.isdigit() and head in keys:
                found.append(word)
    if found:
        logger.warning("%d lexicon word(s) such as %s match no key but would without their ':<integer>' ending; "
                       "a weight is written with a decimal point (%s.0), so these were read as words",
                       len(found), ", ".join(repr(w) for w in found[:3]), found[0])


def _expand(ids, ptr, rows):
    """For items of word ids: (item index, row) for every row of each item's word."""
    starts = ptr[ids]
    sizes = ptr[ids + 1] - starts
    item = np.repeat(np.arange(len(ids)), sizes)
    within = np.arange(len(item)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    return item, rows[np.repeat(starts, sizes) + within]


def _build_graph(lex, kv, graph, case, unit=None, min_similarity=None):
    """Sparse (V, V) float64 matrix of edge weights between rows, and the report so far."""
    fold = case == "fold"
    src, dst, w, words, counts, entries = _word_edges(lex, fold)
    ptr, rows = _rows_of_words(words, kv, fold)
    n_rows = np.diff(ptr)
    head_missing = n_rows[src] == 0
    nbr_missing = ~head_missing & (n_rows[dst] == 0)
    _hint_integer_weights(words, n_rows, kv, fold)
    counts["head_not_in_vectors"] = int(head_missing.sum())
    counts["neighbour_not_in_vectors"] = int(nbr_missing.sum())
    keep = ~(head_missing | nbr_missing)
    src, dst, w = src[keep], dst[keep], w[keep]
    e1, row_src = _expand(src, ptr, rows)
    e2, row_dst = _expand(dst[e1], ptr, rows)
    row_src = row_src[e2]
    edge = e1[e2]
    row_w = w[edge] / n_rows[dst[edge]]
    counts["dissimilar"], used = 0, len(src)
    if min_similarity is not None:
        ok = _cosines(unit, row_src, row_dst) > min_similarity
        used = int((np.bincount(edge[ok], minlength=len(src)) > 0).sum())   # a lexicon edge with a row edge left
        counts["dissimilar"] = len(src) - used
        row_src, row_dst, row_w = row_src[ok], row_dst[ok], row_w[ok]
    n_directed = len(row_src)
    if graph == "symmetric":
        row_src, row_dst, row_w = _symmetrise(row_src, row_dst, row_w, len(kv))
    n = len(kv)
    matrix = sp.csr_matrix((row_w, (row_src, row_dst)), shape=(n, n), dtype=np.float64)
    matrix.sort_indices()
    words_report = {"vectors": n, "lexicon": len(words), "in_both": int((n_rows > 0).sum()),
                    "retrofitted": int((np.diff(matrix.indptr) > 0).sum())}
    if fold:
        words_report["lexicon_words_matching_several_keys"] = int((n_rows > 1).sum())
    edges = {"read": counts["read"], "used": int(used),
             "dropped": {reason: counts[reason] for reason in _DROP_REASONS},
             "graph": int(matrix.nnz)}
    if graph == "symmetric":
        edges["reverse_added"] = int(matrix.nnz - n_directed)
    return matrix, {"words": words_report, "entries": entries, "edges": edges}


def _cosines(unit, src, dst):
    """Cosine of the unit rows ``src[k]`` and ``dst[k]`` for every k, in blocks (float32)."""
    out = np.empty(len(src), dtype=np.float32)
    for lo in range(0, len(src), _EDGE_BLOCK):
        hi = lo + _EDGE_BLOCK
        out[lo:hi] = np.einsum("ij,ij->i", unit[src[lo:hi]], unit[dst[lo:hi]])
    return out


def _symmetrise(src, dst, w, n):
    """Edges plus their reverses, each (i, j) once, keeping the larger weight."""
    src2, dst2, w2 = np.concatenate([src, dst]), np.concatenate([dst, src]), np.concatenate([w, w])
    key = src2 * n + dst2
    order = np.lexsort((-w2, key))
    key = key[order]
    first = np.ones(len(key), dtype=bool)
    first[1:] = key[1:] != key[:-1]
    sel = order[first]
    return src2[sel], dst2[sel], w2[sel]


# -- the update --------------------------------------------------------------

def _iterate(base, weights, iterations, alpha, beta):
    """Jacobi iterations of the update; the final vectors, movement per iteration, distance from the input.

    Rows are reordered so that the rows with edges come first: each
    iteration then reads and writes one contiguous block (no gather or
    scatter), and the result is put back in row order once at the end.
    """
    sizes = np.diff(weights.indptr)
    active = np.flatnonzero(sizes > 0)
    n_active = len(active)
    row_sums = np.add.reduceat(weights.data, weights.indptr[active]) if n_active else np.zeros(0)
    if beta == INVERSE_DEGREE:
        beta_sums = np.ones(n_active)
        per_row = 1.0 / (row_sums * (alpha + 1.0))          # beta_ij / (alpha + 1), beta_ij = w_ij / sum_k w_ik
    else:
        beta_sums = row_sums * float(beta)
        per_row = float(beta) / (alpha + beta_sums)
    denom = alpha + beta_sums
    order = np.concatenate([active, np.flatnonzero(sizes == 0)])
    position = np.empty_like(order)
    position[order] = np.arange(len(order))
    # rows without edges hold no entries, so the active rows' pointers are those of all rows, less repeats
    data = (weights.data * np.repeat(per_row, sizes[active])).astype(np.float32)
    step = sp.csr_matrix((data, position[weights.indices].astype(weights.indices.dtype),
                          np.append(weights.indptr[active], weights.nnz)), shape=(n_active, len(order)))
    vectors = base[order]
    anchor = (alpha / denom).astype(np.float32)[:, None] * vectors[:n_active]
    movement = []
    norms2 = np.einsum("ij,ij->i", vectors[:n_active], vectors[:n_active])
    for _ in range(iterations):
        new = step @ vectors
        new += anchor
        new_norms2 = np.einsum("ij,ij->i", new, new)
        movement.append(_mean_cosine_distance(new, vectors[:n_active], new_norms2, norms2))
        vectors[:n_active] = new
        norms2 = new_norms2
    start = base[active]
    distance = (_mean_cosine_distance(vectors[:n_active], start, norms2, np.einsum("ij,ij->i", start, start))
                if iterations else 0.0)
    return vectors[position], movement, distance


def _mean_cosine_distance(a, b, a_norms2, b_norms2):
    """Mean of 1 - cos over the rows where both vectors are non-zero (0.0 when there is none)."""
    if not len(a):
        return 0.0
    dots = np.einsum("ij,ij->i", a, b).astype(np.float64)
    norms = np.sqrt(a_norms2.astype(np.float64) * b_norms2)
    ok = norms > 0
    if not ok.any():
        return 0.0
    return float(np.mean(1.0 - np.clip(dots[ok] / norms[ok], -1.0, 1.0)))


def _result(kv, vectors, lex, settings, report):
    """The output KeyedVectors: ``kv``'s keys and counts, the new vectors, meta noting the retrofit."""
    meta = {k: v for k, v in kv.meta.items() if k not in ("created", "embkit_version", "retrofit")}
    entry = {"lexicon": lex.name, "lexicon_path": None if lex.path is None else str(lex.path), "settings": settings,
             "report": report, "source_created": kv.meta.get("created")}
    if "retrofit" in kv.meta:
        entry["previous"] = kv.meta["retrofit"]
    meta["retrofit"] = entry
    # the ordered list of post-processing steps, shared with whitening (whiten records {"method": ...})
    meta["postprocess"] = list(meta.get("postprocess") or []) + [{"step": "retrofit", "lexicon": lex.name}]
    return with_vectors(kv, vectors, meta)
