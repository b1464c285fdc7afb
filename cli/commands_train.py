"""``embkit train``, ``embkit vocab`` and ``embkit warmup``."""
import dataclasses
import logging
from pathlib import Path

import click

from embkit import _params
from embkit.exceptions import show_path

from ._common import (
    CONTEXT,
    FiniteFloat,
    Integer,
    check_vectors_output,
    flag,
    option_files,
    quiet,
    status,
    stdout_hint,
    warn_replacing,
)
from .commands_count import COUNT_MODELS, count_train_options, model_defaults, reject_count_options, train_count

log = logging.getLogger("embkit")

_COMPRESSED = {".gz", ".bz2", ".xz", ".lzma"}


_EXTENSIONS = {None: ".embkit", "native": ".embkit", "word2vec": ".vec", "word2vec-bin": ".bin", "fasttext-bin": ".bin"}

_WORD2VEC_NAMES = {p.name for p in _params.WORD2VEC}
# fastText's own options (--minn, --maxn, --bucket, --position-weights): None/False when not given, so that
# they can be refused for the word2vec models; the help shows fastText's default
_FASTTEXT_ONLY = tuple(
    p if p.kind == "bool" else dataclasses.replace(p, default=None, optional=True,
                                                   help=f"{p.help} [default: {p.default}; fasttext models]")
    for p in _params.FASTTEXT if p.name not in _WORD2VEC_NAMES)
_MODELS = ["sgns", "cbow", "fasttext", "fasttext-cbow"]


def default_output(corpus, fmt=None):
    """``corpus.txt.gz`` -> ``corpus.embkit`` (``.vec``/``.bin`` for those formats) in the current directory.

    Standard input gives ``stdin.embkit``.
    """
    first = corpus[0]
    ext = _EXTENSIONS[fmt]
    if first == "-":
        return f"stdin{ext}"
    name = Path(first.rstrip("/")).name
    if any(ch in name for ch in "*?["):
        # a pattern: the part before its first wildcard (sotu_19*.txt.gz -> sotu_19), else its directory's name
        stem = name[:min(name.index(ch) for ch in "*?[" if ch in name)].rstrip("._- ")
        return f"{stem or Path(first).parent.name or 'corpus'}{ext}"
    path = Path(name)
    if path.suffix.lower() in _COMPRESSED:
        path = path.with_suffix("")
    if path.suffix:
        path = path.with_suffix("")
    return f"{path.name or 'corpus'}{ext}"


def _click_type(param):
    """The click type of a table entry: its range, so that values outside it are usage errors (exit 2)."""
    if param.kind == "int":
        return Integer(min=param.low, max=param.high)
    if param.kind == "float":
        return FiniteFloat(min=param.low, max=param.high, min_open=param.low_open)
    if param.kind in ("choice", "tokenizer"):
        return click.Choice(list(param.choices), case_sensitive=False)
    return None


def _size_callback(param):
    """A callback checking a memory size against its table entry (parsed, within its bounds)."""
    def check(ctx, option, value):
        from embkit.exceptions import InvalidParameterError

        if value is None:
            return None
        try:
            return param.check(value)
        except InvalidParameterError as exc:
            raise click.BadParameter(str(exc)) from None
    return check


def table_options(table):
    """Decorator adding a command-line option for each entry of a parameter table.

    The option of ``name`` is ``--name-with-dashes``, with the entry's
    default, range and help; a bool that defaults to False is a flag, one
    that defaults to True a ``--name/--no-name`` pair.  Entries with
    ``cli=False`` are left out.

    Parameters
    ----------
    table : tuple of embkit._params.Param
    """
    params = [p for p in table if p.cli]

    def decorate(f):
        for p in reversed(params):
            name = flag(p.name)
            if p.kind == "bool":
                decl = name if not p.default else f"{name}/{flag(p.name, False)}"
                f = click.option(decl, p.name, default=p.default, is_flag=True, help=p.help,
                                 show_default=bool(p.default))(f)
            else:
                f = click.option(name, p.name, default=p.default, type=_click_type(p), help=p.help,
                                 callback=_size_callback(p) if p.kind == "size" else None)(f)
        return f
    return decorate


def corpus_options(f):
    """Options shared by commands that read a corpus (the trainers add --phrases and --terms)."""
    return table_options(tuple(p for p in _params.CORPUS if p.name not in _params.TERM_NAMES))(f)


def _usage_error(exc):
    """A usage error (exit 2) for an InvalidParameterError, naming its option."""
    hint = flag(exc.param) if exc.param else None
    return click.BadParameter(str(exc), param_hint=hint) if hint else click.UsageError(str(exc))


@click.command(context_settings=CONTEXT)
@click.argument("corpus", nargs=-1, required=False)
@click.option("-o", "--output", default=None,
              help="Output: a directory/.embkit (native), .vec/.txt (word2vec text) or .bin (word2vec binary). "
                   "Default: CORPUS name with .embkit, in the current directory; when that exists it is "
                   "replaced, with a warning naming what it held.")
@click.option("--model", default="sgns", type=click.Choice([*_MODELS, "glove", "ppmi-svd"], case_sensitive=False),
              help="Skip-gram or CBOW with negative sampling; fasttext and fasttext-cbow add character n-grams "
                   "(subword vectors: unseen words get vectors too; for them --share-negatives is off and "
                   "--ns-exponent is 0.5 by default, as in fastText); "
                   "GloVe or PPMI-SVD from co-occurrence counts, with their own defaults for the options not given "
                   f"({model_defaults()}).")
@table_options(_params.WORD2VEC)
@table_options(_FASTTEXT_ONLY)
@count_train_options
@click.option("--format", "fmt", default=None,
              type=click.Choice(["native", "word2vec", "word2vec-bin", "fasttext-bin"]),
              help="Output format [default: from the output name; .bin is fasttext-bin for the fasttext models].")
def train(corpus, output, model, fmt, **params):
    """Train word vectors on CORPUS (files, directories, globs, or - for stdin; .gz/.bz2/.xz read).

    The vectors are written to -o, by default to CORPUS's name with .embkit in
    the current directory (corpus.txt.gz -> corpus.embkit). An existing output
    is replaced once training has finished; when the default name exists, a
    warning (shown with -q too) says what it held.
    """
    from embkit.corpus.reading import expand_inputs
    from embkit.exceptions import InvalidParameterError

    if model.lower() in COUNT_MODELS:
        return train_count(model.lower(), corpus, output, fmt, quiet(), params)
    params = reject_count_options(model.lower(), params)
    if not corpus:
        raise click.UsageError("Missing argument 'CORPUS...'.")
    est = _estimator(model.lower(), quiet(), params)
    try:
        est.check_params()                        # ranges and relations (--min-alpha <= --alpha): usage errors
    except InvalidParameterError as exc:
        raise _usage_error(exc) from None
    if output is not None and output.strip() in ("", "-"):
        raise click.BadParameter("give a file or directory name (vectors are not written to standard output)",
                                 param_hint="-o/--output")
    out = output or default_output(corpus, fmt)
    inputs = expand_inputs(list(corpus))          # directories and globs expanded once
    check_vectors_output(out, fmt, inputs + option_files(_params.CORPUS, params),   # --phrases, --terms
                         format_option="--format")                                  # fail now, not after training
    warn_replacing(out, output)
    est.fit(inputs)
    est.wv.save(out, format=fmt)
    status(summary(out, est))


def summary(out, est):
    """The status line after training: what was written, the training speed and any compile time."""
    t = est.wv.meta["training"]
    epochs = est.epochs
    wps = t.get("words_per_second")
    speed = f" ({_rate(wps)} words/s of training)" if wps else ""
    last = f", final loss {t['epochs'][-1]['loss_mean']:.4f}/example" if t["epochs"] else ""
    compiled = (f"; compiling the kernels took {t['kernel_load_seconds']:.1f} s (once: Numba caches them)"
                if t.get("kernels_compiled") else "")
    return (f"wrote {show_path(out)}: {len(est.wv)} words x {est.dim}, {est.model_name}, {epochs} "
            f"epoch{'' if epochs == 1 else 's'} over {est.corpus_.raw_tokens} tokens in {t['seconds']:.1f} s"
            f"{speed}{last}{compiled}")


def _estimator(model, quiet, params):
    """The estimator of ``--model`` with the options it takes; fastText's own options are refused for word2vec."""
    from click.core import ParameterSource

    own = {p.name for p in _FASTTEXT_ONLY}
    ctx = click.get_current_context()
    given = {k: v for k, v in params.items() if ctx.get_parameter_source(k) is not ParameterSource.DEFAULT}
    if not model.startswith("fasttext"):
        from embkit.models.word2vec import Word2Vec

        wrong = sorted(f"--{name.replace('_', '-')}" for name in own if name in given)
        if wrong:
            raise click.UsageError(f"{', '.join(wrong)} appl{'ies' if len(wrong) == 1 else 'y'} to "
                                   "--model fasttext and fasttext-cbow only")
        return Word2Vec(sg=(model == "sgns"), progress=not quiet, **{k: v for k, v in params.items()
                                                                      if k not in own})
    from embkit.models.fasttext import FastText

    return FastText(sg=(model == "fasttext"), progress=not quiet, **given)    # the rest: FastText's defaults


def _rate(words_per_second):
    """1.53M, 812k or 950: three significant figures at most."""
    if words_per_second >= 1e6:
        return f"{words_per_second / 1e6:.2f}M"
    if words_per_second >= 1e3:
        return f"{words_per_second / 1e3:.0f}k"
    return f"{words_per_second:.0f}"


@click.command(context_settings=CONTEXT)
@click.argument("corpus", nargs=-1, required=True)
@click.option("-o", "--output", required=True, help="Vocabulary TSV to write (word<TAB>count); - for stdout.")
@corpus_options
def vocab(corpus, output, min_count, max_vocab_size, max_sentence_length, tokenizer, lowercase, encoding_errors):
    """Count CORPUS and write its vocabulary (most frequent first, ties by first occurrence)."""
    from embkit._outputs import check_file_output
    from embkit.corpus.reading import expand_inputs
    from embkit.corpus.vocab import Vocabulary

    if not output.strip():
        raise click.BadParameter("give a file name, or - for standard output", param_hint="-o/--output")
    inputs = expand_inputs(list(corpus))
    if output != "-":
        check_file_output(output, inputs, what="a vocabulary", stdout_hint=stdout_hint())
    v = Vocabulary.build(inputs, tokenizer=tokenizer, lowercase=lowercase, min_count=min_count,
                         max_vocab_size=max_vocab_size, encoding_errors=encoding_errors, progress=not quiet())
    if output == "-":
        for w, c in zip(v.words, v.counts.tolist()):
            click.echo(f"{w}\t{c}")
        return
    v.save(output)
    status(f"wrote {show_path(output)}: {len(v)} words, {v.total} tokens in the vocabulary")


@click.command(context_settings=CONTEXT)
def warmup():
    """Compile every kernel into Numba's on-disk cache."""
    import time

    from embkit.corpus.phrase_counts import load_kernels
    from embkit.models.fasttext import warmup as _fasttext_warmup
    from embkit.models.glove import warmup as _glove_warmup
    from embkit.models.ppmi import warmup as _ppmi_warmup
    from embkit.models.word2vec import warmup as _warmup

    done = _warmup()
    ft = _fasttext_warmup()
    _glove_warmup()
    _ppmi_warmup()
    started = time.perf_counter()
    phrases_compiled = load_kernels()           # the phrase kernels of `embkit phrases` and --phrases auto
    compiled = done["compiled"] or ft["compiled"] or phrases_compiled
    seconds = done["seconds"] + ft["seconds"] + time.perf_counter() - started
    if compiled:
        status(f"kernels compiled and cached in {seconds:.1f} s")
    else:
        status(f"kernels already compiled and cached (loaded in {seconds:.1f} s)")


def register(cli):
    cli.add_command(train)
    cli.add_command(vocab)
    cli.add_command(warmup)
