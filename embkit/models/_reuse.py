"""What an alignment run may reuse from its output directory: each model's record, identity and sources.

``CompassAligner.fit(..., skip_existing=True)`` (``embkit align
--skip-existing``) reuses a model found in the output directory only when
its record says it belongs to the run:

* the directory's ``manifest.json`` was written by the same method and
  model, else the run stops (:func:`check_run`);
* the compass and each slice were trained on the same corpora (resolved
  paths and sizes in bytes), else the run stops naming both, since
  training them again would overwrite models of other corpora
  (:func:`check_compass_sources`, :func:`check_slice_sources`);
* a ``cade`` slice was trained against the very compass in use (the
  SHA-256 of its context matrix, ``compass_sha256``), and a ``procrustes``
  slice was rotated onto the very reference slice in use (the SHA-256 of
  the reference's vectors, ``reference_sha256``); a compass or reference
  trained in this run means no slice aligned to it is reused.  Otherwise
  the slice is trained again after a one-line warning saying why
  (:func:`stale_reason`).

A slice's record is its ``meta.json`` for native models and its entry in
the previous ``manifest.json`` for the formats that hold no metadata
(word2vec, word2vec-bin, fasttext-bin).
"""
import hashlib
import logging
import os

import numpy as np

from ..corpus.encoded import EncodedCorpus
from ..corpus.reading import expand_inputs, is_regular_file
from ..exceptions import InvalidParameterError, show_path

log = logging.getLogger(__name__)

TEMPLATE_ONLY = ("init_in", "init_out", "train_in", "train_out")
"""Settings only a compass-aligned run sets (left out of the recorded settings)."""
# settings that do not change what a model learns: a reused model trained with others is not warned about
_NOT_COMPARED = ("threads", "max_memory")
_WAY_OUT = "write to another directory, or leave out --skip-existing (skip_existing= in Python) to train anew"


def matrix_sha256(matrix):
    """SHA-256 of a matrix's shape, dtype and bytes (hex): the identity of a compass or a reference slice.

    Parameters
    ----------
    matrix : ndarray
        E.g. a compass's context matrix (memory-maps are read, not copied).

    Returns
    -------
    str
        64 hexadecimal digits.
    """
    a = np.ascontiguousarray(matrix)
    h = hashlib.sha256(f"{a.dtype.str}{a.shape}".encode())
    h.update(memoryview(a.reshape(-1).view(np.uint8)))
    return h.hexdigest()


def stamps(sources):
    """Source records reduced to what identifies a corpus cheaply: resolved path and size.

    Parameters
    ----------
    sources : list of dict, or None
        As an encoded corpus's manifest lists them (``path``, ``size``,
        ...).

    Returns
    -------
    list of dict
        ``{"path", "size"}`` per file (``{"path"}`` alone where no size is
        known: standard input, token lists).
    """
    out = []
    for s in sources or []:
        s = s if isinstance(s, dict) else {"path": s}
        out.append({"path": s.get("path")} if s.get("size") is None else {"path": s.get("path"), "size": s["size"]})
    return out


def known(sources):
    """Whether ``sources`` (a list of :func:`stamps`) identify files: non-empty, each with a size.

    Parameters
    ----------
    sources : list of dict, or None

    Returns
    -------
    bool
    """
    return bool(sources) and all(isinstance(s, dict) and s.get("size") is not None for s in sources)


def corpus_sources(corpus):
    """The sources of a corpus given to this run, without reading it.

    Parameters
    ----------
    corpus : str, os.PathLike, sequence of them, iterable of token lists, or EncodedCorpus

    Returns
    -------
    list of dict or None
        :func:`stamps` of its files (paths resolved); None for token lists,
        standard input and anything else that is not regular files.

    Raises
    ------
    CorpusError
        A path naming nothing that exists.
    """
    if isinstance(corpus, EncodedCorpus):
        found = stamps(corpus.manifest.get("sources"))
        return found if known(found) else None
    items = [corpus] if isinstance(corpus, (str, os.PathLike)) else corpus
    if not isinstance(items, (list, tuple)) or not items or not all(isinstance(x, (str, os.PathLike)) for x in items):
        return None
    files = expand_inputs(items)
    if not all(is_regular_file(f) for f in files):
        return None
    return [{"path": os.path.realpath(f), "size": os.stat(f).st_size} for f in files]


def describe(sources):
    """``/path/a.txt (123 bytes)``, with ``(+N files)`` for more than one file.

    Parameters
    ----------
    sources : list of dict, or None

    Returns
    -------
    str
    """
    if not sources:
        return "no recorded file"
    first = sources[0]
    size = f" ({first['size']} bytes)" if first.get("size") is not None else ""
    more = f" (+{len(sources) - 1} files)" if len(sources) > 1 else ""
    return f"{show_path(first.get('path'))}{size}{more}"


def check_run(manifest, method, model, path):
    """Raise unless the directory's previous run used ``method`` and ``model`` (its models would not fit).

    Parameters
    ----------
    manifest : dict
        The previous ``manifest.json``.
    method : {"cade", "procrustes"}
    model : str
        ``"cbow"``, ``"sgns"``, ``"fasttext"``, ``"fasttext-cbow"``.
    path : str or os.PathLike
        The manifest, for the message.

    Raises
    ------
    InvalidParameterError
        Another method or model, naming both values.
    """
    for key, given in (("method", method), ("model", model)):
        found = manifest.get(key)
        if found is not None and found != given:
            raise InvalidParameterError(f"{show_path(path)}: the directory holds an alignment made with {key}="
                                        f"{found!r} but the options give {key}={given!r}; {_WAY_OUT}")


def check_compass_sources(path, recorded, current):
    """Whether a compass trained on ``recorded`` may serve slices of ``current``.

    Parameters
    ----------
    path : str or os.PathLike
        The compass, for the messages.
    recorded : dict of str to list of dict, or None
        Slice name to sources, as the compass's ``meta.json`` records them.
    current : dict of str to (list of dict or None)
        This run's slice names (in order) and sources (:func:`corpus_sources`).

    Returns
    -------
    bool
        True when it was trained on the same slices from the same files;
        False when that cannot be told (sources that are not files, or a
        compass recording none).

    Raises
    ------
    InvalidParameterError
        Other slices, or a slice from other files (naming both).
    """
    if not isinstance(recorded, dict) or not all(known(v) for v in [*recorded.values(), *current.values()]):
        return False
    if list(recorded) != list(current):
        raise InvalidParameterError(f"{show_path(path)} was trained on slices {', '.join(recorded)} but the "
                                    f"options give {', '.join(current)}; {_WAY_OUT}")
    for name, sources in current.items():
        if stamps(recorded[name]) != sources:
            raise InvalidParameterError(f"{show_path(path)} was trained with slice {name!r} from "
                                        f"{describe(recorded[name])} but the options give {describe(sources)}; "
                                        f"{_WAY_OUT}")
    return True


def check_slice_sources(path, name, record, current):
    """Raise when slice ``name`` at ``path`` was trained on other files than this run gives it.

    Parameters
    ----------
    path : str or os.PathLike
        The slice's file.
    name : str
    record : dict or None
        The slice's record (:func:`record_from_meta` or its manifest entry).
    current : list of dict or None
        This run's sources of the slice.

    Raises
    ------
    InvalidParameterError
        Both sources known and different (the message names both): training
        it again would overwrite a model of another corpus.
    """
    recorded = stamps((record or {}).get("sources"))
    if known(recorded) and known(current) and recorded != current:
        raise InvalidParameterError(f"{show_path(path)} was trained on {describe(recorded)} but the options give "
                                    f"{describe(current)} for slice {name!r}; {_WAY_OUT}")


def record_from_meta(kv, name, file):
    """A native slice's record from its own ``meta.json`` (None when it holds no alignment record).

    Parameters
    ----------
    kv : KeyedVectors
    name : str
    file : str
        Its file name in the output directory.

    Returns
    -------
    dict or None
        As a manifest slice entry: ``name``, ``file``, ``method``,
        ``sources``, the statistics and identities, ``settings``.
    """
    alignment = (kv.meta or {}).get("alignment")
    if not isinstance(alignment, dict):
        return None
    rest = {k: v for k, v in alignment.items() if k != "slice"}
    return {"name": name, "file": file, **rest, "settings": trained_settings(kv)}


def stale_reason(name, record, method, sources, compass_sha=None, reference=None):
    """Why slice ``name`` found in the output directory cannot be reused by this run (None when it can).

    Parameters
    ----------
    name : str
    record : dict or None
        Its record (:func:`record_from_meta`, or its previous manifest entry).
    method : {"cade", "procrustes"}
    sources : list of dict or None
        This run's sources of the slice (:func:`corpus_sources`).
    compass_sha : str, optional
        ``cade``: :func:`matrix_sha256` of the compass's context matrix;
        None when the compass is trained in this run.
    reference : (str, str or None), optional
        ``procrustes``: the reference slice's name and the SHA-256 of its
        vectors (None when it is trained in this run).

    Returns
    -------
    str or None
        The reason, worded to follow "not reusing <file>: ".
    """
    if record is None:
        return "neither manifest.json nor the model records how it was made"
    if record.get("method") != method:
        return f"it was made with method {record.get('method')!r}, not {method!r}"
    if not known(sources):
        return "its corpus is not given as files (token lists, standard input), so it cannot be matched with it"
    if not known(stamps(record.get("sources"))):
        return "its record names no source files with their sizes"
    if stamps(record["sources"]) != sources:
        return f"it was trained on {describe(stamps(record['sources']))}, not {describe(sources)}"
    if method == "cade":
        if compass_sha is None:
            return "the compass is trained anew in this run"
        if record.get("compass_sha256") != compass_sha:
            return (f"it was trained against another compass (compass_sha256 {str(record.get('compass_sha256'))[:12]}, "
                    f"the compass in use has {compass_sha[:12]})")
        return None
    ref_name, ref_sha = reference
    if record.get("reference") != ref_name:
        return f"it was aligned to slice {record.get('reference')!r}, not to {ref_name!r}"
    if name == ref_name:
        return None
    if ref_sha is None:
        return f"its reference slice {ref_name!r} is trained anew in this run"
    if record.get("reference_sha256") != ref_sha:
        return f"it was rotated onto another version of slice {ref_name!r}"
    return None


def trained_settings(kv):
    """The settings a model was trained with, as its ``meta.json`` records them.

    Parameters
    ----------
    kv : KeyedVectors
        A trained (or loaded) model.

    Returns
    -------
    dict or None
        The training parameters (``dim``, ``window``, ``epochs``, ...),
        without those only a compass-aligned run sets; None when the model
        records none (e.g. read from word2vec files).
    """
    params = (kv.meta or {}).get("params")
    if not isinstance(params, dict):
        return None
    return {k: v for k, v in params.items() if k not in TEMPLATE_ONLY}


def warn_reused(path, trained, given):
    """Warn, on one line, when a reused model was trained with settings other than ``given`` (naming both).

    Parameters
    ----------
    path : str or os.PathLike
        The model's file.
    trained : dict or None
        The settings it was trained with (its record's ``settings``).
    given : dict
        The options of this run.
    """
    if trained is None:
        log.warning("reusing %s, which records no training settings (not compared with the options given)",
                    show_path(path))
        return
    diffs = [f"{k} {trained[k]!r} (given {v!r})" for k, v in given.items()
             if k in trained and k not in _NOT_COMPARED and trained[k] != v]
    if diffs:
        log.warning("reusing %s, trained with other settings than given: %s; manifest.json records the ones it "
                    "was trained with", show_path(path), ", ".join(diffs))


def settings_as_trained(manifest):
    """Make the manifest's run settings those its models were trained with, where they all agree.

    After reusing models of an earlier run, each setting on which every
    model (its ``settings`` in the manifest) agrees replaces the option given;
    ``compass_epochs``/``slice_epochs`` and ``min_count``/``slice_min_count``
    come from the compass and the slices.

    Parameters
    ----------
    manifest : dict
        Changed in place.
    """
    compass = (manifest.get("compass") or {}).get("settings")
    slices = [e.get("settings") for e in manifest["slices"]]
    models = [m for m in [compass, *slices] if m is not None]
    if not models or None in slices:
        return
    settings = manifest["settings"]

    def agreed(group, key):
        values = {repr(m.get(key)) for m in group}
        return group[0].get(key) if len(values) == 1 and key in group[0] else settings.get(key)

    for key in settings:
        if key not in ("epochs", "min_count") and all(key in m for m in models):
            settings[key] = agreed(models, key)
    settings["slice_epochs"] = agreed(slices, "epochs")
    settings["slice_min_count"] = agreed(slices, "min_count")
    if compass is not None:
        settings["compass_epochs"] = compass.get("epochs", settings.get("compass_epochs"))
        settings["min_count"] = compass.get("min_count", settings.get("min_count"))
    if settings.get("compass_epochs", settings["slice_epochs"]) == settings["slice_epochs"]:
        settings["epochs"] = settings["slice_epochs"]
