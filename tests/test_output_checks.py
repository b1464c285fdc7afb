"""Every library writer checks its output first and writes atomically (embkit._outputs): no pipe or device
replaced, no missing directory created, no input overwritten, figures in the format their name gives."""
import os

import numpy as np
import pytest

import embkit
from embkit import KeyedVectors, _params
from embkit._outputs import FIGURE_FORMATS, check_figure_output, figure_format, output_file
from embkit.corpus.reading import corpus_paths
from embkit.exceptions import EmbkitError, InvalidParameterError, IsDirectoryError, MissingFileError

TEXT = "new york is big\nthe bank of england\nnew york city\nthe bank of england is old\n" * 5


def not_regular(path):
    return (f"cannot write {path}: it is not a regular file (a device, pipe or socket), which an atomic write "
            "would replace; write to a file")


def missing_dir(path, directory):
    return (f"cannot write {path}: directory {directory} does not exist (embkit does not create it; check the "
            "name or create it first)")


def also_input(path):
    return f"the output {str(path)!r} is also an input, or inside one; choose another output name"


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text(TEXT)
    return path


@pytest.fixture
def fifo(tmp_path):
    """A named pipe where an output goes (never a real device: that would be touched if the check failed)."""
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


@pytest.fixture
def aligned(tmp_path):
    from embkit.models.aligned import new_manifest, write_manifest

    d = tmp_path / "aligned"
    d.mkdir()
    words = ["a", "b", "c", "d"]
    rng = np.random.default_rng(0)
    manifest = new_manifest("cade", "cbow", {})
    for name in ("x", "y"):
        KeyedVectors(words, rng.normal(size=(4, 3)), counts=[9, 8, 7, 6]).save(d / f"{name}.embkit")
        manifest["slices"].append({"name": name, "file": f"{name}.embkit"})
    write_manifest(d, manifest)
    return d


def _writers(corpus, aligned):
    """(name, write(path)) of every library writer; none needs matplotlib before its path is checked."""
    from embkit.analysis import analyze, plot_analysis
    from embkit.evaluation.shift_plots import plot_shift_distribution, plot_word_neighbors
    from embkit.models.aligned import write_manifest

    vocab = embkit.Vocabulary.build(str(corpus), min_count=1, progress=False)
    phrases = embkit.Phrases(min_count=2, progress=False).fit(str(corpus))
    counts = embkit.cooccur(str(corpus), min_count=1, progress=False)
    kv = KeyedVectors(["a", "b", "c"], np.eye(3), counts=[3, 2, 1])
    rows = [{"word": "a", "shift": 0.5, "count_a": 3, "count_b": 4}]
    return [
        ("Vocabulary.save", vocab.save),
        ("Phrases.save", phrases.save),
        ("Cooccurrence.save", counts.save),
        ("cooccur(output=)", lambda p: embkit.cooccur(str(corpus), output=p, min_count=1, progress=False)),
        ("GloVe checkpoint", lambda p: embkit.GloVe(checkpoint_every=1, progress=False).fit(str(corpus),
                                                                                            checkpoint=p)),
        ("write_manifest", lambda p: write_manifest(p.parent, {})),
        ("KeyedVectors.save", lambda p: kv.save(p, format="word2vec")),     # through embkit.formats.write
        ("plot_analysis", lambda p: plot_analysis(analyze(kv), p)),
        ("plot_shift_distribution", lambda p: plot_shift_distribution(rows, "x", "y", p)),
        ("plot_word_neighbors", lambda p: plot_word_neighbors(aligned, "a", p)),
    ]


def _target(name, directory):
    """The file a writer is given: figures have a figure's name, the manifest its own."""
    return directory / {"write_manifest": "manifest.json"}.get(name, "out.png" if name.startswith("plot") else "out")


def test_every_library_writer_refuses_a_pipe_and_leaves_it(corpus, aligned, tmp_path):
    """Library saves replaced a FIFO (Phrases.save, Cooccurrence.save, ...) with a regular file."""
    for i, (name, write) in enumerate(_writers(corpus, aligned)):
        (tmp_path / str(i)).mkdir()
        target = _target(name, tmp_path / str(i))
        os.mkfifo(target)
        with pytest.raises(EmbkitError) as info:
            write(target)
        assert str(info.value) == not_regular(target), name
        assert target.is_fifo() and os.listdir(tmp_path / str(i)) == [target.name], name


def test_every_library_writer_refuses_a_missing_directory_and_creates_none(corpus, aligned, tmp_path):
    """Library saves created missing parent directories (a typo in a directory name made a tree)."""
    for name, write in _writers(corpus, aligned):
        target = _target(name, tmp_path / "typo" / "sub")
        with pytest.raises(MissingFileError) as info:
            write(target)
        assert str(info.value) == missing_dir(target, tmp_path / "typo"), name
        assert not (tmp_path / "typo").exists(), name


def test_library_writers_refuse_a_directory(corpus, tmp_path):
    """A directory where a file goes was found only by the final rename, after the work."""
    (tmp_path / "d").mkdir()
    vocab = embkit.Vocabulary.build(str(corpus), min_count=1, progress=False)
    with pytest.raises(IsDirectoryError, match=r"^cannot write a vocabulary to .*/d: it is a directory$"):
        vocab.save(tmp_path / "d")
    from embkit.analysis import analyze, plot_analysis
    with pytest.raises(IsDirectoryError, match=r"^cannot write a figure to .*/d: it is a directory$"):
        plot_analysis(analyze(KeyedVectors(["a", "b"], np.eye(2), counts=[2, 1])), tmp_path / "d")
    assert list((tmp_path / "d").iterdir()) == []


def test_phrases_save_refuses_the_files_its_fit_read(corpus, tmp_path):
    """Phrases(connectors=FILE).fit(C).save(FILE) overwrote the connectors file (and the corpus)."""
    conn = tmp_path / "conn.txt"
    conn.write_text("of\n")
    ph = embkit.Phrases(min_count=2, connectors=str(conn), progress=False).fit(str(corpus))
    for target in (conn, corpus):
        before = target.read_bytes()
        with pytest.raises(InvalidParameterError) as info:
            ph.save(target)
        assert str(info.value) == also_input(target)
        assert target.read_bytes() == before
    ph.save(tmp_path / "ph.tsv")
    assert "bank_of_england\t10\t" in (tmp_path / "ph.tsv").read_text()


def test_cooccur_checks_its_output_before_counting(corpus, fifo, monkeypatch):
    """cooccur(C, output=PATH) counted the whole corpus before finding PATH unwritable or one of its inputs."""
    import embkit.corpus.cooccur as module

    def counted(*args, **kwargs):
        raise AssertionError("counted before the output was checked")

    monkeypatch.setattr(module, "count_runs", counted)
    with pytest.raises(InvalidParameterError) as info:
        embkit.cooccur(str(corpus), output=corpus)
    assert str(info.value) == also_input(corpus)
    assert corpus.read_text() == TEXT
    with pytest.raises(InvalidParameterError) as info:
        embkit.cooccur([str(corpus)], output=fifo)
    assert str(info.value) == not_regular(fifo)
    with pytest.raises(InvalidParameterError) as info:          # a pattern's matches are inputs too
        embkit.cooccur(str(corpus.parent / "*.txt"), output=str(corpus))
    assert str(info.value) == also_input(str(corpus))


def test_glove_checks_its_checkpoint_before_training(corpus, tmp_path, monkeypatch):
    """GloVe.fit(checkpoint=PATH) trained every epoch before writing over a pipe or a terms file."""
    import embkit.models.glove as module

    def counted(*args, **kwargs):
        raise AssertionError("counted before the checkpoint was checked")

    monkeypatch.setattr(module, "counts_for", counted)
    terms = tmp_path / "terms.txt"
    terms.write_text("new york\n")
    est = embkit.GloVe(checkpoint_every=1, terms=str(terms), progress=False)
    for target in (corpus, terms):
        with pytest.raises(InvalidParameterError) as info:
            est.fit(str(corpus), checkpoint=target)
        assert str(info.value) == also_input(target)
    assert terms.read_text() == "new york\n" and corpus.read_text() == TEXT


def test_figures_are_written_in_the_format_their_suffix_names(tmp_path):
    """plot_analysis('out.pdf') wrote PNG bytes under a .pdf name; .jpg was accepted too."""
    assert FIGURE_FORMATS == ("png", "pdf", "svg")
    assert [figure_format(f"f.{s}") for s in ("png", "PDF", "svg")] == ["png", "pdf", "svg"]
    for name in ("f.jpg", "f", "f.png.gz"):
        with pytest.raises(InvalidParameterError) as info:
            check_figure_output(tmp_path / name)
        assert str(info.value) == (f"cannot write a figure to {tmp_path / name}: name it .png, .pdf or .svg "
                                   "(the suffix gives the format)")
        assert info.value.param == "plot"
    assert list(tmp_path.iterdir()) == []
    pytest.importorskip("matplotlib")
    from embkit.analysis import analyze, plot_analysis

    result = analyze(KeyedVectors(["a", "b", "c"], np.eye(3), counts=[3, 2, 1]))
    magic = {"png": b"\x89PNG", "pdf": b"%PDF", "svg": b"<?xml"}
    for fmt, head in magic.items():
        plot_analysis(result, tmp_path / f"a.{fmt}")
        assert (tmp_path / f"a.{fmt}").read_bytes()[:len(head)] == head


def test_shift_figures_take_the_format_of_their_name(aligned, tmp_path):
    """The shift figures were PNG whatever their name."""
    pytest.importorskip("matplotlib")
    from embkit.evaluation.shift_plots import plot_shift_distribution, plot_word_neighbors

    plot_word_neighbors(aligned, "a", tmp_path / "a.pdf", k=2)
    plot_shift_distribution([{"word": "a", "shift": 0.5, "count_a": 3, "count_b": 4}], "x", "y", tmp_path / "s.svg")
    assert (tmp_path / "a.pdf").read_bytes()[:4] == b"%PDF"
    assert b"<svg" in (tmp_path / "s.svg").read_bytes()[:500]


def test_output_file_checks_then_writes_atomically(tmp_path):
    """The shared writer: a failed write leaves the old file; the checks run before the file is opened."""
    target = tmp_path / "out.txt"
    target.write_text("old\n")
    with pytest.raises(RuntimeError), output_file(target, "w") as f:
        f.write("half")
        raise RuntimeError("stop")
    assert target.read_text() == "old\n" and sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]
    with output_file(target, "w") as f:
        f.write("new\n")
    assert target.read_text() == "new\n"
    with pytest.raises(InvalidParameterError) as info, output_file(target, "w", inputs=[str(target)]):
        pass
    assert str(info.value) == also_input(target)


def test_unknown_output_format_names_the_python_parameter(tmp_path):
    """The library's hint said 'name the format', not how: it names format= now."""
    with pytest.raises(InvalidParameterError) as info:
        embkit.save(KeyedVectors(["a"], [[1.0]]), tmp_path / "out.xyz")
    assert str(info.value) == ("cannot tell the output format from the name "
                               f"{str(tmp_path / 'out.xyz')!r}; use .embkit (native), .vec/.txt (word2vec text) "
                               "or .bin (word2vec binary), or give format= (native, word2vec, word2vec-bin, "
                               "fasttext-bin)")


def test_input_files_and_corpus_paths(tmp_path):
    """The files a job reads besides its outputs: keywords and word lists name none."""
    values = {"phrases": "auto", "terms": tmp_path / "t.txt", "tmp_dir": "/tmp", "min_count": 5}
    assert _params.input_files(_params.CORPUS + (_params.TMP_DIR,), values) == [str(tmp_path / "t.txt")]
    assert _params.input_files(_params.PHRASES, {"connectors": "default"}) == []
    assert _params.input_files(_params.PHRASES, {"connectors": "none"}) == []
    assert _params.input_files(_params.PHRASES, {"connectors": ("of", "the")}) == []
    assert _params.input_files(_params.PHRASES, {"connectors": "c.txt"}) == ["c.txt"]
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text("x\n")
    assert sorted(corpus_paths(str(tmp_path / "*.txt"))) == [str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]
    assert corpus_paths([tmp_path, "-"]) == [str(tmp_path), "-"]
    assert corpus_paths([["a", "b"], ["c"]]) == [] and corpus_paths(iter([["a"]])) == []


class _FakeFigure:
    """A stand-in for a matplotlib figure whose drawing warns as matplotlib does for a missing glyph."""

    def savefig(self, f, format=None, **kw):
        import warnings
        glyph = "Glyph 26085 (\\N{CJK UNIFIED IDEOGRAPH-65E5}) missing from font(s) DejaVu Sans."
        warnings.warn(glyph, UserWarning, stacklevel=2)
        warnings.warn(glyph, UserWarning, stacklevel=2)
        warnings.warn("something else", UserWarning, stacklevel=2)
        f.write(b"\x89PNG fake")


def test_figure_font_warnings_become_one_log_line(tmp_path, caplog):
    """matplotlib's per-character 'Glyph ... missing' warnings (a CJK word in a shift plot) are one log line
    naming the characters, not raw UserWarnings with a source path."""
    import warnings

    import embkit._outputs as outputs
    from embkit._outputs import write_figure

    outputs._GLYPHS_REPORTED.clear()
    out = tmp_path / "fig.png"
    with warnings.catch_warnings():
        warnings.simplefilter("error")              # nothing escapes as a Python warning
        with caplog.at_level("WARNING", logger="embkit._outputs"):
            write_figure(_FakeFigure(), out)
    assert out.read_bytes() == b"\x89PNG fake"
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0] == (f"{out}: 1 character(s) have no glyph in matplotlib's font and show as boxes (日); a font "
                        "that has them can be chosen with matplotlib's rcParams['font.family']")
    assert lines[1] == f"{out}: something else" and len(lines) == 2
    caplog.clear()
    with caplog.at_level("WARNING", logger="embkit._outputs"):
        write_figure(_FakeFigure(), tmp_path / "fig2.png")      # the same character: said once per process
    assert [r.getMessage() for r in caplog.records] == [f"{tmp_path / 'fig2.png'}: something else"]


@pytest.mark.parametrize("suffix", ["gz", "bz2", "xz"])
def test_text_outputs_named_compressed_are_compressed_and_read_back(tmp_path, suffix):
    """`vocab -o vocab.tsv.gz` and `phrases -o p.tsv.gz` wrote plain text under a compressed name."""
    import bz2
    import gzip
    import lzma

    from embkit.corpus.vocab import Vocabulary
    from embkit.formats._sniff import text_output

    path = tmp_path / f"v.tsv.{suffix}"
    with text_output(path, what="a vocabulary") as f:
        f.write("the\t3\nété\t1\n")
    module = {"gz": gzip, "bz2": bz2, "xz": lzma}[suffix]
    assert module.decompress(path.read_bytes()) == "the\t3\nété\t1\n".encode()
    v = Vocabulary.load(path)
    assert list(v.words) == ["the", "été"] and list(v.counts) == [3, 1]
    assert [p.name for p in tmp_path.iterdir()] == [path.name]             # no temporary file left
