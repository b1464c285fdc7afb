"""Numba's runtime settings while the kernels run: the thread count and the parallel chunk size.

Numba is imported only when a function here is called, so importing embkit
(or encoding a corpus) never loads it.
"""
import contextlib
import logging

log = logging.getLogger(__name__)


def available_threads():
    """Threads Numba can use (``NUMBA_NUM_THREADS``, by default the number of cores)."""
    import numba

    return numba.config.NUMBA_NUM_THREADS


def resolve_threads(threads):
    """The thread count to use: all available for None, at most the available ones.

    Parameters
    ----------
    threads : int or None
        What the user asked for (already checked to be >= 1).

    Returns
    -------
    int
    """
    limit = available_threads()
    if threads is None:
        return limit
    if threads > limit:
        log.warning("threads=%d exceeds the %d available; using %d", threads, limit, limit,
                    extra={"params": ("threads",)})
        return limit
    return threads


@contextlib.contextmanager
def numba_threads(n, chunksize=1):
    """Run the enclosed kernels on ``n`` threads, then restore Numba's settings.

    Parameters
    ----------
    n : int
        Threads for ``prange`` loops (1 to :func:`available_threads`).
    chunksize : int
        Iterations a thread takes at a time (``numba.set_parallel_chunksize``);
        1, the default here, schedules dynamically, so that a thread slowed
        by another process never holds the others at a barrier.

    Yields
    ------
    int
        ``n``.

    Notes
    -----
    Both settings are restored on leaving, also after an exception, so a
    program that trains and then runs its own Numba code keeps its settings.
    """
    import numba

    old_threads = numba.get_num_threads()
    numba.set_num_threads(n)
    try:
        old_chunksize = numba.set_parallel_chunksize(chunksize)
        try:
            yield n
        finally:
            numba.set_parallel_chunksize(old_chunksize)
    finally:
        numba.set_num_threads(old_threads)


@contextlib.contextmanager
def compile_watch(message):
    """Log ``message`` (INFO) once when Numba starts compiling inside the block.

    Numba fires its ``numba:compile`` event only after looking a signature
    up in its on-disk cache and not finding it, just before compiling; a
    kernel loaded from the cache (or already in memory) logs nothing.  With a
    Numba without that event nothing is logged.

    Parameters
    ----------
    message : str
        The line to log, once, when a compilation starts.

    Yields
    ------
    dict
        ``{"compiled": bool}``, true once a compilation has started.
    """
    state = {"compiled": False}
    try:
        from numba.core import event
    except ImportError:    # pragma: no cover - Numba before 0.53
        yield state
        return

    class Listener(event.Listener):
        def on_start(self, ev):
            if not state["compiled"]:
                state["compiled"] = True
                log.info(message)

        def on_end(self, ev):
            pass

    with event.install_listener("numba:compile", Listener()):
        yield state
