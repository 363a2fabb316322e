"""The filters kit (core/filters.py): one dataclass read from a query string, checked the same way for the
API, with the messages naming the field."""

from dataclasses import dataclass
from typing import Annotated

import pytest
from django.db import models
from django.http import QueryDict
from pydantic import Field

from ascn.core.filters import InvalidFilters, OneOf, Text, query_schema, read


class Colour(models.TextChoices):
    RED = "red", "Red"
    BLUE = "blue", "Blue"


@dataclass(frozen=True)
class Things:
    colour: Annotated[Colour | None, OneOf(Colour)] = None
    name: Annotated[str | None, Field(description="A name"), Text(5)] = None
    order: Annotated[Colour, OneOf(Colour)] = Colour.BLUE


def test_read_gives_the_filters_with_their_types_and_defaults():
    assert read(Things, QueryDict("colour=red&name=ab&other=1")) == Things(Colour.RED, "ab", Colour.BLUE)
    assert read(Things, QueryDict("")) == Things()
    assert read(Things, QueryDict("colour=+red+&name=%20ab%20&order=red")) == Things(Colour.RED, "ab", Colour.RED)
    assert read(Things, QueryDict("colour=&name=+&order=")) == Things()
    assert read(Things, QueryDict("colour=blue&colour=red")).colour == Colour.RED  # the last of a repeated name
    assert isinstance(read(Things, {"colour": "red"}).colour, Colour)


def test_read_names_every_field_at_fault():
    with pytest.raises(InvalidFilters) as refused:
        read(Things, QueryDict("colour=green&name=abcdef&order=RED"))
    assert refused.value.errors == [
        {"field": "colour", "message": "'green' is not one of red, blue"},
        {"field": "name", "message": "is longer than 5 characters"},
        {"field": "order", "message": "'RED' is not one of red, blue"},
    ]
    assert str(refused.value) == ("colour: 'green' is not one of red, blue; name: is longer than 5 characters; "
                                  "order: 'RED' is not one of red, blue")
    assert isinstance(refused.value, ValueError)


def test_code_builds_filters_unchecked():
    assert Things(name="far too long").name == "far too long"


def test_the_query_schema_checks_the_same_way_and_documents_the_fields():
    schema = query_schema(Things)
    assert schema.model_validate({"colour": " red ", "name": ""}).model_dump() == {
        "colour": Colour.RED, "name": None, "order": Colour.BLUE}
    assert Things(**schema.model_validate({"order": "red"}).model_dump()) == Things(order=Colour.RED)
    with pytest.raises(Exception) as refused:
        schema.model_validate({"colour": "green", "name": "abcdef"})
    assert [(e["loc"], e["msg"]) for e in refused.value.errors()] == [
        (("colour",), "'green' is not one of red, blue"), (("name",), "is longer than 5 characters")]
    properties = schema.model_json_schema()["properties"]
    assert properties["name"]["anyOf"] == [{"maxLength": 5, "type": "string"}, {"type": "null"}]
    assert properties["name"]["description"] == "A name"
    assert properties["order"]["default"] == "blue"
