"""Model arguments as text: `k=v,...` parsed, true/false read, and checked against an adapter's own signature
before anything is loaded. Which model takes which adapter is `registry`'s; this module knows no model names.

Both command lines hand every value over as text; an adapter's annotation says what the text must read as
(`int | str` takes "8", not "eight"). An unknown key gets a did-you-mean from the valid ones.
"""

from __future__ import annotations

import difflib
import inspect
import math
from collections.abc import Callable, Collection, Mapping

from spar_bench.errors import ModelError

# Annotation words whose values a command line can give as text, and how each is read.
_READERS: dict[str, Callable[[str], object]] = {
    "int": int,
    "float": lambda text: _finite(float(text)),
    "bool": lambda text: boolean(text),
}
_NONE_WORDS = ("", "none", "null")


class ModelArgsError(ModelError, ValueError):
    """A model argument the adapter does not take, or a value it cannot read; the message names the key and the
    valid choices."""


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError("not a finite number")
    return value


def parse_model_args(text: str) -> dict[str, str]:
    """`k=v,k2=v2` (lmms-eval's syntax) to a dict; raises ModelArgsError naming a malformed item."""
    args = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ModelArgsError(f"--model-args item {item!r} is not key=value")
        args[key.strip()] = value.strip()
    return args


def boolean(value: str | bool) -> bool:
    """`1/true/yes/on` -> True, `0/false/no/off` -> False (any case, spaces stripped), a bool as itself; else
    ValueError (an empty text too: a flag given without a value is a typo, not a False)."""
    if isinstance(value, bool):
        return value
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError("not a boolean")


def _annotation_words(annotation: object) -> set[str]:
    """`"int | str | None"` -> {"int", "str", "None"}; generic types keep their outer name (`Sequence[str]` -> Sequence)."""
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", str(annotation))
    return {part.strip().split("[")[0].split(".")[-1] for part in text.split("|")}


def settable_parameters(target: Callable) -> dict[str, inspect.Parameter]:
    """The keyword parameters of `target` (a class or function) that a command line can set: those whose
    annotation admits a text, a number or a boolean (a transport or a callback cannot be typed in)."""
    parameters = {}
    for name, parameter in inspect.signature(target).parameters.items():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD) or name == "self":
            continue
        words = _annotation_words(parameter.annotation) if parameter.annotation is not parameter.empty else {"str"}
        if words & {"str", *_READERS}:
            parameters[name] = parameter
    return parameters


def _did_you_mean(key: str, choices: Collection[str]) -> str:
    close = difflib.get_close_matches(key, list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}? " if close else ""


def check_model_args(
    model: str,
    target: Callable,
    args: Mapping[str, str],
    *,
    injected: Mapping[str, str] | None = None,
    extra: Collection[str] = (),
) -> None:
    """Raise ModelArgsError for the first argument in `args` that `target` cannot take, naming it and the choices.

    `injected` maps keys the host sets itself to the flag that sets them (lmms-eval passes `batch_size`
    from `--batch_size`), `extra` names keys the host's wrapper takes besides the adapter's. A value is
    checked against its annotation: an `int | str` needs a whole number, a `bool | str` true/false/1/0, a
    `float | str` a finite number; a parameter whose annotation allows None also takes "none". A required
    parameter that is missing is named too.
    """
    injected = dict(injected or {})
    parameters = settable_parameters(target)
    choices = sorted({*parameters, *extra} - injected.keys())
    for key, value in args.items():
        if key in injected:
            raise ModelArgsError(
                f"{model}: {key} is not a model argument here; set it with {injected[key]} "
                f"(e.g. {injected[key]} {value or 1}) and drop {key}={value} from the model arguments"
            )
        if key in extra:
            continue
        if key not in parameters:
            raise ModelArgsError(
                f"{model} takes no model argument {key!r}; {_did_you_mean(key, choices)}"
                f"valid: {', '.join(choices) or '(none)'}"
            )
        words = _annotation_words(parameters[key].annotation)
        readers = [_READERS[word] for word in sorted(words & _READERS.keys())]
        if "None" in words and str(value).strip().lower() in _NONE_WORDS:
            continue
        if not readers or isinstance(value, (int, float, bool)):
            continue  # any text (a path, a name, a URL), or already typed by a Python caller
        try:
            _first_reading(readers, str(value))
        except ValueError:
            wanted = " or ".join(
                {"int": "a whole number", "float": "a number", "bool": "true/false"}[w]
                for w in sorted(words & _READERS.keys())
            )
            raise ModelArgsError(f"{model}: {key}={value!r} must be {wanted}") from None
    missing = [
        name
        for name, p in parameters.items()
        if p.default is p.empty and p.kind is not p.POSITIONAL_ONLY and name not in args
    ]
    if missing:
        raise ModelArgsError(f"{model} needs the model argument(s) {', '.join(missing)} (e.g. {missing[0]}=...)")


def read_model_args(target: Callable, args: Mapping[str, str]) -> dict[str, object]:
    """`args` as `target` takes them: each text read as its annotation says (`seed: int` gets 3 for "3"), any other
    value as given. Check the arguments first (`check_model_args`): a text that cannot be read raises ValueError."""
    parameters = settable_parameters(target)
    typed: dict[str, object] = {}
    for key, value in args.items():
        words = _annotation_words(parameters[key].annotation) if key in parameters else set()
        readers = [_READERS[word] for word in sorted(words & _READERS.keys())]
        if not isinstance(value, str) or not readers or "str" in words:
            typed[key] = value
        elif "None" in words and value.strip().lower() in _NONE_WORDS:
            typed[key] = None
        else:
            typed[key] = _first_reading(readers, value)
    return typed


def _first_reading(readers: list[Callable[[str], object]], text: str) -> object:
    for read in readers:
        try:
            return read(text)
        except ValueError:
            continue
    raise ValueError(f"{text!r} cannot be read")
