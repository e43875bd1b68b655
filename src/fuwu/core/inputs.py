"""One input layer: each action has one schema (a Ninja `Schema`), used by its API endpoint and its HTML view.

The API gets the schema as its body type (Ninja validates it; `fuwu/api.py` turns the errors into the one
error shape with `field_errors`). An HTML view calls `parse(Schema, request.POST)`; a failure raises
`ValidationFailed` whose details are the same translated `{field, reason}` rows, and `FormState.failed`
carries what the user typed back into the re-rendered form.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from ninja import Field, Schema
from ninja.files import UploadedFile
from pydantic import ValidationError

from fuwu.core.errors import ValidationFailed

S = TypeVar("S", bound=Schema)

# pydantic error type → message in the user's language; `ctx` values fill the placeholders.
_MESSAGES: dict[str, str] = {
    "missing": N_("This field is required."),
    "string_too_short": N_("Enter at least %(min_length)s characters."),
    "string_too_long": N_("Enter at most %(max_length)s characters."),
    "too_short": N_("Choose at least %(min_length)s."),
    "too_long": N_("Choose at most %(max_length)s."),
    "int_parsing": N_("Enter a whole number."),
    "int_type": N_("Enter a whole number."),
    "int_from_float": N_("Enter a whole number."),
    "float_parsing": N_("Enter a number."),
    "float_type": N_("Enter a number."),
    "decimal_parsing": N_("Enter a number."),
    "finite_number": N_("Enter a finite number."),
    "bool_parsing": N_("Choose yes or no."),
    "bool_type": N_("Choose yes or no."),
    "date_parsing": N_("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_parsing": N_("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_inexact": N_("Enter a date as YYYY-MM-DD."),
    "date_type": N_("Enter a date as YYYY-MM-DD."),
    "datetime_parsing": N_("Enter a date and time."),
    "datetime_from_date_parsing": N_("Enter a date and time."),
    "datetime_type": N_("Enter a date and time."),
    "time_parsing": N_("Enter a time as HH:MM."),
    "greater_than": N_("Enter a value greater than %(gt)s."),
    "greater_than_equal": N_("Enter a value of at least %(ge)s."),
    "less_than": N_("Enter a value less than %(lt)s."),
    "less_than_equal": N_("Enter a value of at most %(le)s."),
    "enum": N_("Choose one of the offered values."),
    "literal_error": N_("Choose one of the offered values."),
    "string_pattern_mismatch": N_("The value has the wrong format."),
    "string_type": N_("Enter text."),
    "list_type": N_("Choose from the list."),
    "dict_type": N_("This value is not valid."),
    "model_attributes_type": N_("The request body must be a JSON object."),
    "json_invalid": N_("The request body is not valid JSON."),
}
_FALLBACK = N_("This value is not valid.")


def _translated(kind: str, ctx: Mapping[str, Any]) -> str:
    template = _MESSAGES.get(kind)
    if template is None:
        return _(_FALLBACK)
    text = _(template)
    try:
        return text % dict(ctx)
    except (KeyError, TypeError, ValueError):
        return text


def field_errors(errors: Iterable[Mapping[str, Any]], *, skip: int = 0) -> list[dict[str, Any]]:
    """pydantic's error list → [{field, reason, code}] in the active language.

    `skip` drops leading location parts that are not field names (Ninja's ("body", "payload", …)).
    A validator's own `ValueError` message is kept: validators raise translated text.
    """
    rows = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ())][skip:]
        kind = str(err.get("type", ""))
        ctx = err.get("ctx") or {}
        if kind == "value_error" and "error" in ctx:
            reason = str(ctx["error"])
        else:
            reason = _translated(kind, ctx)
        rows.append({"field": ".".join(loc) or None, "reason": reason, "code": kind})
    return rows


def _is_list(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (list, set, tuple, frozenset):
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_is_list(a) for a in typing.get_args(annotation) if a is not type(None))
    return False


def _as_dict(schema: type[Schema], data: Mapping[str, Any]) -> dict[str, Any]:
    """A form's fields as the schema expects them: lists for list fields, blank non-text fields left out.

    A blank date or number in an HTML form means "not given" (so the schema's default or "required"
    applies), not the empty string; an unchecked checkbox is absent, which a bool field with a default
    reads as False.
    """
    out: dict[str, Any] = {}
    for name, info in schema.model_fields.items():
        key = info.alias or name
        if isinstance(data, QueryDict) and _is_list(info.annotation):
            values = [v for v in data.getlist(key) if v != ""]
            if values or key in data:
                out[key] = values
            continue
        if key not in data:
            continue
        value = data[key]
        if value == "" and info.annotation is not str:
            continue
        out[key] = value
    return out


def parse(schema: type[S], data: Mapping[str, Any]) -> S:
    """Validate a form (or any mapping) with the action's schema; ValidationFailed names each bad field."""
    try:
        return schema.model_validate(_as_dict(schema, data))
    except ValidationError as exc:
        raise ValidationFailed(
            _("Please correct the marked fields."), details=field_errors(exc.errors(include_url=False))
        ) from exc


@dataclass
class FormState:
    """What a re-rendered form needs: the values as typed and each field's error, for `{{ form.errors.x }}`."""

    values: Mapping[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    message: str = ""

    @classmethod
    def failed(cls, data: Mapping[str, Any], exc: ValidationFailed) -> FormState:
        errors: dict[str, str] = {}
        for row in exc.details if isinstance(exc.details, list) else []:
            name = row.get("field") or "general"
            errors.setdefault(str(name), str(row.get("reason", "")))
        values = data.dict() if isinstance(data, QueryDict) else dict(data)
        values.pop("csrfmiddlewaretoken", None)
        return cls(values=values, errors=errors, message=exc.message)


# The OpenAPI schema states what the validators enforce (#18), so a client (and schemathesis's valid
# requests) can know it; the validators still word the refusal in the user's language.


def one_of(values: Iterable[str], **kwargs: Any) -> Any:
    """A Field holding one code of a fixed set, listed in the schema as an enum."""
    return Field(json_schema_extra={"enum": list(values)}, **kwargs)


def trimmed(min_chars: int, max_length: int, **kwargs: Any) -> Any:
    """A text Field whose validator strips it and wants at least `min_chars` characters left."""
    # A non-blank first and last character with enough between them, whatever whitespace surrounds them.
    pattern = r"^\s*\S[\s\S]*$" if min_chars == 1 else rf"^\s*\S[\s\S]{{{min_chars - 2},}}\S\s*$"
    return Field(
        max_length=max_length, json_schema_extra={"minLength": min_chars, "pattern": pattern}, **kwargs
    )


class NonEmptyFile(UploadedFile):
    """An uploaded file of at least one byte, as its schema says (#18).

    Django's multipart parser drops an empty file, so the field arrives missing and Ninja refuses it
    (422); a schema without `minLength` called that upload valid.
    """

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> dict[str, Any]:
        return {"type": "string", "format": "binary", "minLength": 1}
