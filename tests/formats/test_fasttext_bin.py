"""Facebook fastText .bin files: hand-built ones (labels: case B13), bad ones, round trips with gensim and fastText."""
import logging
import struct

import numpy as np
import pytest

from embkit import formats, io
from embkit.corpus.subwords import ft_hash
from embkit.exceptions import EmbkitError, FormatError
from embkit.subword_vectors import SubwordVectors
from embkit.vectors import KeyedVectors


def bin_bytes(entries, w_in, w_out, minn=3, maxn=3, bucket=3, magic=793712314, version=12, model=2, quant=False,
              pruneidx=-1):
    """A fastText .bin file written by hand: entries are (word, count, type)."""
    dim = w_in.shape[1]
    nwords = sum(1 for _, _, t in entries if t == 0)
    out = struct.pack("<2i", magic, version)
    out += struct.pack("<12id", dim, 5, 5, 1, 5, 1, 2, model, bucket, minn, maxn, 100, 1e-4)
    out += struct.pack("<3i2q", len(entries), nwords, len(entries) - nwords, 100, pruneidx)
    for word, count, kind in entries:
        out += word.encode("utf-8") + b"\0" + struct.pack("<qb", count, kind)
    out += struct.pack("<?", quant) + struct.pack("<2q", *w_in.shape) + w_in.astype("<f4").tobytes()
    out += struct.pack("<?", False) + struct.pack("<2q", *w_out.shape) + w_out.astype("<f4").tobytes()
    return out


def hand_model():
    w_in = np.array([[1, 0], [0, 1], [2, 2], [10, 0], [0, 10], [3, 5]], np.float32)   # 3 words, 3 buckets
    w_out = np.arange(6, dtype=np.float32).reshape(3, 2)
    return [("the", 7, 0), ("cat", 5, 0), ("</s>", 4, 0), ("__label__x", 3, 1)], w_in, w_out


def expected(word, row, w_in, n_words=3, bucket=3):
    grams = [f"<{word}"[:3], word, f"{word}>"[-3:]] if len(word) == 3 else None
    rows = [w_in[row]] + [w_in[n_words + ft_hash(g) % bucket] for g in grams]
    return np.sum(rows, axis=0) / len(rows)


@pytest.fixture
def hand_bin(tmp_path):
    entries, w_in, w_out = hand_model()
    path = tmp_path / "hand.bin"
    path.write_bytes(bin_bytes(entries, w_in, w_out))
    return path


def test_b13_labels_are_ignored_with_a_warning(hand_bin, warnings_log):
    """Case B13: a .bin with labels loads its words and ignores the labels with a warning."""
    assert formats.detect_format(hand_bin) == "fasttext-bin"
    kv = io.load(hand_bin)
    assert isinstance(kv, SubwordVectors)
    assert kv.index_to_key == ["the", "cat", "</s>"] and kv.counts.tolist() == [7, 5, 4]
    assert "hand.bin: 1 label(s)" in warnings_log.text and "the 3 words are loaded" in warnings_log.text
    _, w_in, w_out = hand_model()
    np.testing.assert_allclose(kv["the"], expected("the", 0, w_in), rtol=1e-6)
    np.testing.assert_allclose(kv["cat"], expected("cat", 1, w_in), rtol=1e-6)
    # '</s>' is an ordinary word, without n-grams (as fastText): its vector is its row
    np.testing.assert_array_equal(kv["</s>"], w_in[2])
    np.testing.assert_array_equal(kv.context, w_out)
    np.testing.assert_array_equal(kv.ngram_vectors, w_in[3:])
    dog = [ft_hash(g) % 3 for g in ("<do", "dog", "og>")]
    np.testing.assert_allclose(kv["dog"], np.mean(w_in[[3 + b for b in dog]], axis=0), rtol=1e-6)
    assert kv.meta["model"] == "fasttext" and kv.meta["source"]["labels_ignored"] == 1
    assert kv.meta["fasttext_args"]["bucket"] == 3 and (kv.minn, kv.maxn, kv.bucket) == (3, 3, 3)


def test_memory_mapped_and_limited(hand_bin):
    kv = io.load(hand_bin, mmap="r", limit=2)
    assert kv.index_to_key == ["the", "cat"] and kv.bucket == 3
    assert not kv.ngram_vectors.flags.writeable
    np.testing.assert_array_equal(io.load(hand_bin)["dog"], kv["dog"])


@pytest.mark.parametrize("change, message", [
    ({"magic": 12345}, "not a fastText .bin file: magic number 12345, expected 793712314"),
    ({"version": 13}, "fastText file format version 13 is not supported (embkit reads versions 11, 12)"),
    ({"quant": True}, "a quantized fastText model (.ftz)"),
    ({"pruneidx": 2}, "a pruned fastText model"),
    ({"bucket": 4}, "the input matrix has shape (6, 2), expected (3 words + 4 buckets, dim 2)"),
    ({"minn": -1}, "the arguments declare dim 2, bucket 3, minn -1 and maxn 3"),
])
def test_bad_files_are_format_errors_naming_the_file(tmp_path, change, message):
    entries, w_in, w_out = hand_model()
    path = tmp_path / "bad.bin"
    path.write_bytes(bin_bytes(entries, w_in, w_out, **change))
    with pytest.raises(FormatError) as err:
        io.load(path, format="fasttext-bin")
    assert str(err.value).startswith(f"{path}: ") and message in str(err.value)


def test_truncated_and_inconsistent_files(tmp_path):
    entries, w_in, w_out = hand_model()
    data = bin_bytes(entries, w_in, w_out)
    cuts = ((40, "the model's arguments"), (100, "entry 1 of the dictionary"), (len(data) - 10, "the output matrix"))
    for cut, what in cuts:
        (tmp_path / "cut.bin").write_bytes(data[:cut])
        with pytest.raises(FormatError, match=f"cut.bin: .*{what}"):
            io.load(tmp_path / "cut.bin")
    (tmp_path / "twice.bin").write_bytes(bin_bytes([("the", 1, 0), ("the", 1, 0)], w_in[1:], w_out[:2], bucket=3))
    with pytest.raises(FormatError, match="word 'the' appears twice"):
        io.load(tmp_path / "twice.bin")
    (tmp_path / "order.bin").write_bytes(bin_bytes([("__label__a", 1, 1), ("the", 1, 0)], w_in[2:], w_out[:1]))
    with pytest.raises(FormatError, match="entry 2 .* expected 1 words \\(type 0\\) then 1 labels"):
        io.load(tmp_path / "order.bin")
    (tmp_path / "tiny.bin").write_bytes(b"\xba\x16O/")
    with pytest.raises(FormatError, match="tiny.bin: not a fastText .bin file: 4 bytes"):
        io.load(tmp_path / "tiny.bin")


def _trained(tmp_path):
    import embkit

    corpus = tmp_path / "c.txt"
    corpus.write_text("the cat sat on the mat with the naïve dog\nthe dog sat on the rug near the café\n" * 6,
                      encoding="utf-8")
    return embkit.FastText(dim=8, epochs=2, min_count=1, sample=0, bucket=300, threads=1, progress=False).fit(
        str(corpus)).wv


UNSEEN = ["cats", "naïvety", "cafés", "日本語", "zzz"]


def test_round_trip_is_exact(tmp_path):
    wv = _trained(tmp_path)
    for name in ("m.bin", "m.bin.gz"):
        io.save(wv, tmp_path / name)            # a subword model's .bin is fastText's
        assert formats.detect_format(tmp_path / name) == "fasttext-bin"
        back = io.load(tmp_path / name)
        assert back.index_to_key == wv.index_to_key
        for attr in ("vectors", "word_rows", "ngram_vectors", "context", "counts"):
            np.testing.assert_array_equal(getattr(back, attr), getattr(wv, attr))
        for w in UNSEEN:
            np.testing.assert_array_equal(back[w], wv[w])


def test_word_vectors_become_a_model_without_ngrams(tmp_path, kv):
    io.save(kv, tmp_path / "w.bin")
    assert formats.detect_format(tmp_path / "w.bin") == "word2vec-bin"     # a word model's .bin: word2vec
    io.save(kv, tmp_path / "f.bin", format="fasttext-bin")
    back = io.load(tmp_path / "f.bin")
    assert isinstance(back, SubwordVectors) and back.bucket == 0 and back.maxn == 0
    np.testing.assert_array_equal(back.vectors, kv.vectors)
    assert back.counts.tolist() == [1] * len(kv) and not back.context.any()
    with pytest.raises(EmbkitError, match="stands for word2vec but the format asked for is fasttext-bin"):
        io.save(kv, tmp_path / "f.vec", format="fasttext-bin")
    with pytest.raises(EmbkitError, match="cannot write token '' .* it is empty"):
        io.save(KeyedVectors([""], [[1.0]]), tmp_path / "e.bin", format="fasttext-bin")
    assert formats.REGISTRY["fasttext-bin"].token_problem("a\0b").startswith("it contains a NUL")


def test_gensim_reads_what_we_write_and_the_reverse(tmp_path):
    fasttext = pytest.importorskip("gensim.models.fasttext")
    wv = _trained(tmp_path)
    io.save(wv, tmp_path / "ours.bin")
    g = fasttext.load_facebook_model(str(tmp_path / "ours.bin"))
    assert g.wv.index_to_key == wv.index_to_key and g.wv.bucket == 300
    for w in wv.index_to_key + UNSEEN:
        np.testing.assert_allclose(g.wv[w], wv[w], rtol=1e-5, atol=1e-7)
    fasttext.save_facebook_model(g, str(tmp_path / "theirs.bin"))
    back = io.load(tmp_path / "theirs.bin")
    assert back.index_to_key == wv.index_to_key
    np.testing.assert_allclose(back.vectors, wv.vectors, rtol=1e-6)
    for w in UNSEEN:
        np.testing.assert_allclose(back[w], g.wv[w], rtol=1e-5, atol=1e-7)


def test_gensim_trained_model_loads_with_the_same_vectors(tmp_path):
    fasttext = pytest.importorskip("gensim.models.fasttext")
    sentences = [["the", "naïve", "cat", "sat"], ["日本語", "the", "dog", "sat"]] * 5
    g = fasttext.FastText(sentences, vector_size=6, min_count=1, bucket=500, epochs=1, workers=1, seed=1)
    fasttext.save_facebook_model(g, str(tmp_path / "g.bin"))
    kv = io.load(tmp_path / "g.bin")
    for w in g.wv.index_to_key + UNSEEN:
        np.testing.assert_allclose(kv[w], g.wv[w], rtol=1e-5, atol=1e-7)


def test_facebook_fasttext_reads_what_we_write(tmp_path):
    ft = pytest.importorskip("fasttext")
    wv = _trained(tmp_path)
    io.save(wv, tmp_path / "ours.bin")
    model = ft.load_model(str(tmp_path / "ours.bin"))
    assert model.words == wv.index_to_key
    for w in wv.index_to_key + UNSEEN:
        np.testing.assert_array_equal(model.get_word_vector(w), wv[w])    # bit for bit
    model.save_model(str(tmp_path / "theirs.bin"))
    back = io.load(tmp_path / "theirs.bin")
    np.testing.assert_array_equal(back.vectors, wv.vectors)


def test_loading_logs_nothing_for_a_plain_model(tmp_path, caplog):
    wv = _trained(tmp_path)
    io.save(wv, tmp_path / "m.bin")
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="embkit"):
        io.load(tmp_path / "m.bin")
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_supervised_model_loads_its_words_without_the_label_matrix(tmp_path, warnings_log):
    """Case B13's kind: a supervised model (labels, an output row per label) gives its words only."""
    w_in = np.arange(10, dtype=np.float32).reshape(5, 2)       # 2 words + 3 buckets
    w_out = np.ones((2, 2), np.float32)                         # one row per label
    entries = [("good", 9, 0), ("bad", 4, 0), ("__label__pos", 5, 1), ("__label__neg", 4, 1)]
    (tmp_path / "sup.bin").write_bytes(bin_bytes(entries, w_in, w_out, model=3))
    kv = io.load(tmp_path / "sup.bin")
    assert kv.index_to_key == ["good", "bad"] and kv.context is None and kv.meta["model"] == "supervised"
    assert "2 label(s)" in warnings_log.text
    rows = [w_in[0]] + [w_in[2 + ft_hash(g) % 3] for g in ("<go", "goo", "ood", "od>")]
    np.testing.assert_allclose(kv["good"], np.mean(rows, axis=0), rtol=1e-6)


def test_bin_to_bin_keeps_the_file_arguments(tmp_path):
    """A .bin converted to .bin keeps its header's arguments (epoch, ws, minCount, neg, t), not fastText's defaults."""
    entries, w_in, w_out = hand_model()
    entries = entries[:3]                                            # words only
    raw = bytearray(bin_bytes(entries, w_in, w_out))
    args = struct.Struct("<12id")
    original = (2, 7, 2, 3, 9, 1, 2, 2, 3, 3, 3, 50, 1e-3)           # dim 2, ws 7, epoch 2, minCount 3, neg 9, ...
    raw[8:8 + args.size] = args.pack(*original)
    (tmp_path / "in.bin").write_bytes(bytes(raw))
    io.save(io.load(tmp_path / "in.bin"), tmp_path / "out.bin")
    written = (tmp_path / "out.bin").read_bytes()
    assert args.unpack_from(written, 8) == original
