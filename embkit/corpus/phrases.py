"""Phrase detection: the :class:`Phrases` estimator, which finds multi-word terms in a corpus and writes them.

>>> import embkit
>>> ph = embkit.Phrases(min_count=5, passes=2).fit("corpus.txt.gz")      # doctest: +SKIP
>>> ph.phrases_[:2]                                                      # doctest: +SKIP
[('los_angeles', 184, 0.9888), ('hong_kong', 63, 0.9831)]
>>> ph.save("phrases.tsv")                                               # doctest: +SKIP
>>> embkit.SkipGram(phrases="phrases.tsv").fit("corpus.txt.gz")          # doctest: +SKIP

Counting, scoring and the passes are :mod:`embkit.corpus.phrase_counts`;
joining the terms while encoding a corpus for training is
:mod:`embkit.corpus.terms` (``phrases=`` and ``terms=`` of every model and
of :meth:`embkit.EncodedCorpus.encode`).
"""
import logging
import os

from .. import _params
from ..exceptions import CorpusError, InvalidParameterError, NotFittedError
from ..formats._sniff import text_output
from ..models._base import Estimator
from ..models._training import release_free_memory
from .encoded import EncodedCorpus, encode_for_phrases
from .phrase_counts import DEFAULT_CONNECTORS, DEFAULT_THRESHOLDS, connector_words, detect
from .scan import corpus_source
from .terms import TermList, phrases_header

log = logging.getLogger(__name__)


class Phrases(Estimator):
    """Detect multi-word terms ("new york", "bank of england") by counting and scoring word pairs.

    Each pass counts the candidates (a word, connector words, a word; no
    punctuation, rare word or line end between them), keeps those seen at
    least ``min_count`` times that score above ``threshold``, and joins them
    for the next pass, so that terms grow to ``max_len`` words.  Parameters
    are stored as given; :meth:`fit` validates them (ranges in
    :data:`embkit._params.PHRASES`).

    Parameters
    ----------
    min_count : int
        Keep terms seen at least this many times (5); also the ``delta`` of
        the word2vec score.  Words seen fewer times are never part of a term.
    threshold : float, optional
        Keep terms scoring above this; default 0.5 for ``npmi`` (which lies
        in [-1, 1], so the threshold must be below 1), 100 for ``word2vec``
        (word2phrase's).
    scorer : {"npmi", "word2vec"}
        Normalised PMI (Bouma 2009), or word2vec's ``(count(ab) - min_count)
        / (count(a) count(b)) * N`` (Mikolov et al. 2013); ``N`` is the
        pass's tokens.
    passes : int
        Passes over the corpus (2); pass ``k`` can join the terms of pass
        ``k - 1`` with a word or another term.
    max_len : int
        Most words in a term, connector words included (4).
    delimiter : str
        Joins a term's words (``_``).  Corpus words holding it are never
        part of a term, so a term splits back into its words unambiguously.
    connectors : str, os.PathLike or list of str
        Words that may stand inside a term but not at its ends:
        ``"default"`` (:data:`~embkit.corpus.phrase_counts.DEFAULT_CONNECTORS`:
        the articles a, an, the; the prepositions of, in, on, at, by, for,
        from, to, with; the particles de, van, von; no conjunctions),
        ``"none"``, a file of one word per line, or the words.
    max_sentence_length, tokenizer, lowercase, encoding_errors
        Corpus reading, see :meth:`embkit.EncodedCorpus.encode`.  With the
        regex tokenizer, punctuation between two words breaks a term.
    max_memory : int or str, optional
        Bound on the candidate count table (e.g. ``"200M"``); when it is
        reached, the rarest candidates are dropped and their later counts
        are lower bounds.  Default: no bound.
    cache : bool
        Reuse and store the encoded corpus and each pass's counts.
    progress : bool
        Show progress bars.

    Attributes
    ----------
    phrases_ : list of (str, int, float)
        Terms (words joined by ``delimiter``), counts and scores, best
        first (score, then count, descending; then the term).
    passes_ : list of dict
        Per pass: tokens, distinct candidates, candidates seen at least
        ``min_count`` times, terms found, seconds.
    corpus_ : EncodedCorpus
        The encoding read (every token kept).
    settings_ : dict
        The detection settings, as the output file's header records them.
    """

    _param_table = _params.PHRASES

    def _complete_params(self, p):
        if p["threshold"] is None:
            p["threshold"] = DEFAULT_THRESHOLDS[p["scorer"]]
        elif p["scorer"] == "npmi" and not -1.0 <= p["threshold"] < 1.0:
            raise InvalidParameterError(f"threshold must be in [-1, 1) for scorer='npmi' (npmi lies in [-1, 1]), "
                                        f"got {p['threshold']}", param="threshold")
        elif p["scorer"] == "word2vec" and p["threshold"] < 0:
            raise InvalidParameterError(f"threshold must be >= 0 for scorer='word2vec' (its scores are), got "
                                        f"{p['threshold']}", param="threshold")

    def fit(self, corpus):
        """Find the terms of a corpus.

        Parameters
        ----------
        corpus : str, os.PathLike, sequence of them, iterable of token lists, or EncodedCorpus
            As for :meth:`embkit.EncodedCorpus.encode`; an encoded corpus
            must keep every token (``min_count=1``, no ``max_vocab_size``).

        Returns
        -------
        self

        Raises
        ------
        InvalidParameterError
            A parameter outside its range.
        CorpusError
            Missing inputs, invalid UTF-8 (strict), an empty corpus.
        FormatError
            A malformed connectors file.
        EmbkitError
            An encoded corpus that dropped words.
        """
        p = self.check_params()
        enc, lowercase = self._encoded(corpus, p)
        p["_connectors"] = connector_words(p["connectors"], lowercase)
        found = detect(enc, p, cache=p["cache"], progress=p["progress"])
        delimiter = p["delimiter"]
        self.phrases_ = [(delimiter.join(words), count, score) for words, count, score, _ in found.rows]
        self.passes_ = found.passes
        self.corpus_ = enc
        self.settings_ = {k: p[k] for k in ("scorer", "threshold", "min_count", "passes", "max_len", "delimiter")}
        self.settings_["connectors"] = (os.fspath(p["connectors"]) if isinstance(p["connectors"], (str, os.PathLike))
                                        else list(p["connectors"]))
        tok = enc.manifest.get("tokenizer") or {}
        self.settings_.update(tokenizer=tok.get("kind"), lowercase=tok.get("lowercase"),
                              breaks=bool(tok.get("breaks")))
        log.info("%d terms found in %d pass(es)", len(self.phrases_), len(self.passes_))
        return self

    def _encoded(self, corpus, p):
        """The encoding to count (every token kept) and whether it is lowercased."""
        if isinstance(corpus, EncodedCorpus):
            vs = corpus.manifest.get("vocab_settings") or {}
            if vs.get("min_count", 1) != 1 or vs.get("max_vocab_size") is not None:
                raise CorpusError(f"phrase detection needs every token of the corpus, but this encoded corpus "
                                  f"dropped words (min_count={vs.get('min_count')}, max_vocab_size="
                                  f"{vs.get('max_vocab_size')}); pass the corpus files, or encode with min_count=1")
            return corpus, bool((corpus.manifest.get("tokenizer") or {}).get("lowercase"))
        source, tok = corpus_source(corpus, p["tokenizer"], p["lowercase"])
        enc = encode_for_phrases(source, tok, max_sentence_length=p["max_sentence_length"],
                                 encoding_errors=p["encoding_errors"], cache=p["cache"], progress=p["progress"])
        release_free_memory()              # what reading the text held, before the count tables grow
        return enc, tok.lowercase

    def _check_fitted(self):
        if not hasattr(self, "phrases_"):
            raise NotFittedError("this Phrases has not found any terms yet; call fit(corpus) first")

    def term_list(self):
        """The terms found, as a :class:`~embkit.corpus.terms.TermList` (to join them while encoding).

        Returns
        -------
        TermList

        Raises
        ------
        EmbkitError
            Before :meth:`fit`.
        """
        self._check_fitted()
        d = self.settings_["delimiter"]
        return TermList([term.split(d) for term, _, _ in self.phrases_], d, {"phrases": "<Phrases>"})

    def save(self, path):
        """Write the terms as a TSV file (atomically), best first.

        The file opens with comment lines (``#``): the columns, the
        settings as JSON (the delimiter among them) and the corpus read;
        then one ``term<TAB>count<TAB>score`` row per term, the score with
        six decimals.  The same corpus and settings give the same bytes.

        Parameters
        ----------
        path : str or os.PathLike
            The file to write.

        Raises
        ------
        EmbkitError
            Before :meth:`fit`; a ``path`` that is a file the fit read (a
            corpus or connectors file), a directory, a device, pipe or
            socket, or in a directory that does not exist (see
            :mod:`embkit._outputs`).
        """
        self._check_fitted()
        with text_output(path, self._input_files(), what="a phrases file") as f:   # p.tsv.gz: compressed
            f.writelines(self.lines())

    def _input_files(self):
        """The files the fit read: the corpus files and the connectors file, if any."""
        self._check_fitted()
        sources = [s["path"] for s in self.corpus_.manifest.get("sources", []) if s.get("path")]
        return sources + _params.input_files(_params.PHRASES, self.settings_)

    def lines(self):
        """The saved file's lines, each ending with a newline (see :meth:`save`).

        Yields
        ------
        str
            The comment lines, then one row per term.

        Raises
        ------
        EmbkitError
            Before :meth:`fit`.
        """
        self._check_fitted()
        yield self._header()
        for term, count, score in self.phrases_:
            yield f"{term}\t{count}\t{score:.6f}\n"

    def _header(self):
        sources = [os.path.basename(s.get("path", "?")) for s in self.corpus_.manifest.get("sources", [])]
        names = ", ".join(sources[:3]) + (f" (+{len(sources) - 3} files)" if len(sources) > 3 else "")
        tokens = self.passes_[0]["tokens"] if self.passes_ else 0
        return phrases_header(self.settings_, f"{names}; {tokens} tokens; {len(self.phrases_)} terms")


__all__ = ["Phrases", "DEFAULT_CONNECTORS", "DEFAULT_THRESHOLDS"]
