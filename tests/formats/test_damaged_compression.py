"""Damaged and truncated compressed vector files: the damage is reported, not the garbage it decompresses to."""
import bz2
import gzip
import lzma

import numpy as np
import pytest

from embkit import io
from embkit.exceptions import FormatError
from embkit.formats import VectorData, write
from embkit.formats._sniff import check_integrity, compression_hint, magic_agrees

MODULES = {"gz": gzip, "bz2": bz2, "xz": lzma}


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    """word2vec text and binary files of 300 random 100-dimensional vectors."""
    root = tmp_path_factory.mktemp("plain")
    rng = np.random.default_rng(7)
    data = VectorData([f"w{i}" for i in range(300)], rng.standard_normal((300, 100)).astype(np.float32))
    out = {}
    for suffix in ("vec", "bin"):
        write(data, root / f"ok.{suffix}")
        out[suffix] = (root / f"ok.{suffix}").read_bytes()
    return out


def _damage(packed, how):
    if how == "corrupt-middle":
        damaged = bytearray(packed)
        middle = len(damaged) // 2
        for i in range(middle, middle + 20):
            damaged[i] ^= 0x55
        return bytes(damaged)
    if how == "truncated-after-header":
        return packed[:6]           # bzip2's 'BZh91A', most of xz's magic, gzip's magic and method
    return packed[:len(packed) // 2]


@pytest.mark.parametrize("how", ["corrupt-middle", "truncated-after-header", "truncated-mid-stream"])
@pytest.mark.parametrize("compression", ["gz", "bz2", "xz"])
@pytest.mark.parametrize("fmt", ["vec", "bin"])
def test_damage_is_reported(tmp_path, plain, fmt, compression, how):
    packed = MODULES[compression].compress(plain[fmt])
    path = tmp_path / f"broken.{fmt}.{compression}"
    path.write_bytes(_damage(packed, how))
    with pytest.raises(FormatError) as info:
        io.load(str(path))
    message = str(info.value)
    assert message.startswith(f"{path}: cannot decompress: ")
    expected = "damaged" if how == "corrupt-middle" else "ends early (file truncated?)"
    assert expected in message
    assert "rename" not in message and "line" not in message


def test_intact_file_passes_the_check(tmp_path, plain):
    path = tmp_path / "ok.vec.bz2"
    path.write_bytes(bz2.compress(plain["vec"]))
    assert check_integrity(path) is None
    assert check_integrity(tmp_path / "plain.vec") is None          # not compressed: not checked


def test_check_gives_up_when_time_runs_out(tmp_path, plain):
    path = tmp_path / "broken.vec.gz"
    path.write_bytes(gzip.compress(plain["vec"])[:-8])
    assert "ends early" in str(check_integrity(path))
    assert check_integrity(path, seconds=-1) is None


@pytest.mark.parametrize("module", [gzip, bz2, lzma])
def test_magic_agrees_with_its_own_prefixes(module):
    magic = module.compress(b"x 1\n")[:10]
    for n in range(0, 11):
        assert magic_agrees(magic[:n], module)
    others = [m for m in (gzip, bz2, lzma) if m is not module]
    assert not any(magic_agrees(magic, other) for other in others)


def test_misnamed_compression_is_still_reported(tmp_path, plain):
    path = tmp_path / "v.vec.bz2"
    path.write_bytes(gzip.compress(plain["vec"]))
    with pytest.raises(FormatError, match="the name says bzip2 but the file holds gzip data; rename it"):
        io.load(str(path))


@pytest.mark.parametrize("compression", ["gz", "bz2", "xz"])
@pytest.mark.parametrize("fmt", ["vec", "bin"])
def test_compressed_data_without_the_suffix_gets_a_hint(tmp_path, plain, fmt, compression):
    path = tmp_path / f"v.{fmt}"
    path.write_bytes(MODULES[compression].compress(plain[fmt]))
    name = {"gz": "gzip", "bz2": "bzip2", "xz": "xz"}[compression]
    with pytest.raises(FormatError) as info:
        io.load(str(path))
    assert str(info.value).endswith(f"the data is {name}-compressed: name it v.{fmt}.{compression}")
    assert "name it .bin" not in str(info.value)


def test_compression_hint_is_none_for_plain_data(plain):
    assert compression_hint(plain["vec"][:10], "v.vec") is None
    assert compression_hint(plain["bin"][:10], "v.bin") is None


def _frequencies(path):
    from embkit.postprocess.frequencies import read_frequencies
    return read_frequencies(path)


def _gold(path):
    from embkit.evaluation.phrases import load_gold
    return load_gold(path)


def _lexicon(path):
    from embkit.postprocess.lexicon import read_lexicon
    return read_lexicon(path)


def _terms(path):
    from embkit.corpus.terms import read_terms
    return len(read_terms(path))


def _phrases(path):
    from embkit.corpus.terms import read_phrases
    return read_phrases(path)[0]


def _similarity(path):
    from embkit.evaluation.datasets import read_similarity
    return read_similarity(path).pairs


def _sts(path):
    from embkit.evaluation.sts import read_sts
    return read_sts(path).pairs


def _connectors(path):
    from embkit.corpus.phrase_counts import _read_connectors
    return _read_connectors(path)


TEXT_READERS = {
    "connectors": (_connectors, "".join(f"of{i}\n" for i in range(3000))),
    "terms": (_terms, "".join(f"new york{i}\n" for i in range(3000))),
    "phrases": (_phrases, "".join(f"new_york{i}\t3\t0.5\n" for i in range(3000))),
    "similarity data set": (_similarity, "".join(f"w{i} w{i + 1} {i % 10}\n" for i in range(3000))),
    "sts data set": (_sts, "".join(f"a cat {i}\ta dog\t{i % 5}\n" for i in range(3000))),
    "frequencies": (_frequencies, "".join(f"w{i}\t{5000 - i}\n" for i in range(3000))),
    "gold terms": (_gold, "".join(f"new_york{i}\n" for i in range(3000))),
    "lexicon": (_lexicon, "".join(f"w{i} w{i + 1} w{i + 2}\n" for i in range(3000))),
}


@pytest.mark.parametrize("how", ["corrupt-middle", "truncated-mid-stream"])
@pytest.mark.parametrize("compression", ["gz", "bz2", "xz"])
@pytest.mark.parametrize("reader", list(TEXT_READERS))
def test_damage_in_other_text_files_is_a_format_error_naming_them(tmp_path, reader, compression, how):
    """Every small text input (frequency files, gold term lists, lexicons, terms and phrases files, data sets)
    reads plain or compressed text alike, and reports damaged compressed data, not EOFError or 'Aborted!'."""
    read, text = TEXT_READERS[reader]
    path = tmp_path / f"broken.tsv.{compression}"
    path.write_bytes(_damage(MODULES[compression].compress(text.encode()), how))
    with pytest.raises(FormatError) as info:
        read(path)
    assert str(info.value).startswith(f"{path}") and "compress" in str(info.value)
    intact = tmp_path / f"ok.tsv.{compression}"
    intact.write_bytes(MODULES[compression].compress(text.encode()))
    assert read(intact)
