"""Params: the checks of a message's params, which raise `_InvalidParams` (a
request is answered with -32602, a notification is logged and dropped).
"""

from __future__ import annotations

from typing import Any


class _InvalidParams(Exception):
    pass


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _InvalidParams(f"{where} must be an object")
    return value


def _field(mapping: dict[str, Any], key: str, kind: type, where: str) -> Any:
    value = mapping.get(key)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise _InvalidParams(f"{where}.{key} must be a {kind.__name__}")
    return value


def _uri(params: dict[str, Any]) -> str:
    document = _object(params.get("textDocument"), "params.textDocument")
    return _field(document, "uri", str, "params.textDocument")
