"""Database helpers for the hot paths: the sweeps as tables grow, and the screening endpoint."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection
from django.db.models import Field, Model


def bulk_update_rows(objs: Sequence[Model], fields: Sequence[str]) -> None:
    """Write `fields` of many rows in one statement.

    Django's bulk_update builds a CASE per field and row, which costs about 2 ms a row in Python for
    the sweep's eight fields; on PostgreSQL one UPDATE … FROM (VALUES …) does the same in a fraction.
    Other databases (SQLite for `make run`) keep Django's way.
    """
    if not objs:
        return
    model = type(objs[0])
    if connection.vendor != "postgresql":
        model.objects.bulk_update(objs, fields)
        return
    meta = model._meta
    pk = meta.pk
    columns = [meta.get_field(name) for name in fields]
    row = "(" + ", ".join(f"%s::{field.db_type(connection)}" for field in (pk, *columns)) + ")"
    params: list[object] = []
    for obj in objs:
        params.append(pk.get_db_prep_value(obj.pk, connection))
        params.extend(field.get_db_prep_save(getattr(obj, field.attname), connection) for field in columns)
    names = ", ".join(connection.ops.quote_name(field.column) for field in (pk, *columns))
    assignments = ", ".join(
        f"{connection.ops.quote_name(field.column)} = v.{connection.ops.quote_name(field.column)}" for field in columns
    )
    table, key = connection.ops.quote_name(meta.db_table), connection.ops.quote_name(pk.column)
    sql = f"UPDATE {table} AS t SET {assignments} FROM (VALUES {', '.join([row] * len(objs))}) AS v({names}) WHERE t.{key} = v.{key}"  # noqa: S608, E501 - names come from the model, values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@dataclasses.dataclass(frozen=True)
class Of:
    """A lookup's value taken from an earlier lookup's row: `Of(0, "clinic")` is the first row's clinic."""

    lookup: int
    field: str


def _field(model: type[Model], name: str) -> Field:
    return model._meta.pk if name == "pk" else model._meta.get_field(name)


Shape = tuple[tuple[type[Model], tuple[tuple[str, Of | None], ...]], ...]


@functools.cache
def _row_reader(shape: Shape, vendor: str) -> tuple[str, list]:
    """The statement for a shape of lookups, and for each model its fields and their converters."""
    quote = connection.ops.quote_name
    columns: list[str] = []
    joins: list[str] = []
    readers = []
    for index, (model, filters) in enumerate(shape):
        alias = f"r{index}"
        fields = model._meta.concrete_fields
        columns.extend(f"{alias}.{quote(field.column)}" for field in fields)
        conditions = []
        for name, of in filters:
            # A constant is a parameter; Of() names the earlier row's column.
            value = "%s" if of is None else f"r{of.lookup}.{quote(_field(shape[of.lookup][0], of.field).column)}"
            conditions.append(f"{alias}.{quote(_field(model, name).column)} = {value}")
        joins.append(f"LEFT JOIN {quote(model._meta.db_table)} {alias} ON {' AND '.join(conditions)}")
        converters = []
        for field in fields:
            col = field.get_col(alias)
            converters.append((col, connection.ops.get_db_converters(col) + col.get_db_converters(connection)))
        attnames = [field.attname for field in fields]
        readers.append((model, attnames, attnames.index(model._meta.pk.attname), converters))
    sql = f"SELECT {', '.join(columns)} FROM (SELECT 1 AS one) o {' '.join(joins)}"  # noqa: S608 - names from models
    return sql, readers


def rows_by_keys(*lookups: tuple[type[Model], Mapping[str, Any]]) -> list[Model | None]:
    """One row of each model matched on equal fields (none when no row matches), in one statement.

    A value is a constant, or `Of(i, field)`: that field of the row lookup i found (a join). The
    hot paths read a few rows by key on every request (the screening endpoint its client and
    therapist, a webhook its integration and clinic): ORM queries cost about 0.6 ms each of query
    building on top of their round trips; this is one round trip and no building (the statement is
    made once per shape). Each lookup must match at most one row (a key).
    """
    shape: Shape = tuple(
        (model, tuple((name, value if isinstance(value, Of) else None) for name, value in filters.items()))
        for model, filters in lookups
    )
    sql, readers = _row_reader(shape, connection.vendor)
    params: list[Any] = []
    for model, filters in lookups:
        for name, value in filters.items():
            if isinstance(value, Of):
                continue
            field = _field(model, name)
            params.append(field.get_db_prep_value(value.pk if isinstance(value, Model) else value, connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    found: list[Model | None] = []
    offset = 0
    for model, attnames, pk_index, converters in readers:
        values = list(row[offset : offset + len(attnames)])
        offset += len(attnames)
        if values[pk_index] is None:  # no row matched
            found.append(None)
            continue
        for position, (col, functions) in enumerate(converters):
            for convert in functions:
                values[position] = convert(values[position], col, connection)
        found.append(model.from_db(connection.alias, attnames, values))
    return found
