"""Co-occurrence counting: case B12, the counts against the NumPy/fractions oracle, exactness under a
memory cap, the counts.npz file and its bad inputs."""
import json
import logging
import math
import zipfile

import numpy as np
import pytest
import scipy.sparse
from reference import reference_cooccur, reference_ppmi, reference_subsample

import embkit
from embkit.corpus import _counting, _runs
from embkit.corpus import cooccur as cc
from embkit.exceptions import FormatError, InvalidParameterError, MemoryBudgetError
from embkit.kernels.rng import chunk_seeds
from embkit.kernels.sampling import keep_probabilities
from embkit.models.ppmi import ppmi_matrix

from .helpers import CORPUS, encode

B12 = CORPUS / "b12_two_lines.txt"

# lines shorter and longer than the window, a one-word line, and a line split by max_sentence_length=9
TINY = """the cat sat on the mat
the dog sat
cat
the cat and the dog and the bird sat on the mat by the door
bird dog cat the the the
on the mat
"""


def _count(corpus, **kw):
    kw.setdefault("min_count", 1)
    kw.setdefault("progress", False)
    return embkit.cooccur(corpus, **kw)


def test_b12_windows_stop_at_line_ends_and_wide_windows_are_clipped():
    harmonic = _count(str(B12), window=5)
    assert harmonic.words == ["a", "b", "c", "d", "e"]
    x = harmonic.matrix.toarray()
    expected = np.zeros((5, 5))
    for (i, j), v in {(0, 1): 1.0, (0, 2): 0.5, (1, 2): 1.0, (3, 4): 1.0}.items():
        expected[i, j] = expected[j, i] = v
    np.testing.assert_array_equal(x, expected)             # X(c,d) = X(a,d) = 0: nothing across the line end
    assert x.sum() == 7.0
    uniform = _count(str(B12), window=5, weighting="uniform").matrix.toarray()
    assert uniform.sum() == 8.0 and set(uniform[uniform > 0]) == {1.0}
    ppmi = ppmi_matrix(scipy.sparse.csr_matrix(uniform), cds=1.0).toarray()
    for i, j in ((0, 1), (0, 2), (1, 2)):
        assert ppmi[i, j] == pytest.approx(math.log(2), abs=1e-12) == pytest.approx(0.693147, abs=1e-6)
    assert ppmi[3, 4] == pytest.approx(math.log(8), abs=1e-12) == pytest.approx(2.079442, abs=1e-6)
    assert np.count_nonzero(ppmi) == 8
    smoothed = ppmi_matrix(scipy.sparse.csr_matrix(uniform), cds=0.75).toarray()
    assert smoothed[0, 1] == pytest.approx(0.739364, abs=1e-6) and smoothed[2, 1] == pytest.approx(0.739364, abs=1e-6)
    assert smoothed[3, 4] == pytest.approx(1.952372, abs=1e-6)
    np.testing.assert_allclose(smoothed, reference_ppmi(uniform, 0.75, 1), atol=1e-12)


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "tiny.txt"
    path.write_text(TINY, encoding="utf-8")
    return encode(path, max_sentence_length=9)


def _sentences(enc):
    return [enc.tokens[a:b].tolist() for a, b in zip(enc.offsets[:-1], enc.offsets[1:])]


@pytest.mark.parametrize("weighting", ["harmonic", "uniform", "dynamic"])
@pytest.mark.parametrize("context", ["both", "left", "right"])
@pytest.mark.parametrize("window", [1, 3, 12])
def test_counts_match_the_reference(tiny, weighting, context, window):
    got = _count(tiny, window=window, weighting=weighting, context=context).matrix
    expected = reference_cooccur(_sentences(tiny), len(tiny.vocab), window, weighting, context)
    np.testing.assert_allclose(got.toarray(), expected, rtol=1e-15, atol=0)
    assert got.has_sorted_indices and got.dtype == np.float64
    if context == "both":
        assert (got != got.T).nnz == 0
    if context == "left":
        right = _count(tiny, window=window, weighting=weighting, context="right").matrix
        assert (got != right.T).nnz == 0


def test_subsampled_counts_match_the_reference(tiny):
    sample, seed = 0.02, 7
    got = _count(tiny, window=4, sample=sample, seed=seed, weighting="uniform").matrix.toarray()
    keep = keep_probabilities(tiny.vocab.counts, sample)
    assert keep[0] < 0.7 and keep[-1] == 1.0                  # 'the' is subsampled, rare words kept
    bounds = tiny.chunks(_counting.CHUNK_TOKENS)
    sents = reference_subsample(tiny.tokens, tiny.offsets, bounds, chunk_seeds(seed, 0, len(bounds) - 1), keep)
    assert sum(map(len, sents)) < len(tiny.tokens)
    np.testing.assert_array_equal(got, reference_cooccur(sents, len(tiny.vocab), 4, "uniform", "both"))
    assert not np.array_equal(got, _count(tiny, window=4, sample=sample, seed=seed + 1, weighting="uniform")
                              .matrix.toarray())


def test_unit_weights_are_exact_and_fall_back_to_rounding_only_when_sums_could_overflow():
    w, scale, exact = _counting.unit_weights(10, "harmonic", 50, 10**6, 2)
    assert scale == 2520 and exact and w.tolist() == [0] + [2520 // d for d in range(1, 11)]
    w, scale, exact = _counting.unit_weights(10, "harmonic", 3, 10**6, 2)        # clipped to the longest sentence
    assert scale == 6 and w.tolist() == [0, 6, 3, 2]
    w, scale, exact = _counting.unit_weights(4, "dynamic", 50, 10, 1)
    assert (scale, w.tolist()) == (4, [0, 4, 3, 2, 1])
    w, scale, exact = _counting.unit_weights(60, "harmonic", 1000, 10**9, 2)
    assert not exact and scale & (scale - 1) == 0                    # a power of two
    assert 10**9 * 2 * int(w.sum()) < 2**62
    np.testing.assert_allclose(w[1:] / scale, 1.0 / np.arange(1, 61), rtol=1e-6)


def test_threads_batches_and_a_memory_cap_give_the_same_matrix(tiny, monkeypatch, tmp_path):
    reference = _count(tiny, window=3, threads=1).matrix
    monkeypatch.setattr(_counting, "BUFFER_ENTRIES", 1)               # one row per batch: many runs
    monkeypatch.setattr(_counting, "resident_bytes", lambda: 50 * 2**20)      # so that the cap below is exact
    spill_parent = tmp_path / "spill"
    runs, settings = _counting.count_runs(tiny, 3, "harmonic", "both", threads=2, max_memory=_just_above_fixed(tiny),
                                   tmp_dir=spill_parent, progress=False)
    try:
        assert settings["runs"] == len(tiny.vocab) and settings["spilled_runs"] > 0
        spilled = list(spill_parent.iterdir())
        assert len(spilled) == 1 and len(list(spilled[0].iterdir())) == settings["spilled_runs"]
        capped = runs.to_csr()
    finally:
        runs.spill.remove()
    assert not spill_parent.exists()                 # created for the run (one level), removed with the runs
    for a in ("indptr", "indices", "data"):
        np.testing.assert_array_equal(getattr(capped, a), getattr(reference, a))


def _just_above_fixed(enc):
    """A cap that leaves a few hundred bytes for counted rows beyond what counting needs at least (they spill)."""
    least = []
    real = _counting._Budget.__init__

    def spy(self, *args):
        real(self, *args)
        least.append(sum(self.minimum.values()))
    _counting._Budget.__init__ = spy
    try:
        _counting.count_runs(enc, 3, "harmonic", "both", threads=2, progress=False)[0].spill.remove()
    finally:
        _counting._Budget.__init__ = real
    return least[0] + 300


def test_a_cap_below_what_counting_needs_is_refused(tiny):
    with pytest.raises(MemoryBudgetError, match=r"counting co-occurrences needs at least .* more than "
                                                r"--max-memory 976.6 KiB; raise --max-memory"):
        _count(tiny, window=3, max_memory="1M")


def test_spill_directory_is_removed_on_errors_and_left_overs_of_dead_processes_too(tiny, monkeypatch, tmp_path):
    spill = tmp_path / "spill"
    stale = spill / f"{_runs.SpillDir.PREFIX}{_runs.socket.gethostname()}-999999999-abcd"
    stale.mkdir(parents=True)
    (stale / "run-000000.bin").write_bytes(b"x")
    real_add = _runs.Runs.add

    def failing_add(self, *args):
        real_add(self, *args[:-1], True)
        if self.spilled == 2:
            raise KeyboardInterrupt
    monkeypatch.setattr(_runs.Runs, "add", failing_add)
    monkeypatch.setattr(_counting, "BUFFER_ENTRIES", 1)
    with pytest.raises(KeyboardInterrupt):
        _count(tiny, window=3, tmp_dir=spill)
    assert list(spill.iterdir()) == []                          # this run's spill directory and the stale one


def test_counts_npz_is_scipys_format_plus_vocabulary_counts_and_settings(tiny, tmp_path):
    out = tmp_path / "counts.npz"
    assert _count(tiny, window=3, output=out) == out
    in_memory = _count(tiny, window=3)
    m = scipy.sparse.load_npz(out)
    assert m.format == "csr" and (m != in_memory.matrix).nnz == 0 and m.indices.dtype == np.int32
    with np.load(out, allow_pickle=False) as z:
        assert str(z["vocab"]).split("\n") == tiny.vocab.words
        np.testing.assert_array_equal(z["counts"], tiny.vocab.counts)
        settings = json.loads(str(z["settings"]))
    assert {k: settings[k] for k in ("window", "weighting", "context", "sample", "dtype")} == {
        "window": 3, "weighting": "harmonic", "context": "both", "sample": 0.0, "dtype": "float64"}
    back = cc.Cooccurrence.load(out)
    assert back.words == tiny.vocab.words and (back.matrix != in_memory.matrix).nnz == 0
    small = _count(tiny, window=3, dtype="float32", output=tmp_path / "f32.npz")
    assert scipy.sparse.load_npz(small).dtype == np.float32
    in_memory.save(tmp_path / "again.npz")
    assert (cc.Cooccurrence.load(tmp_path / "again.npz").matrix != in_memory.matrix).nnz == 0


def _write_npz(path, **arrays):
    with zipfile.ZipFile(path, "w") as zf:
        for name, arr in arrays.items():
            with zf.open(f"{name}.npy", "w") as f:
                np.lib.format.write_array(f, np.asarray(arr), allow_pickle=False)


@pytest.mark.parametrize("change, message", [
    (dict(vocab=np.array("a\nb")), r"the vocabulary has 2 words and 3 counts but the matrix has shape \(3, 3\)"),
    (dict(counts=np.array([1, 2])), r"vocabulary has 3 words and 2 counts"),
    (dict(data=np.array([1.0, np.nan, 2.0])), r"1 counts are NaN or infinite"),
    (dict(data=np.array([1.0, np.inf, 2.0])), r"1 counts are NaN or infinite"),
    (dict(data=np.array([1.0, -1.0, 2.0])), r"negative counts"),
    (dict(indices=np.array([0, 7, 1], np.int32)), r"column indices outside 0..2"),
    (dict(indptr=np.array([0, 2, 1, 3], np.int32)), r"indptr does not delimit"),
    (dict(vocab=None), r"not an embkit counts file: no vocab array"),
])
def test_bad_counts_files_are_format_errors_naming_the_file(tmp_path, change, message):
    arrays = dict(indices=np.array([1, 0, 2], np.int32), indptr=np.array([0, 1, 2, 3], np.int32),
                  format=np.array(b"csr"), shape=np.array([3, 3]), data=np.array([1.0, 1.0, 2.0]),
                  vocab=np.array("a\nb\nc"), counts=np.array([3, 2, 1]))
    arrays.update(change)
    path = tmp_path / "bad.npz"
    _write_npz(path, **{k: v for k, v in arrays.items() if v is not None})
    with pytest.raises(FormatError, match=message) as err:
        cc.Cooccurrence.load(path)
    assert str(err.value).startswith(str(path)) and "\n" not in str(err.value)


def test_not_a_counts_file(tmp_path):
    (tmp_path / "x.npz").write_text("hello")
    with pytest.raises(FormatError, match="not a counts .npz file"):
        cc.Cooccurrence.load(tmp_path / "x.npz")
    with pytest.raises(embkit.EmbkitError, match="no such file"):
        cc.Cooccurrence.load(tmp_path / "missing.npz")


def test_single_word_lines_give_an_empty_matrix_with_a_warning(tmp_path, caplog):
    (tmp_path / "c.txt").write_text("a\nb\na\n")
    with caplog.at_level(logging.WARNING, logger="embkit"):
        c = _count(str(tmp_path / "c.txt"), window=5)
    assert c.matrix.shape == (2, 2) and c.matrix.nnz == 0
    assert "every sentence holds a single word" in caplog.text


def test_settings_are_checked_against_the_table(tiny):
    with pytest.raises(InvalidParameterError, match="weighting must be one of"):
        _count(tiny, weighting="gaussian")
    with pytest.raises(InvalidParameterError, match="window must be"):
        _count(tiny, window=0)
