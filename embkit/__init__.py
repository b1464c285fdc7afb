"""embkit's public API: lazy re-exports of the estimators, vectors, I/O, evaluation and errors, and the version.

embkit trains fast, correct word embeddings on CPU cores.  Importing embkit
compiles nothing: the Numba kernels compile (or load from
Numba's on-disk cache) on first use.

>>> import embkit
>>> model = embkit.SkipGram(dim=100, epochs=5).fit("corpus.txt")   # doctest: +SKIP
>>> model.wv.most_similar("king")                                   # doctest: +SKIP
"""
import importlib

from ._version import __version__

_EXPORTS = {
    "KeyedVectors": "embkit.vectors",
    "load": "embkit.io",
    "save": "embkit.io",
    "Vocabulary": "embkit.corpus.vocab",
    "EncodedCorpus": "embkit.corpus.encoded",
    "Tokenizer": "embkit.corpus.tokenize",
    "SkipGram": "embkit.models.word2vec",
    "CBOW": "embkit.models.word2vec",
    "Word2Vec": "embkit.models.word2vec",
    "clone": "embkit.models._base",
    "CompassAligner": "embkit.models.compass",
    "AlignedSlices": "embkit.models.aligned",
    "procrustes_align": "embkit.postprocess.align",
    "shift_scores": "embkit.evaluation.shift",
    "neighbors_in": "embkit.evaluation.shift",
    "FastText": "embkit.models.fasttext",
    "SubwordVectors": "embkit.subword_vectors",
    "GloVe": "embkit.models.glove",
    "PPMISVD": "embkit.models.ppmi",
    "cooccur": "embkit.corpus.cooccur",
    "Cooccurrence": "embkit.corpus.cooccur",
    "Phrases": "embkit.corpus.phrases",
    "TermList": "embkit.corpus.terms",
    "evaluate_phrases": "embkit.evaluation.phrases",
    "evaluate_analogies": "embkit.evaluation.analogy",
    "evaluate_similarity": "embkit.evaluation.similarity",
    "evaluate_all": "embkit.evaluation",
    "available_datasets": "embkit.evaluation.datasets",
    "retrofit": "embkit.postprocess.retrofit",
    "read_lexicon": "embkit.postprocess.lexicon",
    "Lexicon": "embkit.postprocess.lexicon",
    "evaluate_sts": "embkit.evaluation.sts",
    "whiten": "embkit.postprocess.whiten",
    "word_probabilities": "embkit.postprocess.frequencies",
    "analyze": "embkit.analysis",
    "EmbkitError": "embkit.exceptions",
    "FormatError": "embkit.exceptions",
    "CorpusError": "embkit.exceptions",
    "TrainingDivergedError": "embkit.exceptions",
    "MemoryBudgetError": "embkit.exceptions",
    "InvalidParameterError": "embkit.exceptions",
    "UnknownParameterError": "embkit.exceptions",
    "KeyNotFoundError": "embkit.exceptions",
    "FileAccessError": "embkit.exceptions",
    "MissingFileError": "embkit.exceptions",
    "FilePermissionError": "embkit.exceptions",
    "NotFittedError": "embkit.exceptions",
    "ParameterTypeError": "embkit.exceptions",
    "IsDirectoryError": "embkit.exceptions",
    "NotDirectoryError": "embkit.exceptions",
    "MissingCorpusError": "embkit.exceptions",
    "InvalidDataError": "embkit.exceptions",
    "MissingDependencyError": "embkit.exceptions",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'embkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__
