"""Commands on stored word vectors: ``neighbors``, ``vectors``, ``analogy``, ``info`` and ``convert``."""
import logging
import math
import os
from pathlib import Path

import click

from embkit import formats, io, queries
from embkit.exceptions import EmbkitError, InvalidDataError, show_path
from embkit.formats.word2vec_text import has_header

from ._common import CONTEXT, Integer, emit_json, load_vectors, read_options, resolve_vecs, status

_json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")
_case_option = click.option(
    "--case-insensitive", is_flag=True,
    help="Match words ignoring case, as the evaluation does: a word stands for its most frequent "
         "case variant, and the case variants of the query words are not listed.")

# Endings of vectors files: a first argument with one of them is VECS, not a WORD.
_VECS_SUFFIXES = (".embkit", ".vec", ".txt", ".bin", ".gz", ".bz2", ".xz")


def register(cli):
    """Add the vector commands to the ``cli`` group."""
    cli.add_command(neighbors)
    cli.add_command(vectors)
    cli.add_command(analogy)
    cli.add_command(info)
    cli.add_command(convert)


def _is_vecs(arg):
    """True when a first argument names vectors rather than a word."""
    return os.sep in arg or arg.lower().endswith(_VECS_SUFFIXES) or Path(arg).exists()


def _word_list(values):
    """Words of repeated, comma-separated options, in order."""
    return [w.strip() for v in values for w in v.split(",") if w.strip()]


def _vocab(kv, case_insensitive):
    """The word look-up of the analogy evaluation, exact or case-folding."""
    from embkit.evaluation.analogy import VocabIndex
    return VocabIndex(kv, case_sensitive=not case_insensitive)


def _not_found(vecs, kv, missing, case_insensitive):
    """The one-line error naming every word of ``missing``."""
    hints = []
    for w in missing:
        other = None if case_insensitive else next(
            (k for k in kv.index_to_key if k.casefold() == w.casefold()), None)
        hints.append(f"{w!r} (did you mean {other!r}?)" if other else repr(w))
    rule = "ignoring case" if case_insensitive else "exactly"
    tip = "; --case-insensitive matches ignoring case" if any("did you mean" in h for h in hints) else ""
    return EmbkitError(f"not in the vocabulary of {vecs} ({len(kv)} words; words are matched {rule}): "
                       + ", ".join(hints) + tip)


def _echo_ranked(title, found):
    click.echo(title)
    width = max((len(key) for key, _ in found), default=0)
    for rank, (key, score) in enumerate(found, 1):
        click.echo(f"  {rank:>3}  {key:<{width}}  {score:.4f}")


def _split_args(args, arithmetic):
    """(VECS or None, WORDs) from the positional arguments of ``neighbors``."""
    if arithmetic:
        if len(args) > 1 or (args and not _is_vecs(args[0])):
            raise click.UsageError("with --positive/--negative give at most VECS (an existing path or a "
                                   "vectors file name); put the words in --positive or --negative")
        return (args[0] if args else None), []
    if args and _is_vecs(args[0]):
        return args[0], list(args[1:])
    return None, list(args)


@click.command(context_settings=CONTEXT, short_help="Nearest neighbours of words or of vector arithmetic.")
@click.argument("args", nargs=-1, metavar="[VECS] [WORD]...")
@click.option("--positive", multiple=True, metavar="W1,W2,...",
              help="Words added to the query (comma-separated; may be repeated).")
@click.option("--negative", multiple=True, metavar="W1,W2,...",
              help="Words subtracted from the query (comma-separated; may be repeated).")
@click.option("--topn", type=Integer(min=1), default=10, help="Neighbours per query.")
@_case_option
@_json_option
@read_options
def neighbors(args, positive, negative, topn, case_insensitive, as_json, limit, unicode_errors):
    """Nearest neighbours (cosine) in the vectors VECS (default: the newest model here).

    \b
    Of each WORD:                 embkit neighbors vecs.vec king queen
    Of vector arithmetic:         embkit neighbors vecs.vec --positive king,woman --negative man
    The query words are not listed. The first argument is VECS when it is an existing path,
    contains a /, or ends in .embkit, .vec, .txt, .bin (optionally compressed). Unknown WORDs are
    reported on one line after the neighbours of the known ones (exit status 1); a subword
    (fastText) model composes unseen words from their character n-grams instead.
    """
    positive, negative = _word_list(positive), _word_list(negative)
    arithmetic = bool(positive or negative)
    vecs, words = _split_args(args, arithmetic)
    if not arithmetic and not words:
        raise click.UsageError("no WORD given (or use --positive/--negative)")
    vecs = resolve_vecs(vecs)
    kv = load_vectors(vecs, limit, unicode_errors)
    vocab = _vocab(kv, case_insensitive)
    composable = getattr(kv, "has_vector", lambda w: False)      # subword vectors compose unseen words
    missing = list(dict.fromkeys(w for w in (positive + negative or words) if vocab.row(w) < 0 and not composable(w)))
    if arithmetic:
        if missing:
            raise _not_found(vecs, kv, missing, case_insensitive)
        found = kv.most_similar(positive, negative, topn=topn, vocab=vocab)
        if as_json:
            emit_json([{"positive": positive, "negative": negative,
                        "neighbors": [{"key": k, "similarity": v} for k, v in found]}])
        else:
            _echo_ranked(" ".join(["+ " + w for w in positive] + ["- " + w for w in negative])
                         .removeprefix("+ "), found)
        return
    results = [(w, kv.index_to_key[vocab.row(w)] if vocab.row(w) >= 0 else "composed from n-grams",
                kv.most_similar(w, topn=topn, vocab=vocab))
               for w in words if w not in missing]
    if as_json:
        emit_json([{"word": w, "key": key, "neighbors": [{"key": k, "similarity": v} for k, v in found]}
                   for w, key, found in results])
    else:
        for n, (w, key, found) in enumerate(results):
            if n:
                click.echo()
            _echo_ranked(w if key == w else f"{w} ({key})", found)
    if missing:
        raise _not_found(vecs, kv, missing, case_insensitive)


@click.command(context_settings=CONTEXT, short_help="Print the vectors of words, as .vec rows.")
@click.argument("args", nargs=-1, metavar="[VECS] WORD...")
@click.option("--strict", is_flag=True,
              help="Subword models: exit with status 1 when a word's vector cannot be composed (it has no "
                   "character n-gram).")
@read_options
def vectors(args, strict, limit, unicode_errors):
    """Print one line per WORD in the .vec row format: the word, then its values.

    \b
    embkit vectors model.bin cat unseenword
    For a subword (fastText) model an unseen word's vector is composed from its character
    n-grams; a word without any gets a warning and a row of zeros (exit status 1 with --strict).
    For word vectors the known words are printed and the unknown ones reported (exit status 1).
    The first argument is VECS as for `embkit neighbors` (default: the newest model here).
    """
    vecs, words = _split_args(args, False)
    if not words:
        raise click.UsageError("no WORD given")
    vecs = resolve_vecs(vecs)
    kv = load_vectors(vecs, limit, unicode_errors)
    subword = hasattr(kv, "compose")
    missing = []
    for w in words:
        try:
            vector = kv.get_vector(w)
        except KeyError as exc:
            missing.append(w)
            if not subword:
                continue
            logging.getLogger("embkit.cli").warning("%s; printing a row of zeros", exc)
            vector = [0.0] * kv.dim
        click.echo(w + " " + " ".join("%.9g" % x for x in vector))
    if missing and not subword:
        raise _not_found(vecs, kv, list(dict.fromkeys(missing)), False)
    if missing and strict:
        why = ("the model has no character n-grams (maxn=0)" if kv.maxn <= 0 or not kv.bucket else
               f"no character n-gram of {kv.minn} to {kv.maxn} characters")
        raise InvalidDataError(f"no vector could be composed for {', '.join(map(repr, dict.fromkeys(missing)))} "
                               f"({why}; --strict)")


@click.command(context_settings=CONTEXT, short_help="A is to B as C is to ?")
@click.argument("args", nargs=-1, required=True, metavar="[VECS] A B C")
@click.option("--method", type=click.Choice(queries.ANALOGY_METHODS), default="3cosadd",
              help="3cosadd: cosine with B - A + C (Mikolov et al. 2013); 3cosmul: Levy & Goldberg "
                   "(2014), the product of the shifted cosines with B and C over that with A.")
@click.option("--topn", type=Integer(min=1), default=10, help="Answers to print.")
@_case_option
@_json_option
@read_options
def analogy(args, method, topn, case_insensitive, as_json, limit, unicode_errors):
    """A is to B as C is to ?: the best answers in the vectors VECS (default: the newest model here).

    \b
    embkit analogy vecs.vec man king woman      # queen first
    A, B and C are never answers. The first answer is the one `embkit eval analogies` checks
    (which matches words as --case-insensitive does, unless given --case-sensitive).
    """
    if len(args) not in (3, 4):
        raise click.UsageError(f"expected [VECS] A B C, got {len(args)} argument(s)")
    if len(args) == 3 and (Path(args[0]).exists() or args[0].lower().endswith(_VECS_SUFFIXES)):
        raise click.UsageError(f"{args[0]!r} names vectors: give the three words A B C after it")
    vecs = resolve_vecs(args[0] if len(args) == 4 else None)
    a, b, c = args[-3:]
    kv = load_vectors(vecs, limit, unicode_errors)
    vocab = _vocab(kv, case_insensitive)
    missing = list(dict.fromkeys(w for w in (a, b, c) if vocab.row(w) < 0))
    if missing:
        raise _not_found(vecs, kv, missing, case_insensitive)
    found = queries.analogy(kv, a, b, c, method=method, topn=topn, vocab=vocab)
    if as_json:
        emit_json({"a": a, "b": b, "c": c, "method": method,
                   "answers": [{"key": k, "score": v} for k, v in found]})
    else:
        _echo_ranked(f"{a} : {b} :: {c} : ?", found)


def _render(name, value, indent=0):
    """Lines showing one metadata entry; nested dicts and lists are indented."""
    pad = "  " * indent
    if isinstance(value, dict):
        lines = [f"{pad}{name}:"]
        for key, sub in value.items():
            lines.extend(_render(key, sub, indent + 1))
        return lines
    if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        lines = [f"{pad}{name}:"]
        for item in value:
            if isinstance(item, dict):
                item = ", ".join(f"{k}={_scalar(v)}" for k, v in item.items())
            elif isinstance(item, list):
                item = ", ".join(_scalar(v) for v in item)
            lines.append(f"{pad}  - {_scalar(item)}")
        return lines
    if isinstance(value, list):
        return [f"{pad}{name}: {', '.join(_scalar(v) for v in value) if value else '-'}"]
    return [f"{pad}{name}: {_scalar(value)}"]


def _scalar(value):
    """One value as ``info`` shows it: yes/no for booleans, - for none, 6 significant digits for floats."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


@click.command(context_settings=CONTEXT, short_help="Size, format and training metadata of vectors.")
@click.argument("vecs", required=False)
@_json_option
@read_options
def info(vecs, as_json, limit, unicode_errors):
    """Size, format and training metadata of VECS (default: the newest model here)."""
    vecs = resolve_vecs(vecs)
    fmt = formats.detect_format(vecs)
    kv = load_vectors(vecs, limit, unicode_errors)
    meta = dict(kv.meta)
    summary = {
        "path": str(vecs),
        "format": fmt,
        "words": len(kv),
        "dim": kv.dim,
        "has_counts": kv.counts is not None,
        "total_count": None if kv.counts is None else sum(kv.counts.tolist()),    # exact, never wraps
        "has_context": kv.context is not None,
        "embkit_version": meta.pop("embkit_version", None),
        "created": meta.pop("created", None),
    }
    if as_json:
        emit_json({**summary, "meta": _json_safe(meta)})
        return
    headerless = fmt == formats.WORD2VEC and not _has_header(vecs)
    shown = fmt + (" (text without a header line, as GloVe writes)" if headerless else "")
    lines = [f"path: {show_path(vecs)}", f"format: {shown}", f"words: {len(kv)}", f"dim: {kv.dim}",
             "counts: " + (f"yes (total {summary['total_count']})" if kv.counts is not None
                           else "no"),
             f"context vectors: {'yes' if kv.context is not None else 'no'}"]
    for key in ("embkit_version", "created"):
        if summary[key] is not None:
            lines.append(f"{key.replace('_', ' ')}: {summary[key]}")
    for key, value in meta.items():     # params, corpus, training (with losses), ...
        lines.extend(_render(key, value))
    click.echo("\n".join(lines))


@click.command(context_settings=CONTEXT, short_help="Convert vectors to another format.")
@click.argument("paths", nargs=-1, required=True, metavar="[VECS] OUT")
@click.option("--to", "to", type=click.Choice(formats.FORMATS), default=None,
              show_default="from OUT's name",
              help="Output format.")
@read_options
def convert(paths, to, limit, unicode_errors):
    """Write the vectors VECS (default: the newest model here) to OUT in another format.

    \b
    OUT's name gives the format unless --to is given:
      a directory, .embkit or no extension   native (embkit) directory
      .vec or .txt                           word2vec text
      .bin                                   word2vec binary (fastText .bin for a subword model)
    word2vec files ending in .gz, .bz2 or .xz are compressed.
    """
    if len(paths) > 2:
        raise click.UsageError(f"expected [VECS] OUT, got {len(paths)} arguments")
    out = paths[-1]
    if len(paths) == 1 and Path(out).exists():
        raise click.UsageError(f"{out} exists; with one argument it would be overwritten by the newest model "
                               f"here. To convert it, give both: embkit convert {out} OUT")
    if to is None and not Path(out).is_dir() and formats.format_from_name(out) is None:
        raise click.UsageError(f"cannot tell the output format from the name {out!r}; "
                               f"pass --to ({', '.join(formats.FORMATS)})")
    vecs = resolve_vecs(paths[0] if len(paths) == 2 else None)
    formats.check_output(out, to, inputs=[vecs])     # never convert a file onto itself
    kv = load_vectors(vecs, limit, unicode_errors)
    io.save(kv, out, format=to)
    fmt = to or formats.detect_format(out)          # a subword model's .bin is fastText's
    status(f"wrote {show_path(out)}: {len(kv)} words, dim {kv.dim}, format {fmt}")


def _json_safe(value):
    """``value`` with NaN and infinities (which meta.json may hold, though JSON has none) as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


def _has_header(path):
    """True when a word2vec text file starts with a ``count dim`` line."""
    try:
        return has_header(path)
    except (OSError, EOFError, EmbkitError):
        return True
