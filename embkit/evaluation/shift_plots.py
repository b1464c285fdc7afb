"""Figures of semantic change (matplotlib, the optional ``plot`` extra): shift by frequency, a word across slices.

Both functions write a figure file atomically, in the format its suffix names
(``.png``, ``.pdf`` or ``.svg``; the path is checked before drawing), and need matplotlib
(``pip install 'embkit[plot]'``); without it they raise
:class:`~embkit.exceptions.EmbkitError` saying so.
"""
import numpy as np

from .._outputs import check_figure_output, write_figure
from ..exceptions import InvalidDataError, KeyNotFoundError, MissingDependencyError
from .shift import _unit_rows, as_aligned, in_slice, neighbors_in

INSTALL_HINT = "plots need matplotlib: pip install 'embkit[plot]' (or pip install matplotlib)"

__all__ = ["plot_shift_distribution", "plot_word_neighbors", "INSTALL_HINT"]


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        raise MissingDependencyError(INSTALL_HINT) from None
    matplotlib.use("Agg", force=True)      # files only: no display needed
    import matplotlib.pyplot as plt
    return plt


def _save(fig, path):
    plt = _pyplot()
    try:
        write_figure(fig, path, dpi=120, bbox_inches="tight")
    finally:
        plt.close(fig)


def plot_shift_distribution(rows, a, b, path, labels=15):
    """Shift against frequency for one pair of slices, the most shifted words labelled.

    Parameters
    ----------
    rows : list of dict
        :func:`~embkit.evaluation.shift.shift_scores` rows (``shift``,
        ``count_a``, ``count_b``, ``word``).
    a, b : str
        The slice names, for the title.
    path : str or os.PathLike
        The file to write: ``.png``, ``.pdf`` or ``.svg``.
    labels : int
        How many of the most shifted words are labelled.

    Raises
    ------
    EmbkitError
        matplotlib is not installed, no row, or a ``path`` that cannot be
        written (see :func:`embkit._outputs.check_figure_output`).
    """
    check_figure_output(path)
    plt = _pyplot()
    if not rows:
        raise InvalidDataError(f"no word to plot for {a} -> {b}")
    freq = np.array([min(r["count_a"] or 1, r["count_b"] or 1) for r in rows], dtype=np.float64)
    shift = np.array([r["shift"] for r in rows])
    fig, ax = plt.subplots(figsize=(8, 5))
    ax.scatter(freq, shift, s=6, alpha=0.4, color="tab:blue", linewidths=0)
    for r in sorted(rows, key=lambda r: -r["shift"])[:labels]:
        ax.annotate(r["word"], (min(r["count_a"] or 1, r["count_b"] or 1), r["shift"]), fontsize=7,
                    xytext=(3, 2), textcoords="offset points")
    ax.set_xscale("log")
    ax.set_xlabel("count in the rarer slice (log scale)")
    ax.set_ylabel("shift (cosine distance)")
    ax.set_title(f"{a} -> {b}: {len(rows)} words")
    _save(fig, path)


def plot_word_neighbors(aligned, word, path, k=8, min_count=None):
    """A word's vector in each slice with its nearest neighbours there, in one 2-D projection (PCA).

    Parameters
    ----------
    aligned : AlignedSlices, CompassAligner, mapping of str to KeyedVectors, or path
        See :func:`~embkit.evaluation.shift.as_aligned`.
    word : str
        In a subword (fastText) slice lacking it, its vector is composed
        from its character n-grams (labelled "composed").
    path : str or os.PathLike
        The file to write: ``.png``, ``.pdf`` or ``.svg``.
    k : int
        Neighbours shown per slice.
    min_count : int, optional
        Neighbours occur at least this often in their slice.

    Raises
    ------
    EmbkitError
        matplotlib is not installed, ``word`` is in no slice, or a ``path``
        that cannot be written (see :func:`embkit._outputs.check_figure_output`).
    """
    check_figure_output(path)
    plt = _pyplot()
    s = as_aligned(aligned)
    names = [n for n in s.names if in_slice(s[n], word)]
    if not names:
        raise KeyNotFoundError(word, message=f"{word!r} is in none of the slices {', '.join(s.names)}")
    points, labels, kinds = [], [], []
    for i, n in enumerate(names):
        kv = s[n]
        points.append(_unit_rows(kv, [word])[0])
        labels.append(f"{word} ({n})" if word in kv.key_to_index else f"{word} ({n}, composed)")
        kinds.append(-1 - i)
        for other, _ in neighbors_in(s, n, word, k, min_count=min_count):
            points.append(kv.unit_vectors[kv.key_to_index[other]])
            labels.append(other)
            kinds.append(i)
    x = np.asarray(points, dtype=np.float64)
    x -= x.mean(axis=0)
    _, _, vt = np.linalg.svd(x, full_matrices=False)
    xy = x @ vt[:2].T if len(vt) >= 2 else np.column_stack([x @ vt[:1].T, np.zeros(len(x))])
    kinds = np.array(kinds)
    colors = plt.get_cmap("tab10")
    fig, ax = plt.subplots(figsize=(8, 6))
    for i, n in enumerate(names):
        sel = kinds == i
        ax.scatter(xy[sel, 0], xy[sel, 1], s=12, color=colors(i % 10), alpha=0.6, label=f"neighbours in {n}")
    own = np.flatnonzero(kinds < 0)
    ax.plot(xy[own, 0], xy[own, 1], "-o", color="black", linewidth=1, markersize=5)
    for j, text in enumerate(labels):
        ax.annotate(text, xy[j], fontsize=8 if kinds[j] < 0 else 7, fontweight="bold" if kinds[j] < 0 else None,
                    xytext=(3, 2), textcoords="offset points")
    ax.set_title(f"{word!r} across slices ({', '.join(names)})")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.legend(fontsize=7, loc="best")
    _save(fig, path)
