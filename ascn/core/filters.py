"""One definition of what a list is filtered by, shared by its page, its downloads and its API.

An app writes its filters once, as a frozen dataclass in its `queries.py`: each field's type (a
`TextChoices` for a closed vocabulary), default and check (`OneOf`, `Text`), with pydantic's `Field` for
the API documentation:

    @dataclass(frozen=True)
    class ProjectFilters:
        city: Annotated[str | None, Field(description="City slug"), Text()] = None
        status: Annotated[ProjectStatus | None, OneOf(ProjectStatus)] = None
        q: Annotated[str | None, Text(100)] = None
        sort: Annotated[ProjectSort, OneOf(ProjectSort)] = ProjectSort.TITLE

* Code builds one directly, unchecked: `ProjectFilters(city="da-nang")`.
* A page or a download reads its query string with `read(ProjectFilters, request.GET)`: the filters, or
  `InvalidFilters` whose `errors` are `[{"field", "message"}]` (the page shows them, a download answers 422).
* The API declares `ProjectQuery = query_schema(ProjectFilters)` and takes `filters: Query[ProjectQuery]`:
  django-ninja checks the same fields with the same messages and answers 422 in the common error format
  (`core/api.py`); `ProjectFilters(**filters.dict())` gives the filters.

Every channel trims the spaces around a value and reads a blank value as not given.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from enum import Enum
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar, get_type_hints

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler, TypeAdapter, ValidationError, create_model
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, PydanticUseDefault, core_schema

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

F = TypeVar("F", bound="DataclassInstance")


class InvalidFilters(ValueError):
    """Values a list cannot be filtered by; `errors` name each field with its message."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))


def _given(value: Any) -> Any:
    """The value without surrounding spaces; a blank one is not given (the field keeps its default)."""
    if isinstance(value, str):
        value = value.strip()
        if not value:
            raise PydanticUseDefault()
    return value


def _refused(message: str) -> PydanticCustomError:
    return PydanticCustomError("invalid_filter", "{message}", {"message": message})


class _Check:
    """Pydantic metadata that runs `check` on the raw value before the field's type is checked."""

    def check(self, value: Any) -> Any:
        raise NotImplementedError

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        check: Callable[[Any], Any] = self.check
        return core_schema.no_info_before_validator_function(check, handler(source))


@dataclasses.dataclass(frozen=True)
class OneOf(_Check):
    """One value of a closed vocabulary (a `TextChoices`)."""

    choices: type[Enum]

    def check(self, value: Any) -> Any:
        value = _given(value)
        allowed = [str(choice.value) for choice in self.choices]
        if value in allowed:
            return value
        raise _refused(_("%(value)r is not one of %(allowed)s") % {"value": value, "allowed": ", ".join(allowed)})


@dataclasses.dataclass(frozen=True)
class Text(_Check):
    """Free text, at most `limit` characters when a limit is given."""

    limit: int | None = None

    def check(self, value: Any) -> Any:
        value = _given(value)
        if self.limit is not None and isinstance(value, str) and len(value) > self.limit:
            raise _refused(_("is longer than %(limit)d characters") % {"limit": self.limit})
        return value

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        result = handler(schema)
        if self.limit is not None:
            for branch in result.get("anyOf", [result]):
                if branch.get("type") == "string":
                    branch["maxLength"] = self.limit
        return result


@cache
def _adapter(filters: type[F]) -> TypeAdapter[F]:
    return TypeAdapter(filters)


def read(filters: type[F], data: Mapping[str, Any]) -> F:
    """The filters given in `data` (a query string's QueryDict: the last value of a repeated name; names that
    are not filters are ignored). Raises InvalidFilters naming every field at fault."""
    given = {f.name: data[f.name] for f in dataclasses.fields(filters) if f.name in data}
    try:
        return _adapter(filters).validate_python(given)
    except ValidationError as exc:
        raise InvalidFilters([{"field": ".".join(str(part) for part in error["loc"]), "message": error["msg"]}
                              for error in exc.errors(include_url=False)]) from None


def query_schema(filters: type[DataclassInstance]) -> type[Schema]:
    """A django-ninja schema of the query parameters: the fields of `filters` with their types, defaults,
    checks and descriptions."""
    hints = get_type_hints(filters, include_extras=True)
    fields: dict[str, Any] = {f.name: (hints[f.name], f.default) for f in dataclasses.fields(filters)}
    return create_model(f"{filters.__name__}Query", __base__=Schema, __doc__=filters.__doc__, **fields)
