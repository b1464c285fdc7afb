"""The FastText estimator: parameters, SubwordVectors (case B20), reproducibility, initial matrices, Spanish."""
import gzip
import json
from pathlib import Path

import numpy as np
import pytest

import embkit
from embkit import _params
from embkit.corpus.subwords import ft_hash
from embkit.exceptions import InvalidParameterError, UnknownParameterError
from embkit.subword_vectors import NoNgramsError, SubwordVectors

CASES = Path(__file__).resolve().parents[2].parent / "shared" / "cases"
SMALL = dict(dim=8, epochs=2, min_count=1, sample=0, bucket=50, threads=1, progress=False)


@pytest.fixture(scope="module")
def b20_corpus(tmp_path_factory):
    """Case B20's corpus: cat, dog, abc, ox, each 10 times over 5 lines."""
    path = CASES / "B20" / "corpus.txt"
    if path.exists():
        return str(path)
    path = tmp_path_factory.mktemp("b20") / "corpus.txt"
    path.write_text("cat dog abc ox cat dog abc ox\n" * 5, encoding="utf-8")
    return str(path)


# -- parameters ------------------------------------------------------------------------

def test_table_reuses_the_shared_entries():
    names = [p.name for p in _params.FASTTEXT]
    for shared in (_params.CORPUS, _params.RUN, _params.INIT, _params.IO):
        for p in shared:
            assert p in _params.FASTTEXT
    word2vec = {p.name: p for p in _params.WORD2VEC}
    for name in ("dim", "window", "negative", "sample", "min_alpha", "epochs", "shrink_windows"):
        assert word2vec[name] in _params.FASTTEXT
    defaults = _params.defaults(_params.FASTTEXT)
    assert (defaults["alpha"], defaults["minn"], defaults["maxn"], defaults["bucket"]) == (0.05, 3, 6, 2_000_000)
    assert (defaults["ns_exponent"], defaults["share_negatives"]) == (0.5, False)      # fastText's update
    assert names[:2] == ["sg", "dim"] and len(set(names)) == len(names)


@pytest.mark.parametrize("params, param, text", [
    ({"minn": 5, "maxn": 4}, "minn", "minn (5) must not exceed maxn (4)"),
    ({"bucket": 0}, "bucket", "bucket must be at least 1 when maxn > 0"),
    ({"position_weights": True}, "position_weights", "position_weights applies to CBOW only"),
    ({"minn": -1}, "minn", "minn must be an integer in [0, 1000]"),
    ({"bucket": 2**31}, "bucket", "bucket must be an integer in [0, 2147483647]"),
    ({"alpha": 0}, "alpha", "alpha must be a finite number in (0.0, 10.0]"),
    ({"alpha": 0.01, "min_alpha": 0.02}, "min_alpha", "min_alpha (0.02) must not exceed alpha (0.01)"),
])
def test_invalid_parameters(params, param, text):
    with pytest.raises(InvalidParameterError) as err:
        embkit.FastText(**params).check_params()
    assert err.value.param == param and text in str(err.value)


def test_gensim_names_point_to_embkit_names():
    with pytest.raises(UnknownParameterError, match="'min_n' \\(embkit calls it 'minn'\\), 'max_n' "
                                                    "\\(embkit calls it 'maxn'\\)"):
        embkit.FastText(min_n=2, max_n=5)
    with pytest.raises(UnknownParameterError, match="'vector_size' \\(embkit calls it 'dim'\\)"):
        embkit.FastText(vector_size=10)


def test_maxn_zero_gives_word_vectors_only(b20_corpus):
    model = embkit.FastText(maxn=0, **{**SMALL, "bucket": 2_000_000}).fit(b20_corpus)
    wv = model.wv
    assert wv.bucket == 0 and wv.ngram_vectors.shape == (0, 8) and wv.meta["params"]["bucket"] == 0
    assert "maxn=0" in wv.meta["defaults_applied"]["bucket"]
    np.testing.assert_array_equal(wv.vectors, wv.word_rows)
    with pytest.raises(NoNgramsError, match=r"'cats' is not in the vocabulary \(4 words\) and the model has no "
                                            r"character n-grams \(maxn=0\)"):
        wv["cats"]


def test_model_names_meta_and_repr(b20_corpus):
    model = embkit.FastText(sg=False, **SMALL).fit(b20_corpus)
    assert model.model_name == "fasttext-cbow" and embkit.FastText().model_name == "fasttext"
    assert model.wv.meta["kind"] == "subword" and model.wv.meta["model"] == "fasttext-cbow"
    assert model.wv.meta["params"]["minn"] == 3 and model.wv.meta["params"]["bucket"] == 50
    assert repr(embkit.FastText(minn=2)) == "FastText(minn=2)"
    assert repr(model.wv) == "SubwordVectors(n_words=4, dim=8, minn=3, maxn=6, bucket=50, counts, context)"


# -- SubwordVectors: hand-computed vectors ------------------------------------------------

def _hand_kv():
    """'cat' with its own row (1, 0) and n-gram rows: bucket b holds (b, 1)."""
    ngrams = np.array([[b, 1.0] for b in range(11)], np.float32)
    return SubwordVectors(["cat", "ox"], np.array([[1.0, 0.0], [0.0, 2.0]]), ngrams, minn=3, maxn=3, counts=[5, 2])


def test_get_word_vector_semantics_by_hand():
    kv = _hand_kv()
    cat = [ft_hash(g) % 11 for g in ("<ca", "cat", "at>")]
    np.testing.assert_allclose(kv["cat"], [(1 + sum(cat)) / 4, 3 / 4], rtol=1e-6)
    # 'ox': '<ox', 'ox>'
    ox = [ft_hash(g) % 11 for g in ("<ox", "ox>")]
    np.testing.assert_allclose(kv["ox"], [sum(ox) / 3, (2 + 2) / 3], rtol=1e-6)
    # an unseen word: the mean of its n-gram rows alone
    dog = [ft_hash(g) % 11 for g in ("<do", "dog", "og>")]
    np.testing.assert_allclose(kv["dog"], [sum(dog) / 3, 1.0], rtol=1e-6)
    assert kv.ngrams("dog") == ["<do", "dog", "og>"]
    assert "dog" not in kv and kv.has_vector("dog") and kv.has_vector("cat") and not kv.has_vector("")
    assert kv[["cat", "dog"]].shape == (2, 2)
    assert not kv.get_vector("dog").flags.writeable
    np.testing.assert_allclose(np.linalg.norm(kv.get_vector("dog", norm=True)), 1.0, rtol=1e-6)


def test_b20_unseen_word_without_ngrams_raises_naming_word_and_reason(b20_corpus):
    """Case B20: minn=maxn=5; 'xy' has no n-gram, 'xyz' one, 'ox' keeps its own trained row."""
    wv = embkit.FastText(minn=5, maxn=5, **SMALL).fit(b20_corpus).wv
    assert wv.index_to_key == ["cat", "dog", "abc", "ox"] and wv.counts.tolist() == [10, 10, 10, 10]
    with pytest.raises(KeyError) as err:
        wv.get_vector("xy")
    assert isinstance(err.value, NoNgramsError)
    assert str(err.value) == ("'xy' is not in the vocabulary (4 words) and it has no character n-gram of 5 to 5 "
                              "characters ('<xy>' has 4), so no vector can be composed")
    for call in (lambda: wv.most_similar("xy"), lambda: wv.similarity("xy", "cat"), lambda: wv["xy"],
                 lambda: wv.distance("cat", "xy"), lambda: wv.most_similar_cosmul("xy")):
        with pytest.raises(NoNgramsError):
            call()
    assert wv.ngrams("xyz") == ["<xyz>"] and wv.has_vector("xyz") and not wv.has_vector("xy")
    np.testing.assert_array_equal(wv["xyz"], wv.ngram_vectors[ft_hash("<xyz>") % 50])
    # 'ox' ('<ox>' has 4 characters) is in the vocabulary: its vector is its own trained row, not zero
    assert wv.ngrams("ox") == []
    np.testing.assert_array_equal(wv["ox"], wv.word_rows[3])
    assert np.abs(wv["ox"]).max() > 0
    assert np.isfinite(wv.similarity("xyz", "cat"))


def test_queries_accept_unseen_words(b20_corpus):
    wv = embkit.FastText(**SMALL).fit(b20_corpus).wv
    found = wv.most_similar("cats", topn=4)
    assert [k for k, _ in found] and all(np.isfinite(s) for _, s in found)
    assert sorted(k for k, _ in found) == ["abc", "cat", "dog", "ox"]        # an unseen word excludes nothing
    query = wv.compose("cats")
    assert found == wv.most_similar(query, topn=4)
    assert wv.most_similar(positive=["cats"], negative=["dog"], topn=2) == \
        wv.most_similar(positive=[query], negative=["dog"], topn=2)
    assert wv.most_similar("CATS", topn=1, case_sensitive=False) == wv.most_similar("CATS", topn=1)
    expected = float(np.dot(query, wv["dog"]) / np.linalg.norm(query) / np.linalg.norm(wv["dog"]))
    assert wv.similarity("cats", "dog") == pytest.approx(expected, abs=1e-6)
    assert wv.similarity("dog", "cat") == embkit.queries.similarity(wv, "dog", "cat")
    assert wv.distance("cats", "dog") == pytest.approx(1 - expected, abs=1e-6)
    assert wv.most_similar_cosmul("cats", topn=1)[0][0] in wv


# -- reproducibility, initial matrices ------------------------------------------------------

@pytest.mark.parametrize("sg", [True, False])
def test_one_thread_with_a_seed_is_bit_reproducible(b20_corpus, sg):
    a = embkit.FastText(sg=sg, **{**SMALL, "seed": 3}).fit(b20_corpus).wv
    b = embkit.FastText(sg=sg, **{**SMALL, "seed": 3}).fit(b20_corpus).wv
    c = embkit.FastText(sg=sg, **{**SMALL, "seed": 4}).fit(b20_corpus).wv
    np.testing.assert_array_equal(a.word_rows, b.word_rows)
    np.testing.assert_array_equal(a.ngram_vectors, b.ngram_vectors)
    np.testing.assert_array_equal(a.context, b.context)
    assert not np.array_equal(a.ngram_vectors, c.ngram_vectors)


def test_initial_rows_are_fasttexts_uniform_and_init_arrays_are_used(b20_corpus):
    wv = embkit.FastText(**{**SMALL, "epochs": 0}).fit(b20_corpus).wv
    rows = np.vstack([wv.word_rows, wv.ngram_vectors])
    assert rows.shape == (4 + 50, 8) and np.abs(rows).max() < 1 / 8 and np.abs(rows).max() > 0.5 / 8
    assert not wv.context.any()
    init = np.arange(54 * 8, dtype=np.float32).reshape(54, 8) / 1000
    wv2 = embkit.FastText(init_in=init, init_out=np.ones((4, 8)), **{**SMALL, "epochs": 0}).fit(b20_corpus).wv
    np.testing.assert_array_equal(np.vstack([wv2.word_rows, wv2.ngram_vectors]), init)
    np.testing.assert_array_equal(wv2.context, np.ones((4, 8)))
    with pytest.raises(InvalidParameterError, match=r"init_in must have shape \(54, 8\)"):
        embkit.FastText(init_in=np.zeros((4, 8)), **SMALL).fit(b20_corpus)


def test_init_from_word_vectors_and_from_other_buckets(b20_corpus):
    first = embkit.FastText(**SMALL).fit(b20_corpus).wv
    words = embkit.KeyedVectors(["dog", "zebra"], np.full((2, 8), 0.25), context=np.full((2, 8), 0.5))
    wv = embkit.FastText(init_in=words, init_out=words, **{**SMALL, "epochs": 0}).fit(b20_corpus).wv
    np.testing.assert_array_equal(wv.word_rows[1], np.full(8, 0.25))
    np.testing.assert_array_equal(wv.context[1], np.full(8, 0.5))
    assert not wv.context[0].any()
    other = embkit.FastText(init_in=first, **{**SMALL, "epochs": 0, "bucket": 60}).fit(b20_corpus).wv
    np.testing.assert_array_equal(other.word_rows, first.word_rows)
    assert other.bucket == 60


# -- native files -----------------------------------------------------------------------------

def test_native_round_trip_memory_mapped(b20_corpus, tmp_path):
    model = embkit.FastText(**SMALL).fit(b20_corpus)
    model.save(tmp_path / "m.embkit")
    meta = json.loads((tmp_path / "m.embkit" / "meta.json").read_text())
    assert meta["kind"] == "subword" and meta["subword"] == {"minn": 3, "maxn": 6, "bucket": 50, "hash": "fasttext"}
    for loaded in (embkit.load(tmp_path / "m.embkit", mmap="r"), SubwordVectors.load(tmp_path / "m.embkit")):
        assert isinstance(loaded, SubwordVectors)
        for name in ("vectors", "word_rows", "ngram_vectors", "context", "counts"):
            np.testing.assert_array_equal(getattr(loaded, name), getattr(model.wv, name))
        np.testing.assert_array_equal(loaded["unseen"], model.wv["unseen"])
    assert isinstance(embkit.load(tmp_path / "m.embkit", mmap="r").ngram_vectors, np.memmap)
    # KeyedVectors.load gives the word vectors alone; saved again, they are a word model
    words = embkit.KeyedVectors.load(tmp_path / "m.embkit")
    assert type(words) is embkit.KeyedVectors
    np.testing.assert_array_equal(words.vectors, model.wv.vectors)
    words.save(tmp_path / "w.embkit")
    assert json.loads((tmp_path / "w.embkit" / "meta.json").read_text())["kind"] == "word"
    assert not (tmp_path / "w.embkit" / "ngrams.npy").exists()
    with pytest.raises(embkit.EmbkitError, match="word vectors without n-grams"):
        SubwordVectors.load(tmp_path / "w.embkit")
    limited = embkit.load(tmp_path / "m.embkit", limit=2)
    assert len(limited) == 2 and limited.bucket == 50


def test_native_subword_files_are_checked(b20_corpus, tmp_path):
    embkit.FastText(**SMALL).fit(b20_corpus).save(tmp_path / "m.embkit")
    np.save(tmp_path / "m.embkit" / "ngrams.npy", np.zeros((49, 8), np.float32))
    with pytest.raises(embkit.FormatError, match=r"ngrams.npy: expected shape \(50, 8\) \(bucket, dim\), found "
                                                 r"\(49, 8\)"):
        embkit.load(tmp_path / "m.embkit")
    meta = json.loads((tmp_path / "m.embkit" / "meta.json").read_text())
    meta["subword"]["hash"] = "murmur"
    (tmp_path / "m.embkit" / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(embkit.FormatError, match="subword.hash is 'murmur'"):
        embkit.load(tmp_path / "m.embkit")


def test_vec_export_writes_the_composed_vectors(b20_corpus, tmp_path):
    wv = embkit.FastText(**SMALL).fit(b20_corpus).wv
    wv.save(tmp_path / "m.vec")
    back = embkit.load(tmp_path / "m.vec")
    np.testing.assert_allclose(back.vectors, wv.vectors, rtol=1e-6)
    assert not np.allclose(wv.vectors, wv.word_rows)


# -- every language --------------------------------------------------------------------------

@pytest.mark.shared
def test_spanish_accented_unseen_words_survive_a_bin_round_trip_through_gensim(shared_data, tmp_path):
    """A sample of the Spanish Bible: unseen accented words get the same vectors in gensim's reader."""
    fasttext = pytest.importorskip("gensim.models.fasttext")
    source = shared_data / "corpora" / "es" / "bible_rv1909.txt.gz"
    if not source.exists():
        pytest.skip(f"{source} is not available")
    with gzip.open(source, "rt", encoding="utf-8") as f:
        lines = [line for _, line in zip(range(3000), f)]
    sample = tmp_path / "es.txt"
    sample.write_text("".join(lines), encoding="utf-8")
    model = embkit.FastText(dim=16, epochs=1, min_count=3, bucket=100_000, threads=1, tokenizer="regex",
                            lowercase=True, progress=False).fit(str(sample))
    wv = model.wv
    assert "señor" in wv or "jehová" in wv
    model.save(tmp_path / "es.bin")
    gensim_model = fasttext.load_facebook_model(str(tmp_path / "es.bin"))
    unseen = ["corazoncísimo", "misericordiosísimamente", "españolísimo", "jehováñ", "pequeñitos", "acción"]
    unseen = [w for w in unseen if w not in wv]
    assert len(unseen) >= 4
    for word in unseen + wv.index_to_key[:20]:
        np.testing.assert_allclose(gensim_model.wv[word], wv[word], rtol=1e-5, atol=1e-6)
    assert embkit.load(tmp_path / "es.bin").most_similar("misericordiosísimamente", topn=1)


def test_memory_budget_counts_the_ngram_rows(b20_corpus):
    from embkit.exceptions import MemoryBudgetError

    # 2,000,000 n-gram rows of dim 100 are 800 MB of float32: refused before anything is allocated
    with pytest.raises(MemoryBudgetError) as err:
        embkit.FastText(dim=100, min_count=1, max_memory="300M", progress=False).fit(b20_corpus)
    assert "input vectors" in str(err.value) and "n-gram index" in str(err.value)
    assert str(err.value).endswith("; lower --bucket (the n-gram rows: bucket x dim x 4 bytes) or --dim, or raise "
                                   "--min-count (bucket=, dim=, min_count= in Python)")


def test_similarity_with_composed_pairs_by_hand():
    kv = _hand_kv()
    pairs = [("cat", "ox", 3.0), ("cat", "dog", 2.0), ("ox", "dogs", 1.0), ("xy", "", 0.5)]
    with pytest.raises(embkit.EmbkitError, match="only 1 of 4 pairs can be scored"):
        embkit.evaluate_similarity(kv, pairs)                   # oov="drop": only cat/ox is in the vocabulary
    result = embkit.evaluate_similarity(kv, pairs, oov="compose")
    assert result["composed"] == [["cat", "dog"], ["ox", "dogs"]] and result["composed_share"] == 0.5
    assert result["oov"] == [["xy", ""]] and result["pairs_used"] == 3
    cosines = [kv.similarity(a, b) for a, b, _ in pairs[:3]]
    # Spearman of 3 pairs: the human scores fall, so rho is 1 when the cosines fall too, -1 when they rise
    expected = np.corrcoef(np.argsort(np.argsort([3.0, 2.0, 1.0])), np.argsort(np.argsort(cosines)))[0, 1]
    assert result["spearman"] == pytest.approx(expected)
    with pytest.raises(embkit.EmbkitError, match="oov='compose' needs subword vectors"):
        embkit.evaluate_similarity(embkit.KeyedVectors(["cat"], [[1.0]]), pairs, oov="compose")
