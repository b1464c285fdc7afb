"""Progress bars: where and how every embkit bar is shown, and log lines that do not break them.

On a terminal a text bar is drawn on stderr; off a terminal (a pipe, a log
file, CI) no bar is drawn.  Inside a Jupyter kernel the widget bar is used
when ``ipywidgets`` is installed (``pip install embkit[notebook]``) and a text
bar otherwise, without tqdm's ``IProgress not found`` warning: a notebook's
stderr is not a terminal, yet its user wants to see progress.
"""
import contextlib
import logging
import sys
import warnings

__all__ = ["progress_bar", "bars_and_logs", "write_around_bars"]


def _in_notebook():
    """True inside an IPython kernel (Jupyter, VS Code notebooks), not in a terminal IPython."""
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    try:
        ip = shell.get_ipython()
    except AttributeError:
        return False
    if ip is None:
        return False
    return getattr(ip, "kernel", None) is not None or "IPKernelApp" in getattr(ip, "config", {})


def _widget_tqdm():
    """tqdm's widget bar class when ipywidgets can be imported, else None."""
    try:
        import ipywidgets  # noqa: F401
        from tqdm.notebook import tqdm
    except ImportError:
        return None
    return tqdm


def progress_bar(enabled=True, **options):
    """A tqdm bar, or None when ``enabled`` is false.

    Parameters
    ----------
    enabled : bool
        False returns None (no bar).
    **options
        Passed to tqdm (``total``, ``desc``, ``unit``, ``unit_scale``, ...).

    Returns
    -------
    tqdm or None
        A widget bar in a notebook with ipywidgets, a text bar in a notebook
        without it, a text bar on a terminal (none when stderr is not one).
    """
    if not enabled:
        return None
    options.setdefault("mininterval", 0.5)
    if _in_notebook():
        widget = _widget_tqdm()
        if widget is not None:
            return widget(**options)
        from tqdm.std import tqdm
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return tqdm(file=sys.stderr, disable=False, **options)
    from tqdm.std import tqdm
    return tqdm(disable=None, **options)    # None: no bar when stderr is not a terminal


def write_around_bars(emit, record, stream=None):
    """Call ``emit(record)`` with every progress bar on ``stream`` cleared first and redrawn after.

    Parameters
    ----------
    emit : callable
        A handler's emit method.
    record : logging.LogRecord
        The record to write.
    stream : file, optional
        Where the handler writes (default stderr).
    """
    from tqdm.std import tqdm

    with tqdm.external_write_mode(file=stream or sys.stderr, nolock=False):
        emit(record)


class _AroundBars(logging.Handler):
    """A console handler that writes each record with the progress bars cleared first and redrawn after."""

    def __init__(self, inner):
        super().__init__(inner.level)
        self.inner = inner

    def handle(self, record):
        # the inner handler's own filters, lock and error handling apply as before
        write_around_bars(self.inner.handle, record, getattr(self.inner, "stream", None))
        return True

    def emit(self, record):    # pragma: no cover - handle() is what logging calls
        self.handle(record)


def _is_console(handler):
    """True for a StreamHandler (not a file) writing to stdout or stderr."""
    return (isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler)
            and getattr(handler, "stream", None) in (sys.stdout, sys.stderr))


@contextlib.contextmanager
def bars_and_logs():
    """Keep log lines from breaking progress bars while they may be shown.

    Console handlers (a ``logging.StreamHandler`` on stdout or stderr) of the
    root logger, of ``embkit`` and of its loggers, and logging's last-resort
    handler (used when no handler is configured) are wrapped so that each
    record is written with the bars cleared first and redrawn after: no line
    lands inside a bar and no stale bar is left behind.  Other handlers are
    left alone; none is added.  Nested uses wrap nothing twice.
    """
    loggers = [logging.root, logging.getLogger("embkit")]
    loggers += [lg for name, lg in list(logging.root.manager.loggerDict.items())
                if name.startswith("embkit.") and isinstance(lg, logging.Logger)]
    swapped = []
    for logger in loggers:
        for i, h in enumerate(logger.handlers):
            if _is_console(h):
                logger.handlers[i] = _AroundBars(h)
                swapped.append((logger, i, h))
    last_resort = logging.lastResort
    if last_resort is not None and not isinstance(last_resort, _AroundBars):
        logging.lastResort = _AroundBars(last_resort)
    try:
        yield
    finally:
        for logger, i, h in swapped:
            if i < len(logger.handlers) and isinstance(logger.handlers[i], _AroundBars):
                logger.handlers[i] = h
        logging.lastResort = last_resort
