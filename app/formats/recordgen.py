"""app/formats/records.py, written from the schema's models: a reader of valid documents that needs
no pydantic, for commands that start often (a pre-commit hook's `betgraph lint`).

Importing pydantic and building the models is most of such a command's start-up, while the models'
validators are our own parsers (app.formats.fields). The reader this writes calls the same parsers
in the same places, and adds what pydantic adds around them (the fields a mapping may hold, which
are required, the defaults, lists and their lengths, bounds). It reads only what it can vouch for:
given anything else it answers None, and pydantic decides (app.formats.document), so it can never
take a document the models refuse, only pass one on.

`python -m app.formats.recordgen` writes it; `--check` only says whether the committed file is
current (tests/formats/test_records.py checks it too).
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import types
import typing
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import annotated_types
from pydantic import BaseModel, BeforeValidator, WithJsonSchema
from pydantic.fields import FieldInfo

from app.domain import model as m
from app.formats import fields
from app.formats import schema as s
from app.formats.generated import ROOT, write_or_check

TARGET = Path(__file__).with_name("records.py")
MODELS: tuple[type[BaseModel], ...] = (
    s.Document,
    s.GraphDoc,
    s.LintDoc,
    s.BetDoc,
    s.MetricDoc,
    s.CheckInDoc,
    s.ResolutionDoc,
    s.AssumptionDoc,
    s.EvidenceDoc,
)

HEADER = '''"""The document's records, read without pydantic. Written by `python -m app.formats.recordgen` from
app.formats.schema's models: do not edit (tests/formats/test_records.py checks it is current).

`read(data)` is the document as records when every value is one the models take, with the same
parser and the same result; otherwise None, for the models to decide and to say why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from app.domain import model as m
from app.formats import fields as f

T = TypeVar("T")


class UnsureError(Exception):
    """A value the reader cannot vouch for: the models decide."""


_ABSENT: Any = object()


def _mapping(value: Any, names: frozenset[str]) -> dict[str, Any]:
    if type(value) is not dict or not names.issuperset(value):
        raise UnsureError
    return value


def _or(value: dict[str, Any], name: str, default: T, parse: Callable[[Any], T]) -> T:
    found = value.get(name, _ABSENT)
    return default if found is _ABSENT else parse(found)


def _optional(value: dict[str, Any], name: str, parse: Callable[[Any], T]) -> T | None:
    found = value.get(name)
    return None if found is None else parse(found)


def _list(value: Any, parse: Callable[[Any], T], most: int | None) -> list[T]:
    if type(value) is not list or (most is not None and len(value) > most):
        raise UnsureError
    return [parse(item) for item in value]


def _between(value: int, least: int, most: int) -> int:
    if not least <= value <= most:
        raise UnsureError
    return value
'''

FOOTER = '''

def read(data: Any) -> Document | None:
    """`data` (parsed YAML or JSON, or stored) as records, or None for the models to decide."""
    try:
        return _read_document(data)
    except (UnsureError, LookupError, TypeError, ValueError):
        return None
'''


@dataclass
class _Writer:
    helpers: list[str] = field(default_factory=list)
    names: dict[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Each parser the models call, by the name it has in app.formats.fields.
        for name, value in vars(fields).items():
            if callable(value) and not isinstance(value, type):
                self.names.setdefault(id(value), f"f.{name}")

    def parser_name(self, func: Any) -> str:
        try:
            return self.names[id(func)]
        except KeyError:
            raise TypeError(f"{func!r} has no name in app.formats.fields: give it one") from None


def _record(model: type[BaseModel]) -> str:
    return model.__name__


def _reader(model: type[BaseModel]) -> str:
    return f"_read_{_snake(model.__name__)}"


def _snake(name: str) -> str:
    return "".join(f"_{ch.lower()}" if ch.isupper() and i else ch.lower() for i, ch in enumerate(name))


def _split(annotation: Any) -> tuple[Any, list[Any]]:
    """An annotation without its Annotated layers, and their metadata (outer layer first)."""
    metadata: list[Any] = []
    while typing.get_origin(annotation) is typing.Annotated:
        annotation, *extra = typing.get_args(annotation)
        metadata = [*metadata, *extra]
    return annotation, metadata


def _flat(metadata: list[Any]) -> list[Any]:
    # Field(ge=1, le=5) inside an Annotated is a FieldInfo holding the constraints.
    found: list[Any] = []
    for item in metadata:
        found.extend(_flat(item.metadata) if isinstance(item, FieldInfo) else [item])
    return found


def _is_optional(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in typing.get_args(
        annotation
    )


def _without_none(annotation: Any) -> Any:
    rest = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
    if len(rest) != 1:
        raise TypeError(f"only X | None unions are read: {annotation!r}")
    return rest[0]


def _type_text(annotation: Any) -> str:
    annotation, _ = _split(annotation)
    if _is_optional(annotation):
        return f"{_type_text(_without_none(annotation))} | None"
    if typing.get_origin(annotation) is list:
        return f"list[{_type_text(typing.get_args(annotation)[0])}]"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _record(annotation)
    if annotation in (str, int, float):
        return str(annotation.__name__)
    if annotation is dt.date:
        return "dt.date"
    name = getattr(annotation, "__name__", "")
    if isinstance(annotation, type) and getattr(m, name, None) is annotation:
        return f"m.{name}"
    raise TypeError(f"no record type for {annotation!r}")


def _default_text(value: Any) -> str:
    if isinstance(value, Enum) and getattr(m, type(value).__name__, None) is type(value):
        return f"m.{type(value).__name__}.{value.name}"
    if value is None or isinstance(value, str | bool | int | float):
        return repr(value)
    if isinstance(value, list) and not value:
        return "[]"
    if isinstance(value, m.Horizon):
        return f"m.Horizon.parse({value.text!r})"
    raise TypeError(f"no literal for the default {value!r}")


def _parser(writer: _Writer, annotation: Any, metadata: list[Any], where: str) -> str:
    """An expression for a callable that reads a value of `annotation` as the models do, or raises."""
    inner, more = _split(annotation)
    metadata = _flat([*metadata, *more])
    validators = [item.func for item in metadata if isinstance(item, BeforeValidator)]
    least = next((item.ge for item in metadata if isinstance(item, annotated_types.Ge)), None)
    most = next((item.le for item in metadata if isinstance(item, annotated_types.Le)), None)
    longest = next((item.max_length for item in metadata if isinstance(item, annotated_types.MaxLen)), None)
    # WithJsonSchema says what the JSON Schema shows, and changes nothing read
    known = (BeforeValidator, WithJsonSchema, annotated_types.Ge, annotated_types.Le, annotated_types.MaxLen)
    ignored = [item for item in metadata if not isinstance(item, known)]
    if ignored:
        raise TypeError(f"{where}: no reading for {ignored!r}")
    if len(validators) > 1:
        raise TypeError(f"{where}: more than one validator in one place")
    if typing.get_origin(inner) is list:
        item = _parser(writer, typing.get_args(inner)[0], [], f"{where}[]")
        value = f"{writer.parser_name(validators[0])}(x)" if validators else "x"
        return _helper(
            writer, where, f"list[{_type_text(typing.get_args(inner)[0])}]", f"_list({value}, {item}, {longest})"
        )
    if longest is not None:
        raise TypeError(f"{where}: a length bound on something other than a list")
    if isinstance(inner, type) and issubclass(inner, BaseModel):
        if validators or least is not None or most is not None:
            raise TypeError(f"{where}: a validator on a model")
        return _reader(inner)
    if not validators:
        raise TypeError(f"{where}: {inner!r} without a parser of ours; the reader reads only what our parsers read")
    parse = writer.parser_name(validators[0])
    if least is None and most is None:
        return parse
    if least is None or most is None:
        raise TypeError(f"{where}: a bound on one side only")
    return _helper(writer, where, _type_text(inner), f"_between({parse}(x), {least!r}, {most!r})")


def _helper(writer: _Writer, where: str, returns: str, body: str) -> str:
    name = "_" + "".join(ch if ch.isalnum() else "_" for ch in where).strip("_")
    writer.helpers.append(f"def {name}(x: Any) -> {returns}:\n    return {body}\n")
    return name


def _field_value(writer: _Writer, model: type[BaseModel], name: str, info: FieldInfo) -> str:
    where = f"{_snake(model.__name__)}_{name}"
    field_level = [item for item in info.metadata if isinstance(item, BeforeValidator)]
    if info.is_required():
        return f"{_parser(writer, info.annotation, info.metadata, where)}(v[{name!r}])"
    default = info.get_default(call_default_factory=True)
    if default is None and _is_optional(info.annotation) and not field_level:
        # absent or null: null is what pydantic takes for X | None before trying X
        parse = _parser(writer, _without_none(info.annotation), info.metadata, where)
        return f"_optional(v, {name!r}, {parse})"
    return f"_or(v, {name!r}, {_default_text(default)}, {_parser(writer, info.annotation, info.metadata, where)})"


def _check_config(model: type[BaseModel]) -> None:
    config = model.model_config
    if config.get("extra") != "forbid" or config.get("allow_inf_nan") is not False:
        raise TypeError(f"{model.__name__}: the reader assumes extra='forbid' and allow_inf_nan=False")
    if any(info.alias or info.validation_alias for info in model.model_fields.values()):
        raise TypeError(f"{model.__name__}: the reader reads no aliases")
    if model.__pydantic_decorators__.model_validators or model.__pydantic_decorators__.field_validators:
        raise TypeError(f"{model.__name__}: the reader knows no validators but the fields' own")


def _class(model: type[BaseModel]) -> str:
    names = list(model.model_fields)
    typed = ", ".join(f"{name}: {_type_text(info.annotation)}" for name, info in model.model_fields.items())
    lines = [
        f"class {_record(model)}:",
        f'    """{(model.__doc__ or "").strip()}"""',
        "",
        f"    __slots__ = ({', '.join(repr(name) for name in sorted(names))},)",
        "",
        f"    def __init__(self, *, {typed}) -> None:",
        *(f"        self.{name} = {name}" for name in names),
        "",
        "    def asdict(self) -> dict[str, Any]:",
        f"        return {{{', '.join(f'{name!r}: self.{name}' for name in names)}}}",
    ]
    return "\n".join(lines) + "\n"


def _function(writer: _Writer, model: type[BaseModel]) -> str:
    constant = f"_{_snake(model.__name__).upper()}_FIELDS"
    values = [f"        {name}={_field_value(writer, model, name, info)}," for name, info in model.model_fields.items()]
    return (
        f"{constant} = frozenset({sorted(model.model_fields)!r})\n\n\n"
        f"def {_reader(model)}(value: Any) -> {_record(model)}:\n"
        f"    v = _mapping(value, {constant})\n"
        f"    return {_record(model)}(\n" + "\n".join(values) + "\n    )\n"
    )


def render() -> str:
    writer = _Writer()
    parts = [HEADER]
    for model in MODELS:
        _check_config(model)
        parts.append(_class(model))
    functions = [_function(writer, model) for model in MODELS]
    parts.extend(writer.helpers)
    parts.extend(functions)
    text = "\n\n".join(part.rstrip("\n") + "\n" for part in parts) + FOOTER
    # formatted as the project formats its code, so that `ruff format --check` holds for it
    done = subprocess.run(  # noqa: S603 - our own interpreter's ruff, on text we wrote
        [sys.executable, "-m", "ruff", "format", "--stdin-filename", str(TARGET), "-"],
        input=text,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return done.stdout


def main(argv: list[str]) -> int:
    return write_or_check(argv, TARGET, render, "app.formats.recordgen")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
