"""What a request that fails the schema is told, in Chinese and in English.

Pydantic's messages are English only; a Chinese reader must not get "请求内容有误：opens_at
Field required". Each error type pydantic reports gets a Chinese sentence here; the English
one is pydantic's own. An unknown type still gets a Chinese sentence (never English).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

_PLACE = {"body": "请求体", "query": "查询参数", "path": "路径参数", "header": "请求头"}


def _choices(ctx: Mapping[str, Any]) -> str:
    return str(ctx.get("expected", "")).replace(" or ", "、").replace(", ", "、")


# error type → Chinese sentence, given the error's ``ctx`` (limits, expected values…).
_ZH: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "missing": lambda c: "缺少必填项",
    "extra_forbidden": lambda c: "不允许此字段",
    "int_parsing": lambda c: "须为整数",
    "int_type": lambda c: "须为整数",
    "int_from_float": lambda c: "须为整数",
    "float_parsing": lambda c: "须为数字",
    "float_type": lambda c: "须为数字",
    "bool_parsing": lambda c: "须为 true 或 false",
    "bool_type": lambda c: "须为 true 或 false",
    "string_type": lambda c: "须为文本",
    "string_too_short": lambda c: f"长度不得少于 {c.get('min_length')} 个字符",
    "string_too_long": lambda c: f"长度不得超过 {c.get('max_length')} 个字符",
    "string_pattern_mismatch": lambda c: "格式不符",
    "string_unicode": lambda c: "须为有效的 Unicode 文本",
    "too_short": lambda c: f"至少需要 {c.get('min_length')} 项",
    "too_long": lambda c: f"最多 {c.get('max_length')} 项",
    "greater_than": lambda c: f"须大于 {c.get('gt')}",
    "greater_than_equal": lambda c: f"不得小于 {c.get('ge')}",
    "less_than": lambda c: f"须小于 {c.get('lt')}",
    "less_than_equal": lambda c: f"不得大于 {c.get('le')}",
    "literal_error": lambda c: f"须为以下之一：{_choices(c)}",
    "enum": lambda c: f"须为以下之一：{_choices(c)}",
    "list_type": lambda c: "须为列表",
    "dict_type": lambda c: "须为 JSON 对象",
    "model_type": lambda c: "须为 JSON 对象",
    "model_attributes_type": lambda c: "须为 JSON 对象",
    "datetime_parsing": lambda c: "须为带时区的日期时间，如 2026-12-01T09:00:00+08:00",
    "datetime_from_date_parsing": lambda c: "须为带时区的日期时间，如 2026-12-01T09:00:00+08:00",
    "datetime_type": lambda c: "须为带时区的日期时间，如 2026-12-01T09:00:00+08:00",
    "json_invalid": lambda c: "不是有效的 JSON",
    "json_type": lambda c: "不是有效的 JSON",
    "none_required": lambda c: "须为空",
    "value_error": lambda c: "取值无效",
}


def _where(loc: Sequence[Any]) -> tuple[str, str]:
    """The place in Chinese (请求体 / 查询参数 …) and the field path, e.g. ``opens_at``."""
    parts = list(loc)
    place = _PLACE.get(str(parts[0]), "") if parts else ""
    if parts and str(parts[0]) in _PLACE:
        parts = parts[1:]
    return place, ".".join(str(p) for p in parts)


def describe(errors: Sequence[Any]) -> tuple[str, str]:
    """The Chinese and the English sentence for the first of pydantic's errors."""
    first: Mapping[str, Any] = errors[0] if errors else {}
    place, field = _where(first.get("loc", ()))
    kind = str(first.get("type", ""))
    ctx = first.get("ctx") or {}
    zh_reason = _ZH[kind](ctx) if kind in _ZH else "格式或取值不符"
    en_reason = str(first.get("msg", "invalid value"))
    zh_field = field or place or "请求"
    en_field = field or "request"
    return f"请求内容有误：{zh_field} {zh_reason}", f"invalid request: {en_field}: {en_reason}"
