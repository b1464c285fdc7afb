"""``embkit train``, ``embkit vocab`` and ``embkit warmup``."""
import dataclasses
import logging
import math
from pathlib import Path

import click

from embkit import _params

from ._common import CONTEXT, FiniteFloat

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


class _BoundedFloat(FiniteFloat):
    """A finite float within bounds; nan and inf are named as such rather than as out of range."""

    def convert(self, value, param, ctx):
        number = click.FLOAT.convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{number} is not a finite number", param, ctx)
        return super().convert(number, param, ctx)


class _BoundedInt(click.IntRange):
    """An integer within bounds; a value out of range is quoted short (a 400-digit number stays one short line)."""

    def convert(self, value, param, ctx):
        number = click.INT.convert(value, param, ctx)
        if not self.min <= number <= self.max:
            text = str(number) if len(str(number)) <= 30 else f"{str(number)[:12]}... ({len(str(number))} digits)"
            self.fail(f"{text} is not in the range {self._describe_range()}", param, ctx)
        return number


def _click_type(param):
    """The click type of a table entry: its range, so that values outside it are usage errors (exit 2)."""
    if param.kind == "int":
        return _BoundedInt(min=param.low, max=param.high)
    if param.kind == "float":
        return _BoundedFloat(min=param.low, max=param.high, min_open=param.low_open)
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
            flag = "--" + p.name.replace("_", "-")
            if p.kind == "bool":
                decl = flag if not p.default else f"{flag}/--no-{flag[2:]}"
                f = click.option(decl, p.name, default=p.default, is_flag=True, help=p.help,
                                 show_default=bool(p.default))(f)
            else:
                f = click.option(flag, p.name, default=p.default, type=_click_type(p), help=p.help,
                                 callback=_size_callback(p) if p.kind == "size" else None)(f)
        return f
    return decorate


def corpus_options(f):
    """Options shared by commands that read a corpus."""
    return table_options(_params.CORPUS)(f)


def _usage_error(exc):
    """A usage error (exit 2) for an InvalidParameterError, naming its option."""
    hint = f"--{exc.param.replace('_', '-')}" if exc.param else None
    return click.BadParameter(str(exc), param_hint=hint) if hint else click.UsageError(str(exc))


@click.command(context_settings=CONTEXT)
@click.argument("corpus", nargs=-1, required=True)
@click.option("-o", "--output", default=None,
              help="Output: a directory/.embkit (native), .vec/.txt (word2vec text) or .bin (word2vec binary). "
                   "Default: CORPUS name with .embkit, in the current directory.")
@click.option("--model", default="sgns", type=click.Choice(_MODELS, case_sensitive=False),
              help="Skip-gram or CBOW with negative sampling; fasttext and fasttext-cbow add character n-grams "
                   "(subword vectors: unseen words get vectors too; for them --share-negatives is off and "
                   "--ns-exponent is 0.5 by default, as in fastText).")
@table_options(_params.WORD2VEC)
@table_options(_FASTTEXT_ONLY)
@click.option("--format", "fmt", default=None,
              type=click.Choice(["native", "word2vec", "word2vec-bin", "fasttext-bin"]),
              help="Output format [default: from the output name; .bin is fasttext-bin for the fasttext models].")
@click.option("--quiet", is_flag=True, help="No progress bars.")
def train(corpus, output, model, fmt, quiet, **params):
    """Train word vectors on CORPUS (files, directories, globs, or - for stdin; .gz/.bz2/.xz read)."""
    from embkit.corpus.reading import expand_inputs
    from embkit.exceptions import InvalidParameterError
    from embkit.formats import check_output

    est = _estimator(model.lower(), quiet, params)
    try:
        est.check_params()                        # ranges and relations (--min-alpha <= --alpha): usage errors
    except InvalidParameterError as exc:
        raise _usage_error(exc) from None
    if output is not None and output.strip() in ("", "-"):
        raise click.BadParameter("give a file or directory name (vectors are not written to standard output)",
                                 param_hint="-o/--output")
    out = output or default_output(corpus, fmt)
    inputs = expand_inputs(list(corpus))          # directories and globs expanded once
    check_output(out, fmt, inputs=inputs)         # fail now, not after training
    est.fit(inputs)
    est.wv.save(out, format=fmt)
    t = est.wv.meta["training"]
    last = f", final loss {t['epochs'][-1]['loss_mean']:.4f}/example" if t["epochs"] else ""
    wps = t["words_per_second"]
    click.echo(f"wrote {out}: {len(est.wv)} words x {est.dim}, {est.model_name}, {est.epochs} epochs over "
               f"{est.corpus_.raw_tokens} tokens in {t['seconds']:.1f} s"
               f"{f' ({_rate(wps)} words/s)' if wps else ''}{last}", err=True)


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
        check_file_output(output, inputs, what="a vocabulary")
    v = Vocabulary.build(inputs, tokenizer=tokenizer, lowercase=lowercase, min_count=min_count,
                         max_vocab_size=max_vocab_size, encoding_errors=encoding_errors)
    if output == "-":
        for w, c in zip(v.words, v.counts.tolist()):
            click.echo(f"{w}\t{c}")
        return
    v.save(output)
    click.echo(f"wrote {output}: {len(v)} words, {v.total} tokens in the vocabulary", err=True)


@click.command(context_settings=CONTEXT)
def warmup():
    """Compile every kernel into Numba's on-disk cache."""
    from embkit.models.fasttext import warmup as _fasttext_warmup
    from embkit.models.word2vec import warmup as _warmup

    _warmup()
    _fasttext_warmup()
    click.echo("kernels compiled and cached", err=True)


def register(cli):
    cli.add_command(train)
    cli.add_command(vocab)
    cli.add_command(warmup)
