"""Orthogonal Procrustes alignment of one set of vectors to another on shared anchor words.

Two models trained separately live in unrelated coordinate systems; the
rotation that best maps one onto the other on the words they share
(Schönemann 1966) puts them in one, as Hamilton, Leskovec & Jurafsky (2016)
do for diachronic embeddings.  A rotation keeps every cosine within a model.

Anchor rule (when no anchors are given): every word in both vocabularies
that occurs at least ``min_count`` times in each (by the vectors' counts;
vectors without counts take every shared word).  Each anchor's vectors are
scaled to length 1 first, so frequent words with long vectors do not
dominate the fit.

References
----------
Schönemann, P. H. (1966). A generalized solution of the orthogonal Procrustes
problem. Psychometrika 31(1), 1-10.
Hamilton, W. L., Leskovec, J., Jurafsky, D. (2016). Diachronic Word
Embeddings Reveal Statistical Laws of Semantic Change. ACL 2016, §4.
"""
import logging

import numpy as np

from ..exceptions import InvalidDataError, KeyNotFoundError
from .rows import map_rows

log = logging.getLogger(__name__)

__all__ = ["anchor_words", "procrustes_rotation", "procrustes_align"]


def anchor_words(kv, reference, min_count=20):
    """The anchor rule: shared words occurring at least ``min_count`` times in both.

    Parameters
    ----------
    kv, reference : KeyedVectors
    min_count : int
        Minimum count in each (ignored for vectors without counts).

    Returns
    -------
    list of str
        In ``reference``'s order.
    """
    out = []
    for i, w in enumerate(reference.index_to_key):
        j = kv.key_to_index.get(w)
        if j is None:
            continue
        if reference.counts is not None and reference.counts[i] < min_count:
            continue
        if kv.counts is not None and kv.counts[j] < min_count:
            continue
        out.append(w)
    return out


def procrustes_rotation(kv, reference, anchors=None, min_count=20):
    """The orthogonal matrix ``R`` minimising ``||A R - B||`` over the anchors' unit vectors.

    Parameters
    ----------
    kv : KeyedVectors
        The vectors to rotate (rows ``A``).
    reference : KeyedVectors
        The target coordinate system (rows ``B``), same ``dim``.
    anchors : sequence of str, optional
        Words to fit on (each must be in both); default :func:`anchor_words`.
    min_count : int
        The anchor rule's threshold when ``anchors`` is not given.

    Returns
    -------
    rotation : float64 ndarray, shape (dim, dim)
        Orthogonal: ``kv.vectors @ rotation`` lies in ``reference``'s system.
    anchors : list of str
        The words it was fitted on.

    Raises
    ------
    EmbkitError
        Different dims, an anchor missing from either, or no anchor.
    """
    from scipy.linalg import orthogonal_procrustes

    if kv.dim != reference.dim:
        raise InvalidDataError(f"cannot align vectors of dim {kv.dim} to vectors of dim {reference.dim}")
    anchors = anchor_words(kv, reference, min_count) if anchors is None else list(anchors)
    missing = [w for w in anchors if w not in kv.key_to_index or w not in reference.key_to_index]
    if missing:
        raise KeyNotFoundError(missing[0], message=f"{len(missing)} anchor word(s) are not in both vocabularies, "
                                                   f"e.g. {missing[0]!r}")
    if not anchors:
        raise InvalidDataError(f"no anchor words: no word occurs at least {min_count} times in both vocabularies "
                               f"({len(kv)} and {len(reference)} words); lower the anchors' min_count")
    if len(anchors) < kv.dim:
        log.warning("only %d anchor words for %d dimensions: the rotation is not fully determined",
                    len(anchors), kv.dim)
    a = np.asarray(kv.unit_vectors[[kv.key_to_index[w] for w in anchors]], dtype=np.float64)
    b = np.asarray(reference.unit_vectors[[reference.key_to_index[w] for w in anchors]], dtype=np.float64)
    rotation, _ = orthogonal_procrustes(a, b)
    return rotation, anchors


def procrustes_align(kv, reference, anchors=None, min_count=20):
    """``kv`` rotated into ``reference``'s coordinate system (orthogonal Procrustes).

    Parameters
    ----------
    kv : KeyedVectors
        The vectors to align.
    reference : KeyedVectors
        The vectors whose coordinate system is kept.
    anchors : sequence of str, optional
        Words to fit the rotation on; default: the anchor rule (module
        docstring).
    min_count : int
        The anchor rule's threshold (20).

    Returns
    -------
    KeyedVectors
        New vectors (float32): ``kv``'s words, counts and meta; vectors and
        context matrix (when present) multiplied by the rotation, and a
        subword model's own and n-gram rows too (its class is kept, and
        unseen words' vectors are rotated alike); the meta
        gains ``alignment`` (``method``, ``anchors``, ``anchor_min_count``).

    Raises
    ------
    EmbkitError
        See :func:`procrustes_rotation`.
    """
    rotation, used = procrustes_rotation(kv, reference, anchors, min_count)
    r32 = rotation.astype(np.float32)
    context = None if kv.context is None else np.asarray(kv.context, np.float32) @ r32
    meta = dict(kv.meta)
    meta["alignment"] = {**meta.get("alignment", {}), "method": "procrustes", "anchors": len(used),
                         "anchor_min_count": None if anchors is not None else min_count}
    return map_rows(kv, np.zeros(kv.dim, np.float32), r32, meta, context=context)
