"""Intrinsic evaluation of word vectors: analogies and word-pair similarity.

>>> from embkit.evaluation import evaluate_analogies, evaluate_similarity
>>> evaluate_analogies(kv, "google")["accuracy"]            # doctest: +SKIP
>>> evaluate_similarity(kv, "ws353")["spearman"]            # doctest: +SKIP
>>> evaluate_all(kv)                                        # doctest: +SKIP
{'analogies': [...], 'similarity': [...]}

The bundled data sets (``available_datasets()``) are listed with source,
licence and citation in ``data/REGISTRY.json`` and ``data/README.md``.

References
----------
Mikolov, T., Chen, K., Corrado, G., Dean, J. (2013). Efficient Estimation of
Word Representations in Vector Space. arXiv:1301.3781.

Levy, O., Goldberg, Y. (2014). Linguistic Regularities in Sparse and Explicit
Word Representations. CoNLL 2014, 171-180.
"""
from .analogy import METHODS, VocabIndex, evaluate_analogies
from .datasets import (
    AnalogyDataset,
    AnalogyQuestion,
    SimilarityDataset,
    available_datasets,
    corpus_path,
    dataset_info,
    dataset_path,
    load_analogies,
    load_similarity,
    read_analogies,
    read_similarity,
    verify_dataset,
)
from .similarity import OOV_MODES, TooFewPairsError, evaluate_similarity

__all__ = [
    "evaluate_analogies", "evaluate_similarity", "evaluate_all", "available_datasets",
    "dataset_info", "dataset_path", "corpus_path", "verify_dataset", "load_analogies",
    "load_similarity", "read_analogies", "read_similarity", "AnalogyDataset",
    "AnalogyQuestion", "SimilarityDataset", "TooFewPairsError", "VocabIndex", "METHODS",
    "OOV_MODES",
]


def evaluate_all(kv, method="3cosadd", restrict_vocab=None, case_sensitive=False, oov="drop",
                 analogy_datasets=None, similarity_datasets=None):
    """Evaluate on every bundled analogy and similarity data set.

    Parameters
    ----------
    kv : KeyedVectors
        The vectors to evaluate.
    method : {"3cosadd", "3cosmul"}
        The analogy objective, as for :func:`evaluate_analogies`.
    restrict_vocab : int, optional
        Only the first ``restrict_vocab`` rows answer analogy questions (see
        :func:`evaluate_analogies`); the similarity data sets use the whole
        vocabulary.
    case_sensitive : bool
        Match data set words exactly instead of by :meth:`str.casefold`, for
        both the analogy and the similarity data sets.
    oov : {"drop", "zero"}
        Similarity pairs with an unknown word are dropped, or scored as
        similarity 0, as for :func:`evaluate_similarity`.
    analogy_datasets, similarity_datasets : list, optional
        Data sets (names or paths) to use instead of all bundled ones.

    Returns
    -------
    dict
        ``{"analogies": [...], "similarity": [...]}``, lists of the dicts
        returned by :func:`evaluate_analogies` and :func:`evaluate_similarity`.
        A similarity data set with fewer than 2 scorable pairs gets an entry
        with ``spearman`` and ``pearson`` None and an ``error`` message
        instead of stopping the whole evaluation.

    Raises
    ------
    EmbkitError
        An unknown method, ``oov`` mode or data set, or a bad
        ``restrict_vocab``; :class:`~embkit.exceptions.FormatError` for a
        malformed data set file.
    """
    if analogy_datasets is None:
        analogy_datasets = available_datasets("analogy")
    if similarity_datasets is None:
        similarity_datasets = available_datasets("similarity")
    analogy_vocab = VocabIndex(kv, restrict_vocab, case_sensitive)
    sim_vocab = analogy_vocab if restrict_vocab is None else VocabIndex(kv, None, case_sensitive)
    analogies = [evaluate_analogies(kv, ds, method=method, vocab=analogy_vocab)
                 for ds in analogy_datasets]
    similarity = []
    for ds in similarity_datasets:
        try:
            similarity.append(evaluate_similarity(kv, ds, oov=oov, vocab=sim_vocab))
        except TooFewPairsError as exc:
            similarity.append(dict(exc.result, error=str(exc)))
    return {"analogies": analogies, "similarity": similarity}
