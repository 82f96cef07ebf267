"""``section.field=value`` overrides from the command line (``train.py --set``, ``bench/quality.py --set``).

:func:`parse_overrides` turns ``["lr=2e-4", "model.width=24", "sketch.method=canny"]`` into
the nested dict that :func:`config.defaults.train_config` takes
(``{"lr": 0.0002, "model": {"width": 24}, "sketch": {"method": "canny"}}``): every key is
looked up in the config dataclasses, so an unknown key is refused with the list of valid
ones, and each value is converted to its field's type (``true``/``false`` for switches,
``null`` for an optional field left unset).
"""
from __future__ import annotations

import dataclasses

from config.defaults import TrainConfig
from utils.errors import InputError

_TRUE, _FALSE = ("true", "yes", "on", "1"), ("false", "no", "off", "0")


def _convert(key: str, text: str, field: dataclasses.Field):
    kind = str(field.type).replace(" ", "")
    optional = kind.endswith("|None") or kind.startswith("None|")
    base = kind.replace("|None", "").replace("None|", "")
    if optional and text.lower() == "null":
        return None
    try:
        if base == "bool":
            if text.lower() not in _TRUE + _FALSE:
                raise ValueError
            return text.lower() in _TRUE
        if base == "int":
            return int(text)
        if base == "float":
            return float(text)
    except ValueError:
        raise InputError(f"--set {key}={text}: {key} takes a{'n' if base == 'int' else ''} {base}") from None
    return text


def parse_overrides(items: list[str], cls=TrainConfig) -> dict:
    """``["a.b=value", ...]`` -> nested overrides for ``cls``, values converted to the fields' types."""
    out: dict = {}
    for item in items:
        key, eq, text = item.partition("=")
        if not eq or not key:
            raise InputError(f"--set takes section.field=value, got {item!r}")
        node, target, parts = out, cls, key.split(".")
        for depth, name in enumerate(parts):
            fields = {f.name: f for f in dataclasses.fields(target)}
            prefix = ".".join(parts[:depth])
            if name not in fields:
                where = f"{prefix}." if prefix else ""
                raise InputError(f"--set {key}: unknown key {where}{name}; valid: "
                                 + ", ".join(f"{where}{n}" for n in fields))
            sub = _section(target, name)
            if depth == len(parts) - 1:
                if sub is not None:
                    raise InputError(f"--set {key}: {key} is a section; set one of its fields: "
                                     + ", ".join(f"{key}.{f.name}" for f in dataclasses.fields(sub)))
                node[name] = _convert(key, text, fields[name])
            elif sub is None:
                raise InputError(f"--set {key}: {'.'.join(parts[:depth + 1])} is a field, not a section")
            else:
                node, target = node.setdefault(name, {}), sub
    return out


def _section(cls, name: str):
    """The dataclass type of field ``name`` of ``cls`` if it is a nested config, else None."""
    value = getattr(cls(), name)
    return type(value) if dataclasses.is_dataclass(value) else None


def merge_overrides(base: dict, over: dict) -> dict:
    """Nested override dicts combined, ``over`` winning key by key (``{"model": {...}}`` merge, not replace)."""
    out = dict(base)
    for key, value in over.items():
        out[key] = merge_overrides(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) \
            else value
    return out
