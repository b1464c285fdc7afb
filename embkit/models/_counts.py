"""What the count-based models share: their co-occurrence counts (counted, cached or given), checks and meta.json.

A count-based model (:class:`~embkit.GloVe`, :class:`~embkit.PPMISVD`)
trains either on a corpus, whose counts are computed with the model's
counting settings and cached (:func:`embkit.corpus.cooccur.cooccurrence_of`),
or on a :class:`~embkit.corpus.cooccur.Cooccurrence` (e.g. read from a
``counts.npz`` file), whose own settings then apply.
"""
import logging

import numpy as np

from .._params import defaults
from ..corpus.cooccur import SETTINGS, Cooccurrence, cooccurrence_of, warn_if_empty
from ..exceptions import CorpusError, InvalidParameterError
from ._training import build_meta, prepare_corpus

log = logging.getLogger(__name__)


class CountsSource:
    """What ``build_meta`` needs to know of the corpus behind some counts (its manifest and raw tokens).

    Parameters
    ----------
    manifest : dict
        The corpus statistics recorded with the counts.
    """

    def __init__(self, manifest):
        self.manifest = dict(manifest or {})

    @property
    def raw_tokens(self):
        """Tokens in the text (int; 0 when unknown)."""
        return int(self.manifest.get("raw_tokens") or 0)


def counts_for(est, corpus, p):
    """The counts to train on, with ``p`` completed by the settings they were made with.

    Parameters
    ----------
    est : Estimator
        The model (for its parameter table).
    corpus : Cooccurrence, EncodedCorpus, or a corpus as :meth:`EncodedCorpus.encode` takes
    p : dict
        The checked parameters; the counting and corpus settings of given
        counts are put into it.

    Returns
    -------
    cooc : Cooccurrence
    source : EncodedCorpus or CountsSource
        What ``meta.json`` describes as the corpus.

    Raises
    ------
    InvalidParameterError
        Non-default settings that the given counts contradict.
    CorpusError
        Counts with no pair to train on, or with counts that are negative or not finite.
    """
    if isinstance(corpus, Cooccurrence):
        adopt_count_settings(p, corpus.settings, defaults(est._param_table))
        cooc, source = corpus, CountsSource(corpus.settings.get("corpus"))
    else:
        enc = prepare_corpus(corpus, p, est._param_table)
        cooc, source = cooccurrence_of(enc, p), enc
    check_counts(cooc, est.model_name)
    return cooc, source


def adopt_count_settings(p, settings, defaults):
    """Put the settings given counts were made with into ``p``; refuse contradicting non-default ones."""
    corpus = settings.get("corpus") or {}
    recorded = {k: settings.get(k) for k in SETTINGS}
    vs = corpus.get("vocab_settings") or {}
    tok = corpus.get("tokenizer") or {}
    recorded.update({"min_count": vs.get("min_count"), "max_vocab_size": vs.get("max_vocab_size"),
                     "max_sentence_length": vs.get("max_sentence_length"), "tokenizer": tok.get("kind"),
                     "lowercase": tok.get("lowercase")})
    recorded.pop("seed")                  # the counts' subsampling seed; the model's own seed trains it
    if corpus:                            # the terms joined before counting (none when the record has none)
        terms = corpus.get("terms") or {}
        recorded.update({"phrases": terms.get("phrases"), "terms": terms.get("terms")})
    conflicts = []
    for name, value in recorded.items():
        if name not in p or (value is None and name not in ("phrases", "terms")
                             and (name != "max_vocab_size" or not vs)):
            continue                      # not recorded (a hand-made file)
        given = getattr(p[name], "kind", p[name])
        if given != value and given != defaults.get(name):
            conflicts.append(f"{name}={given!r} (the counts have {value!r})")
        p[name] = value
    if conflicts:
        raise InvalidParameterError("these settings disagree with the given co-occurrence counts, which were "
                                    "made with their own: " + ", ".join(conflicts) + "; count again with them, "
                                    "or leave them out")


def check_counts(cooc, model_name):
    """Raise CorpusError when the counts hold no pair, or counts that are negative or not finite."""
    data = cooc.matrix.data
    if len(data):
        finite = np.isfinite(data)
        if not finite.all():
            raise CorpusError(f"the co-occurrence counts hold {int((~finite).sum())} NaN or infinite values")
        if float(data.min()) < 0:
            raise CorpusError("the co-occurrence counts hold negative values")
    if not np.count_nonzero(data):
        warn_if_empty(0, cooc.settings)
        raise CorpusError(f"{model_name}: no co-occurrence to train on: every sentence holds a single word "
                          "(after subsampling); use a corpus with longer lines")
    if len(cooc) == 1:
        log.warning("%s: the vocabulary has a single word", model_name)


def count_meta(model_name, table, p, source, history, seconds, cooc):
    """``meta`` of a count-based model: :func:`build_meta` plus the counting settings and statistics."""
    meta = build_meta(model_name, table, p, source, history, seconds)
    s = cooc.settings
    meta["cooccurrence"] = {k: s.get(k) for k in (*SETTINGS, "scale", "exact", "longest_context")}
    meta["cooccurrence"]["nnz"] = int(cooc.matrix.nnz)
    return meta
