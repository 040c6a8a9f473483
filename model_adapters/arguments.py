"""Model arguments (`k=v,...` from `spar-bench run --model-args` or lmms-eval's `--model_args`) checked against the
adapter's own signature before anything is loaded.

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


def boolean(text: str) -> bool:
    """`1/true/yes/on` -> True, `0/false/no/off` -> False (any case, spaces stripped); else ValueError."""
    lowered = text.strip().lower()
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
        for read in readers:
            try:
                read(str(value))
                break
            except ValueError:
                continue
        else:
            wanted = " or ".join(
                {"int": "a whole number", "float": "a number", "bool": "true/false"}[w]
                for w in sorted(words & _READERS.keys())
            )
            raise ModelArgsError(f"{model}: {key}={value!r} must be {wanted}")
    missing = [
        name
        for name, p in parameters.items()
        if p.default is p.empty and p.kind is not p.POSITIONAL_ONLY and name not in args
    ]
    if missing:
        raise ModelArgsError(f"{model} needs the model argument(s) {', '.join(missing)} (e.g. {missing[0]}=...)")


# lmms-eval sets these itself (`--batch_size`, `--max_batch_size`, `--device`); given in --model_args too they
# would reach the constructor twice.
LMMS_INJECTED = {"batch_size": "--batch_size", "max_batch_size": "--max_batch_size"}


def adapter_target(model: str) -> Callable | None:
    """What builds `model`'s adapter from its model arguments (a class), or None for a name that is not ours."""
    if model == "spar_hf":
        from spar_bench.model_adapters.hf import HFAdapter

        return HFAdapter
    if model == "spar_openai":
        from spar_bench.model_adapters.openai_server import OpenAIServerAdapter

        return OpenAIServerAdapter
    from spar_bench.model_adapters.baselines import FrequencyBaseline, OracleBaseline, RandomBaseline

    return {"spar_random": RandomBaseline, "spar_frequency": FrequencyBaseline, "spar_oracle": OracleBaseline}.get(
        model
    )


def check_model_args_of(model: str, args: Mapping[str, str], *, lmms_eval: bool = False) -> None:
    """`check_model_args` against `model`'s own adapter; a name that is not ours passes (the caller names it).

    Under lmms-eval (`lmms_eval=True`) `batch_size` and `max_batch_size` belong to lmms-eval's flags, and the
    journaled adapters also take `journal=DIR`.
    """
    target = adapter_target(model)
    if target is None:
        return
    journaled = model in ("spar_hf", "spar_openai")
    check_model_args(
        model,
        target,
        args,
        injected=LMMS_INJECTED if lmms_eval else None,
        extra=("journal",) if lmms_eval and journaled else (),
    )
