"""API schemas every router answers with: errors and references to shared objects
(a territory, a term of the vocabulary). One class each, so the OpenAPI document names one
component per shape."""

from ninja import Schema


class ErrorOut(Schema):
    detail: str


class FieldError(Schema):
    field: str
    message: str


class ErrorsOut(Schema):
    detail: str
    errors: list[FieldError]


class Term(Schema):
    code: str
    label: str


class TerritoryRef(Schema):
    level: str
    code: str
    name: str
