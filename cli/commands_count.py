"""``embkit cooccur`` and the count-based models of ``embkit train`` (``--model glove|ppmi-svd``)."""
import dataclasses

import click

from embkit import _params
from embkit.exceptions import show_path

from ._common import CONTEXT, check_vectors_output, option_files, quiet, status, warn_replacing

COUNT_MODELS = ("glove", "ppmi-svd")
_WORD2VEC_NAMES = {p.name for p in _params.WORD2VEC}
_TABLES = {"glove": _params.GLOVE, "ppmi-svd": _params.PPMI}


def _count_only():
    """The GloVe/PPMI parameters that word2vec lacks, as options defaulting to None (each model has its own)."""
    out, seen = [], set()
    for table in _TABLES.values():
        for p in table:
            if p.name in _WORD2VEC_NAMES or p.name in seen or not p.cli:
                continue
            seen.add(p.name)
            models = [m for m, t in _TABLES.items() if any(q.name == p.name for q in t)]
            defaults = ", ".join(f"{m}: {_show(next(q for q in _TABLES[m] if q.name == p.name).default)}"
                                 for m in models)
            shown = "" if "[default:" in p.help or p.default is None else f" [default: {defaults}]"
            out.append(dataclasses.replace(p, default=None, optional=True,
                                           help=f"[{'/'.join(models)}] {p.help}{shown}"))
    return tuple(out)


def _show(value):
    return "none" if value is None else value


def model_defaults():
    """``glove: dim 100, window 10, ...; ppmi-svd: ...``: the shared options whose default differs by model."""
    w2v = {p.name: p.default for p in _params.WORD2VEC}
    parts = []
    for model, table in _TABLES.items():
        own = [f"{p.name.replace('_', '-')} {p.default}" for p in table
               if p.name in w2v and p.cli and p.default != w2v[p.name]]
        parts.append(f"{model}: {', '.join(own)}")
    return "; ".join(parts)


COUNT_ONLY = _count_only()
COUNT_ONLY_NAMES = tuple(p.name for p in COUNT_ONLY)


def count_train_options(f):
    """Add the options of ``embkit train`` that only GloVe and PPMI-SVD take."""
    from .commands_train import table_options

    f = click.option("--resume", default=None, metavar="CHECKPOINT",
                     help="[glove] Continue training from this checkpoint (written by --checkpoint-every).")(f)
    f = click.option("--cooccur", "cooccur_file", default=None, metavar="COUNTS.npz",
                     help="[glove/ppmi-svd] Train on these counts (from `embkit cooccur`) instead of a CORPUS.")(f)
    return table_options(COUNT_ONLY)(f)


def reject_count_options(model, params):
    """Remove the count-model options from ``params``; a usage error if one was given to a word2vec model."""
    for name in (*COUNT_ONLY_NAMES, "cooccur_file", "resume"):
        if params.pop(name, None) is not None:
            flag = "--cooccur" if name == "cooccur_file" else "--" + name.replace("_", "-")
            raise click.UsageError(f"{flag} applies to --model glove or ppmi-svd, not {model}")
    return params


def train_count(model, corpus, output, fmt, quiet_bars, params):
    """``embkit train --model glove|ppmi-svd``: the options given, the model's defaults for the others."""
    from click.core import ParameterSource

    from embkit._outputs import check_file_output
    from embkit.corpus.reading import expand_inputs
    from embkit.exceptions import InvalidParameterError

    from .commands_train import _usage_error, default_output

    ctx = click.get_current_context()
    cooccur_file, resume = params.pop("cooccur_file"), params.pop("resume")
    table = _TABLES[model]
    names = {p.name for p in table}
    given = {k: v for k, v in params.items() if v is not None and ctx.get_parameter_source(k) not in
             (ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP)}
    wrong = [k for k in given if k not in names]
    if wrong:
        raise click.UsageError(f"--{wrong[0].replace('_', '-')} does not apply to --model {model}"
                               + ("; GloVe's AdaGrad keeps --alpha constant" if wrong[0] == "min_alpha" else ""))
    if model != "glove" and resume:
        raise click.UsageError("--resume applies to --model glove only")
    est = _estimator(model)(progress=not (quiet_bars or quiet()), **given)
    try:
        est.check_params()
    except InvalidParameterError as exc:
        raise _usage_error(exc) from None
    if bool(corpus) == bool(cooccur_file):
        raise click.UsageError("give a CORPUS or --cooccur COUNTS.npz (one of them)")
    inputs = expand_inputs(list(corpus)) if corpus else [cooccur_file]
    out = output or default_output(list(corpus) or [cooccur_file], fmt)
    read = inputs + option_files(_params.CORPUS, given)            # --phrases, --terms
    check_vectors_output(out, fmt, read + ([resume] if resume else []), format_option="--format")
    warn_replacing(out, output)
    checkpoint = f"{out}.checkpoint" if model == "glove" and est.checkpoint_every else None
    if checkpoint is not None:                    # it may be --resume's: read before it is written
        check_file_output(checkpoint, read, what="a checkpoint")
    source = inputs
    if cooccur_file:
        from embkit.corpus.cooccur import Cooccurrence
        source = Cooccurrence.load(cooccur_file)
    try:
        if model == "glove":
            est.fit(source, checkpoint=checkpoint, resume=resume)
        else:
            est.fit(source)
    except InvalidParameterError as exc:          # settings the counts, the vocabulary or a checkpoint contradict
        raise _usage_error(exc) from None
    est.wv.save(out, format=fmt)
    t = est.wv.meta["training"]
    last = f", final cost {est.training_[-1]['cost']:.4f}" if model == "glove" and est.training_ else ""
    status(f"wrote {show_path(out)}: {len(est.wv)} words x {est.wv.vectors.shape[1]}, {model}, "
           f"{est.wv.meta['cooccurrence']['nnz']} co-occurring pairs, in {t['seconds']:.1f} s{last}")


def _estimator(model):
    if model == "glove":
        from embkit.models.glove import GloVe
        return GloVe
    from embkit.models.ppmi import PPMISVD
    return PPMISVD


def cooccur(corpus, output, **params):
    """Count word co-occurrences in CORPUS (files, directories, globs, or - for stdin) into one .npz file.

    The file holds the CSR matrix as scipy.sparse.save_npz writes it (rows
    and columns in the vocabulary's order, most frequent word first) plus
    the arrays vocab (the words joined by newlines), counts (int64) and
    settings (JSON).  Windows never cross a line end.
    """
    from embkit._outputs import check_file_output
    from embkit.corpus.cooccur import cooccur as count
    from embkit.corpus.reading import expand_inputs

    if not output.strip() or output.strip() == "-":
        raise click.BadParameter("give a file name (counts are not written to standard output)",
                                 param_hint="-o/--output")
    inputs = expand_inputs(list(corpus))
    check_file_output(output, inputs, what="co-occurrence counts")
    count(inputs, output=output, progress=not quiet(), **params)
    status(f"wrote {output}")


def register(cli):
    """Add ``cooccur`` to the ``cli`` group (its options come from the COOCCUR parameter table)."""
    from .commands_train import table_options

    command = click.option("-o", "--output", required=True,
                           help="The counts file to write (.npz; scipy.sparse.load_npz reads it).")(cooccur)
    command = table_options(_params.COOCCUR)(command)
    command = click.argument("corpus", nargs=-1, required=True)(command)
    cli.add_command(click.command("cooccur", context_settings=CONTEXT)(command))
