"""Compression told by suffix and by magic number, shared by the vector formats and the corpus reader."""
import bz2
import gzip
import io
import lzma

import pytest

from embkit.formats._sniff import compression_from_magic, open_read, open_sniffed, open_write, split_compression

TEXT = b"2 2\nx 1 2\ny 3 4\n"


@pytest.mark.parametrize("name, base, module", [
    ("v.vec.gz", "v.vec", gzip), ("v.bin.BZ2", "v.bin", bz2), ("v.txt.xz", "v.txt", lzma),
    ("v.vec", "v.vec", None), ("v.vec.lzma", "v.vec.lzma", None), ("gz", "gz", None),
])
def test_split_compression(name, base, module):
    assert split_compression(name) == (base, module)


def test_lzma_suffix_is_read_but_not_written():
    assert split_compression("corpus.txt.lzma", reading=True) == ("corpus.txt", lzma)
    assert split_compression("corpus.txt.lzma") == ("corpus.txt.lzma", None)


@pytest.mark.parametrize("module", [gzip, bz2, lzma])
def test_compression_from_magic(module):
    assert compression_from_magic(module.compress(TEXT)[:10]) is module


@pytest.mark.parametrize("head", [b"", b"2 2\nx 1 2", b"BZh9 is a word", b"\x1f", "\ufeffcaf\u00e9".encode()])
def test_text_has_no_magic(head):
    assert compression_from_magic(head) is None


@pytest.mark.parametrize("module, suffix", [(gzip, ".gz"), (bz2, ".bz2"), (lzma, ".xz")])
def test_open_read_decompresses_by_suffix_only(tmp_path, module, suffix):
    (tmp_path / f"v{suffix}").write_bytes(module.compress(TEXT))
    (tmp_path / "unnamed").write_bytes(module.compress(TEXT))
    with open_read(tmp_path / f"v{suffix}") as f:
        assert f.read() == TEXT
    with open_read(tmp_path / "unnamed") as f:
        assert f.read() == module.compress(TEXT)        # vector files go by their name


@pytest.mark.parametrize("module", [gzip, bz2, lzma])
def test_open_sniffed_decompresses_by_magic(tmp_path, module):
    (tmp_path / "unnamed").write_bytes(module.compress(TEXT))
    stream, to_close = open_sniffed(str(tmp_path / "unnamed"))
    try:
        assert stream.read() == TEXT and len(to_close) == 2
    finally:
        for handle in to_close:
            handle.close()


def test_open_sniffed_reads_lzma_by_suffix_and_plain_text_as_it_is(tmp_path):
    (tmp_path / "c.lzma").write_bytes(lzma.compress(TEXT, format=lzma.FORMAT_ALONE))
    stream, to_close = open_sniffed(tmp_path / "c.lzma")
    assert stream.read() == TEXT and to_close == [stream]
    stream.close()
    (tmp_path / "plain").write_bytes(TEXT)
    stream, to_close = open_sniffed(str(tmp_path / "plain"))
    assert stream.read() == TEXT and to_close == [stream]
    stream.close()


def test_open_sniffed_leaves_a_given_stream_to_its_owner():
    raw = io.BufferedReader(io.BytesIO(gzip.compress(TEXT)))
    stream, to_close = open_sniffed(raw)
    assert stream.read() == TEXT and to_close == [stream]
    stream.close()
    assert not raw.closed
    plain = io.BufferedReader(io.BytesIO(TEXT))
    assert open_sniffed(plain) == (plain, [])


@pytest.mark.parametrize("module, suffix", [(gzip, ".gz"), (bz2, ".bz2"), (lzma, ".xz"), (None, "")])
def test_open_write_compresses_by_suffix(tmp_path, module, suffix):
    path = tmp_path / f"v.vec{suffix}"
    with open_write(path) as f:
        f.write(TEXT)
    data = path.read_bytes()
    assert (module.decompress(data) if module else data) == TEXT
    assert [p.name for p in tmp_path.iterdir()] == [path.name]       # no temporary left


def test_gzip_output_is_the_same_for_the_same_content(tmp_path):
    for name in ("a.vec.gz", "b.vec.gz"):
        with open_write(tmp_path / name) as f:
            f.write(TEXT)
    assert (tmp_path / "a.vec.gz").read_bytes()[4:8] == b"\0\0\0\0"       # no time stamp
    assert (tmp_path / "a.vec.gz").read_bytes()[10:].startswith(b"a.vec\0")
    assert (tmp_path / "a.vec.gz").read_bytes()[:10] == (tmp_path / "b.vec.gz").read_bytes()[:10]


def test_an_interrupted_write_leaves_nothing(tmp_path):
    with pytest.raises(RuntimeError):
        with open_write(tmp_path / "v.vec.gz") as f:
            f.write(TEXT)
            raise RuntimeError("stop")
    assert list(tmp_path.iterdir()) == []
