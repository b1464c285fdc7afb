"""Compass-aligned cross-corpus embeddings (CADE): a compass over every slice, then each slice against it.

Vectors trained on separate corpora live in unrelated coordinate systems.
CADE aligns them by construction (Di Carlo, Bianchi & Palmonari 2019;
Bianchi et al. 2020):

1. **Compass.** One model (CBOW by default, the paper's choice) is trained
   on every slice together.  The slices are encoded once each (every word
   kept, cached), re-encoded with the compass vocabulary from their token
   ids, and read one after the other (:class:`~embkit.corpus.multi.JoinedCorpus`):
   no concatenated copy of the text or of the token ids is made.  Its
   vocabulary: the words occurring at least ``min_count`` times over all
   slices (ties in count ordered by the first slice's own order, then the
   next one's).
2. **Slices.** Each slice keeps the compass words it holds at least
   ``slice_min_count`` times (default ``min_count``), ordered by its own
   counts, which also drive its subsampling and noise distribution; the
   tokens left out (words not in the compass or too rare in the slice) are
   counted.  Its input vectors start as the compass's, its context matrix is
   the compass's and stays frozen (``train_out=False``: every context row is
   bit-identical to the compass's after training), and only the input
   vectors learn from the slice.  Since all slices are trained against the
   same fixed context vectors, their input vectors are comparable.

``method="procrustes"`` is the classic baseline instead: one model per slice
trained from scratch with the same settings (each slice's words with at least
``slice_min_count`` occurrences), then rotated onto the first slice by
orthogonal Procrustes (:mod:`embkit.postprocess.align`; anchors: the words
occurring at least ``anchor_min_count`` times in both).

References
----------
Di Carlo, V., Bianchi, F., Palmonari, M. (2019). Training Temporal Word
Embeddings with a Compass. AAAI 2019, 6326-6334.
Bianchi, F., Di Carlo, V., Nicoli, P., Palmonari, M. (2020). Compass-aligned
Distributional Embeddings for Studying Semantic Differences across Corpora.
arXiv:2004.06519.
"""
import logging
import os
from collections.abc import Mapping

import numpy as np

from .._params import INT32_MAX, INT64_MAX, Param, meta_params, validate
from ..corpus.encoded import EncodedCorpus, detect_terms
from ..corpus.multi import JoinedCorpus, joint_vocabulary, kept_vocabulary, restrict, token_counts
from ..exceptions import CorpusError, InvalidParameterError, NotFittedError, ParameterTypeError
from ..postprocess.align import procrustes_align
from . import _reuse as reuse
from . import aligned as layout
from ._base import Estimator, clone

log = logging.getLogger(__name__)

METHODS = ("cade", "procrustes")

COMPASS = (
    Param("method", "choice", "cade", choices=METHODS,
          help="cade: a compass over every slice, then each slice with its context frozen; procrustes: one "
               "model per slice rotated onto the first."),
    Param("compass_epochs", "int", None, 0, INT32_MAX, optional=True,
          help="Epochs of the compass [default: --epochs]."),
    Param("slice_epochs", "int", None, 0, INT32_MAX, optional=True,
          help="Epochs of each slice [default: --epochs]."),
    Param("slice_min_count", "int", None, 1, INT64_MAX, optional=True,
          help="A slice keeps the compass words it holds at least this often [default: --min-count]."),
    Param("anchor_min_count", "int", 20, 1, INT64_MAX,
          help="procrustes: fit the rotation on the words occurring at least this often in both slices."),
)
"""The aligner's own parameters (the estimator's are in :data:`embkit._params.WORD2VEC`)."""

__all__ = ["CompassAligner", "COMPASS", "METHODS", "named_corpora", "encode_slice", "slice_stats"]


class CompassAligner(Estimator):
    """Word vectors of several corpora ("slices") in one coordinate system (CADE, or Procrustes).

    See the module docstring for the method.  Parameters are stored as
    given and checked by the ``fit`` methods.

    Parameters
    ----------
    estimator : Word2Vec, CBOW, SkipGram or FastText, optional
        The model and its settings (dim, window, min_count, threads, seed,
        ...), used unfitted as a template for the compass and each slice
        (default ``CBOW()``).  With :class:`~embkit.FastText` the slices
        start from the compass's word and n-gram rows and share its frozen
        output matrix, so every slice (and the compass) composes vectors for
        unseen words in the one coordinate system.  Its ``epochs`` apply where ``compass_epochs``
        or ``slice_epochs`` are not given; its ``min_count`` builds the
        compass vocabulary.
    method : {"cade", "procrustes"}
        Compass-aligned training, or independent models rotated onto the
        first slice.
    compass_epochs, slice_epochs : int, optional
        Epochs of the compass and of each slice (for ``procrustes``, of each
        independent model).
    slice_min_count : int, optional
        A slice keeps the words (of the compass, for ``cade``) that occur at
        least this often in it (default: the estimator's ``min_count``).
    anchor_min_count : int
        ``procrustes``: the rotation is fitted on the words occurring at
        least this often in both slices (20).

    Attributes
    ----------
    compass_ : KeyedVectors
        The compass (``cade``): input vectors, counts over every slice, the
        context matrix shared by the slices.
    slices_ : dict of str to KeyedVectors
        Each slice's vectors, in slice order; ``meta["alignment"]`` holds its
        statistics.
    stats_ : dict of str to dict
        Per slice: ``raw_tokens``, ``tokens`` (trained on), ``words``,
        ``dropped_tokens``, ``dropped_words`` and, for ``cade``,
        ``mean_cosine_to_compass`` and ``compass_sha256`` (the compass it
        was trained against: SHA-256 of the compass's context matrix); for
        ``procrustes``, ``reference``, ``anchors`` and ``reference_sha256``
        (the reference's ``vectors_sha256``) where rotated, and
        ``vectors_sha256``.
    manifest_ : dict
        The run's record, as written to ``manifest.json``.

    Examples
    --------
    >>> import embkit
    >>> aligner = embkit.CompassAligner(embkit.CBOW(dim=100, min_count=5))        # doctest: +SKIP
    >>> aligner.fit({"1800s": "sotu_1790-1899.txt.gz", "1900s": "sotu_1946-2026.txt.gz"})  # doctest: +SKIP
    >>> aligner.slices_["1800s"].most_similar("union")                          # doctest: +SKIP
    """

    def __init__(self, estimator=None, method="cade", compass_epochs=None, slice_epochs=None, slice_min_count=None,
                 anchor_min_count=20):
        self.estimator = estimator
        self.method = method
        self.compass_epochs = compass_epochs
        self.slice_epochs = slice_epochs
        self.slice_min_count = slice_min_count
        self.anchor_min_count = anchor_min_count

    # ------------------------------------------------------------ settings

    def check_params(self):
        """Validate the aligner's and the estimator's parameters without training.

        Returns
        -------
        dict
            The aligner's settings with defaults filled in (``method``,
            ``compass_epochs``, ``slice_epochs``, ``slice_min_count``,
            ``anchor_min_count``).

        Raises
        ------
        InvalidParameterError
            A value outside its range, or an estimator that cannot freeze its
            context matrix.
        """
        return self._checked()[2]

    def _checked(self):
        """(estimator, its checked parameters, the aligner's settings)."""
        from .word2vec import CBOW

        est = CBOW() if self.estimator is None else self.estimator
        if not isinstance(est, Estimator) or "train_out" not in est._param_names():
            raise InvalidParameterError("estimator must be a SkipGram, CBOW, Word2Vec or FastText, got "
                                        f"{type(est).__name__}",
                                        param="estimator")
        s = validate(COMPASS, self.get_params(deep=False))
        p = est.check_params()
        for name in ("compass_epochs", "slice_epochs"):
            s[name] = p["epochs"] if s[name] is None else s[name]
        s["slice_min_count"] = p["min_count"] if s["slice_min_count"] is None else s["slice_min_count"]
        return est, p, s

    def _settings_record(self, est, p, s):
        return {**self._model_settings(est, p), **s}

    @staticmethod
    def _model_settings(est, p, **overrides):
        """The estimator's settings as a model's ``meta.json`` records them, with ``overrides`` (epochs=...)."""
        params = {k: v for k, v in meta_params(est._param_table, p).items() if k not in reuse.TEMPLATE_ONLY}
        return {**params, **overrides}

    # ------------------------------------------------------------ training

    def fit_compass(self, corpora):
        """Train the compass on every slice together.

        Parameters
        ----------
        corpora : mapping of str to corpus, or sequence of corpora
            Slice name to corpus (files, token lists or EncodedCorpus, as
            :meth:`Word2Vec.fit` takes), or corpora named after their files
            (see :func:`named_corpora`).  An EncodedCorpus contributes the
            words of its own vocabulary (encode it with ``min_count=1`` for
            exact compass counts).

        Returns
        -------
        self

        Raises
        ------
        InvalidParameterError
            Bad parameters, or ``method="procrustes"`` (which has no compass).
        CorpusError
            Unreadable corpora, or no word reaching ``min_count``.
        """
        est, p, s = self._checked()
        if s["method"] != "cade":
            raise InvalidParameterError("method='procrustes' trains no compass; use fit()", param="method")
        names, corpora = named_corpora(corpora)
        reading = _shared_auto_terms(p, corpora)         # encoding only: the records keep phrases='auto'
        encs = {n: encode_slice(c, reading) for n, c in zip(names, corpora)}
        self._start(est, p, s)
        self._fit_compass(est, p, s, encs)
        return self

    def use_compass(self, compass, source="the given compass"):
        """Adopt a trained compass (e.g. ``compass.embkit`` of an earlier run) instead of training one.

        Parameters
        ----------
        compass : KeyedVectors
            With counts and a context matrix.
        source : str
            How error messages name it.

        Returns
        -------
        self

        Raises
        ------
        EmbkitError
            It has no context matrix, or its dim, model or vocabulary
            settings differ from the estimator's (the message names both
            values).
        """
        est, p, s = self._checked()
        layout.check_compass(compass, est.model_name, p, source)
        self._start(est, p, s)
        self.compass_ = compass
        self.manifest_["compass"] = _compass_record(compass)
        return self

    def fit_slice(self, name, corpus):
        """Train one slice against the compass (input vectors from it, its context matrix frozen).

        Parameters
        ----------
        name : str
            The slice's name (key of :attr:`slices_`).
        corpus : str, os.PathLike, sequence of them, iterable of token lists, or EncodedCorpus

        Returns
        -------
        self

        Raises
        ------
        NotFittedError
            No compass yet ("compass not trained": call :meth:`fit_compass`,
            :meth:`fit` or :meth:`use_compass` first).
        CorpusError
            No compass word occurs ``slice_min_count`` times in the slice.
        """
        if getattr(self, "compass_", None) is None:
            raise NotFittedError("compass not trained: call fit_compass(corpora), fit(corpora) or use_compass(kv) "
                                 "before fit_slice")
        layout.check_slice_name(name)
        est, p, s = self._checked()
        layout.check_compass(self.compass_, est.model_name, p, "the compass")
        self._fit_slice(est, p, s, name, encode_slice(corpus, p))
        return self

    def fit(self, corpora, output=None, skip_existing=False, format=None):  # long: the run's steps, each one call
        """Align the slices: the compass then each slice (``cade``), or independent models rotated (``procrustes``).

        Parameters
        ----------
        corpora : mapping of str to corpus, or sequence of corpora
            See :meth:`fit_compass`; at least two slices.
        output : str or os.PathLike, optional
            Write each model there as soon as it is trained, with
            ``manifest.json`` (layout: :mod:`embkit.models.aligned`).
        skip_existing : bool
            With ``output``: reuse its ``compass.embkit`` and the slices
            already written instead of training them again (to continue an
            interrupted run), those whose record says they belong to this
            run only: the same method and model, the same corpora (resolved
            paths and sizes), and for a ``cade`` slice the compass in use
            (the SHA-256 of its context matrix), for a ``procrustes`` slice
            the reference slice in use.  A slice trained against another
            compass or reference (one trained in this run included), or
            recording nothing, is trained again after a one-line warning
            saying why.  Records come from the models' ``meta.json``
            (native) or from the previous ``manifest.json`` (word2vec,
            word2vec-bin and fasttext-bin files, which hold none).
        format : {None, "native", "word2vec", "word2vec-bin", "fasttext-bin"}
            Format of the slice files (the compass is always native;
            fasttext-bin needs a FastText estimator).

        Returns
        -------
        self

        Raises
        ------
        EmbkitError
            Fewer than two slices, bad names, an output that cannot be
            written, or an existing ``compass.embkit`` whose dim, model or
            vocabulary settings differ from the estimator's (with or without
            ``skip_existing``; the message names both values).  With
            ``skip_existing``, before any training: an output holding an
            alignment of another method or model, or a compass or slice
            trained on other corpora than given (an InvalidParameterError
            naming both; training again would overwrite models of other
            corpora: write to another directory, or leave
            ``skip_existing`` off to train everything anew).
        CorpusError, InvalidParameterError, MemoryBudgetError, TrainingDivergedError
            As for :meth:`Word2Vec.fit`.
        """
        est, p, s = self._checked()
        names, corpora = named_corpora(corpora)
        if len(names) < 2:
            raise InvalidParameterError(f"aligning needs at least two slices, got {len(names)}")
        reading = _shared_auto_terms(p, corpora)         # encoding only: the records keep phrases='auto'
        out = None
        if output is not None:
            out = layout.OutputDirectory(output, names, format, skip_existing, est.model_name, p, corpora,
                                         s["method"])
        self._start(est, p, s)
        encs = {}

        def enc(name):
            if name not in encs:
                encs[name] = encode_slice(corpora[names.index(name)], reading)
            return encs[name]

        compass_sha = self._compass_step(est, p, s, out, names, enc) if s["method"] == "cade" else None
        reference = (names[0], None)             # procrustes: the slice the others are rotated onto, its identity
        for i, name in enumerate(names):
            found = out.existing_slice(name, s["method"], compass_sha, reference) if out else None
            if found is not None:
                log.info("slice %s: reusing %s", name, out.slice(name))
                self._adopt_slice(name, *found)
                reuse.warn_reused(out.slice(name), self.manifest_["slices"][-1]["settings"], self._model_settings(
                    est, p, epochs=s["slice_epochs"], min_count=s["slice_min_count"]))
                if i == 0:
                    reference = (name, found[1].get("vectors_sha256"))
            elif s["method"] == "cade":
                self._fit_slice(est, p, s, name, enc(name))
            else:
                self._fit_independent(est, p, s, name, enc(name), self.slices_[names[0]] if i else None, names[0])
            if out and found is None:
                out.write_slice(name, self.slices_[name], self.manifest_)
            encs.pop(name, None)
        if out and out.skip:
            reuse.settings_as_trained(self.manifest_)
        self.manifest_["complete"] = True
        self.manifest_["shared_vocabulary"] = _shared_vocabulary(self.slices_, self.compass_)
        if out:
            out.write_manifest(self.manifest_)
        return self

    def _compass_step(self, est, p, s, out, names, enc):
        """Reuse the output directory's compass or train one; its identity when reused (None: trained now)."""
        found = out.existing_compass() if out else None
        if found is not None:
            self.use_compass(found, source=str(out.compass))
            log.info("reusing the compass %s", out.compass)
            reuse.warn_reused(out.compass, reuse.trained_settings(found),
                              self._model_settings(est, p, epochs=s["compass_epochs"]))
            return self.manifest_["compass"]["context_sha256"]
        self._fit_compass(est, p, s, {n: enc(n) for n in names})
        if out:
            out.write_compass(self.compass_, self.manifest_)
        return None

    @property
    def aligned_(self):
        """The result as :class:`~embkit.models.aligned.AlignedSlices` (slices, compass, manifest)."""
        if not getattr(self, "slices_", None):
            raise NotFittedError("no slice trained yet: call fit(corpora)")
        return layout.AlignedSlices(self.slices_, getattr(self, "compass_", None), self.manifest_)

    # ------------------------------------------------------------ steps

    def _start(self, est, p, s):
        """Reset the fitted state (once per run: fit_slice keeps adding to it)."""
        self.compass_ = None
        self.slices_ = {}
        self.stats_ = {}
        self.manifest_ = layout.new_manifest(s["method"], est.model_name, self._settings_record(est, p, s))

    def _fit_compass(self, est, p, s, encs):
        vocab = joint_vocabulary(list(encs.values()), p["min_count"], p["max_vocab_size"])
        settings = _vocab_settings(p, p["min_count"])
        parts = [restrict(e, vocab, settings, cache=p["cache"]) for e in encs.values()]
        joined = JoinedCorpus(parts, vocab, settings)
        n = s["compass_epochs"]
        log.info("compass: %d words over %d slices (%d tokens), %d epoch%s", len(vocab), len(parts),
                 int(joined.offsets[-1]), n, "" if n == 1 else "s")
        model = clone(est).set_params(epochs=s["compass_epochs"])
        model.fit(joined)
        kv = model.wv
        kv.meta["compass"] = {"slices": list(encs), "tokens": {n: int(e.offsets[-1]) for n, e in zip(encs, parts)},
                              "sources": {n: reuse.stamps(e.manifest.get("sources")) for n, e in encs.items()}}
        self.compass_ = kv
        self.manifest_["compass"] = _compass_record(kv)

    def _fit_slice(self, est, p, s, name, enc):
        counts = token_counts(enc)
        smc = s["slice_min_count"]
        vocab = kept_vocabulary(enc, counts, smc, within=self.compass_.key_to_index)
        if not len(vocab):
            raise CorpusError(f"slice {name!r}: no compass word occurs at least {smc} times in it "
                              f"(slice_min_count={smc})")
        senc = restrict(enc, vocab, _vocab_settings(p, smc), cache=p["cache"])
        model = clone(est).set_params(epochs=s["slice_epochs"], min_count=smc, init_in=self.compass_,
                                      init_out=self.compass_, train_in=True, train_out=False)
        model.fit(senc)
        stats = slice_stats(enc, counts, senc, model.wv, self.compass_)
        stats["compass_sha256"] = self.manifest_["compass"]["context_sha256"]
        self._record(name, model.wv, stats, "cade", enc)

    def _fit_independent(self, est, p, s, name, enc, reference, reference_name):
        counts = token_counts(enc)
        smc = s["slice_min_count"]
        vocab = kept_vocabulary(enc, counts, smc)
        if not len(vocab):
            raise CorpusError(f"slice {name!r}: no word occurs at least {smc} times in it (slice_min_count={smc})")
        senc = restrict(enc, vocab, _vocab_settings(p, smc), cache=p["cache"])
        model = clone(est).set_params(epochs=s["slice_epochs"], min_count=smc)
        model.fit(senc)
        kv = model.wv
        stats = slice_stats(enc, counts, senc, kv, None)
        if reference is not None:
            kv = procrustes_align(kv, reference, min_count=s["anchor_min_count"])
            stats["anchors"] = kv.meta["alignment"]["anchors"]
            log.info("slice %s: rotated onto %s on %d anchor words", name, reference_name, stats["anchors"])
            stats["reference_sha256"] = self.stats_[reference_name].get("vectors_sha256")
        stats["reference"] = reference_name
        stats["vectors_sha256"] = reuse.matrix_sha256(kv.vectors)
        self._record(name, kv, stats, "procrustes", enc)

    def _record(self, name, kv, stats, method, enc):
        sources = reuse.stamps(enc.manifest.get("sources"))
        kv.meta["alignment"] = {**kv.meta.get("alignment", {}), "method": method, "slice": name, "sources": sources,
                                **stats}
        self.slices_[name] = kv
        self.stats_[name] = stats
        entry = {"name": name, "method": method, "sources": sources, **stats,
                 "settings": reuse.trained_settings(kv)}
        self.manifest_["slices"] = [e for e in self.manifest_["slices"] if e["name"] != name] + [entry]
        log.info("slice %s: %d words, %d of its %d tokens trained on; %d tokens (%d distinct words) left out%s",
                 name, stats["words"], stats["tokens"], stats["raw_tokens"], stats["dropped_tokens"],
                 stats["dropped_words"], " (not in the compass, or rarer than slice_min_count)"
                 if method == "cade" else " (rarer than slice_min_count)")

    def _adopt_slice(self, name, kv, record):
        """Take a slice of an earlier run, with its record (its meta, or its manifest entry for other formats)."""
        stats = {k: v for k, v in record.items() if k not in ("name", "file", "method", "slice", "sources", "settings")}
        method, sources = record["method"], record["sources"]
        kv.meta["alignment"] = {**(kv.meta.get("alignment") or {}), "method": method, "slice": name,
                                "sources": sources, **stats}
        self.slices_[name] = kv
        self.stats_[name] = stats
        settings = record.get("settings") or reuse.trained_settings(kv)
        self.manifest_["slices"].append({"name": name, "method": method, "sources": sources, **stats,
                                         "settings": settings})


# ---------------------------------------------------------------- helpers

def named_corpora(corpora):
    """Slice names and corpora from a mapping or a sequence.

    Parameters
    ----------
    corpora : mapping of str to corpus, or sequence of corpora
        A sequence's slices are named after their files
        (:func:`~embkit.models.aligned.slice_name`).

    Returns
    -------
    names : list of str
    corpora : list

    Raises
    ------
    EmbkitError
        No corpus, a name that cannot name a file, or two slices with one name.
    """
    if isinstance(corpora, Mapping):
        names, values = [str(k) for k in corpora], list(corpora.values())
    elif isinstance(corpora, (str, bytes)) or not hasattr(corpora, "__iter__"):
        raise ParameterTypeError("corpora must be a mapping of slice name to corpus, or a list of corpora")
    else:
        values = list(corpora)
        names = [layout.slice_name(c, i) for i, c in enumerate(values)]
    if not values:
        raise CorpusError("no corpus given")
    for n in names:
        layout.check_slice_name(n)
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise InvalidParameterError(f"two slices are named {dup[0]!r}; name them (e.g. --names a,b)")
    return names, values


def _shared_auto_terms(p, corpora):
    """``p`` with ``phrases="auto"`` replaced by the terms detected once over every slice's files.

    So that every slice joins the same terms.  Slices given as token lists
    or encoded corpora keep a detection of their own (with a warning).
    """
    if not (isinstance(p.get("phrases"), str) and p["phrases"] == "auto"):
        return p
    def paths(c):
        if isinstance(c, (str, os.PathLike)):
            return [c]
        if isinstance(c, (list, tuple)) and c and all(isinstance(f, (str, os.PathLike)) for f in c):
            return list(c)
        return None

    per_slice = [paths(c) for c in corpora]
    files = [f for fs in per_slice if fs for f in fs]
    if any(fs is None for fs in per_slice):
        log.warning("phrases='auto' detects terms in each slice given as token lists or an encoded corpus on its "
                    "own, so slices may join different terms; give files, or detect the terms once (`embkit "
                    "phrases A B ... -o phrases.tsv`) and give that file", extra={"params": ("phrases",)})
        return p
    terms = detect_terms(files, tokenizer=p["tokenizer"], lowercase=p["lowercase"],
                         max_sentence_length=p["max_sentence_length"], encoding_errors=p["encoding_errors"],
                         cache=p["cache"], progress=p["progress"])
    log.info("phrases='auto': %d terms detected over every slice, joined in each", len(terms))
    return {**p, "phrases": terms}


def encode_slice(corpus, p):
    """A slice encoded with every word kept (cached), or an EncodedCorpus as given.

    Parameters
    ----------
    corpus : str, os.PathLike, sequence of them, iterable of token lists, or EncodedCorpus
    p : dict
        The estimator's checked parameters (tokenizer, lowercase, the terms
        of ``phrases`` and ``terms`` joined, ...; ``phrases="auto"`` detects
        each slice's terms in that slice).

    Returns
    -------
    EncodedCorpus
    """
    if isinstance(corpus, EncodedCorpus):
        return corpus
    return EncodedCorpus.encode(corpus, tokenizer=p["tokenizer"], lowercase=p["lowercase"], min_count=1,
                                max_sentence_length=p["max_sentence_length"], encoding_errors=p["encoding_errors"],
                                phrases=p.get("phrases"), terms=p.get("terms"), cache=p["cache"],
                                progress=p["progress"])


def slice_stats(enc, counts, senc, kv, compass):
    """A trained slice's figures: tokens and words kept and left out, and how far it moved from the compass.

    Parameters
    ----------
    enc : EncodedCorpus
        The slice with every word.
    counts : ndarray of int64
        Its token counts.
    senc : EncodedCorpus
        The slice as trained (its vocabulary).
    kv : KeyedVectors
        The slice's vectors.
    compass : KeyedVectors, optional

    Returns
    -------
    dict
        ``raw_tokens``, ``tokens``, ``words``, ``dropped_tokens``,
        ``dropped_words`` and, with a compass, ``mean_cosine_to_compass``
        (mean over the slice's words of the cosine between the slice vector
        and the compass vector).
    """
    types = int(enc.manifest.get("types") or np.count_nonzero(counts))
    tokens = int(senc.offsets[-1])
    stats = {"raw_tokens": enc.raw_tokens, "tokens": tokens, "words": len(senc.vocab),
             "dropped_tokens": enc.raw_tokens - tokens, "dropped_words": max(types - len(senc.vocab), 0)}
    if compass is not None:
        rows = [compass.key_to_index[w] for w in kv.index_to_key]
        cos = np.einsum("ij,ij->i", kv.unit_vectors, compass.unit_vectors[rows], dtype=np.float64)
        stats["mean_cosine_to_compass"] = round(float(cos.mean()), 6) if len(cos) else None
    return stats


def _vocab_settings(p, min_count):
    return {"min_count": int(min_count), "max_vocab_size": p["max_vocab_size"],
            "max_sentence_length": p["max_sentence_length"]}


def _compass_record(kv):
    return {"file": f"{layout.COMPASS}.embkit", "words": len(kv), "dim": kv.dim,
            "tokens": int(kv.counts.sum()) if kv.counts is not None else None,
            "slices": (kv.meta.get("compass") or {}).get("slices"),
            "epochs": len((kv.meta.get("training") or {}).get("epochs") or []),
            "settings": reuse.trained_settings(kv),
            "sources": (kv.meta.get("compass") or {}).get("sources"),
            "context_sha256": reuse.matrix_sha256(kv.context) if kv.context is not None else None}


def _shared_vocabulary(slices, compass):
    common = None
    for kv in slices.values():
        common = set(kv.index_to_key) if common is None else common & set(kv.index_to_key)
    return {"compass_words": len(compass) if compass is not None else None,
            "in_every_slice": len(common or ()), "vocabulary": "vocab.tsv of compass.embkit" if compass else None}
