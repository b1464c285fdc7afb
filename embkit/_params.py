"""Parameter tables: each model's parameter names, kinds, ranges, defaults and help, declared once.

A table is a tuple of :class:`Param`.  The same table gives

* the estimator's signature and ``get_params``/``set_params``
  (:mod:`embkit.models._base`),
* the validation that ``fit`` runs (:func:`validate`),
* the command line's options (``cli/commands_train.py``), and
* ``meta.json``'s ``params`` (:func:`meta_params`).

Entries shared by every trainer (corpus encoding, threads and seed, initial
matrices, caching) are declared once here and reused by each model's table.

Every number has a lower and an upper bound.  Integers that reach the
kernels (``dim``, ``window``, ``negative``, ``max_sentence_length``, ...) are
bounded by what an int32 holds, counts compared with int64 corpus counts by
what an int64 holds; memory the kernels would need beyond that is refused by
the memory budget before anything is allocated.  Learning rates are bounded
by 10, far above the 0.025-1.0 that word2vec, fastText and GloVe use;
``ns_exponent`` by +-10 (beyond that the noise distribution already sits on
the few most or least frequent words), and ``sample`` by 1 (a threshold of
the whole corpus, where subsampling keeps every word).
"""
import math
import os
from dataclasses import dataclass

import numpy as np

from .exceptions import EmbkitError, InvalidParameterError, ParameterTypeError

INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1
UINT64_MAX = 2**64 - 1

KINDS = ("int", "float", "bool", "choice", "tokenizer", "size", "vectors", "text", "path", "words")


@dataclass(frozen=True)
class Param:
    """One parameter of a model.

    Parameters
    ----------
    name : str
        Keyword argument of the estimator; ``--name-with-dashes`` on the command line.
    kind : {"int", "float", "bool", "choice", "tokenizer", "size", "vectors", "text", "path", "words"}
        ``tokenizer`` is a choice that also takes a
        :class:`~embkit.corpus.tokenize.Tokenizer`; ``size`` a byte count or
        a string such as ``"2G"``; ``vectors`` an initial matrix (ndarray or
        KeyedVectors), checked against the vocabulary when training;
        ``text`` a non-empty string without whitespace; ``path`` a file name
        (str or os.PathLike, kept as given; a term list is taken too);
        ``words`` a name or file name, or a list of words.
    default : object
        The estimator's default.
    low, high : int or float, optional
        Inclusive bounds of a number (``low`` excluded when ``low_open``).
    choices : tuple of str
        Allowed values of a choice.
    help : str
        One line, used by the command line's help.
    optional : bool
        None is allowed (it means what ``help`` says).
    low_open : bool
        ``low`` itself is not allowed.
    cli : bool
        Offered as a command-line option.
    meta : bool
        Recorded in ``meta.json``'s ``params`` (a ``vectors`` entry as a bool:
        whether it was given).
    """

    name: str
    kind: str
    default: object = None
    low: object = None
    high: object = None
    choices: tuple = ()
    help: str = ""
    optional: bool = False
    low_open: bool = False
    cli: bool = True
    meta: bool = True

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"{self.name}: unknown kind {self.kind!r}")
        if self.kind in ("int", "float", "size") and (self.low is None or self.high is None):
            raise ValueError(f"{self.name}: a number needs both bounds")

    def range_text(self):
        """The allowed values in words, e.g. ``an integer in [1, 2147483647]``."""
        if self.kind in ("choice", "tokenizer"):
            text = "one of " + ", ".join(repr(c) for c in self.choices)
        elif self.kind == "bool":
            text = "True or False"
        elif self.kind == "path":
            text = "a path (str or os.PathLike)"
        elif self.kind == "size":
            text = f"a memory size (e.g. 512M, 2G) from {self.low} to {self.high} bytes"
        elif self.kind in ("text", "path", "words"):
            text = {"text": "a non-empty string without whitespace", "path": "a file name",
                    "words": "a name, a file name or a list of words"}[self.kind]
        else:
            what = {"int": "an integer", "float": "a finite number"}
            text = f"{what[self.kind]} in {'(' if self.low_open else '['}{self.low}, {self.high}]"
        return text + (" or None" if self.optional else "")

    def check(self, value):
        """``value`` if allowed (ints as int, floats as float, bools as bool).

        Raises
        ------
        InvalidParameterError
            A value outside the range; a :class:`ParameterTypeError` (also a
            TypeError) for a value of the wrong type.
        """
        if value is None and (self.optional or self.kind == "vectors"):
            return None
        checked = _CHECKS[self.kind](self, value)
        if checked is _BAD:
            raise (ParameterTypeError if _wrong_type(self, value) else InvalidParameterError)(
                f"{self.name} must be {self.range_text()}, got {_short(value)}", param=self.name)
        return checked

    def in_range(self, x):
        """True when the number ``x`` lies within the bounds."""
        return (x > self.low if self.low_open else x >= self.low) and x <= self.high


_BAD = object()

_TYPES = {"int": (int, np.integer), "float": (int, float, np.integer, np.floating),
          "bool": (bool, np.bool_, int, np.integer), "choice": (str,),
          "size": (str, int, float, np.integer, np.floating)}


def _wrong_type(param, v):
    """True when ``v`` is not even of a type ``param`` takes (``dim="100"``), not merely out of range."""
    if param.kind == "tokenizer":
        return not isinstance(v, str) and not hasattr(v, "kind")
    if param.kind in ("int", "float", "size") and isinstance(v, (bool, np.bool_)):
        return True
    types = _TYPES.get(param.kind)
    return types is not None and not isinstance(v, types)


def _check_int(param, v):
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
        return _BAD
    return int(v) if param.in_range(int(v)) else _BAD


def _check_float(param, v):
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
        return _BAD
    try:
        x = float(v)
    except OverflowError:       # an int too large for a float
        return _BAD
    return x if math.isfinite(x) and param.in_range(x) else _BAD


def _check_bool(param, v):
    if isinstance(v, (bool, np.bool_)) or (isinstance(v, (int, np.integer)) and v in (0, 1)):
        return bool(v)          # 0 and 1 as gensim users write them (sg=1)
    return _BAD


def _check_choice(param, v):
    return v if isinstance(v, str) and v in param.choices else _BAD


def _check_tokenizer(param, v):
    if isinstance(v, str):
        return v if v in param.choices else _BAD
    return v if getattr(v, "kind", None) in param.choices else _BAD    # a Tokenizer


def _check_size(param, v):
    from ._memory import parse_size

    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (str, int, float, np.integer, np.floating)):
        return _BAD
    try:
        n = parse_size(int(v) if isinstance(v, np.integer) else v)
    except EmbkitError:
        raise InvalidParameterError(f"{param.name}: not a memory size: {_short(v)} (use e.g. 512M, 2G, 1GiB)",
                                    param=param.name) from None
    except (OverflowError, ValueError):       # inf, nan, or a number too large for a float
        return _BAD
    return v if param.in_range(n) else _BAD   # kept as given (meta.json records what the user wrote)


def _check_text(param, v):
    return v if isinstance(v, str) and v and not any(ch.isspace() for ch in v) else _BAD


def _check_path(param, v):
    if isinstance(v, os.PathLike):
        v = os.fspath(v)
    if isinstance(v, str):
        return v if v.strip() else _BAD
    return v if hasattr(v, "sha256") and hasattr(v, "join") else _BAD      # a TermList


def _check_words(param, v):
    if isinstance(v, (str, os.PathLike)):
        return v if os.fspath(v) else _BAD
    if isinstance(v, (list, tuple, set, frozenset)) and all(isinstance(w, str) for w in v):
        return tuple(sorted(v))
    return _BAD


_CHECKS = {"int": _check_int, "float": _check_float, "bool": _check_bool, "choice": _check_choice,
           "tokenizer": _check_tokenizer, "size": _check_size, "vectors": lambda param, v: v,
           "text": _check_text, "path": _check_path, "words": _check_words}


def _short(value):
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def validate(table, values):
    """Check every parameter of ``table`` in ``values``.

    Parameters
    ----------
    table : tuple of Param
    values : dict
        Parameter name to value (e.g. an estimator's ``get_params()``); a name left out takes its default.

    Returns
    -------
    dict
        The checked values, in table order.

    Raises
    ------
    InvalidParameterError
        The first value outside its range.
    """
    return {p.name: p.check(values[p.name] if p.name in values else p.default) for p in table}


def check_schedule(p):
    """Raise InvalidParameterError unless the learning rate falls (``min_alpha <= alpha``)."""
    if p["min_alpha"] > p["alpha"]:
        raise InvalidParameterError(f"min_alpha ({p['min_alpha']}) must not exceed alpha ({p['alpha']}): "
                                    "the learning rate falls from alpha to min_alpha", param="min_alpha")


def meta_params(table, p):
    """The parameters as ``meta.json`` records them (JSON values, table order)."""
    out = {}
    for param in table:
        if not param.meta:
            continue
        v = p[param.name]
        if param.kind == "vectors":
            v = v is not None
        elif param.kind == "path" and v is not None:
            v = str(v)
        elif param.kind == "tokenizer":
            v = getattr(v, "kind", v)
        elif param.kind in ("path", "words") and v is not None and not isinstance(v, (str, tuple)):
            v = os.fspath(v) if isinstance(v, os.PathLike) else f"<{type(v).__name__} of {len(v)}>"
        elif param.kind == "words" and isinstance(v, tuple):
            v = list(v)
        out[param.name] = v
    return out


FILE_KEYWORDS = {"phrases": ("auto",), "connectors": ("default", "none")}
"""Values of file settings that name no file (``phrases="auto"``, ``connectors="default"``)."""


def input_files(table, values):
    """The files named by the file settings of ``values`` (``phrases``, ``terms``, ``connectors``).

    What a job reads besides its corpus: no output may replace them.  The
    spill directory ``tmp_dir`` is not an input; keywords
    (:data:`FILE_KEYWORDS`), word lists and term lists name no file.

    Parameters
    ----------
    table : tuple of Param
    values : dict
        Setting name to value; missing names and None are skipped.

    Returns
    -------
    list of str
    """
    files = []
    for p in table:
        v = values.get(p.name)
        if p.kind not in ("path", "words") or p.name == "tmp_dir" or not isinstance(v, (str, os.PathLike)):
            continue
        v = os.fspath(v)
        if v not in FILE_KEYWORDS.get(p.name, ()):
            files.append(v)
    return files


def defaults(table):
    """Parameter name to default."""
    return {p.name: p.default for p in table}


# ---------------------------------------------------------------- shared entries

CORPUS = (
    Param("min_count", "int", 5, 1, INT64_MAX, help="Drop words seen fewer times."),
    Param("max_vocab_size", "int", None, 1, INT32_MAX, optional=True,
          help="Keep at most this many most frequent words [default: no limit]."),
    Param("max_sentence_length", "int", 10000, 1, INT32_MAX,
          help="Split longer lines into consecutive sentences of this many tokens."),
    Param("tokenizer", "tokenizer", "whitespace", choices=("whitespace", "regex"),
          help=r"whitespace: split on whitespace; regex: words \w+(?:[-']\w+)*."),
    Param("lowercase", "bool", False, help="Lowercase the text."),
    Param("encoding_errors", "choice", "strict", choices=("strict", "replace"),
          help="Invalid UTF-8: stop with an error, or replace with U+FFFD and count."),
    Param("phrases", "path", None, optional=True,
          help="Join multi-word terms: a phrases TSV from `embkit phrases`, or auto to detect them first."),
    Param("terms", "path", None, optional=True,
          help="Join the terms of this file (one per line, words separated by spaces), longest match first."),
)
"""Corpus encoding (see :meth:`embkit.EncodedCorpus.encode`), shared by every trainer."""

CORPUS_NAMES = tuple(p.name for p in CORPUS)
TERM_NAMES = ("phrases", "terms")
"""The corpus settings that join terms (not offered by ``embkit vocab``)."""

RUN = (
    Param("threads", "int", None, 1, INT32_MAX, optional=True,
          help="Worker threads [default: all cores]; 1 with a seed is bit-for-bit reproducible."),
    Param("seed", "int", 1, 0, UINT64_MAX, help="Random seed (64 bits)."),
    Param("max_memory", "size", None, 1, INT64_MAX, optional=True,
          help="Fail before allocating if training would need more (runtime, matrices, tables), "
               "e.g. 512M, 2G, 1GiB [default: the memory available]."),
)
"""Threads, seed and memory budget, shared by every trainer."""

INIT = (
    Param("init_in", "vectors", cli=False, help="Initial input vectors (array or KeyedVectors)."),
    Param("init_out", "vectors", cli=False, help="Initial output (context) vectors (array or KeyedVectors)."),
    Param("train_in", "bool", True, cli=False, help="Update the input vectors."),
    Param("train_out", "bool", True, cli=False, help="Update the output (context) vectors."),
)
"""Initial and frozen matrices, shared by the trainers with input and output vectors."""

IO = (
    Param("cache", "bool", True, meta=False, help="Reuse and store the encoded corpus."),
    Param("progress", "bool", True, cli=False, meta=False, help="Show progress bars on stderr."),
)
"""Caching and progress bars, shared by every trainer."""

# ---------------------------------------------------------------- models

WORD2VEC = (
    Param("sg", "bool", True, cli=False, help="Skip-gram (True) or CBOW (False)."),
    Param("dim", "int", 100, 1, INT32_MAX, help="Vector dimensionality."),
    Param("window", "int", 5, 1, INT32_MAX, help="Maximum context distance."),
    Param("negative", "int", 5, 1, INT32_MAX, help="Noise words per example."),
    Param("ns_exponent", "float", 0.75, -10.0, 10.0,
          help="Exponent of the noise distribution (count**x: 0 uniform, 1 by frequency)."),
    Param("sample", "float", 1e-3, 0.0, 1.0, help="Subsampling threshold (0: off)."),
    Param("alpha", "float", None, 0.0, 10.0, optional=True, low_open=True,
          help="Initial learning rate [default: 0.05; 0.025 for sgns with --no-share-negatives, "
               "word2vec.c's; evals/RESULTS.md, section sgns-sweep, says why]."),
    Param("min_alpha", "float", 1e-4, 0.0, 10.0, help="Final learning rate."),
    Param("epochs", "int", 5, 0, INT32_MAX, help="Passes over the corpus."),
    *CORPUS,
    Param("shrink_windows", "bool", True,
          help="Draw a reduced window per centre word, as word2vec (--no-shrink-windows: always the full one)."),
    Param("share_negatives", "bool", True,
          help="Skip-gram: share noise words across a centre word's window and update it as one batch "
               "(Ji et al. 2016, about 2x faster); --no-share-negatives gives word2vec.c's pair-by-pair update."),
    *RUN,
    *INIT,
    *IO,
)
""":class:`~embkit.Word2Vec`; :class:`~embkit.SkipGram` and :class:`~embkit.CBOW` leave out ``sg``."""

SKIPGRAM = tuple(p for p in WORD2VEC if p.name != "sg")
CBOW = SKIPGRAM

_WORD2VEC_ENTRIES = {p.name: p for p in WORD2VEC}

FASTTEXT = (
    _WORD2VEC_ENTRIES["sg"],
    *(_WORD2VEC_ENTRIES[n] for n in ("dim", "window", "negative")),
    Param("ns_exponent", "float", 0.5, -10.0, 10.0,
          help="Exponent of the noise distribution (count**x); fastText's 0.5 for the fasttext models."),
    _WORD2VEC_ENTRIES["sample"],
    Param("alpha", "float", 0.05, 0.0, 10.0, low_open=True, help="Initial learning rate (fastText's lr)."),
    *(_WORD2VEC_ENTRIES[n] for n in ("min_alpha", "epochs")),
    Param("minn", "int", 3, 0, 1000, help="Shortest character n-gram, in code points."),
    Param("maxn", "int", 6, 0, 1000, help="Longest character n-gram, in code points (0: word vectors only)."),
    Param("bucket", "int", 2_000_000, 0, INT32_MAX, help="Rows the n-grams are hashed into."),
    *CORPUS,
    _WORD2VEC_ENTRIES["shrink_windows"],
    Param("share_negatives", "bool", False,
          help="Skip-gram: update each window as one batch with noise words shared across it (faster, lower "
               "analogy accuracy) instead of fastText's pair-by-pair update."),
    Param("position_weights", "bool", False,
          help="CBOW: position-dependent weights of the context words (Grave et al. 2018)."),
    *RUN,
    *INIT,
    *IO,
)
""":class:`~embkit.FastText`: word2vec's entries plus the subword settings (fastText's names and defaults)."""


# ---------------------------------------------------------------- count-based models

WEIGHTINGS = ("harmonic", "uniform", "dynamic")
CONTEXTS = ("both", "left", "right")


def counting(window, weighting):
    """The co-occurrence counting entries, with a model's default ``window`` and ``weighting``.

    Parameters
    ----------
    window : int
        Default maximum distance between a word and its context word.
    weighting : {"harmonic", "uniform", "dynamic"}
        Default weight of a context word at distance ``d``.

    Returns
    -------
    tuple of Param
        ``window``, ``weighting``, ``context``, ``sample``.
    """
    return (
        Param("window", "int", window, 1, INT32_MAX, help="Maximum distance between a word and its context word."),
        Param("weighting", "choice", weighting, choices=WEIGHTINGS,
              help="Weight of a context word at distance d: harmonic 1/d (GloVe's), uniform 1, or dynamic "
                   "(window-d+1)/window (the expected weight of word2vec's shrinking window)."),
        Param("context", "choice", "both", choices=CONTEXTS,
              help="Count context words on both sides of a word, or only to its left or right."),
        Param("sample", "float", 0.0, 0.0, 1.0, help="Subsampling threshold applied before counting (0: off)."),
    )


TMP_DIR = Param("tmp_dir", "path", None, optional=True, meta=False,
                help="Where counting spills sorted runs beyond --max-memory [default: $EMBKIT_CACHE/tmp].")
"""Spill directory of the co-occurrence counter, shared by its users."""

COUNT_RUN = (
    *(p for p in RUN if p.name != "max_memory"),
    Param("max_memory", "size", None, 1, INT64_MAX, optional=True,
          help="Memory for counting, e.g. 512M, 2G: beyond it counted rows spill to --tmp-dir (the same "
               "matrix); training fails before allocating if it needs more [default: the memory available]."),
    TMP_DIR,
)
"""Threads, seed, memory cap and spill directory of the count-based models (``RUN`` plus ``tmp_dir``)."""

COOCCUR = (
    *counting(10, "harmonic"),
    Param("dtype", "choice", "float64", choices=("float64", "float32"), help="Type of the counts written."),
    *CORPUS,
    *COUNT_RUN,
    *IO,
)
""":func:`embkit.cooccur` and ``embkit cooccur``."""

GLOVE = (
    Param("dim", "int", 100, 1, INT32_MAX, help="Vector dimensionality."),
    *counting(10, "harmonic"),
    Param("x_max", "float", 100.0, 0.0, 1e12, low_open=True,
          help="Counts at or above x_max get weight 1 in GloVe's loss; smaller ones (x/x_max)**weight_exponent."),
    Param("weight_exponent", "float", 0.75, 0.0, 10.0,
          help="Exponent of GloVe's weighting function (the paper's alpha)."),
    Param("alpha", "float", 0.05, 0.0, 10.0, low_open=True, help="AdaGrad learning rate (GloVe's eta)."),
    Param("epochs", "int", 25, 0, INT32_MAX, help="Passes over the co-occurrence pairs."),
    Param("vectors", "choice", "w+c", choices=("w+c", "w"),
          help="Output: word plus context vectors (w+c, GloVe's default) or word vectors (w)."),
    Param("checkpoint_every", "int", None, 1, INT32_MAX, optional=True, meta=False,
          help="Write the training state every N epochs (to <OUT>.checkpoint on the command line)."),
    *CORPUS,
    *COUNT_RUN,
    *IO,
)
""":class:`~embkit.GloVe`."""

PPMI = (
    Param("dim", "int", 300, 1, INT32_MAX, help="Vector dimensionality (SVD rank)."),
    *counting(2, "uniform"),
    Param("cds", "float", 0.75, 0.0, 1.0,
          help="Context-distribution smoothing: context counts are raised to this power (1: none)."),
    Param("negative", "int", 1, 1, INT32_MAX, help="Shift: log(negative) is subtracted from PMI (1: none)."),
    Param("eig", "float", 0.5, 0.0, 1.0, help="Eigenvalue weighting: vectors are U * S**eig."),
    Param("vectors", "choice", "w", choices=("w", "w+c"),
          help="Output: word vectors (w) or word plus context vectors (w+c)."),
    Param("svd", "choice", "randomized", choices=("randomized", "arpack"),
          help="Truncated SVD: randomized (Halko et al. 2011) or scipy's ARPACK svds."),
    *CORPUS,
    *COUNT_RUN,
    *IO,
)
""":class:`~embkit.PPMISVD`."""


# ---------------------------------------------------------------- phrase detection

PHRASES = (
    Param("min_count", "int", 5, 1, INT64_MAX, help="Keep terms seen at least this many times."),
    Param("threshold", "float", None, -1.0, 1e300, optional=True,
          help="Keep terms scoring above this [default: 0.5 for npmi, 100 for word2vec]."),
    Param("scorer", "choice", "npmi", choices=("npmi", "word2vec"),
          help="npmi: normalised PMI in [-1, 1]; word2vec: (count(ab) - min_count) / (count(a) count(b)) * N."),
    Param("passes", "int", 2, 1, 64, help="Passes; each joins the terms found so far, so terms grow longer."),
    Param("max_len", "int", 4, 2, 64, help="Most words in a term (connector words included)."),
    Param("delimiter", "text", "_", help="Joins a term's words into one token."),
    Param("connectors", "words", "default",
          help="Words that may stand inside a term (bank_of_england): default (English), none, or a file of "
               "one word per line."),
    *(p for p in CORPUS if p.name in ("max_sentence_length", "tokenizer", "lowercase", "encoding_errors")),
    Param("max_memory", "size", None, 1, INT64_MAX, optional=True,
          help="Bound on the candidate counts; when reached, the rarest are dropped and their counts become "
               "lower bounds [default: no bound]."),
    Param("cache", "bool", True, meta=False, help="Reuse and store the encoded corpus and the counts."),
    *(p for p in IO if p.name == "progress"),
)
""":class:`~embkit.Phrases`: detection settings, the corpus encoding it reads, memory and caching."""

# ---------------------------------------------------------------- other libraries' names

_SUBWORDS = "a FastText parameter, for subword n-grams"

FOREIGN_NAMES = {
    # gensim
    "vector_size": "dim", "size": "dim", "workers": "threads", "iter": "epochs",
    "max_final_vocab": "max_vocab_size", "sentences": None, "corpus_file": None,
    "hs": "hierarchical softmax is not supported; embkit trains with negative sampling, see negative",
    "cbow_mean": "CBOW always averages its context, as cbow_mean=1",
    "hashfxn": "not needed: embkit seeds without Python's hash, so seed alone makes runs reproducible",
    "compute_loss": "losses are always computed, see model.training_",
    "sorted_vocab": "the vocabulary is always sorted by frequency",
    "trim_rule": "not supported; build the vocabulary with min_count/max_vocab_size",
    "callbacks": "not supported; per-epoch figures are in model.training_",
    "batch_words": "not needed: the corpus is cut into chunks of whole sentences",
    "null_word": "no null word is needed",
    # fastText
    "lr": "alpha", "ws": "window", "neg": "negative", "epoch": "epochs", "thread": "threads", "minCount": "min_count",
    "t": "sample", "lrUpdateRate": "not needed: the learning rate follows the corpus position",
    "min_n": _SUBWORDS, "max_n": _SUBWORDS, "minn": _SUBWORDS, "maxn": _SUBWORDS, "bucket": _SUBWORDS,
    "wordNgrams": "word n-grams are not supported",
    "loss": "embkit trains with negative sampling, see negative",
    # GloVe implementations
    "no_components": "dim", "learning_rate": "alpha", "num_threads": "threads", "no_threads": "threads",
    "random_state": "seed",
}
"""Names other libraries use, to the embkit parameter (a parameter name) or a note (a sentence).

``sentences`` and ``corpus_file`` map to None: the corpus goes to ``fit``.
"""
