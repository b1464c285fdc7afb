"""Reading corpus text: line ends, byte-order marks, compression, inputs, UTF-8, vector files (cases B07, B08)."""
import bz2
import gzip
import io
import lzma
import os
import sys

import pytest

from embkit.corpus.encoded import EncodedCorpus
from embkit.corpus.reading import expand_inputs, iter_lines
from embkit.exceptions import CorpusError

from .helpers import CORPUS, encode, sentences


def test_b07_bom_crlf_tabs_and_spaces_make_no_tokens():
    enc = encode(CORPUS / "ws_corpus.txt")
    assert dict(zip(enc.vocab.words, enc.vocab.counts.tolist())) == {"alpha": 2, "beta": 2, "gamma": 2}
    assert len(enc.tokens) == 6 and enc.raw_tokens == 6
    assert sentences(enc) == [["alpha", "beta", "gamma"], ["beta", "alpha"], ["gamma"]]
    assert enc.manifest["blank_lines"] == 1


def test_lone_cr_ends_a_line_and_a_bom_inside_a_line_makes_no_token(tmp_path):
    p = tmp_path / "cr.txt"
    p.write_bytes(b"\xef\xbb\xbfa b\rc\r\nd \xef\xbb\xbfe\n")
    assert [t for _, t in iter_lines(str(p))] == ["a b", "c", "d \ufeffe"]
    enc = encode(p)
    assert sentences(enc) == [["a", "b"], ["c"], ["d", "e"]]


def test_b08_blank_lines_are_neither_errors_nor_sentences():
    enc = encode(CORPUS / "blank_lines.txt")
    assert dict(zip(enc.vocab.words, enc.vocab.counts.tolist())) == {"the": 2, "cat": 1, "dog": 1}
    assert enc.n_sentences == 2 and len(enc.tokens) == 4


@pytest.mark.parametrize("opener,suffix", [(gzip.open, ".gz"), (bz2.open, ".bz2"), (lzma.open, ".xz")])
def test_compressed_inputs(tmp_path, opener, suffix):
    p = tmp_path / f"c.txt{suffix}"
    with opener(p, "wb") as f:
        f.write("x y\r\nz x\n".encode())
    enc = encode(p)
    assert sentences(enc) == [["x", "y"], ["z", "x"]]


_COMPRESS = {"gzip": gzip.compress, "bzip2": bz2.compress, "xz": lzma.compress}


@pytest.mark.parametrize("kind", sorted(_COMPRESS))
def test_compressed_data_without_a_suffix_is_recognised(tmp_path, kind):
    p = tmp_path / "corpus"
    p.write_bytes(_COMPRESS[kind]("x y\nz x\n".encode()))
    assert sentences(encode(p)) == [["x", "y"], ["z", "x"]]


@pytest.mark.parametrize("kind", sorted(_COMPRESS))
def test_compressed_stdin_is_recognised(monkeypatch, kind):
    data = _COMPRESS[kind]("a b a\nb c\n".encode())
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(io.BytesIO(data))))
    enc = EncodedCorpus.encode("-", min_count=1, progress=False)
    assert enc.vocab.words == ["a", "b", "c"] and enc.manifest["raw_tokens"] == 5


def test_text_starting_like_a_magic_number_stays_text(tmp_path):
    p = tmp_path / "c.txt"
    p.write_text("BZh9 is not bzip2\n", encoding="utf-8")
    assert sentences(encode(p)) == [["BZh9", "is", "not", "bzip2"]]


def test_directories_and_globs(tmp_path):
    (tmp_path / "d" / "sub").mkdir(parents=True)
    (tmp_path / "d" / "b.txt").write_text("b\n")
    (tmp_path / "d" / "sub" / "a.txt").write_text("a\n")
    (tmp_path / "d" / ".hidden").write_text("h\n")
    files = expand_inputs([str(tmp_path / "d")])
    assert [os.path.basename(f) for f in files] == ["b.txt", "a.txt"]
    files = expand_inputs([str(tmp_path / "d" / "**" / "*.txt")])
    assert sorted(os.path.basename(f) for f in files) == ["a.txt", "b.txt"]
    with pytest.raises(CorpusError, match="no such file"):
        expand_inputs([str(tmp_path / "missing.txt")])
    with pytest.raises(CorpusError, match="matches no file"):
        expand_inputs([str(tmp_path / "*.nothing")])


def test_invalid_utf8_names_file_line_and_offset(tmp_path, caplog):
    p = tmp_path / "bad.txt"
    p.write_bytes(b"good line\nab \xff cd\n")
    with pytest.raises(CorpusError) as err:
        encode(p)
    msg = str(err.value)
    assert "bad.txt" in msg and "line 2" in msg and "byte offset 13" in msg and "0xff" in msg
    with caplog.at_level("WARNING", logger="embkit"):
        enc = encode(p, encoding_errors="replace")
    assert enc.manifest["replaced_invalid_utf8"] == 1
    assert f"{p}: replaced 1 invalid UTF-8 sequence(s) with U+FFFD" in caplog.text
    assert "\ufffd" in enc.vocab.words


def test_vector_files_are_recognised_and_text_is_not(tmp_path):
    from embkit.corpus.reading import looks_like_vectors

    rows = "\n".join(f"w{i} " + " ".join(f"{0.1 * (i + j):.4f}" for j in range(12)) for i in range(5)) + "\n"
    cases = {
        "glove.txt": (rows, True),
        "w2v.vec": ("5 12\n" + rows, True),
        "text.txt": ("the cat sat on the mat\nand the dog too\nthird line\n", False),
        "numbers.txt": ("year 1990 1991 1992 1993 1994 1995 1996 1997 1998 1999 2000\n" * 3, False),
        "two_ints.txt": ("12 apostles\nand more text\n", False),
    }
    for name, (text, expected) in cases.items():
        (tmp_path / name).write_text(text)
        assert looks_like_vectors(str(tmp_path / name)) is expected, name
