"""Evaluation of detected terms against a gold list: precision at the K best-scored terms, gold entries found.

>>> from embkit.evaluation.phrases import evaluate_phrases
>>> r = evaluate_phrases("phrases.tsv", gold="wordnet")               # doctest: +SKIP
>>> [(p["k"], p["precision"]) for p in r["precision"]]                # doctest: +SKIP
[(100, 0.5), (1000, 0.409), (10000, 0.309)]

Terms are compared lowercased, their words joined by ``_`` (whatever the
phrases file's delimiter).  The bundled gold list ``wordnet`` holds the
64,188 multiword lemmas of WordNet 3.0 (``data/eval/terms/``, with WordNet's
licence notice); a gold file of one's own has one term per line (the first
tab-separated field), words joined by ``_`` or separated by spaces.
"""
import errno
import os

from ..exceptions import FormatError, InvalidParameterError, IsDirectoryError, ParameterTypeError
from ..formats._sniff import open_sniffed, reports_damage
from .datasets import dataset_path

GOLD = {"wordnet": "wordnet_multiword"}
"""Gold list names of ``gold=`` and the bundled data set each one is."""
DEFAULT_TOP = (100, 1000, 10000)


def _normalise(words):
    return "_".join(w.lower() for w in words)


@reports_damage
def load_gold(gold="wordnet"):
    """The multi-word terms of a gold list, normalised (lowercase, words joined by ``_``).

    Parameters
    ----------
    gold : str or os.PathLike
        ``"wordnet"`` (the bundled WordNet 3.0 multiword lemmas) or a file
        (plain or gzip, UTF-8): one term per line, its first tab-separated
        field, words joined by ``_`` or separated by spaces; lines starting
        with ``#`` and blank lines are skipped, as are one-word entries.

    Returns
    -------
    name : str
        ``"wordnet"`` or the path.
    terms : frozenset of str

    Raises
    ------
    FormatError
        A file that is not UTF-8 text or holds no multi-word term.
    EmbkitError
        A name that is neither a gold list nor an existing file.
    """
    if isinstance(gold, str) and gold in GOLD:
        name, path = gold, dataset_path(GOLD[gold])
    elif os.path.isfile(os.fspath(gold)):
        name = path = os.fspath(gold)
    elif os.path.isdir(os.fspath(gold)):
        raise IsDirectoryError(errno.EISDIR, "is a directory; the gold list is a file, one term per line",
                               os.fspath(gold))
    else:
        raise InvalidParameterError(f"unknown gold list {os.fspath(gold)!r}: neither {', '.join(GOLD)} "
                                    "nor an existing file")
    terms = set()
    lineno = 0
    stream, to_close = open_sniffed(path, checked=True)      # any compression; damaged data: a FormatError
    try:
        for lineno, raw in enumerate(stream, 1):
            line = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
            text = line.split("\t", 1)[0].strip()
            if not text or text.startswith("#"):
                continue
            words = [w for part in text.split() for w in part.split("_") if w]
            if len(words) >= 2:
                terms.add(_normalise(words))
    except UnicodeDecodeError as exc:       # on a damaged compressed file, @reports_damage reports the damage
        raise FormatError(path, lineno, f"not UTF-8 (byte 0x{exc.object[exc.start]:02x})") from None
    finally:
        for handle in to_close:
            handle.close()
    if not terms:
        raise FormatError(path, None, "no multi-word term (one per line, words joined by _ or spaces)")
    return name, frozenset(terms)


def _ranked_terms(phrases):
    """(label, normalised multi-word terms, best score first) of a phrases file, a Phrases or rows."""
    from ..corpus.terms import read_phrases

    if isinstance(phrases, (str, os.PathLike)):
        rows, delimiter = read_phrases(phrases)
        label = os.fspath(phrases)
    elif hasattr(phrases, "phrases_"):
        rows, delimiter, label = phrases.phrases_, phrases.settings_["delimiter"], "<Phrases>"
    else:
        rows, delimiter, label = list(phrases), "_", "<rows>"
        if all(isinstance(r, str) for r in rows):             # terms alone, best first
            rows = [(term, 0, -float(i)) for i, term in enumerate(rows)]
        bad = next((r for r in rows if not (isinstance(r, (tuple, list)) and len(r) == 3 and isinstance(r[0], str)
                                            and isinstance(r[2], (int, float)) and not isinstance(r[2], bool))), None)
        if bad is not None:
            raise ParameterTypeError(f"phrases must be a phrases file, a fitted Phrases, terms (str, best first) or "
                                     f"rows (term, count, score); found the entry {bad!r}")
    order = sorted(range(len(rows)), key=lambda i: -rows[i][2])           # stable: file order among equal scores
    terms = [rows[i][0].split(delimiter) for i in order]
    return label, [_normalise(words) for words in terms if len(words) >= 2]


def evaluate_phrases(phrases, gold="wordnet", top=None):
    """Precision of the best-scored terms against a gold list, and the gold entries found.

    Parameters
    ----------
    phrases : str, os.PathLike, Phrases, list of str or list of (str, int, float)
        A phrases file (``embkit phrases`` output), a fitted
        :class:`embkit.Phrases`, terms (best first) or rows
        ``(term, count, score)``, with words joined by ``_``.
    gold : str or os.PathLike
        ``"wordnet"`` or a gold file, see :func:`load_gold`.
    top : int or sequence of int, optional
        The K of precision@K; default 100, 1,000 and 10,000.

    Returns
    -------
    dict
        ``phrases`` (label), ``gold`` (name), ``gold_size`` (multi-word
        gold terms), ``terms`` (multi-word rows ranked), ``precision`` (per
        K: ``k``, ``ranked`` = min(K, terms), ``hits`` among them and
        ``precision`` = hits / ranked, None without rows), ``found`` (gold
        terms anywhere in the list) and ``found_share`` (found / gold_size).

    Raises
    ------
    FormatError
        A malformed phrases or gold file (naming file and line).
    EmbkitError
        An unknown gold list, or a K below 1.
    """
    ks = DEFAULT_TOP if top is None else ((top,) if isinstance(top, int) else tuple(top))
    if not ks or any(not isinstance(k, int) or isinstance(k, bool) or k < 1 for k in ks):
        raise InvalidParameterError(f"top must be a positive integer or a list of them, got {top!r}")
    label, terms = _ranked_terms(phrases)
    gold_name, gold_terms = load_gold(gold)
    hits = [t in gold_terms for t in terms]
    precision = []
    for k in ks:
        ranked = min(k, len(terms))
        n = sum(hits[:ranked])
        precision.append({"k": k, "ranked": ranked, "hits": n, "precision": n / ranked if ranked else None})
    found = len(gold_terms.intersection(terms))
    return {"phrases": label, "gold": gold_name, "gold_size": len(gold_terms), "terms": len(terms),
            "precision": precision, "found": found, "found_share": found / len(gold_terms)}


__all__ = ["evaluate_phrases", "load_gold", "GOLD"]
