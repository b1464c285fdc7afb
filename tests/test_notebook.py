"""Progress in a Jupyter notebook: a notebook run by a real kernel (nbclient) shows a bar, without a warning."""
import json
import sys

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

KERNEL = "embkit-test-python"
FIT = "m = embkit.SkipGram(dim=8, epochs=2, min_count=1, threads=1, cache=False, progress=True).fit({corpus!r})"


@pytest.fixture
def kernel_env(tmp_path, monkeypatch):
    """A kernel spec that starts this interpreter (the test's virtual environment), found before any other,
    and Jupyter's and IPython's files kept in ``tmp_path``."""
    spec = tmp_path / "jupyter" / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "embkit tests", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "jupyter-config"))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "jupyter-runtime"))
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    corpus = tmp_path / "c.txt"
    corpus.write_text("a b c d a b\nc d a b\n" * 200)
    return corpus


def _run(cells, tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in cells]
    from jupyter_client.manager import KernelManager

    # local sockets in tmp_path, no TCP port
    km = KernelManager(kernel_name=KERNEL, transport="ipc", ip=str(tmp_path / "kernel-ipc"))
    nbclient.NotebookClient(nb, km=km, timeout=180, allow_errors=False).execute()
    return nb


def _stderr(cell):
    return "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream"
                   and o.get("name") == "stderr")


def test_a_notebook_without_ipywidgets_shows_a_text_bar_and_no_warning(kernel_env, tmp_path):
    nb = _run([
        "import sys\n"
        "sys.modules['ipywidgets'] = None      # as in an environment without ipywidgets\n"
        "import embkit\n"
        + FIT.format(corpus=str(kernel_env)) + "\n"
        "print(sys.executable, len(m.wv))",
    ], tmp_path)
    (cell,) = nb.cells
    out = "".join(o.get("text", "") for o in cell.outputs if o.get("name") == "stdout")
    assert out.split() == [sys.executable, "4"]                   # the kernel ran in this environment
    err = _stderr(cell)
    assert "training sgns" in err and "100%" in err and "4.00k/4.00k" in err, err
    assert "IProgress" not in err and "Warning" not in err, err
    assert not any(o.get("output_type") == "display_data" for o in cell.outputs)


def test_a_notebook_with_ipywidgets_shows_the_widget_bar(kernel_env, tmp_path):
    pytest.importorskip("ipywidgets")
    nb = _run([
        "import embkit\n"
        + FIT.format(corpus=str(kernel_env)),
    ], tmp_path)
    (cell,) = nb.cells
    widgets = [o for o in cell.outputs if o.get("output_type") == "display_data"
               and "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert widgets, cell.outputs
    assert "IProgress" not in _stderr(cell)
