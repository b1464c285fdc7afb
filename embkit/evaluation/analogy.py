"""Word analogy evaluation ("a is to b as c is to ?").

For every question ``a b c d`` whose four words are in the vocabulary the
model answers with the vocabulary word ``x`` (other than ``a``, ``b`` and
``c``) that maximises one of two objectives over unit-normalised vectors:

3CosAdd (Mikolov et al. 2013)
    ``cos(x, b) - cos(x, a) + cos(x, c)``
3CosMul (Levy & Goldberg 2014)
    ``cos'(x, b) * cos'(x, c) / (cos'(x, a) + 0.001)`` with the cosines
    shifted to ``cos' = (1 + cos) / 2`` so that all factors are in [0, 1].

The answer is correct when it is ``d``. Questions with an out-of-vocabulary
word are skipped: accuracy is the micro-average over answered questions (per
section and in total), and ``accuracy_oov_as_wrong`` divides the correct
answers by all questions. Questions are scored in batches as float32 matrix
products, so the Google set (19,544 questions) against a 100k vocabulary
takes seconds, not minutes.

Words are matched case-insensitively by default: a data set word stands for
the most frequent vocabulary entry equal to it under :meth:`str.casefold`,
and every vocabulary entry folding to a question word is excluded from the
candidates. The same rule applies to similarity evaluation.

References
----------
Mikolov, T., Chen, K., Corrado, G., Dean, J. (2013). Efficient Estimation of
Word Representations in Vector Space. arXiv:1301.3781.

Mikolov, T., Yih, W., Zweig, G. (2013). Linguistic Regularities in Continuous
Space Word Representations. NAACL-HLT 2013, 746-751.

Levy, O., Goldberg, Y. (2014). Linguistic Regularities in Sparse and Explicit
Word Representations. CoNLL 2014, 171-180.
"""
import numpy as np

from ..exceptions import InvalidParameterError
from .datasets import load_analogies

__all__ = ["evaluate_analogies", "VocabIndex", "METHODS"]

METHODS = ("3cosadd", "3cosmul")
_COSMUL_EPS = 0.001
_COS_BUDGET = 1 << 24            # float32 cosines of question words x vocabulary chunk (64 MiB)
_BATCH_SCORES = 1 << 20          # float32 scores per batch of questions (4 MiB, cache-sized)
_MIN_CHUNK = 1024                # smallest vocabulary chunk
_BLOCK = 4096                    # questions whose distinct words share one product
_DIRECT_RATIO = 0.7              # 3CosAdd: multiply queries when words > ratio * questions


class VocabIndex:
    """Look-up of data set words in the rows of a :class:`~embkit.vectors.KeyedVectors`.

    Built once per evaluation call (or once for :func:`evaluate_all`).

    Parameters
    ----------
    kv : KeyedVectors
    restrict_vocab : int, optional
        Only the first ``restrict_vocab`` rows take part.
    case_sensitive : bool
        Match words exactly. Otherwise a word matches the most frequent entry
        equal to it under :meth:`str.casefold` (by ``kv.counts`` when present,
        else the lowest row index).

    Attributes
    ----------
    n : int
        Number of rows taking part.
    group : numpy.ndarray of int64, shape (n,)
        For every row, the row that represents its case-folded form (the row
        itself when matching is case-sensitive). Two rows stand for the same
        word when their groups are equal.
    """

    def __init__(self, kv, restrict_vocab=None, case_sensitive=False):
        keys = kv.index_to_key
        n = len(keys)
        if restrict_vocab is not None:
            if isinstance(restrict_vocab, bool) or int(restrict_vocab) != restrict_vocab \
                    or restrict_vocab < 1:
                raise InvalidParameterError(
                    f"restrict_vocab must be a positive integer, got {restrict_vocab!r}")
            n = min(n, int(restrict_vocab))
        self.n = n
        self.restrict_vocab = None if restrict_vocab is None else int(restrict_vocab)
        self.case_sensitive = bool(case_sensitive)
        self._members = {}
        if self.case_sensitive:
            self._k2i = kv.key_to_index
            self.group = np.arange(n, dtype=np.int64)
            self._shared = None
            return
        folded = [k.casefold() for k in keys[:n]]
        counts = getattr(kv, "counts", None)
        if counts is not None:
            order = np.argsort(-np.asarray(counts[:n], dtype=np.int64), kind="stable")
        else:
            order = np.arange(n)
        rev = order[::-1].tolist()
        # later items win in dict(): the most frequent row of each folded form is kept
        self._k2i = dict(zip([folded[i] for i in rev], rev))
        self.group = np.fromiter(map(self._k2i.__getitem__, folded), dtype=np.int64, count=n)
        sizes = np.bincount(self.group, minlength=n) if n else np.zeros(0, np.int64)
        shared = sizes[self.group] > 1
        self._shared = shared if shared.any() else None
        for r in np.flatnonzero(shared).tolist():
            self._members.setdefault(int(self.group[r]), []).append(r)

    def row(self, word):
        """Row of one data set word.

        Parameters
        ----------
        word : str
            Matched exactly or by :meth:`str.casefold`, as the index was
            built.

        Returns
        -------
        int
            The row, or -1 when the word is not in the (restricted)
            vocabulary.
        """
        if self.case_sensitive:
            i = self._k2i.get(word, -1)
            return i if i < self.n else -1
        return self._k2i.get(word.casefold(), -1)

    def rows(self, words):
        """Rows of many data set words (each distinct word looked up once).

        Parameters
        ----------
        words : sequence of str
            The words, repeats allowed.

        Returns
        -------
        ndarray of int64, shape (len(words),)
            The row of each word, -1 for unknown words.
        """
        cache = {}
        out = np.empty(len(words), dtype=np.int64)
        for j, w in enumerate(words):
            i = cache.get(w)
            if i is None:
                i = cache[w] = self.row(w)
            out[j] = i
        return out

    def variants(self, row):
        """All rows that stand for the same word as ``row`` (its case variants).

        Parameters
        ----------
        row : int
            A row in ``[0, n)``.

        Returns
        -------
        tuple or list of int
            ``(row,)`` when no other row folds to the same form (always so
            when matching is case-sensitive), else every row of its group,
            ``row`` included, in row order.
        """
        if self._shared is None or not self._shared[row]:
            return (row,)
        return self._members[int(self.group[row])]


def _unit_rows(kv, n):
    """The first ``n`` unit-normalised rows as C-contiguous float32 (zero rows stay zero)."""
    return np.ascontiguousarray(kv.unit_vectors[:n], dtype=np.float32)


def _exclude(scores, rows, j0, j1, question_ids):
    """Set ``scores[q, row - j0] = -inf`` for the rows that fall in [j0, j1)."""
    inside = (rows >= j0) & (rows < j1)
    scores[question_ids[inside], rows[inside] - j0] = -np.inf


def _variant_pairs(vocab, a, b, c):
    """(question, row) pairs, sorted by question, of the case variants of question words."""
    if vocab._shared is None:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    shared = vocab._shared
    qs, rows = [], []
    for j in np.flatnonzero(shared[a] | shared[b] | shared[c]).tolist():
        for w in (a[j], b[j], c[j]):
            if shared[w]:
                members = vocab.variants(w)
                rows.extend(members)
                qs.extend([j] * len(members))
    return np.asarray(qs, dtype=np.int64), np.asarray(rows, dtype=np.int64)


def _predict(unit, vocab, qa, qb, qc, method, batch_size=None):
    """Row index of the best candidate for every question (a, b, c).

    Questions are taken in blocks of ``_BLOCK``. For each block the cosines of
    its distinct question words with a chunk of the vocabulary are one matrix
    product (``shared``); the score of a question is then a combination of
    three rows of that matrix. Benchmarks reuse few words (the Google set has
    about 900 distinct words in 19,544 questions), so this costs far fewer
    multiplications than one product per question word. When a block has
    many distinct words, 3CosAdd instead multiplies the query vectors
    ``b - a + c`` directly (``direct``). Scores of each vocabulary chunk
    update a running maximum, so memory stays bounded for any vocabulary
    size; equal scores keep the lowest row.
    """
    n = unit.shape[0]
    m = len(qa)
    pred = np.zeros(m, dtype=np.int64)
    if m == 0 or n == 0:
        return pred
    best = np.full(m, -np.inf, dtype=np.float32)
    for q0 in range(0, m, _BLOCK):
        a, b, c = qa[q0:q0 + _BLOCK], qb[q0:q0 + _BLOCK], qc[q0:q0 + _BLOCK]
        k = len(a)
        words, inverse = np.unique(np.concatenate((a, b, c)), return_inverse=True)
        ia, ib, ic = inverse[:k], inverse[k:2 * k], inverse[2 * k:]
        direct = method == "3cosadd" and len(words) > _DIRECT_RATIO * k
        if direct:
            queries = unit[b] - unit[a] + unit[c]
            chunk = n
        else:
            word_vecs = unit[words]
            chunk = int(min(n, max(_MIN_CHUNK, _COS_BUDGET // len(words))))
        qbatch = batch_size or int(np.clip(_BATCH_SCORES // chunk, 16, 1024))
        var_q, var_rows = _variant_pairs(vocab, a, b, c)
        for j0 in range(0, n, chunk):
            j1 = min(n, j0 + chunk)
            cand_t = unit[j0:j1].T
            if not direct:
                cos = word_vecs @ cand_t
                if method == "3cosmul":
                    cos += 1.0                      # 2 * cos' of Levy & Goldberg
            for s in range(0, k, qbatch):
                e = min(k, s + qbatch)
                if direct:
                    scores = queries[s:e] @ cand_t
                elif method == "3cosadd":
                    scores = np.take(cos, ib[s:e], axis=0)
                    scores -= np.take(cos, ia[s:e], axis=0)
                    scores += np.take(cos, ic[s:e], axis=0)
                else:
                    # cos'(b) cos'(c) / (cos'(a) + eps) with cos' = (1 + cos) / 2
                    # is half of (1 + cos_b)(1 + cos_c) / (1 + cos_a + 2 eps)
                    scores = np.take(cos, ib[s:e], axis=0)
                    scores *= np.take(cos, ic[s:e], axis=0)
                    denom = np.take(cos, ia[s:e], axis=0)
                    denom += 2 * _COSMUL_EPS
                    scores /= denom
                r = np.arange(e - s)
                for rows in (a[s:e], b[s:e], c[s:e]):
                    _exclude(scores, rows, j0, j1, r)
                if len(var_q):
                    lo, hi = np.searchsorted(var_q, [s, e])
                    _exclude(scores, var_rows[lo:hi], j0, j1, var_q[lo:hi] - s)
                top = scores.argmax(axis=1)
                val = scores[r, top]
                g = q0 + s
                better = val > best[g:g + e - s]
                best[g:g + e - s][better] = val[better]
                pred[g:g + e - s][better] = top[better] + j0
    return pred


def _ratio(num, den):
    return None if den == 0 else num / den


def _question_rows(vocab, questions):
    """(section names in order, section index of each question, (m, 4) int64 rows of a, b, c, d; -1 unknown)."""
    m = len(questions)
    section_names = list(dict.fromkeys(q.section for q in questions))
    section_id = {name: i for i, name in enumerate(section_names)}
    sec = np.fromiter((section_id[q.section] for q in questions), dtype=np.int64, count=m)
    words = [w for q in questions for w in (q.a, q.b, q.c, q.d)]
    return section_names, sec, vocab.rows(words).reshape(m, 4)


def _results(name, method, vocab, section_names, sec, known, good):
    """The result dict of :func:`evaluate_analogies`, totals and one dict per section.

    ``sec`` is the section index of every question, ``known`` marks the
    answered questions and ``good`` the correct ones among them.
    """
    n_sec, m = len(section_names), len(sec)
    sec_total = np.bincount(sec, minlength=n_sec)
    sec_answered = np.bincount(sec[known], minlength=n_sec)
    sec_correct = np.bincount(sec[known][good], minlength=n_sec)
    sections = []
    for i, section in enumerate(section_names):
        c, a, t = int(sec_correct[i]), int(sec_answered[i]), int(sec_total[i])
        sections.append({"name": section, "correct": c, "answered": a, "skipped": t - a,
                         "total": t, "accuracy": _ratio(c, a)})
    correct, answered = int(good.sum()), int(known.sum())
    return {
        "dataset": name,
        "method": method,
        "accuracy": _ratio(correct, answered),
        "accuracy_oov_as_wrong": _ratio(correct, m),
        "correct": correct,
        "answered": answered,
        "skipped": m - answered,
        "total": m,
        "coverage": _ratio(answered, m),
        "restrict_vocab": vocab.restrict_vocab,
        "case_sensitive": vocab.case_sensitive,
        "sections": sections,
    }


def evaluate_analogies(kv, dataset, method="3cosadd", restrict_vocab=None, case_sensitive=False,
                       *, batch_size=None, vocab=None):
    """Accuracy of ``kv`` on analogy questions.

    Parameters
    ----------
    kv : KeyedVectors
    dataset : str, os.PathLike, AnalogyDataset or iterable
        A bundled data set name (``"google"``, ``"msr"``), the path of a file
        in questions-words format, or questions already parsed (see
        :func:`embkit.evaluation.datasets.load_analogies`).
    method : {"3cosadd", "3cosmul"}
        The objective (see the module docstring).
    restrict_vocab : int, optional
        Only the first ``restrict_vocab`` rows (the most frequent words in a
        count-sorted vocabulary) are candidates, and a question counts as
        in-vocabulary only when its four words are among them.
    case_sensitive : bool
        Match words exactly instead of by :meth:`str.casefold`.
    batch_size : int, optional
        Questions scored at once; by default chosen so that one score matrix
        takes about 4 MiB.
    vocab : VocabIndex, optional
        A prebuilt look-up (must match ``restrict_vocab`` and
        ``case_sensitive``); built when omitted.

    Returns
    -------
    dict
        ``dataset``, ``method``, ``accuracy`` (correct / answered, None when
        nothing was answered), ``accuracy_oov_as_wrong`` (correct / total),
        ``correct``, ``answered``, ``skipped``, ``total``, ``coverage``
        (answered / total), ``restrict_vocab``, ``case_sensitive`` and
        ``sections``: one dict per section in file order with ``name``,
        ``correct``, ``answered``, ``skipped``, ``total`` and ``accuracy``
        (None when the section has 0 answered questions). Accuracies are never
        NaN.

    Raises
    ------
    EmbkitError
        For an unknown data set or method; :class:`~embkit.exceptions.FormatError`
        for a malformed file.

    Examples
    --------
    >>> r = evaluate_analogies(kv, "google", restrict_vocab=30000)    # doctest: +SKIP
    >>> r["accuracy"], r["coverage"], r["sections"][0]["name"]        # doctest: +SKIP
    """
    method_key = str(method).lower()
    if method_key not in METHODS:
        raise InvalidParameterError(
            f"unknown analogy method {method!r}; expected one of {', '.join(METHODS)}")
    data = load_analogies(dataset)
    if vocab is None:
        vocab = VocabIndex(kv, restrict_vocab, case_sensitive)
    section_names, sec, rows = _question_rows(vocab, data.questions)
    known = (rows >= 0).all(axis=1)
    qrows = rows[known]

    pred = _predict(_unit_rows(kv, vocab.n), vocab, qrows[:, 0], qrows[:, 1], qrows[:, 2],
                    method_key, batch_size)
    good = vocab.group[pred] == vocab.group[qrows[:, 3]] if len(pred) else np.zeros(0, bool)

    return _results(data.name, method_key, vocab, section_names, sec, known, good)
