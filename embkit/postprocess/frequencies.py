"""Word probabilities p(w) for weighting: the model's counts, a Zipf's-law estimate or a frequency file.

Whitening (:func:`embkit.postprocess.whiten.whiten`), the isotropy measures
of :mod:`embkit.analysis` and SIF sentence weights
(:func:`embkit.evaluation.sts.evaluate_sts`) weight each word by its
probability. ``freq`` selects where it comes from:

``"model"``
    The counts the model stores (every embkit model does; word2vec text and
    binary files store none, which is an error naming the alternatives).
``"zipf"``
    Zipf's law from the row order: the word in row ``r`` (0-based) gets
    ``p ∝ 1 / (r + 1)``. word2vec, gensim and embkit write rows most
    frequent first, so this is a fair estimate when no counts are stored.
a path
    A frequency file: one ``word<TAB>count`` or ``word<TAB>probability``
    per line (a space instead of the tab also works; ``.gz``, ``.bz2`` and
    ``.xz`` are read directly; a first line whose value is not a number is
    taken for a header). Counts and probabilities are told apart (every
    value at most 1 and summing to at most 1.01: probabilities) and both are
    normalised over the vocabulary. A vocabulary word missing from the file
    is looked up lowercased, and failing that gets the smallest positive
    value of the file. Fewer than half of the vocabulary found is an error
    naming the coverage.
an array
    Non-negative weights of shape ``(n_words,)`` in row order (counts or
    probabilities), normalised to sum to 1.
"""
import errno
import logging
import math
import os
from dataclasses import dataclass, field

import numpy as np

from ..exceptions import EmbkitError, FormatError, InvalidDataError, MissingFileError
from ..formats._sniff import reports_damage, text_lines

__all__ = ["FREQ_SOURCES", "MIN_COVERAGE", "FrequencyTable", "NoCountsError", "read_frequencies",
           "word_probabilities", "probabilities_with_info", "frequency_probabilities"]

log = logging.getLogger(__name__)

FREQ_SOURCES = ("model", "zipf")
MIN_COVERAGE = 0.5


class NoCountsError(EmbkitError, ValueError):
    """``freq="model"`` was asked of vectors that store no word counts."""


@dataclass
class FrequencyTable:
    """Word frequencies read from a file.

    Parameters
    ----------
    values : dict of str to float
        The value of every word, as written (count or probability).
    kind : {"count", "probability"}
        What the values were recognised as.
    path : str or None
    duplicates : int
        Words listed more than once (the first value is kept).
    """

    values: dict = field(default_factory=dict)
    kind: str = "count"
    path: str = None
    duplicates: int = 0

    def __len__(self):
        return len(self.values)


def _split(line):
    """(word, value text) of one line: split at the last tab, else at the last run of spaces."""
    if "\t" in line:
        word, _, value = line.rpartition("\t")
        return word, value.strip()
    parts = line.rsplit(None, 1)
    return (parts[0], parts[1]) if len(parts) == 2 else (line, "")


def _parse_value(text, path, lineno, line):
    try:
        value = float(text)
    except ValueError:
        return None
    if not math.isfinite(value) or value < 0:
        raise FormatError(path, lineno, f"the frequency must be a finite number >= 0, found {text!r}: "
                          f"{line[:80]!r}")
    return value


@reports_damage
def read_frequencies(path):
    """Read a frequency file (``word<TAB>count`` or ``word<TAB>probability`` per line).

    Parameters
    ----------
    path : str or os.PathLike
        Plain text or ``.gz``/``.bz2``/``.xz``, UTF-8.

    Returns
    -------
    FrequencyTable

    Raises
    ------
    FormatError
        On a line without a number after the word (except a header on the
        first line), a negative or non-finite value, text that is not UTF-8,
        damaged or truncated compressed data, or a file without any entry.
    OSError
        When the file cannot be read.
    """
    path = os.fspath(path)
    values, duplicates, seen_data = {}, 0, False
    for lineno, line in text_lines(path):       # plain or compressed UTF-8; CRLF, LF or CR line ends
        if not line.strip():
            continue
        word, text = _split(line)
        value = _parse_value(text, path, lineno, line) if word else None
        if value is None:
            if not seen_data and lineno == 1:
                continue                                     # a header such as "word<TAB>count"
            raise FormatError(path, lineno, "expected 'word<TAB>count' or 'word<TAB>probability', "
                              f"found {line[:80]!r}")
        seen_data = True
        if word in values:
            duplicates += 1
            continue
        values[word] = value
    if not values:
        raise FormatError(path, None, "no 'word<TAB>count' or 'word<TAB>probability' line found")
    if duplicates:
        log.warning("%s: %d word(s) listed more than once; the first value of each is used", path, duplicates)
    arr = np.fromiter(values.values(), dtype=np.float64, count=len(values))
    kind = "probability" if arr.max() <= 1.0 and arr.sum() <= 1.01 else "count"
    return FrequencyTable(values, kind, path, duplicates)


def frequency_probabilities(keys, table, min_coverage=MIN_COVERAGE):
    """Probabilities of ``keys`` from a :class:`FrequencyTable`, normalised over the keys.

    Parameters
    ----------
    keys : sequence of str
        The vocabulary, in row order.
    table : FrequencyTable
    min_coverage : float
        Smallest share of ``keys`` the table must hold (exactly, or
        lowercased).

    Returns
    -------
    p : numpy.ndarray of float64, shape (len(keys),)
        Sums to 1.
    info : dict
        ``source`` (the path), ``kind``, ``coverage`` (share of the keys
        found), ``found``, ``missing`` and ``fill`` (the value given to the
        missing words: the smallest positive value of the table).

    Raises
    ------
    EmbkitError
        When fewer than ``min_coverage`` of the keys are found, or every
        value found is 0.
    """
    values = table.values
    positive = [v for v in values.values() if v > 0]
    fill = min(positive) if positive else 0.0
    out = np.empty(len(keys), dtype=np.float64)
    found = 0
    for i, key in enumerate(keys):
        value = values.get(key)
        if value is None:
            value = values.get(key.lower())
        if value is None:
            value = fill
        else:
            found += 1
        out[i] = value
    n = len(keys)
    coverage = found / n if n else 0.0
    where = table.path or "the frequency table"
    if coverage < min_coverage:
        raise InvalidDataError(f"{where} covers {100 * coverage:.1f}% of the vocabulary ({found} of {n} words); "
                               f"at least {100 * min_coverage:.0f}% must be covered: use a frequency file of the "
                               "vectors' language and tokenisation, or --freq zipf (freq='zipf' in Python)")
    total = out.sum()
    if not total > 0:
        raise InvalidDataError(f"{where}: every vocabulary word found has frequency 0")
    info = {"source": where, "kind": table.kind, "coverage": coverage, "found": found, "missing": n - found,
            "fill": fill}
    if found < n:
        log.info("%s: %d of %d vocabulary words (%.1f%%) not found, given the smallest frequency %g",
                 where, n - found, n, 100 * (1 - coverage), fill)
    return out / total, info


def _normalised(weights, what):
    total = weights.sum()
    if not np.isfinite(total) or total <= 0:
        raise InvalidDataError(f"{what} sum to {total:g}; word probabilities need a positive total")
    return weights / total


def _describe(freq):
    if isinstance(freq, (str, os.PathLike)):
        return os.fspath(freq)
    return "array"


def probabilities_with_info(kv, freq="model"):
    """The probabilities of :func:`word_probabilities` and where they came from.

    Parameters
    ----------
    kv : KeyedVectors
    freq : {"model", "zipf"}, str, os.PathLike or array_like
        As for :func:`word_probabilities`.

    Returns
    -------
    p : numpy.ndarray of float64, shape (n_words,)
    info : dict
        ``source`` (``"model"``, ``"zipf"``, ``"array"`` or the path); a
        frequency file adds what :func:`frequency_probabilities` reports.

    Raises
    ------
    NoCountsError, EmbkitError, FormatError
        As for :func:`word_probabilities`.
    """
    n = len(kv)
    if isinstance(freq, str) and freq == "model":
        counts = kv.counts
        if counts is None or not counts.any():
            raise NoCountsError(
                "the vectors carry no word counts (word2vec text and binary files store none), so "
                "freq 'model' cannot weight them: give a frequency file (--freq PATH, lines "
                "'word<TAB>count') or the Zipf's-law estimate from the row order (--freq zipf; freq='zipf' "
                "in Python)")
        return _normalised(counts.astype(np.float64), "the model's counts"), {"source": "model"}
    if isinstance(freq, str) and freq == "zipf":
        return _normalised(1.0 / np.arange(1, n + 1, dtype=np.float64), "Zipf weights"), {"source": "zipf"}
    if isinstance(freq, (str, os.PathLike)):
        if not os.path.exists(freq):
            raise MissingFileError(errno.ENOENT, "no such file or directory", freq,
                                   message=f"frequency source {os.fspath(freq)!r} is neither 'model', 'zipf' nor "
                                           "an existing file")
        return frequency_probabilities(kv.index_to_key, read_frequencies(freq))
    weights = np.asarray(freq, dtype=np.float64)
    if weights.shape != (n,):
        raise InvalidDataError(f"frequency weights must have shape ({n},), one per word, got {weights.shape}")
    if not np.all(np.isfinite(weights)) or weights.min(initial=0.0) < 0:
        raise InvalidDataError("frequency weights must be finite and >= 0")
    return _normalised(weights, "the frequency weights"), {"source": _describe(freq)}


def word_probabilities(kv, freq="model"):
    """Probability p(w) of every word of ``kv``, in row order.

    Parameters
    ----------
    kv : KeyedVectors
    freq : {"model", "zipf"}, str, os.PathLike or array_like
        ``"model"``: the stored counts; ``"zipf"``: ``p ∝ 1 / rank`` from
        the row order; a path: a frequency file (see the module notes); an
        array of shape ``(n_words,)``: non-negative weights.

    Returns
    -------
    numpy.ndarray of float64, shape (n_words,)
        Non-negative, summing to 1.

    Raises
    ------
    NoCountsError
        ``"model"`` for vectors without counts.
    EmbkitError
        A frequency file covering less than half of the vocabulary, a
        missing file, or weights of the wrong shape or sign.
    FormatError
        A malformed frequency file.

    Examples
    --------
    >>> import numpy as np
    >>> from embkit import KeyedVectors
    >>> kv = KeyedVectors(["a", "b"], np.eye(2), counts=[3, 1])
    >>> word_probabilities(kv).tolist()
    [0.75, 0.25]
    >>> word_probabilities(kv, "zipf").round(4).tolist()
    [0.6667, 0.3333]
    """
    return probabilities_with_info(kv, freq)[0]
