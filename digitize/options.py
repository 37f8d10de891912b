"""A stage's options: how a stage declares them, and how pipeline files and `--set` values are
checked against that declaration.

A stage's `Options` is a frozen dataclass; its fields, defaults and `opt(..., help)` metadata are
the option schema that `digitize stages` prints and a pipeline file is validated against. The
canonical digest of an options value is part of every cache key.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import types
import typing
from dataclasses import dataclass, field
from typing import Any


def opt(default: Any, help: str) -> Any:
    """Declare an option: its default and the one-line help shown by `digitize stages`."""
    if isinstance(default, (list, dict, set)):
        raise TypeError("option defaults must be immutable (use a tuple)")
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True, slots=True)
class NoOptions:
    """A stage without options."""


@dataclass(frozen=True)
class OptionSpec:
    name: str
    type: Any
    default: Any
    help: str

    @property
    def type_name(self) -> str:
        return _type_name(self.type)


def option_specs(options_cls: type) -> list[OptionSpec]:
    hints = typing.get_type_hints(options_cls)
    return [
        OptionSpec(f.name, hints[f.name], f.default, f.metadata.get("help", ""))
        for f in dataclasses.fields(options_cls)
    ]


def _type_name(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if origin is typing.Literal:
        return " | ".join(repr(a) for a in typing.get_args(tp))
    if origin in (typing.Union, types.UnionType):
        return " | ".join(_type_name(a) for a in typing.get_args(tp))
    if origin is tuple:
        return f"list of {_type_name(typing.get_args(tp)[0])}"
    if tp is type(None):
        return "none"
    return getattr(tp, "__name__", str(tp))


def coerce_option(tp: Any, value: Any) -> Any:
    """Check `value` (from TOML or a `--set` string) against `tp`; return it converted.

    Raises ValueError with a message naming the expected type.
    """
    origin = typing.get_origin(tp)
    if origin is typing.Literal:
        choices = typing.get_args(tp)
        for c in choices:
            if value == c or (isinstance(value, str) and str(c) == value):
                return c
        raise ValueError(f"expected one of {', '.join(repr(c) for c in choices)}")
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        is_none = value is None or (isinstance(value, str) and value.lower() == "none")
        if is_none and type(None) in args:
            return None
        errors = []
        for a in args:
            if a is type(None):
                continue
            try:
                return coerce_option(a, value)
            except ValueError as e:
                errors.append(str(e))
        raise ValueError(" or ".join(errors))
    if origin is tuple:
        (item,) = typing.get_args(tp)[:1]
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, (list, tuple)):
            raise ValueError(f"expected a list of {_type_name(item)}")
        return tuple(coerce_option(item, v) for v in value)
    if tp is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "yes", "1", "on"):
            return True
        if isinstance(value, str) and value.lower() in ("false", "no", "0", "off"):
            return False
        raise ValueError("expected true or false")
    if tp is int:
        if isinstance(value, bool):
            raise ValueError("expected an integer")
        if isinstance(value, int):
            return value
        if isinstance(value, str):
            try:
                return int(value)
            except ValueError:
                pass
        raise ValueError("expected an integer")
    if tp is float:
        if isinstance(value, bool):
            raise ValueError("expected a number")
        if isinstance(value, (int, float)):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                pass
        raise ValueError("expected a number")
    if tp is str:
        if isinstance(value, str):
            return value
        raise ValueError("expected a string")
    raise ValueError(f"unsupported option type {_type_name(tp)}")


def options_digest(options: Any) -> str:
    """sha256 of the options as canonical JSON (key order, defaults included), shortened."""
    is_instance = dataclasses.is_dataclass(options) and not isinstance(options, type)
    data = dataclasses.asdict(options) if is_instance else {}
    blob = json.dumps(data, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]
