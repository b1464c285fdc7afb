"""The ``embkit`` command: a click group of thin commands.

Errors caused by input or settings print one line and exit 1; usage errors
exit 2; ``--debug`` shows the traceback.
"""
import logging
import re

import click

from embkit.exceptions import EmbkitError, one_line, show_path

from ._common import CONTEXT, add_shared_options, as_flags, foreign_option_hint, settings, shorten, single_dash_option

_LONG_WORD = re.compile(r"\S{40,}")


class Terminated(BaseException):
    """Raised in the main thread on SIGTERM or SIGHUP, so that temporary outputs are removed as on Ctrl-C."""


def _on_signal(signum, frame):
    # The exception can land inside a callback that swallows it (Numba's compiler calls back into Python
    # through ctypes while it loads a kernel); then the same signal is sent again 3 s later, until
    # the process has left. A daemon thread: it ends with the process.
    import os
    import threading
    global _resend
    if _resend is not None:
        _resend.cancel()
    _resend = threading.Timer(3.0, os.kill, (os.getpid(), signum))
    _resend.daemon = True
    _resend.start()
    raise Terminated(signum)


_resend = None          # the timer that sends the signal again while it has not ended the process


def _leaf(group, ctx, args):
    """The (sub)command the raw ``args`` name under ``group``, or None."""
    command = group
    for arg in args:
        if not isinstance(command, click.Group):
            break
        sub = command.get_command(ctx, arg) if not arg.startswith("-") else None
        if sub is None:
            break
        command = sub
    return command if not isinstance(command, click.Group) else None


class _Group(click.Group):
    def make_context(self, info_name, args, parent=None, **extra):
        # logging is set up before any option is parsed: -q and --log-level (callbacks) then adjust it
        _setup_logging(logging.INFO)
        return super().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx):
        raw = [*ctx._protected_args, *ctx.args] if hasattr(ctx, "_protected_args") else list(ctx.args)
        command = _leaf(self, ctx, raw)
        message = single_dash_option(raw, command)
        if message:
            raise click.UsageError(message, ctx)
        try:
            return super().invoke(ctx)
        except click.NoSuchOption as exc:
            hint = foreign_option_hint(exc, raw, exc.ctx.command if exc.ctx else None)
            if hint:
                exc.message, exc.possibilities = hint, None
            raise
        except click.UsageError as exc:
            # an absurdly long value (a 5,000-digit number, a pasted paragraph) is quoted short
            exc.message = _LONG_WORD.sub(lambda m: shorten(m.group(0)), exc.message)
            raise
        except KeyboardInterrupt:
            # Ctrl-C: outputs are written atomically, so nothing half-written is left; 130 = 128 + SIGINT
            click.echo("embkit: interrupted", err=True)
            ctx.exit(130)
        except Terminated as exc:
            if _resend is not None:
                _resend.cancel()
            signum = exc.args[0] if exc.args else 15
            click.echo("embkit: terminated" if signum == 15 else f"embkit: terminated by signal {signum}", err=True)
            ctx.exit(128 + signum)         # 143 for SIGTERM, 129 for SIGHUP
        except BrokenPipeError:
            # output piped into e.g. `head`: stop quietly, as other Unix tools do
            import os
            import sys
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            ctx.exit(0)
        except (EmbkitError, OSError) as exc:
            if settings().get("debug"):
                raise
            msg = str(exc)
            if isinstance(exc, OSError) and not isinstance(exc, EmbkitError) and exc.strerror:
                msg = f"{show_path(exc.filename)}: {exc.strerror}" if exc.filename else exc.strerror
            click.echo(f"embkit: error: {one_line(msg)}", err=True)     # one line, whatever a path holds
            ctx.exit(1)


class _EchoHandler(logging.Handler):
    """Log records on stderr through click (works under CliRunner and with progress bars)."""

    def emit(self, record):
        try:
            msg = record.getMessage()
            if getattr(record, "params", None):
                msg = as_flags(msg, record.params)   # the library's sample=0 is --sample 0 here
            msg = one_line(msg)                      # a path logged raw cannot break the line either
            if record.levelno >= logging.WARNING:
                msg = f"{record.levelname.lower()}: {msg}"
            from embkit._progress import write_around_bars
            write_around_bars(lambda _: click.echo(msg, err=True), record)
        except Exception:  # pragma: no cover - logging must never raise
            self.handleError(record)


def _setup_logging(level):
    logger = logging.getLogger("embkit")
    for h in list(logger.handlers):
        if isinstance(h, _EchoHandler):
            logger.removeHandler(h)
    logger.addHandler(_EchoHandler())
    logger.setLevel(level)


@click.group(cls=_Group, context_settings=CONTEXT)
@click.version_option(package_name="embkit")
@click.pass_context
def cli(ctx):
    """embkit: train, convert and evaluate word embeddings on CPU cores.

    -q/--quiet, --log-level and --debug work before or after the command name.
    Results (tables, JSON, vectors) go to stdout; status lines, warnings and
    errors to stderr.
    """
    ctx.ensure_object(dict)


def _register():
    from . import (
        commands_align,
        commands_cache,
        commands_count,
        commands_eval,
        commands_retrofit,
        commands_terms,
        commands_train,
        commands_vectors,
        commands_whiten,
    )
    commands_train.register(cli)
    commands_count.register(cli)
    commands_terms.register(cli)
    commands_vectors.register(cli)
    commands_eval.register(cli)
    commands_cache.register(cli)
    commands_align.register(cli)
    commands_retrofit.register(cli)
    commands_whiten.register(cli)
    add_shared_options(cli)


_register()


def main():
    import signal
    # `kill`, `timeout`, a closed terminal: clean up like Ctrl-C
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _on_signal)
    cli(prog_name="embkit")


if __name__ == "__main__":
    main()
