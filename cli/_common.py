"""Helpers shared by the CLI commands: model discovery, option types, output."""
import json
import logging
import math
import re
from pathlib import Path

import click

from embkit.exceptions import show_path

CONTEXT = dict(help_option_names=["-h", "--help"], show_default=True, max_content_width=100)
LOG_LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR"]


def settings():
    """The options every command shares (``quiet``, ``debug``), wherever they were given."""
    ctx = click.get_current_context(silent=True)
    return ctx.find_root().ensure_object(dict) if ctx is not None else {}


def quiet():
    """True when -q/--quiet was given (before or after the command name)."""
    return bool(settings().get("quiet"))


def status(message):
    """A status line on stderr (stdout carries only results); silenced by -q/--quiet."""
    logging.getLogger("embkit.cli").info(message)


def warn(message):
    """A warning on stderr (``warning: ...``); shown with -q/--quiet too."""
    logging.getLogger("embkit.cli").warning(message)


def flag(name, value=None):
    """The command-line form of the library's ``name=value``: ``--name-with-dashes value``.

    The one place where parameter names become option names.  Booleans
    become the flag that sets them (``--lowercase``, ``--no-cache``);
    without a value, the option's name alone.
    """
    dashed = "--" + name.replace("_", "-")
    if isinstance(value, bool) or value in ("True", "False"):
        return dashed if value in (True, "True") else f"--no-{dashed[2:]}"
    return dashed if value is None else f"{dashed} {value}"


def as_flags(message, names):
    """``message`` with each ``name=value`` of the given parameter names written as its option.

    The library's messages name parameters as a Python caller writes them
    (``try sample=0``); on the command line they read ``try --sample 0``.
    A log record lists the names it mentions in its ``params`` attribute.
    """
    for name in names:
        message = re.sub(rf"\b{re.escape(name)}=([^\s,;:)?]*[^\s,;:)?.])",
                         lambda m, n=name: flag(n, m.group(1)), message)
    return message


def _set_quiet(ctx, param, value):
    if value:
        settings()["quiet"] = True
        logging.getLogger("embkit").setLevel(logging.WARNING)


def _set_log_level(ctx, param, value):
    if value:
        logging.getLogger("embkit").setLevel(getattr(logging, value.upper()))


def _set_debug(ctx, param, value):
    if value:
        settings()["debug"] = True


def shared_options():
    """-q/--quiet, --log-level and --debug, accepted before or after any command name."""
    return [
        click.Option(["-q", "--quiet"], is_flag=True, expose_value=False, callback=_set_quiet,
                     help="Only warnings and errors on stderr: no progress bars, no status lines."),
        click.Option(["--log-level"], type=click.Choice(LOG_LEVELS, case_sensitive=False), default=None,
                     expose_value=False, callback=_set_log_level, help="Verbosity of messages on stderr [INFO]."),
        click.Option(["--debug"], is_flag=True, expose_value=False, callback=_set_debug,
                     help="Show tracebacks of errors."),
    ]


def add_shared_options(command):
    """Give ``command`` (and every subcommand of a group) the shared options."""
    names = {n for p in command.params for n in getattr(p, "opts", ())}
    command.params.extend(o for o in shared_options() if not names & set(o.opts))
    for sub in getattr(command, "commands", {}).values():
        add_shared_options(sub)


def _check_not_in_model(vecs):
    """Refuse a file inside an embkit model directory (its vectors.npy, meta.json...): name the directory."""
    from embkit._outputs import is_model_dir
    from embkit.exceptions import EmbkitError

    path = Path(vecs)
    if path.is_dir() or not path.parent.name or not is_model_dir(path.parent):
        return
    ctx = click.get_current_context(silent=True)
    command = " ".join(["embkit"] + (ctx.command_path.split()[1:] if ctx is not None else ["info"]))
    model = str(path.parent)
    raise EmbkitError(f"{vecs} is a file inside the embkit model {model}; give the model directory: "
                      f"{command} {model}")


def find_latest_model(directory="."):
    """Return the embkit model directory under ``directory`` whose meta.json is newest.

    Raises
    ------
    click.UsageError
        When there is none.
    """
    from embkit._outputs import is_model_dir

    best = None
    for meta in Path(directory).glob("*/meta.json"):
        if meta.parent.name.startswith("."):
            continue  # hidden, e.g. a temporary directory of an interrupted write
        if not is_model_dir(meta.parent):
            continue
        mtime = meta.stat().st_mtime
        if best is None or mtime > best[0]:
            best = (mtime, meta.parent)
    if best is None:
        raise click.UsageError(
            "no VECS given and no embkit model (a directory with meta.json) in the current "
            "directory; train one with `embkit train CORPUS` or pass a vectors file")
    status(f"using model {show_path(best[1])}")
    return str(best[1])


def resolve_vecs(vecs):
    """VECS as given, or the newest embkit model in the current directory.

    Raises
    ------
    EmbkitError
        VECS is a file inside an embkit model (the model is its directory).
    """
    if not vecs:
        return find_latest_model(".")
    _check_not_in_model(vecs)
    return vecs


def emit_json(obj):
    click.echo(json.dumps(obj, indent=2, ensure_ascii=False))


class FiniteFloat(click.FloatRange):
    """A finite number within bounds (usage error, exit 2): 'abc' is not a number, nan and inf are named as such."""

    name = "number"

    def convert(self, value, param, ctx):
        if isinstance(value, str):
            try:
                value = float(value.strip())
            except ValueError:
                self.fail(f"{value!r} is not a number", param, ctx)
        if not math.isfinite(value):
            self.fail(f"{value} is not a finite number", param, ctx)
        return super().convert(value, param, ctx)


class Integer(click.IntRange):
    """An integer within bounds (usage error, exit 2): 'abc' is not an integer; a value out of range is
    quoted short (a 400-digit number stays one short line)."""

    name = "integer"

    def convert(self, value, param, ctx):
        if isinstance(value, str):
            text = value.strip()
            if text.lstrip("+-").isdigit() and len(text) > 30:   # beyond Python's int parser, or absurd
                self.fail(f"{shorten(text)} is not in the range {self._describe_range()}", param, ctx)
            try:
                value = int(text)
            except ValueError:
                self.fail(f"{shorten(repr(value))} is not an integer", param, ctx)
        if (self.min is not None and value < self.min) or (self.max is not None and value > self.max):
            self.fail(f"{shorten(str(value))} is not in the range {self._describe_range()}", param, ctx)
        return value


def shorten(text, keep=30):
    """``text``, or its first characters and its length when it is long (messages stay one short line)."""
    if len(text) <= keep:
        return text
    unit = "digits" if text.lstrip("+-").isdigit() else "characters"
    return f"{text[:12]}... ({len(text)} {unit})"


def read_options(f):
    """``--limit`` and ``--unicode-errors``, for the commands that read vectors."""
    f = click.option("--unicode-errors", type=click.Choice(["strict", "replace"]), default="strict",
                     help="Tokens that are not valid UTF-8: stop with an error, or replace the bad bytes "
                          "with U+FFFD.")(f)
    f = click.option("--limit", type=Integer(min=1), default=None, metavar="N",
                     help="Read only the first N vectors (the most frequent words; a warning tells "
                          "when the file holds more).")(f)
    return f


def load_vectors(vecs, limit=None, unicode_errors="strict"):
    """Vectors from a file or an embkit model directory (memory-mapped)."""
    from embkit import formats, io

    mmap = "r" if formats.detect_format(vecs) == formats.NATIVE else None
    return io.load(vecs, limit=limit, mmap=mmap, unicode_errors=unicode_errors)


_VECTOR_SUFFIXES = (".gz", ".bz2", ".xz", ".embkit", ".vec", ".txt", ".bin")


def check_vectors_output(out, fmt=None, inputs=(), format_option=None):
    """Check the vectors output ``out`` before any work (:func:`embkit.formats.check_output`).

    A name that tells no format is refused with the command's own hint:
    its ``format_option`` (``--format``), or only the names to use when the
    command has no such option.

    Returns
    -------
    str
        The format that will be written.
    """
    from embkit import formats
    from embkit.exceptions import InvalidParameterError

    if fmt is None and not Path(out).is_dir() and formats.format_from_name(out) is None:
        option = f", or give {format_option} ({', '.join(formats.FORMATS)})" if format_option else ""
        raise InvalidParameterError(f"cannot tell the output format from the name {str(out)!r}; use .embkit "
                                    f"(native), .vec/.txt (word2vec text) or .bin (word2vec binary){option}")
    return formats.check_output(out, fmt, inputs=inputs)


def check_plot(path, inputs, corpus=None):
    """Check a figure output (--plot) before any work: a .png/.pdf/.svg name (else a usage error), a file
    that replaces none of the ``inputs`` (None skipped) or the files of ``corpus``."""
    from embkit._outputs import check_figure_output
    from embkit.corpus.reading import corpus_paths
    from embkit.exceptions import InvalidParameterError

    try:
        check_figure_output(path, [i for i in inputs if i is not None] + corpus_paths(corpus))
    except InvalidParameterError as exc:
        if exc.param != "plot":
            raise
        raise click.BadParameter(str(exc), param_hint="--plot") from None


def stdout_hint():
    """How the current command writes to standard output (`embkit phrases -o -`), for the /dev refusal."""
    command = " ".join(["embkit"] + click.get_current_context().command_path.split()[1:])
    return f"`{command} -o -` writes to standard output"


def option_files(table, params):
    """The files that the file options of ``table`` name in ``params`` (``--phrases``, ``--terms``, ``--connectors``).

    Keywords (``--phrases auto``, ``--connectors default``) and None name no
    file.  They are inputs: no output may replace one of them.
    """
    from embkit import _params

    return _params.input_files(table, params)


def describe_existing(path):
    """What the existing output ``path`` holds, in a few words (its model and sources for an embkit model)."""
    from embkit._outputs import is_model_dir

    p = Path(path)
    if not is_model_dir(p):
        return "a directory" if p.is_dir() else "a file"
    try:
        meta = json.loads((p / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "an embkit model"
    model = meta.get("model") or "an embkit"
    sources = [s.get("path") for s in (meta.get("corpus") or {}).get("sources") or [] if isinstance(s, dict)]
    sources = [str(s) for s in sources if s]
    steps = []
    for r in meta.get("postprocess") or []:             # in the order they were applied
        if not isinstance(r, dict):
            continue
        if r.get("step") == "retrofit":
            steps.append(f"retrofitted to {r.get('lexicon')}")
        elif r.get("method"):
            parts = [f"{r['keep']} dimension{'' if r.get('keep') == 1 else 's'}" if r.get("keep") else "",
                     f"top {r['remove']} removed" if r.get("remove") and r["method"] == "abtt" else "",
                     f"fitted on words seen {r['min_count']}+ times" if r.get("min_count") else ""]
            detail = ", ".join(x for x in parts if x)
            if r["method"] in ("center", "abtt"):
                name = "centred" if r["method"] == "center" else "all-but-the-top"
                steps.append(name + (f" ({detail})" if detail else ""))
            else:
                steps.append(f"whitened ({r['method']}" + (f", {detail})" if detail else ")"))
    if not any(s.startswith("retrofitted") for s in steps) and isinstance(meta.get("retrofit"), dict):
        steps.append(f"retrofitted to {meta['retrofit'].get('lexicon')}")     # a model retrofitted before the list
    then = f", then {', then '.join(steps)}" if steps else ""
    if not sources:
        return f"{model} model{then}"
    shown = ", ".join(show_path(s) for s in sources[:3]) + (f" and {len(sources) - 3} more" if len(sources) > 3 else "")
    return f"{model} model trained on {shown}{then}"


def warn_replacing(out, output):
    """Warn (also under -q) that the default output name ``out`` exists and will be replaced.

    ``output`` is the -o value given (None: ``out`` is the command's default name, so the user may not know
    what it overwrites; a name given with -o is replaced silently, as asked).
    """
    if output is None and (Path(out).exists() or Path(out).is_symlink()):
        warn(f"{show_path(out)} exists and will be replaced ({describe_existing(out)}); give -o NAME to keep it")


def derived_output(vecs, tag):
    """Default output of a command that turns one model into another (retrofit, whiten, ...).

    ``<stem>.<tag>.embkit`` in the current directory, where ``<stem>`` is the
    name of VECS (file or model directory) without its format and compression
    suffixes: ``derived_output("runs/sotu.vec.gz", "whiten-zipfian")`` is
    ``sotu.whiten-zipfian.embkit``.
    """
    name = Path(str(vecs).rstrip("/")).name
    while True:
        lower = name.lower()
        cut = next((s for s in _VECTOR_SUFFIXES if lower.endswith(s) and len(name) > len(s)), None)
        if cut is None:
            break
        name = name[:-len(cut)]
    return f"{name}.{tag}.embkit"


def foreign_option_hint(exc, args, command):
    """A gensim / fastText / GloVe habit behind an unknown option, as a better message, or None.

    ``--size 50`` and ``--workers 2`` (gensim), ``-dim 50`` and ``-epoch 3``
    (fastText's single dash, which click reads as ``-d`` plus a value):
    the embkit option, from the library's table of foreign names.

    Parameters
    ----------
    exc : click.NoSuchOption
    args : list of str
        The command's raw arguments.
    command : click.Command or None
        The command they were given to (its options say what exists).

    Returns
    -------
    str or None
    """
    known = set() if command is None else {o for p in command.params for o in getattr(p, "opts", ())}
    single = [a for a in args if re.fullmatch(r"-[A-Za-z][A-Za-z_]+", a)]
    wrong = exc.option_name
    if wrong.startswith("-") and not wrong.startswith("--") and single:
        wrong = single[0]                      # fastText's -dim, read by click as -d im
    return _hint(wrong, known)


def _hint(wrong, known):
    """What embkit takes for the unknown option ``wrong`` (``--size``, ``-min-count``), or None."""
    from embkit._params import FOREIGN_NAMES

    name = wrong.lstrip("-")
    own = flag(name.replace("-", "_"))
    if own in known and wrong != own:          # --min_count, -minn: embkit's own option, spelled otherwise
        return f"No such option '{wrong}': embkit spells it {own}"
    if name in _MODEL_FLAGS and "--model" in known:
        return f"No such option '{wrong}': embkit chooses the model with {_MODEL_FLAGS[name]}"
    if not wrong.startswith("--") and name in _C_TOOL_OPTIONS:
        return f"No such option '{wrong}': in embkit, {_C_TOOL_OPTIONS[name]}"
    key = next((k for k in (name, name.replace("-", "_")) if k in FOREIGN_NAMES), None)
    target = _CLI_NAMES.get(key, FOREIGN_NAMES.get(key)) if key else None
    if target is not None and flag(target) in known:
        return f"No such option '{wrong}': embkit calls it {flag(target)}"
    if key is not None and target:
        note = re.sub(r"\bsee (\w+)", lambda m: f"see {flag(m.group(1))}" if flag(m.group(1)) in known
                      else m.group(0), target)
        return f"No such option '{wrong}': {note}"
    return None


# the options of other tools that choose the model, and n-gram names that are options on the command line
_MODEL_FLAGS = {"sg": "--model sgns or --model cbow", "cbow": "--model cbow (or fasttext-cbow)",
                "skipgram": "--model sgns (or fasttext)", "cbow_mean": "--model cbow (which always averages)"}
_CLI_NAMES = {"min_n": "minn", "max_n": "maxn", "minn": "minn", "maxn": "maxn", "bucket": "bucket"}


# word2vec.c's and GloVe's own options, by their single-dash names: what embkit takes instead
_C_TOOL_OPTIONS = {"train": "the corpus is the first argument (embkit train CORPUS)",
                   "input": "the corpus is the first argument (embkit train CORPUS)",
                   "output": "-o/--output", "save-vocab": "`embkit vocab CORPUS -o vocab.tsv`",
                   "read-vocab": "not needed: embkit counts the corpus itself", "binary": "-o NAME.bin",
                   "size": "--dim", "vector-size": "--dim", "threads": "--threads", "iter": "--epochs",
                   "memory": "--max-memory", "vocab-min-count": "--min-count", "classes": "not supported",
                   "debug": "--debug or --log-level debug", "hs": "not supported (negative sampling only: --negative)"}


def single_dash_option(args, command):
    """A one-line message for an option written with one dash (word2vec.c's and fastText's style), or None.

    click reads ``-output x`` as ``-o utput`` and ``-min-count 3`` as ``-m``:
    such words are caught before parsing.

    Parameters
    ----------
    args : list of str
        The command's raw arguments.
    command : click.Command or None

    Returns
    -------
    str or None
    """
    known = set() if command is None else {o for p in command.params for o in getattr(p, "opts", ())}
    for arg in args:
        if arg == "--":
            return None
        if re.fullmatch(r"-[A-Za-z][A-Za-z_-]+", arg) and arg not in known:
            return _hint(arg, known) or (f"No such option '{arg}': embkit's options take two dashes "
                                         f"({flag(arg[1:].replace('-', '_'))}?)")
    return None
