"""The estimators' base class: a signature from the parameter table, get/set_params, clone, repr.

A model class sets ``_param_table`` (a tuple of :class:`embkit._params.Param`);
the base class gives it an ``__init__`` with one explicit keyword argument
per entry, in table order and with the table's defaults, that stores each
value unchanged (as scikit-learn's estimators do; ``fit`` validates them).
The parameters are then declared only in the table.
"""
import difflib
import inspect

from .._params import FOREIGN_NAMES, defaults, validate
from ..exceptions import NotFittedError, UnknownParameterError


def _make_init(table):
    """An ``__init__(self, <name>=<default>, ...)`` that stores each argument under its name."""
    names = [p.name for p in table]
    for name in names:
        if not name.isidentifier() or name.startswith("_"):
            raise ValueError(f"bad parameter name {name!r}")
    # the defaults are passed in, never written into the source, so any default object works
    args = ", ".join(f"{n}=_defaults[{n!r}]" for n in names)
    body = "\n".join(f"    self.{n} = {n}" for n in names) or "    pass"
    namespace = {"_defaults": defaults(table)}
    exec(f"def __init__(self, {args}):\n{body}\n", namespace)    # noqa: S102 - names checked above
    init = namespace["__init__"]
    init.__doc__ = "Store the parameters unchanged (see the class docstring); ``fit`` validates them."
    return init


class Estimator:
    """Base class of the embkit estimators (scikit-learn conventions).

    Subclasses set ``_param_table``; their ``__init__`` is made from it.
    ``_param_notes`` maps names a subclass does not take to a hint.
    """

    _param_table = ()
    _param_notes = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "_param_table" in cls.__dict__:
            init = _make_init(cls._param_table)
            init.__qualname__ = f"{cls.__qualname__}.__init__"
            init.__module__ = cls.__module__
            cls.__init__ = init
        if "__init__" in cls.__dict__:
            cls._param_names()          # a hand-written __init__ must list its parameters too

    def __new__(cls, *args, **kwargs):
        if args and _looks_like_a_corpus(args[0]) and _first_is_numeric(cls):
            raise UnknownParameterError(
                f"{cls.__name__}'s first argument is {cls._param_names()[0]}, got "
                f"{type(args[0]).__name__} {_short_repr(args[0])}: a corpus goes to fit() "
                f"({cls.__name__}(...).fit(corpus)), not to the constructor as in gensim")
        unknown = [k for k in kwargs if k not in cls._param_names()]
        if unknown:
            raise UnknownParameterError(_unknown_message(cls, unknown))
        return super().__new__(cls)

    @classmethod
    def _param_names(cls):
        """The parameter names, from the ``__init__`` signature."""
        names = []
        for p in inspect.signature(cls.__init__).parameters.values():
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                raise TypeError(f"{cls.__name__}.__init__ must list its parameters explicitly")
            if p.name != "self":
                names.append(p.name)
        return names

    def get_params(self, deep=True):
        """The parameters as a dict.

        Parameters
        ----------
        deep : bool
            Also give the parameters of parameters that are estimators, as
            ``name__parameter``.

        Returns
        -------
        dict
            Name to value, in signature order; ``type(self)(**get_params())``
            makes an unfitted copy.
        """
        out = {}
        for name in self._param_names():
            value = getattr(self, name)
            out[name] = value
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                out.update((f"{name}__{k}", v) for k, v in value.get_params(deep=True).items())
        return out

    def set_params(self, **params):
        """Set parameters (``name__parameter`` for a parameter of a parameter).

        Parameters
        ----------
        **params
            Name to new value; values are stored unchanged (``fit`` validates them).

        Returns
        -------
        self

        Raises
        ------
        UnknownParameterError
            A name the estimator does not have.
        """
        names = self._param_names()
        unknown = [k for k in params if k.partition("__")[0] not in names]
        if unknown:
            raise UnknownParameterError(_unknown_message(type(self), unknown))
        nested = {}
        for key, value in params.items():
            name, _, sub = key.partition("__")
            if sub:
                nested.setdefault(name, {})[sub] = value
            else:
                setattr(self, name, value)
        for name, sub in nested.items():
            getattr(self, name).set_params(**sub)
        return self

    def check_params(self):
        """Validate the parameters against the table, as ``fit`` does, without training.

        Returns
        -------
        dict
            The checked parameters, with model-dependent defaults filled in.

        Raises
        ------
        InvalidParameterError
            A value of the wrong type or outside its documented range.
        """
        p = validate(self._param_table, self.get_params(deep=False))
        self._complete_params(p)
        return p

    def _complete_params(self, p):
        """Fill in model-dependent defaults and check relations between parameters (in place)."""

    def __getattr__(self, name):
        # only called for a missing attribute: a fitted one (``wv``, ``corpus_``, ...) before ``fit``
        if name == "wv" or (name.endswith("_") and not name.startswith("_")):
            raise NotFittedError(f"this {type(self).__name__} has no {name} yet: it is set by fit(); "
                                 "fit the model first")
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __repr__(self):
        table = {p.name: p.default for p in self._param_table}
        shown = [f"{k}={_short_repr(v)}" for k, v in self.get_params(deep=False).items()
                 if not _is_default(v, table.get(k))]
        return f"{type(self).__name__}({', '.join(shown)})"


def clone(estimator):
    """An unfitted estimator with the same parameters (values shared, not copied).

    ``fit`` never modifies its parameters (initial matrices are copied into
    new ones), so sharing them is safe.

    Parameters
    ----------
    estimator : Estimator

    Returns
    -------
    Estimator
        ``type(estimator)(**estimator.get_params(deep=False))``.
    """
    return type(estimator)(**estimator.get_params(deep=False))


def _is_default(value, default):
    if value is default:
        return True
    scalar = (bool, int, float, str)
    if not isinstance(value, scalar) or not isinstance(default, scalar):
        return False
    return isinstance(value, bool) == isinstance(default, bool) and value == default


def _looks_like_a_corpus(value):
    """A path, a text, or a (non-numeric) sequence or iterator: what gensim takes as ``sentences``."""
    import numbers
    import os

    if value is None or isinstance(value, (bool, numbers.Number)):
        return False
    return isinstance(value, (str, bytes, os.PathLike, list, tuple)) or hasattr(value, "__iter__")


def _first_is_numeric(cls):
    table = cls.__dict__.get("_param_table") or getattr(cls, "_param_table", ())
    first = next((p for p in table if p.name == cls._param_names()[0]), None) if cls._param_names() else None
    return first is not None and first.kind in ("int", "float", "bool")


def _short_repr(value):
    shape = getattr(value, "shape", None)
    if shape is not None and not isinstance(value, (int, float)):
        return f"<{type(value).__name__} of shape {tuple(shape)}>"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _unknown_message(cls, unknown):
    """One line naming each unknown keyword and, where there is one, the embkit parameter."""
    names = cls._param_names()
    parts = []
    unexplained = False
    for key in unknown:
        note = cls._param_notes.get(key, FOREIGN_NAMES.get(key, ""))
        if key in ("sentences", "corpus_file"):
            hint = "pass the corpus to fit()"
        elif note in names:
            hint = f"embkit calls it {note!r}"
        elif note:
            hint = note
        else:
            close = difflib.get_close_matches(key, names, n=1)
            hint = f"did you mean {close[0]!r}?" if close else ""
            unexplained = unexplained or not close
        parts.append(f"{key!r}" + (f" ({hint})" if hint else ""))
    listing = f"; its parameters are: {', '.join(names)}" if unexplained else ""
    return f"{cls.__name__} has no parameter {', '.join(parts)}{listing}"


class VectorEstimator(Estimator):
    """An estimator whose ``fit`` leaves word vectors in ``wv``: adds :meth:`save`."""

    def save(self, path, format=None):
        """Save the vectors ``wv`` (see :func:`embkit.save`).

        Parameters
        ----------
        path : str or os.PathLike
            Output directory (native) or file: ``.vec``/``.txt`` word2vec
            text, ``.bin`` word2vec binary (fastText's format for subword
            vectors).
        format : {"native", "word2vec", "word2vec-bin", "fasttext-bin"}, optional
            Default: from the name.

        Returns
        -------
        self

        Raises
        ------
        NotFittedError
            Before ``fit``.
        """
        self.wv.save(path, format=format)
        return self

