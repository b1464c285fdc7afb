"""Progress bars and log lines: bars made by progress_bar, log records written around them, a current postfix."""
import fcntl
import logging
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time

import numpy as np
import pytest

import embkit
from embkit import _progress
from embkit._numba import compile_watch
from embkit.models import _training

COLS = 100


def run_in_pty(argv, cwd, cols=COLS, rows=40, timeout=120):
    """Run ``argv`` with stdin, stdout and stderr on a pseudo-terminal of ``cols`` columns; its output as text."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    env = {**os.environ, "COLUMNS": str(cols), "LINES": str(rows), "TERM": "xterm"}
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=env, close_fds=True)
    os.close(slave)
    out = bytearray()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1.0)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                data = os.read(master, 65536)
            except OSError:      # EIO: the child closed the terminal
                break
            if not data:
                break
            out += data
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    return proc.returncode, out.decode("utf-8", "replace")


def screen(text, cols=COLS):
    """What a terminal of ``cols`` columns shows after ``text``: carriage returns, line feeds, backspaces,
    cursor-up and erase-in-line sequences, and the wrap at the right margin."""
    lines, row, col = [[]], 0, 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\x1b":
            m = re.match(r"\x1b\[(\d*)([A-Za-z])", text[i:])
            assert m, f"unexpected escape sequence {text[i:i + 8]!r}"
            n = int(m.group(1) or 0)
            if m.group(2) == "A":
                row = max(0, row - (n or 1))
            elif m.group(2) == "K":
                line = lines[row]
                if n == 0:
                    del line[col:]
                elif n == 1:
                    line[:col] = [" "] * min(col, len(line))
                else:
                    line.clear()
            i += len(m.group(0))
            continue
        if ch == "\r":
            col = 0
        elif ch == "\n":
            row += 1
        elif ch == "\b":
            col = max(0, col - 1)
        else:
            if col >= cols:              # the pending wrap at the right margin
                row, col = row + 1, 0
            while len(lines) <= row:
                lines.append([])
            line = lines[row]
            line.extend(" " * (col + 1 - len(line)))
            line[col] = ch
            col += 1
        while len(lines) <= row:
            lines.append([])
        i += 1
    return ["".join(line).rstrip() for line in lines]


@pytest.fixture
def corpus(tmp_path):
    rng = np.random.default_rng(0)
    words = np.array([f"w{i}" for i in range(300)])
    lines = [" ".join(rng.choice(words, 12)) for _ in range(3000)]
    path = tmp_path / "c.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_screen_renders_carriage_returns_and_wraps():
    assert screen("abc\rx\n") == ["xbc", ""]
    assert screen("abcdef", cols=4) == ["abcd", "ef"]
    assert screen("bar 10%\r       \rlog line\r\nbar 20%") == ["log line", "bar 20%"]
    assert screen("one\ntwo\x1b[A\rX") == ["Xne", "   two"]         # a line feed keeps the column


def _assert_clean_screen(out, log_prefix):
    assert "]epoch" not in out and "]INFO" not in out, out     # no log line glued to a bar
    shown = [line for line in screen(out) if line.strip()]
    bars = [line for line in shown if "training sgns" in line or "reading corpus" in line]
    # one bar left, the final one, with the last epoch in its postfix; the encoding bar is gone
    assert len(bars) == 1, shown
    assert "100%" in bars[0] and "epoch=3/3" in bars[0], bars
    for e in (1, 2, 3):
        assert sum(line.startswith(f"{log_prefix}epoch {e}/3: loss ") for line in shown) == 1, shown
    return shown


def test_cli_log_lines_are_written_around_the_bar_on_a_terminal(corpus, tmp_path):
    rc, out = run_in_pty([sys.executable, "-m", "embkit_cli.main", "train", str(corpus), "--epochs", "3",
                          "--threads", "1", "--dim", "8", "--no-cache", "-o", str(tmp_path / "m.embkit")],
                         cwd=tmp_path)
    assert rc == 0, out
    _assert_clean_screen(out, "")
    assert f"\r\nwrote {tmp_path / 'm.embkit'}: 300 words x 8, sgns, 3 epochs over 36000 tokens in " in out


def test_library_log_lines_are_written_around_the_bar_on_a_terminal(corpus, tmp_path):
    script = ("import logging, sys\n"
              "logging.basicConfig(level=logging.INFO, format='%(levelname)s %(message)s')\n"
              "import embkit\n"
              "embkit.SkipGram(dim=8, epochs=3, threads=1, cache=False).fit(sys.argv[1])\n")
    rc, out = run_in_pty([sys.executable, "-c", script, str(corpus)], cwd=tmp_path)
    assert rc == 0, out
    _assert_clean_screen(out, "INFO ")


class _RecordingBar:
    """Stands for a tqdm bar: records the postfix shown at each update (tqdm redraws inside update())."""

    def __init__(self, **options):
        self.options, self.n, self.postfix, self.shown = options, 0, {}, []

    def set_postfix(self, refresh=True, **postfix):
        self.postfix = postfix

    def update(self, n):
        self.n += n
        self.shown.append((self.n, dict(self.postfix)))

    def close(self):
        self.closed = True


def test_the_postfix_shown_is_the_current_epoch(tmp_path, monkeypatch):
    bars = []

    def fake_bar(enabled=True, **options):
        bars.append(_RecordingBar(**options))
        return bars[-1]

    monkeypatch.setattr(_training, "progress_bar", fake_bar)
    # 140000 raw tokens, 120000 kept (min_count drops the r*): 15 chunks, 4 a group; the bar counts raw tokens,
    # and the groups' rounded shares of them would add up to 139999 an epoch
    sentences = [["a", "b", "c"] + ([f"r{i}"] if i % 2 == 0 else []) for i in range(40000)]
    embkit.SkipGram(dim=4, epochs=3, threads=1, min_count=2, sample=0).fit(sentences)
    (bar,) = bars
    assert bar.options["total"] == 3 * 140000 and bar.options["desc"] == "training sgns" and bar.closed
    assert len(bar.shown) == 12                                   # four groups an epoch
    assert [n for n, _ in bar.shown][3::4] == [140000, 280000, 420000]     # each epoch ends on its mark
    for n, postfix in bar.shown:
        epoch = -(-n // 140000)                                   # the epoch this position lies in
        assert postfix["epoch"] == f"{epoch}/3", bar.shown
        assert float(postfix["loss"]) > 0


def test_progress_off_or_off_a_terminal_draws_nothing(capsys):
    assert _progress.progress_bar(False, total=3) is None
    bar = _progress.progress_bar(True, total=3, desc="x")         # stderr is not a terminal under pytest
    bar.update(3)
    bar.close()
    assert capsys.readouterr().err == ""


def test_bars_and_logs_wraps_console_handlers_and_restores_them():
    root = logging.getLogger()
    console = logging.StreamHandler(sys.stderr)
    file_like = logging.NullHandler()
    root.addHandler(console)
    root.addHandler(file_like)
    last_resort = logging.lastResort
    try:
        with _progress.bars_and_logs():
            wrapped = [h for h in root.handlers if isinstance(h, _progress._AroundBars)]
            assert [h.inner for h in wrapped] == [console] and file_like in root.handlers
            assert isinstance(logging.lastResort, _progress._AroundBars)
            with _progress.bars_and_logs():                       # nested: nothing wrapped twice
                assert not isinstance(logging.lastResort.inner, _progress._AroundBars)
        assert console in root.handlers and logging.lastResort is last_resort
    finally:
        root.removeHandler(console)
        root.removeHandler(file_like)


def test_a_record_written_around_a_bar_keeps_its_handler_filters(capsys):
    logger = logging.getLogger("embkit.test_progress")
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(lambda record: "secret" not in record.getMessage())
    logger.addHandler(handler)
    logger.propagate = False
    try:
        with _progress.bars_and_logs():
            logger.warning("shown")
            logger.warning("secret")
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    assert capsys.readouterr().err == "shown\n"


def test_compile_watch_logs_once_when_numba_compiles(caplog):
    import numba

    @numba.njit(cache=False)
    def inner(x):
        return x + 1

    @numba.njit(cache=False)
    def outer(x):
        return inner(x) * 2

    with caplog.at_level(logging.INFO, logger="embkit"):
        with compile_watch("compiling now") as first:
            assert outer(1) == 4                                  # compiles outer and inner: one line
        with compile_watch("compiling again") as second:
            assert outer(2) == 6                                  # already compiled: nothing
    assert first == {"compiled": True} and second == {"compiled": False}
    assert [r.getMessage() for r in caplog.records] == ["compiling now"]


def test_meta_records_kernel_load_and_the_speed_of_the_training_loop(tmp_path):
    m = embkit.SkipGram(dim=4, epochs=2, threads=1, min_count=1, sample=0, progress=False).fit(
        [["a", "b", "c"]] * 50)
    t = m.wv.meta["training"]
    assert t["kernels_compiled"] is False                         # loaded by the tests before
    assert 0 <= t["kernel_load_seconds"] <= t["seconds"] and 0 <= t["loop_seconds"] <= t["seconds"]
    # the speed of the epochs alone: faster than the whole fit's (encoding and kernel loading left out)
    assert t["words_per_second"] > 2 * 150 / t["seconds"]
