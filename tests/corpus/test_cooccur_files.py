"""Cooccurrence.load on counts written by SciPy plus a vocabulary (the layout `--cooccur` documents)."""
import json
import logging

import numpy as np
import pytest
from scipy import sparse

from embkit.corpus.cooccur import Cooccurrence
from embkit.exceptions import FormatError

X = np.array([[0, 2, 2], [1, 0, 1], [3, 1, 0]], dtype=float)


def _scipy_npz(path, matrix, **extra):
    """``scipy.sparse.save_npz`` arrays, with ``extra`` arrays (vocab, counts, settings) added."""
    sparse.save_npz(path, matrix, compressed=False)
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    arrays.update({k: np.asarray(v) for k, v in extra.items()})
    np.savez(path, **arrays)
    return path


def test_scipy_layout_with_a_vocab_array_counts_and_settings(tmp_path):
    """A SciPy CSR file plus vocab (an array of str), counts and JSON settings is read by the shared reader."""
    f = _scipy_npz(tmp_path / "c.npz", sparse.csr_matrix(X), vocab=["a", "b", "c"], counts=[2, 1, 1],
                   settings=json.dumps({"window": 5, "weighting": "uniform"}))
    c = Cooccurrence.load(f)
    assert c.words == ["a", "b", "c"] and c.counts.tolist() == [2, 1, 1]
    assert c.settings == {"window": 5, "weighting": "uniform"}
    np.testing.assert_array_equal(c.matrix.toarray(), X)


@pytest.mark.parametrize("fmt", ["csc", "coo"])
def test_csc_coo_and_integer_counts_become_a_float_csr_matrix(tmp_path, fmt):
    """SciPy's other layouts and integer data are read as the same CSR float matrix."""
    m = sparse.csr_matrix(X.astype(np.int64)).asformat(fmt)
    c = Cooccurrence.load(_scipy_npz(tmp_path / "c.npz", m, vocab=np.array("a\nb\nc"), counts=[2, 1, 1]))
    assert c.matrix.format == "csr" and c.matrix.dtype == np.float64
    np.testing.assert_array_equal(c.matrix.toarray(), X)


def test_without_counts_the_column_sums_stand_for_them(tmp_path, caplog):
    """No counts array: the word counts are the column sums (4, 3, 3), and the settings say so."""
    with caplog.at_level(logging.INFO, logger="embkit"):
        c = Cooccurrence.load(_scipy_npz(tmp_path / "c.npz", sparse.csr_matrix(X), vocab=["a", "b", "c"]))
    assert c.counts.tolist() == [4, 3, 3] and c.settings == {"counts_from": "column sums"}
    assert "column sums" in caplog.text


def test_an_upper_triangle_is_mirrored_but_not_in_embkit_files(tmp_path):
    """A foreign matrix stored by half is made symmetric; embkit's own counts are taken as they are."""
    upper = sparse.triu(sparse.csr_matrix(X)).tocsr()
    f = _scipy_npz(tmp_path / "c.npz", upper, vocab=["a", "b", "c"])
    np.testing.assert_array_equal(Cooccurrence.load(f).matrix.toarray(), [[0, 2, 2], [2, 0, 1], [2, 1, 0]])
    own = _scipy_npz(tmp_path / "own.npz", upper, vocab=["a", "b", "c"], counts=[1, 1, 1],
                     settings=json.dumps({"format": "embkit-cooccur", "context": "right"}))
    np.testing.assert_array_equal(Cooccurrence.load(own).matrix.toarray(), upper.toarray())


@pytest.mark.parametrize("extra, message", [
    ({}, r"no vocab array"),                                                   # plain save_npz
    ({"vocab": ["a", "b"]}, r"the vocabulary has 2 words but the matrix has shape \(3, 3\)"),
    ({"vocab": ["a", "b", "c"], "counts": [1.5, 1, 1]}, r"whole numbers"),
    ({"vocab": ["a", "b", "c"], "counts": [-1, 1, 1]}, r"negative word counts"),
    ({"vocab": ["a", "b", "c"], "settings": "window 5"}, r"JSON object"),
    ({"vocab": ["a", "a", "c"]}, r"duplicate word"),
    ({"vocab": [1, 2, 3]}, r"must hold text"),
])
def test_bad_scipy_files_are_one_line_format_errors(tmp_path, extra, message):
    """Faults in a SciPy-written counts file are FormatErrors naming the file."""
    f = _scipy_npz(tmp_path / "bad.npz", sparse.csr_matrix(X), **extra)
    with pytest.raises(FormatError, match=message) as err:
        Cooccurrence.load(f)
    assert str(err.value).startswith(str(f)) and "\n" not in str(err.value)


def test_out_of_range_indices_in_other_layouts(tmp_path):
    """A COO or CSC matrix with an index outside the vocabulary is a FormatError, not a crash."""
    f = tmp_path / "bad.npz"
    np.savez(f, format=np.array(b"coo"), shape=np.array([2, 2]), data=np.array([1.0]), row=np.array([0]),
             col=np.array([5]), vocab=np.array(["a", "b"]))
    with pytest.raises(FormatError, match="not a COO matrix"):
        Cooccurrence.load(f)
    np.savez(f, format=np.array(b"csc"), shape=np.array([2, 2]), data=np.array([1.0]), indices=np.array([5]),
             indptr=np.array([0, 1, 1]), vocab=np.array(["a", "b"]))
    with pytest.raises(FormatError, match="not a CSC matrix"):
        Cooccurrence.load(f)
    np.savez(f, format=np.array(b"bsr"), shape=np.array([2, 2]), vocab=np.array(["a", "b"]))
    with pytest.raises(FormatError, match="expected a CSR, CSC or COO matrix, found format 'bsr'"):
        Cooccurrence.load(f)


def test_objects_that_need_unpickling_are_refused(tmp_path):
    """An object array (pickle) is not loaded."""
    f = tmp_path / "bad.npz"
    np.savez(f, vocab=np.array([{"pickled": 1}], dtype=object))
    with pytest.raises(FormatError, match="not a counts .npz file"):
        Cooccurrence.load(f)
