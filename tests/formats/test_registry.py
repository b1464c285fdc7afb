"""The format registry: names and content tell the format, load and save dispatch through it, and the
checks every writer shares."""
import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import embkit
from embkit import formats, io
from embkit.exceptions import EmbkitError, FormatError
from embkit.vectors import KeyedVectors

from ._helpers import fixture, write


@pytest.mark.parametrize("name, fmt", [
    ("m.embkit", "native"), ("model", "native"), ("a/b/model", "native"),
    ("v.vec", "word2vec"), ("v.txt", "word2vec"), ("V.VEC", "word2vec"),
    ("v.vec.gz", "word2vec"), ("v.txt.bz2", "word2vec"), ("v.vec.xz", "word2vec"),
    ("v.bin", "word2vec-bin"), ("v.bin.gz", "word2vec-bin"),
    ("v.dat", None), ("model.gz", None), ("v.npy", None),
])
def test_format_from_name(name, fmt):
    assert formats.format_from_name(name) == fmt


def test_detect_format_of_existing_paths(tmp_path, kv):
    io.save(kv, tmp_path / "model.embkit")
    assert formats.detect_format(tmp_path / "model.embkit") == "native"
    # files whose name does not tell are recognised from their content
    io.save(kv, tmp_path / "text", format="word2vec")
    io.save(kv, tmp_path / "binary.dat", format="word2vec-bin")
    write(tmp_path / "glove", "x 1 2\n")
    assert formats.detect_format(tmp_path / "text") == "word2vec"
    assert formats.detect_format(tmp_path / "binary.dat") == "word2vec-bin"
    assert formats.detect_format(tmp_path / "glove") == "word2vec"
    assert np.array_equal(io.load(tmp_path / "binary.dat").vectors, kv.vectors)
    assert io.load(tmp_path / "text").index_to_key == kv.index_to_key


def test_unknown_names_and_formats(tmp_path, kv):
    with pytest.raises(EmbkitError, match="cannot tell the output format"):
        io.save(kv, tmp_path / "v.dat")
    with pytest.raises(EmbkitError, match="cannot tell the format"):
        io.load(tmp_path / "missing.dat")
    with pytest.raises(ValueError, match="unknown format 'glove'"):
        io.load(fixture("short.vec"), format="glove")
    with pytest.raises(ValueError, match="limit"):
        io.load(fixture("short.vec"), limit=-1)
    with pytest.raises(FileNotFoundError):
        io.load(tmp_path / "missing.vec")


def test_fasttext_bin_is_recognised_and_read_by_its_own_reader(tmp_path):
    path = tmp_path / "model.bin"
    path.write_bytes((793712314).to_bytes(4, "little") + (12).to_bytes(4, "little") + b"\0" * 64)
    assert formats.detect_format(path) == "fasttext-bin"
    with pytest.raises(EmbkitError, match="model.bin: the arguments declare dim 0"):
        io.load(path)


def test_explicit_format_must_agree_with_the_name(tmp_path, kv):
    # a .vec name holding binary vectors could not be read back by name: refused before writing
    with pytest.raises(EmbkitError, match="stands for word2vec but the format asked for is word2vec-bin"):
        io.save(kv, tmp_path / "weird.vec", format="word2vec-bin")
    assert list(tmp_path.iterdir()) == []
    # a name without an extension takes any format and is recognised by content
    out = tmp_path / "vectors_file"
    io.save(kv, out, format="word2vec-bin")
    assert out.read_bytes()[4:8] == b"the "
    assert np.array_equal(io.load(out).vectors, kv.vectors)


@pytest.mark.parametrize("name", ["x.vec", "x.bin", "x.embkit"])
def test_b18_writers_refuse_non_finite_values(tmp_path, name):
    kv = KeyedVectors(["good", "bad"], [[0.1, 0.2], [0.3, np.inf]])
    with pytest.raises(EmbkitError, match=r"'bad' \(row 1\) has a non-finite value \(inf\)"):
        io.save(kv, tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_b18_non_finite_context_is_refused(tmp_path):
    kv = KeyedVectors(["x"], [[1.0]], context=[[np.nan]])
    with pytest.raises(EmbkitError, match="context row of 'x'"):
        io.save(kv, tmp_path / "m.embkit")


def test_empty_vocabulary_round_trip(tmp_path):
    kv = KeyedVectors([], np.zeros((0, 3)))
    for name in ("e.vec", "e.bin", "e.embkit"):
        io.save(kv, tmp_path / name)
        back = io.load(tmp_path / name)
        assert len(back) == 0 and back.dim == 3


def test_writers_replace_existing_files(tmp_path, kv):
    out = tmp_path / "v.vec"
    out.write_text("old content\n")
    io.save(kv, out)
    assert io.load(out).index_to_key == kv.index_to_key


def test_misnamed_files_get_a_hint_about_the_other_format(tmp_path):
    kv = KeyedVectors(["the", "of", "and"], np.arange(12, dtype=np.float32).reshape(3, 4) / 7 - 0.5)
    io.save(kv, tmp_path / "real.bin")
    io.save(kv, tmp_path / "real.vec")
    (tmp_path / "binary.vec").write_bytes((tmp_path / "real.bin").read_bytes())
    (tmp_path / "text.bin").write_bytes((tmp_path / "real.vec").read_bytes())
    with pytest.raises(FormatError, match=r"binary data: if it is word2vec binary, name it \.bin"):
        io.load(tmp_path / "binary.vec")
    with pytest.raises(FormatError, match=r"looks like text: if it is word2vec text, name it \.vec or \.txt"):
        io.load(tmp_path / "text.bin")
    np.testing.assert_array_equal(io.load(tmp_path / "text.bin", format="word2vec").vectors, kv.vectors)
    # a malformed file of the right kind gets no such hint, nor does text in another encoding
    (tmp_path / "bad.vec").write_text("2 3\nalpha 0.1 0.2\nbeta 1 2 3\n")
    (tmp_path / "latin1.vec").write_bytes(b"1 2\ncaf\xe9 1 2\n")
    for name in ("bad.vec", "latin1.vec"):
        with pytest.raises(FormatError) as err:
            io.load(tmp_path / name)
        assert "name it" not in str(err.value)


# -- the registry and dispatch -------------------------------------------------

def test_registry_entries():
    from embkit.formats import fasttext_bin, native, word2vec_binary, word2vec_text

    assert formats.FORMATS == ("native", "word2vec", "word2vec-bin", "fasttext-bin")
    assert set(formats.REGISTRY) == {"native", "word2vec", "word2vec-bin", "fasttext-bin"}
    for module in (native, word2vec_text, word2vec_binary, fasttext_bin):
        entry = formats.REGISTRY[module.NAME]
        assert (entry.name, entry.read, entry.write, entry.token_problem) == (
            module.NAME, module.read, module.write, module.token_problem)
    assert [name for name, f in formats.REGISTRY.items() if f.directory] == ["native"]
    assert formats.get_format("word2vec").suffixes == (".vec", ".txt")
    with pytest.raises(ValueError, match="unknown format 'fasttext'; expected one of native, word2vec, "
                                         "word2vec-bin, fasttext-bin"):
        formats.get_format("fasttext")


def test_token_checks_of_the_registry():
    problems = {name: formats.REGISTRY[name].token_problem for name in formats.FORMATS}
    assert problems["native"]("new york") is None and problems["native"]("a\tb") is not None
    assert problems["word2vec"]("new york") is None and problems["word2vec"]("route 66") is not None
    assert problems["word2vec-bin"]("new york").startswith("it contains a space")
    assert all(check("café") is None for check in problems.values())


def test_read_dispatches_to_the_registered_reader(tmp_path, monkeypatch):
    calls = []

    def reader(path, limit=None, mmap=None, unicode_errors="strict"):
        calls.append((str(path), limit, mmap, unicode_errors))
        return formats.VectorData(["a", "b"], np.array([[1, 2], [3, 4]], dtype=np.float32),
                                  counts=np.array([7, 5]), meta={"from": "test"})

    entry = formats.REGISTRY["word2vec"]
    monkeypatch.setitem(formats.REGISTRY, "word2vec", formats.Format("word2vec", reader, entry.write,
                                                                     entry.token_problem, entry.suffixes))
    path = str(tmp_path / "v.vec")
    kv = io.load(path, limit=2, unicode_errors="replace")
    assert calls == [(path, 2, None, "replace")]
    assert isinstance(kv, KeyedVectors)
    assert kv.index_to_key == ["a", "b"] and kv.vectors.tolist() == [[1, 2], [3, 4]]
    assert kv.counts.tolist() == [7, 5] and kv.meta == {"from": "test"}
    assert KeyedVectors.load(path).index_to_key == ["a", "b"]      # the method goes through the registry too
    assert len(calls) == 2


def test_write_dispatches_to_the_registered_writer(tmp_path, monkeypatch, kv):
    written = []
    entry = formats.REGISTRY["word2vec-bin"]
    monkeypatch.setitem(formats.REGISTRY, "word2vec-bin", formats.Format(
        "word2vec-bin", entry.read, lambda data, path: written.append((data, path)), entry.token_problem,
        entry.suffixes))
    io.save(kv, tmp_path / "v.bin")
    kv.save(tmp_path / "w.bin")
    assert [(type(d).__name__, d.keys, p) for d, p in written] == [
        ("VectorData", kv.index_to_key, tmp_path / "v.bin"), ("VectorData", kv.index_to_key, tmp_path / "w.bin")]
    assert written[0][0].vectors is kv.vectors      # shared, not copied
    assert list(tmp_path.iterdir()) == []


def test_read_and_write_vector_data(tmp_path):
    data = formats.VectorData(["x", "y"], np.array([[0.5, 1], [2, -3]], dtype=np.float32),
                              counts=np.array([3, 1]), context=np.zeros((2, 2), dtype=np.float32),
                              meta={"note": "n"})
    assert data.dim == 2 and formats.VectorData.of(data) is data
    formats.write(data, tmp_path / "m.embkit")
    back = formats.read(tmp_path / "m.embkit")
    assert isinstance(back, formats.VectorData)
    assert back.keys == ["x", "y"] and back.vectors.tolist() == [[0.5, 1], [2, -3]]
    assert back.vectors.dtype == np.float32 and back.counts.tolist() == [3, 1]
    assert back.context.tolist() == [[0, 0], [0, 0]] and back.meta["note"] == "n"
    formats.write(data, tmp_path / "v.vec")
    text = formats.read(tmp_path / "v.vec", limit=1)
    assert (text.keys, text.vectors.tolist(), text.counts, text.context, text.meta) == (
        ["x"], [[0.5, 1.0]], None, None, {})


def test_save_needs_keyed_vectors(tmp_path):
    with pytest.raises(TypeError, match="save\\(\\) needs a KeyedVectors, got dict"):
        io.save({"x": [1.0]}, tmp_path / "v.vec")


def test_read_checks_its_arguments():
    with pytest.raises(ValueError, match="mmap must be None, 'r', 'r\\+' or 'c', got 'w'"):
        formats.read(fixture("short.vec"), mmap="w")
    with pytest.raises(ValueError, match="limit must be a non-negative integer, got True"):
        formats.read(fixture("short.vec"), limit=True)
    with pytest.raises(TypeError):
        formats.read(fixture("short.vec"), limit=1.5)


# -- import edges --------------------------------------------------------------

def _embkit_imports(path, package):
    """Modules of embkit that the source file ``path`` (in ``package``) imports, at any level."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("embkit"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            if module.startswith("embkit"):
                found.add(module)
                found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def test_formats_io_and_vectors_import_without_a_cycle():
    root = Path(embkit.__file__).parent
    sources = {"embkit.io": root / "io.py", "embkit.vectors": root / "vectors.py",
               "embkit._outputs": root / "_outputs.py"}
    sources.update((f"embkit.formats.{p.stem}" if p.stem != "__init__" else "embkit.formats", p)
                   for p in (root / "formats").glob("*.py"))
    imports = {name: _embkit_imports(path, name if path.stem == "__init__" else name.rpartition(".")[0])
               for name, path in sources.items()}

    def imports_any(name, targets):
        return any(m == t or m.startswith(t + ".") for m in imports[name] for t in targets)

    for name in sources:
        if name.startswith("embkit.formats"):
            assert not imports_any(name, ["embkit.vectors", "embkit.io"]), name
    assert not imports_any("embkit.vectors", ["embkit.io"])
    assert not imports_any("embkit._outputs", ["embkit.io", "embkit.vectors", "embkit.formats"])
    assert imports_any("embkit.io", ["embkit.formats"]) and imports_any("embkit.io", ["embkit.vectors"])
    assert imports_any("embkit.vectors", ["embkit.formats"])


def test_importing_formats_loads_neither_io_nor_vectors():
    code = "import sys, embkit.formats\nprint(sorted(m for m in sys.modules if m in ('embkit.io', 'embkit.vectors')))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "[]"
