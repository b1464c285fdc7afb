"""Shared by the corpus tests: the fixture corpora, encoding without cache noise, sentences as words."""
from conftest import FIXTURES

from embkit.corpus.encoded import EncodedCorpus

CORPUS = FIXTURES / "corpus"


def encode(path, **kw):
    kw.setdefault("min_count", 1)
    kw.setdefault("progress", False)
    return EncodedCorpus.encode(str(path), **kw)


def sentences(enc):
    words = enc.vocab.words
    return [[words[i] for i in enc.tokens[a:b]] for a, b in zip(enc.offsets[:-1], enc.offsets[1:])]
