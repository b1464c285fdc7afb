"""gensim reads what embkit writes in both word2vec formats, and the reverse."""
import numpy as np
import pytest
from gensim.models import KeyedVectors as GensimKeyedVectors
from numpy.testing import assert_allclose

from embkit import io


@pytest.mark.parametrize("name, binary", [("v.vec", False), ("v.bin", True)])
def test_gensim_reads_what_we_write(tmp_path, kv, name, binary):
    io.save(kv, tmp_path / name)
    g = GensimKeyedVectors.load_word2vec_format(str(tmp_path / name), binary=binary)
    assert g.index_to_key == kv.index_to_key
    assert_allclose(g.vectors, kv.vectors, rtol=1e-6)
    assert np.array_equal(g.vectors, kv.vectors)


@pytest.mark.parametrize("name, binary", [("g.vec", False), ("g.bin", True)])
def test_we_read_what_gensim_writes(tmp_path, kv, name, binary):
    g = GensimKeyedVectors(kv.dim)
    g.add_vectors(kv.index_to_key, kv.vectors)
    g.save_word2vec_format(str(tmp_path / name), binary=binary)
    back = io.load(tmp_path / name)
    assert back.index_to_key == kv.index_to_key
    assert_allclose(back.vectors, kv.vectors, rtol=1e-6)
    assert np.array_equal(back.vectors, kv.vectors)
