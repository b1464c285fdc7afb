"""Corpus sources (files or token lists) and the one pass over them: counts that merge across shards."""
import re

import numpy as np
import pytest

from embkit.corpus.cache import cache_root
from embkit.corpus.encoded import EncodedCorpus
from embkit.exceptions import CorpusError, EmbkitError

from .helpers import sentences


def test_token_lists_are_encoded_in_memory():
    sents = [["b", "a", "b"], [], ["c", "a", "b"]]
    enc = EncodedCorpus.encode(sents, min_count=1, progress=False)
    assert enc.path is None
    assert enc.vocab.words == ["b", "a", "c"] and enc.vocab.counts.tolist() == [3, 2, 1]
    assert sentences(enc) == [["b", "a", "b"], ["c", "a", "b"]]
    assert enc.manifest["blank_lines"] == 1 and enc.manifest["lines"] == 3
    assert enc.manifest["sources"] == [{"path": "<sentences>"}]
    assert enc.manifest["tokenizer"] == {"kind": "given", "lowercase": False, "pattern": None}
    assert not (cache_root() / "corpora").exists() or not any((cache_root() / "corpora").iterdir())


def test_token_list_generator_and_lowercase():
    gen = (s.split() for s in ["The cat", "the Dog the"])
    enc = EncodedCorpus.encode(gen, min_count=1, lowercase=True, progress=False)
    assert enc.vocab.words == ["the", "cat", "dog"] and enc.vocab.counts.tolist() == [3, 1, 1]


@pytest.mark.parametrize("corpus, message", [
    ([["a", "b"], "c d"], "sentence 1: expected a list of str tokens, got str 'c d'"),
    ([["a", 3]], "sentence 0, token 1: expected str, got int 3"),
    (iter([]), "the corpus iterator is empty"),
    ([["a", ""]], "sentence 0, token 1: '' is empty or holds a tab or line break"),
    ([["a"], ["b\tc"]], "sentence 1, token 0: 'b\\tc' is empty or holds a tab or line break"),
])
def test_bad_token_lists(corpus, message):
    with pytest.raises(CorpusError, match=re.escape(message)):
        EncodedCorpus.encode(corpus, min_count=1, progress=False)


def test_iterator_of_paths_still_means_files(tmp_path):
    (tmp_path / "a.txt").write_text("x y\n")
    enc = EncodedCorpus.encode(iter([str(tmp_path / "a.txt")]), min_count=1, progress=False)
    assert sentences(enc) == [["x", "y"]]


def test_token_lists_still_check_the_tokenizer_setting():
    with pytest.raises(EmbkitError, match="bogus"):
        EncodedCorpus.encode([["a"]], tokenizer="bogus", min_count=1, progress=False)


@pytest.mark.parametrize("corpus, message", [
    (["the", "cat", "sat"], "pass sentences as lists of tokens"),
    (np.array([["a", "b"]]), "a NumPy array is not a corpus"),
    ([["a", "b\ud800"]], "sentence 0, token 1: 'b\\ud800' cannot be written as UTF-8"),
])
def test_library_corpus_mistakes_get_clear_errors(corpus, message):
    with pytest.raises(CorpusError, match=re.escape(message)):
        EncodedCorpus.encode(corpus, min_count=1, progress=False)
