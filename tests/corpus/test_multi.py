"""Re-encoding with a given vocabulary from token ids, joint vocabularies, and corpora read as one."""
import numpy as np
import pytest

import embkit
from embkit.corpus.encoded import EncodedCorpus
from embkit.corpus.multi import JoinedCorpus, joint_vocabulary, kept_vocabulary, restrict, token_counts
from embkit.corpus.vocab import Vocabulary
from embkit.exceptions import CorpusError, EmbkitError

from .helpers import encode, sentences

SETTINGS = {"min_count": 1, "max_vocab_size": None, "max_sentence_length": 10000}


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_restrict_drops_words_and_empty_sentences(tmp_path):
    enc = encode(_write(tmp_path, "a.txt", "a b c\nc d\na b\nd d c\n"))
    vocab = Vocabulary(["d", "c"], [9, 9])           # kept as given, counts included
    out = restrict(enc, vocab, SETTINGS)
    assert sentences(out) == [["c"], ["c", "d"], ["d", "d", "c"]]
    assert out.vocab.words == ["d", "c"] and out.vocab.counts.tolist() == [9, 9]
    assert out.offsets.tolist() == [0, 1, 3, 6]
    m = out.manifest
    assert (m["tokens"], m["sentences"], m["raw_tokens"], m["vocab_size"]) == (6, 3, 10, 2)
    assert m["restricted_from"]["tokens"] == 10 and m["vocab_settings"] == SETTINGS
    assert out.path is not None                       # cached beside its cached source ...
    assert restrict(enc, vocab, SETTINGS).path == out.path      # ... and found there again
    with pytest.raises(CorpusError, match="none of its 10 tokens"):
        restrict(enc, Vocabulary(["zzz"], [1]), SETTINGS)


def test_token_counts_count_ids_not_the_vocabulary(tmp_path):
    path = _write(tmp_path, "a.txt", "a b b\nc\n")
    given = Vocabulary(["b", "a", "x"], [100, 50, 7])
    enc = EncodedCorpus.encode(str(path), vocab=given, progress=False)
    assert enc.vocab.counts.tolist() == [100, 50, 7]
    assert token_counts(enc).tolist() == [2, 1, 0]


def test_joint_and_kept_vocabularies(tmp_path):
    e1 = encode(_write(tmp_path, "1.txt", "x y y z\n"))
    e2 = encode(_write(tmp_path, "2.txt", "w z z x\n"))
    v = joint_vocabulary([e1, e2], min_count=2)
    # z 3, x 2, y 2 (tie: e1's order, y before x there? e1 is y:2, x:1, z:1 -> y, x, z), w 1 dropped
    assert list(zip(v.words, v.counts.tolist())) == [("z", 3), ("y", 2), ("x", 2)]
    with pytest.raises(CorpusError, match="no word occurs at least min_count=9"):
        joint_vocabulary([e1, e2], min_count=9)
    k = kept_vocabulary(e2, token_counts(e2), 1, within={"x", "z"})
    assert list(zip(k.words, k.counts.tolist())) == [("z", 2), ("x", 1)]


def test_joined_corpus_reads_across_parts(tmp_path):
    e1 = encode(_write(tmp_path, "1.txt", "a b\nb a a\n"))
    vocab = e1.vocab
    e2 = EncodedCorpus.encode(str(_write(tmp_path, "2.txt", "b b\na\nb a b a\n")), vocab=vocab, progress=False)
    j = JoinedCorpus([e1, e2])
    assert j.offsets.tolist() == [0, 2, 5, 7, 8, 12]
    whole = np.concatenate([e1.read_tokens(0, 5), e2.read_tokens(0, 7)])
    for start, stop in [(0, 12), (3, 9), (5, 5), (5, 8), (0, 2), (11, 12)]:
        np.testing.assert_array_equal(j.read_tokens(start, stop), whole[start:stop])
    assert len(j.tokens) == 12 and j.raw_tokens == 12 and j.n_sentences == 5
    assert j.manifest["sentences"] == 5 and len(j.manifest["sources"]) == 2
    other = encode(_write(tmp_path, "3.txt", "q\n"))
    with pytest.raises(EmbkitError, match="another vocabulary"):
        JoinedCorpus([e1, other])


def test_training_on_joined_parts_equals_the_concatenated_text(tmp_path):
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(30)]
    texts = ["\n".join(" ".join(rng.choice(words, 8)) for _ in range(n)) + "\n" for n in (700, 500)]
    p1, p2 = _write(tmp_path, "1.txt", texts[0]), _write(tmp_path, "2.txt", texts[1])
    both = _write(tmp_path, "both.txt", texts[0] + texts[1])
    e1, e2 = encode(p1), encode(p2)
    vocab = joint_vocabulary([e1, e2], min_count=1)
    joined = JoinedCorpus([restrict(e, vocab, SETTINGS) for e in (e1, e2)], vocab, SETTINGS)
    concatenated = EncodedCorpus.encode(str(both), vocab=vocab, min_count=1, progress=False)
    assert joined.chunks(1000).tolist() == concatenated.chunks(1000).tolist()    # chunks span the two parts
    params = dict(dim=6, min_count=1, epochs=2, threads=1, seed=4, progress=False)
    a = embkit.CBOW(**params).fit(joined).wv
    b = embkit.CBOW(**params).fit(concatenated).wv
    np.testing.assert_array_equal(a.vectors, b.vectors)
    np.testing.assert_array_equal(a.context, b.context)
