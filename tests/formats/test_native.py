"""The native model directory: layout, round trips, memory mapping, strict reading and dispatch on the kind."""
import json
import re
from pathlib import Path

import numpy as np
import pytest

from embkit import io
from embkit._version import __version__
from embkit.exceptions import EmbkitError, FormatError
from embkit.vectors import KeyedVectors

from ._helpers import load_error


def native_kv():
    return KeyedVectors(["the", "new york", "café"], np.arange(6, dtype=np.float32).reshape(3, 2),
                        counts=[10, 5, 1], context=np.ones((3, 2)) / 4,
                        meta={"params": {"dim": 2, "window": 5},
                              "training": {"epochs": [{"epoch": 1, "loss": 2.5}]}})


def test_native_layout(tmp_path):
    out = tmp_path / "m.embkit"
    io.save(native_kv(), out)
    assert sorted(p.name for p in out.iterdir()) == ["context.npy", "meta.json", "vectors.npy",
                                                      "vocab.tsv"]
    assert (out / "vocab.tsv").read_text(encoding="utf-8") == "the\t10\nnew york\t5\ncafé\t1\n"
    assert np.load(out / "vectors.npy").dtype == np.float32
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert meta["format"] == "embkit" and meta["format_version"] == 1
    assert meta["embkit_version"] == __version__
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", meta["created"])   # as trained models
    assert meta["has_counts"] is True
    assert meta["params"] == {"dim": 2, "window": 5}
    assert [p.name for p in tmp_path.iterdir()] == ["m.embkit"]     # no temporary left


def test_native_round_trip(tmp_path):
    kv = native_kv()
    io.save(kv, tmp_path / "m.embkit")
    back = io.load(tmp_path / "m.embkit")
    assert back.index_to_key == kv.index_to_key
    assert np.array_equal(back.vectors, kv.vectors)
    assert np.array_equal(back.context, kv.context)
    assert back.counts.tolist() == [10, 5, 1] and back.counts.dtype == np.int64
    assert back.meta["params"] == kv.meta["params"]
    assert back.meta["training"] == kv.meta["training"]
    assert back.meta["embkit_version"] == __version__
    assert "format" not in back.meta and "format_version" not in back.meta
    assert "has_counts" not in back.meta


def test_native_keeps_creation_time_and_version_from_meta(tmp_path):
    kv = KeyedVectors(["x"], [[1.0]], meta={"created": "2020-01-02T03:04:05+00:00",
                                              "embkit_version": "0.0.9", "format": "ignored"})
    io.save(kv, tmp_path / "m")
    meta = json.loads((tmp_path / "m" / "meta.json").read_text())
    assert list(meta)[:5] == ["format", "format_version", "embkit_version", "created",
                              "has_counts"]
    assert meta["format"] == "embkit"
    assert meta["created"] == "2020-01-02T03:04:05+00:00" and meta["embkit_version"] == "0.0.9"


def test_native_without_counts(tmp_path):
    io.save(KeyedVectors(["x", "y"], [[1.0], [2.0]]), tmp_path / "m")
    assert (tmp_path / "m" / "vocab.tsv").read_text() == "x\t0\ny\t0\n"
    assert json.loads((tmp_path / "m" / "meta.json").read_text())["has_counts"] is False
    back = io.load(tmp_path / "m")
    assert back.counts is None and back.context is None


def test_native_mmap_and_limit(tmp_path, warnings_log):
    io.save(native_kv(), tmp_path / "m.embkit")
    kv = io.load(tmp_path / "m.embkit", mmap="r")
    assert isinstance(kv.vectors, np.memmap) and isinstance(kv.context, np.memmap)
    assert kv.vectors.tolist() == [[0, 1], [2, 3], [4, 5]]
    kv = io.load(tmp_path / "m.embkit", limit=2, mmap="r")
    assert kv.index_to_key == ["the", "new york"] and kv.counts.tolist() == [10, 5]
    assert kv.context.shape == (2, 2)
    assert "declares 3 vectors; read only the first 2" in warnings_log.text


def test_native_meta_with_numpy_values(tmp_path):
    kv = KeyedVectors(["x"], [[1.0]], meta={"loss": np.float32(0.5), "sizes": np.arange(2)})
    io.save(kv, tmp_path / "m")
    assert io.load(tmp_path / "m").meta["sizes"] == [0, 1]
    kv.meta["bad"] = object()
    with pytest.raises(EmbkitError, match="cannot write meta.json"):
        io.save(kv, tmp_path / "m2")


def edit_meta(path, **changes):
    meta = json.loads((path / "meta.json").read_text())
    meta.update(changes)
    (path / "meta.json").write_text(json.dumps(meta))


def test_native_reader_errors(tmp_path):
    m = tmp_path / "m.embkit"
    io.save(native_kv(), m)
    edit_meta(m, format_version=2)
    assert "format_version 2 (written by embkit" in str(load_error(m))
    assert "upgrade embkit" in str(load_error(m))
    edit_meta(m, format_version=1, format="other")
    assert "format is 'other', expected 'embkit'" in str(load_error(m))
    edit_meta(m, format="embkit")
    (m / "vocab.tsv").write_text("the\t10\nnew york\t5\n", encoding="utf-8")
    assert str(load_error(m)) == f"{m}: vectors.npy has 3 rows but vocab.tsv has 2 words"
    (m / "vocab.tsv").write_text("the\t10\nthe\t5\nx\t1\n", encoding="utf-8")
    assert "line 2: word 'the' appears twice (first on line 1)" in str(load_error(m))
    (m / "meta.json").unlink()
    assert "not an embkit model: meta.json is missing" in str(load_error(m))
    with pytest.raises(FileNotFoundError):
        io.load(tmp_path / "absent.embkit")


def test_native_writer_replaces_a_model_but_not_other_directories(tmp_path):
    io.save(native_kv(), tmp_path / "m")
    io.save(KeyedVectors(["x"], [[1.0]]), tmp_path / "m")
    assert io.load(tmp_path / "m").index_to_key == ["x"]
    precious = tmp_path / "data"
    precious.mkdir()
    (precious / "keep.txt").write_text("important")
    with pytest.raises(EmbkitError, match="refusing to replace directory"):
        io.save(native_kv(), precious)
    assert (precious / "keep.txt").read_text() == "important"
    (tmp_path / "file").write_text("x")
    with pytest.raises(EmbkitError, match="exists and is not a directory"):
        io.save(native_kv(), tmp_path / "file", format="native")


@pytest.mark.parametrize("key", ["a\tb", "a\nb", "a\rb"])
def test_native_writer_refuses_tab_and_newlines(tmp_path, key):
    kv = KeyedVectors([key], [[1.0]])
    with pytest.raises(EmbkitError, match=re.escape(f"cannot write token {key!r} (row 0)")):
        io.save(kv, tmp_path / "m.embkit")
    assert list(tmp_path.iterdir()) == []


# -- models written earlier, and the kind of model -----------------------------

FIXTURE_MODEL = Path(__file__).resolve().parents[1] / "fixtures" / "native_v1.embkit"


def test_model_written_before_the_formats_package_still_loads():
    # written by embkit 0.1.0 before the readers moved to embkit.formats; never rewrite it
    kv = io.load(FIXTURE_MODEL)
    assert kv.index_to_key == ["the", "café", "日本", "new-york", "x"]
    assert kv.vectors.tolist() == [[0.5, -1.25, 2.0], [np.float32(0.1), np.float32(0.2), np.float32(0.3)],
                                   [-3.0, 0.0, np.float32(1e-3)], [1.5, 2.5, -0.75], [0.0, 0.0, 0.0]]
    assert kv.counts.tolist() == [50, 40, 30, 20, 10] and kv.counts.dtype == np.int64
    assert kv.context.tolist() == (np.arange(15).reshape(5, 3) / 8).tolist()
    assert kv.meta == {"embkit_version": "0.1.0", "created": "2025-01-02T03:04:05+00:00", "kind": "word",
                       "model": "sgns", "params": {"dim": 3, "window": 5, "seed": 1}, "corpus": {"tokens": 150}}
    same = KeyedVectors.load(FIXTURE_MODEL, mmap="r")
    assert isinstance(same.vectors, np.memmap) and np.array_equal(same.vectors, kv.vectors)


def test_meta_without_kind_holds_word_vectors(tmp_path):
    m = tmp_path / "m.embkit"
    io.save(native_kv(), m)
    assert "kind" not in json.loads((m / "meta.json").read_text())
    back = io.load(m)
    assert back.index_to_key == ["the", "new york", "café"]
    assert back.counts.tolist() == [10, 5, 1]
    assert np.array_equal(back.context, native_kv().context)
    assert "kind" not in back.meta


def test_kind_word_is_kept_in_meta(tmp_path):
    kv = KeyedVectors(["x"], [[1.0]], meta={"kind": "word"})      # as training writes it
    io.save(kv, tmp_path / "m")
    assert json.loads((tmp_path / "m" / "meta.json").read_text())["kind"] == "word"
    assert io.load(tmp_path / "m").meta["kind"] == "word"


@pytest.mark.parametrize("kind", ["cooccurrence", None, ["word"]])
def test_kind_this_embkit_cannot_read_is_refused(tmp_path, kind):
    m = tmp_path / "m.embkit"
    io.save(native_kv(), m)
    edit_meta(m, kind=kind)
    err = load_error(m)
    assert str(err) == (f"{m / 'meta.json'}: kind {kind!r} is not one this embkit {__version__} reads "
                        f"('word', 'subword'); upgrade embkit")


def test_a_new_kind_plugs_into_the_reader(tmp_path, monkeypatch):
    from embkit.formats import VectorData, native

    calls = []

    def read_pairs(path, meta, limit=None, mmap=None):
        calls.append((Path(path), meta["kind"], limit, mmap))
        return VectorData(["p"], np.ones((1, 2), dtype=np.float32), meta={"kind": meta["kind"]})

    monkeypatch.setitem(native.KIND_READERS, "pairs", read_pairs)
    m = tmp_path / "m.embkit"
    io.save(native_kv(), m)
    edit_meta(m, kind="pairs")
    kv = io.load(m, limit=3, mmap="r")
    assert calls == [(m, "pairs", 3, "r")]
    assert kv.index_to_key == ["p"] and kv.vectors.tolist() == [[1.0, 1.0]] and kv.meta == {"kind": "pairs"}


def test_meta_json_errors_name_the_file(tmp_path):
    m = tmp_path / "m.embkit"
    io.save(native_kv(), m)
    (m / "meta.json").write_text("[1, 2]")
    with pytest.raises(FormatError, match=r"meta\.json: expected a JSON object"):
        io.load(m)
    (m / "meta.json").write_text('{"format": "embkit", "format_version": true}')
    assert "format_version True is not a positive integer" in str(load_error(m))
    (m / "meta.json").write_text('{"format": ')
    assert load_error(m).lineno == 1
    (tmp_path / "file").write_text("x")
    assert "a native embkit model is a directory, this is a file" in str(load_error(tmp_path / "file",
                                                                                    format="native"))
