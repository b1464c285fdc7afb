"""The shared training driver: Numba settings restored, chunks, the epoch loop, divergence."""
import logging

import numba
import numpy as np
import pytest

import embkit
from embkit._numba import available_threads, numba_threads, resolve_threads
from embkit.corpus.encoded import EncodedCorpus
from embkit.corpus.vocab import Vocabulary
from embkit.exceptions import TrainingDivergedError
from embkit.kernels.rng import chunk_seeds
from embkit.models import _training


@pytest.fixture
def numba_settings():
    """Numba's settings set to something other than what training uses, and put back afterwards."""
    old_threads, old_chunk = numba.get_num_threads(), numba.get_parallel_chunksize()
    threads = available_threads()
    numba.set_num_threads(threads)
    numba.set_parallel_chunksize(3)
    yield threads, 3
    numba.set_num_threads(old_threads)
    numba.set_parallel_chunksize(old_chunk)


def test_numba_threads_sets_and_restores(numba_settings):
    threads, chunk = numba_settings
    with numba_threads(1) as n:
        assert n == 1 and numba.get_num_threads() == 1 and numba.get_parallel_chunksize() == 1
    assert numba.get_num_threads() == threads and numba.get_parallel_chunksize() == chunk
    with pytest.raises(RuntimeError):
        with numba_threads(1, chunksize=5):
            assert numba.get_parallel_chunksize() == 5
            raise RuntimeError("boom")
    assert numba.get_num_threads() == threads and numba.get_parallel_chunksize() == chunk


def test_fit_restores_numba_settings_also_after_an_error(numba_settings, tmp_path):
    threads, chunk = numba_settings
    (tmp_path / "c.txt").write_text("a b c d a b\nc d a b\n" * 10)
    embkit.SkipGram(dim=4, epochs=1, min_count=1, threads=1, progress=False).fit(str(tmp_path / "c.txt"))
    assert numba.get_num_threads() == threads and numba.get_parallel_chunksize() == chunk
    init = np.full((4, 4), np.nan, np.float32)
    with pytest.raises(TrainingDivergedError):
        embkit.CBOW(dim=4, epochs=1, min_count=1, threads=1, init_in=init, progress=False).fit(
            str(tmp_path / "c.txt"))
    assert numba.get_num_threads() == threads and numba.get_parallel_chunksize() == chunk


def test_resolve_threads(caplog):
    limit = available_threads()
    assert resolve_threads(None) == limit and resolve_threads(1) == 1
    with caplog.at_level(logging.WARNING, logger="embkit"):
        assert resolve_threads(limit + 5) == limit
    assert f"threads={limit + 5} exceeds the {limit} available" in caplog.text


def _vocab():
    return Vocabulary.from_counts(["a", "b", "c"], np.array([3, 2, 1]), 1, None)[0]


def _corpus(offsets):
    offsets = np.array(offsets, np.int64)
    tokens = (np.arange(offsets[-1]) % 3).astype(np.int32)
    return EncodedCorpus(tokens, offsets, _vocab(), {"raw_tokens": int(offsets[-1]) + 2})


def test_chunks_hold_whole_sentences():
    enc = _corpus([0, 3, 5, 9, 10])
    # cuts at the first sentence starting at or after tokens 4 and 8: sentence 2 (token 5), sentence 3 (token 9)
    assert enc.chunks(4).tolist() == [0, 2, 3, 4]
    assert enc.chunks(1).tolist() == [0, 1, 2, 3, 4]
    assert enc.chunks(10).tolist() == [0, 4] and enc.chunks().tolist() == [0, 4]
    assert enc.chunks(5).tolist() == [0, 2, 4]        # token 5 starts sentence 2 exactly
    assert _corpus([0]).chunks(4).tolist() == [0]     # no sentence, no chunk
    assert enc.chunks(4).dtype == np.int64


class _Recorder:
    """A step that records its calls and reports 2.0 loss, 3 examples and 1 trained token per chunk."""

    def __init__(self, nan_at=None):
        self.calls = []
        self.nan_at = nan_at

    def __call__(self, batch, w_in, w_out, lr0, lr1, seeds, loss, examples, trained):
        tokens, base, bounds = batch
        self.calls.append((lr0, lr1, bounds.tolist(), base, len(tokens), seeds.tolist()))
        loss[:] = 2.0
        examples[:] = 3
        trained[:] = 1
        if self.nan_at == len(self.calls):
            w_out[0, 0] = np.nan


def _params(**kw):
    return {"epochs": 2, "alpha": 0.1, "min_alpha": 0.0, "seed": 9, "threads": 1, "progress": False, "sample": 0,
            **kw}


def test_epoch_loop_schedule_seeds_groups_and_records():
    offsets = np.arange(0, 61, 6)                      # 10 sentences of 6 tokens
    chunks = _training.SentenceChunks(_corpus(offsets), 6)
    assert chunks.n_chunks == 10 and chunks.max_len == 6
    step = _Recorder()
    w = np.zeros((3, 2), np.float32)
    history = _training.run_epochs(step, chunks, w, w.copy(), _params(), "test")
    # 1 thread: groups of 4 chunks; the rate falls linearly from 0.1 to 0 over both epochs
    assert [c[:4] for c in step.calls[:3]] == [
        (0.1, 0.05, [0, 1, 2, 3, 4], 0), (0.1, 0.05, [4, 5, 6, 7, 8], 24), (0.1, 0.05, [8, 9, 10], 48)]
    assert [c[4] for c in step.calls[:3]] == [24, 24, 12]
    assert step.calls[3][:2] == (0.05, 0.0)
    assert sum((c[5] for c in step.calls[:3]), []) == chunk_seeds(9, 0, 10).tolist()
    assert sum((c[5] for c in step.calls[3:]), []) == chunk_seeds(9, 1, 10).tolist()
    rec = history[1]
    assert {k: rec[k] for k in ("epoch", "loss_sum", "loss_mean", "examples", "raw_tokens", "tokens_trained",
                                "sentences")} == {"epoch": 2, "loss_sum": 20.0, "loss_mean": 20.0 / 30,
                                                  "examples": 30, "raw_tokens": 62, "tokens_trained": 10,
                                                  "sentences": 10}


def test_epoch_loop_stops_on_non_finite_weights():
    chunks = _training.SentenceChunks(_corpus(np.arange(0, 61, 6)), 6)
    w = np.zeros((3, 2), np.float32)
    with pytest.raises(TrainingDivergedError, match=r"training test diverged: non-finite values after epoch 2 "
                                                    r"\(output vectors contain NaN or inf\); lower alpha \(now 0.1\)"):
        _training.run_epochs(_Recorder(nan_at=4), chunks, w, w.copy(), _params(), "test")


def test_epoch_loop_with_no_epoch_warns(caplog):
    chunks = _training.SentenceChunks(_corpus([0, 2]), 6)
    w = np.zeros((3, 2), np.float32)
    with caplog.at_level(logging.WARNING, logger="embkit"):
        assert _training.run_epochs(_Recorder(), chunks, w, w.copy(), _params(epochs=0), "test") == []
    assert "epochs=0" in caplog.text


def test_init_matrices_are_word2vec_uniform_and_take_given_rows():
    vocab = _vocab()
    w_in, w_out = _training.init_matrices(vocab, 4, seed=5)
    expected = (np.random.default_rng(5).random((3, 4), dtype=np.float32) - np.float32(0.5)) / np.float32(4)
    np.testing.assert_array_equal(w_in, expected)
    assert w_out.dtype == np.float32 and not w_out.any()
    given = np.arange(12, dtype=np.float64).reshape(3, 4)
    w_in, w_out = _training.init_matrices(vocab, 4, seed=5, init_out=given)
    np.testing.assert_array_equal(w_out, given.astype(np.float32))
