"""Hand-written statements for the few hot paths that run on every device call.

Compiling a queryset costs far more than running it: on the floor's busiest requests one ORM `get()` with
two joins took ~1 ms of Python and the same statement written out ~0.1 ms (PostgreSQL on loopback;
bench/floor_load.py measures the whole request). These helpers keep the model as the single source of
table and column names and of value conversion, and cache each statement's text per model and column set,
so only the WHERE clause is written by hand. Rows come back as model instances (`Model.from_db`, so a
column that was not selected is loaded on first use, as with `.only()`).

Only for models without save signals: `insert` skips them, and refuses a model that has listeners
(simple-history's, for one), so nothing that relies on them is bypassed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Field, Model, signals
from django.db.models.expressions import Col

M = TypeVar("M", bound=Model)
Converter = Callable[[Any, Any, Any], Any]


@contextmanager
def cursor() -> Iterator[Any]:
    """A cursor for hand-written statements, in the request's transaction.

    On PostgreSQL it is psycopg's own cursor, which sends parameters apart from the text (Django's binds
    them into the text in Python) and prepares a statement on the server once it has run a few times;
    database errors still surface as django.db's, so callers catch them as they would from the ORM.
    """
    if connection.vendor != "postgresql":
        with connection.cursor() as django_cursor:
            yield django_cursor
        return
    import psycopg  # only on PostgreSQL

    connection.ensure_connection()
    # psycopg.Cursor itself: the connection's default factory is Django's client-side binding cursor.
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as pg_cursor:
        yield pg_cursor


def fetch_all(statements: Sequence[tuple[str, Sequence[Any]]]) -> list[list[tuple[Any, ...]]]:
    """Each statement's rows, the statements run in order; on PostgreSQL sent together in one round trip.

    For statements that do not need each other's answers: the server still runs them one after another
    (a lock taken by the first holds for the second), only the waits in between are saved.
    """
    if connection.vendor != "postgresql":
        out = []
        with cursor() as cur:
            for text, params in statements:
                cur.execute(text, list(params))
                out.append(cur.fetchall())
        return out
    import psycopg

    connection.ensure_connection()
    pg = connection.connection
    with connection.wrap_database_errors:
        cursors = []
        with pg.pipeline():
            for text, params in statements:
                cur = psycopg.Cursor(pg)
                cur.execute(text, list(params))
                cursors.append(cur)
        try:
            return [cur.fetchall() for cur in cursors]
        finally:
            for cur in cursors:
                cur.close()


def _fields(model: type[Model], names: Sequence[str] | None) -> list[Field[Any, Any]]:
    opts = model._meta
    if names is None:
        return list(opts.concrete_fields)
    return [opts.get_field(n) for n in names]  # type: ignore[misc]


@functools.cache
def _converters(model: type[Model], names: tuple[str, ...] | None, vendor: str) -> list[list[Converter]]:
    """Per column, the backend's and the field's converters: what the ORM's compiler would apply."""
    out = []
    for field in _fields(model, names):
        col = Col(model._meta.db_table, field)
        out.append(list(connection.ops.get_db_converters(col)) + list(field.get_db_converters(connection)))
    return out


def columns(model: type[Model], names: Sequence[str] | None = None, *, alias: str = "") -> str:
    """The quoted column list for `names` (all concrete fields when None), optionally qualified."""
    quote = connection.ops.quote_name
    prefix = f"{alias}." if alias else ""
    return ", ".join(prefix + quote(str(f.column)) for f in _fields(model, names))


def convert(model: type[Model], names: Sequence[str] | None, row: Sequence[Any]) -> list[Any]:
    """A raw row's values as the fields' Python values (SQLite hands dates and times back as text)."""
    key = tuple(names) if names is not None else None
    values = list(row)
    for i, converters in enumerate(_converters(model, key, connection.vendor)):
        value = values[i]
        for conv in converters:
            value = conv(value, None, connection)
        values[i] = value
    return values


def instance(model: type[M], names: Sequence[str] | None, row: Sequence[Any]) -> M:
    """A model instance from a raw row whose leading columns are `names` (all concrete fields when None)."""
    fields = _fields(model, names)
    by_name = dict(zip((f.attname for f in fields), convert(model, names, row[: len(fields)]), strict=True))
    # from_db takes a partial row in the model's own field order.
    ordered = [f.attname for f in model._meta.concrete_fields if f.attname in by_name]
    return model.from_db(connection.alias, ordered, [by_name[n] for n in ordered])


def select(
    model: type[M],
    where: str,
    params: Sequence[Any],
    *,
    names: Sequence[str] | None = None,
    order_by: str = "",
) -> list[M]:
    """`SELECT <names> FROM <table> WHERE <where>` as instances; `where` uses the table's own column names."""
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"SELECT {columns(model, names)} FROM {table} WHERE {where}"
    if order_by:
        sql += f" ORDER BY {order_by}"
    with cursor() as cur:
        cur.execute(sql, list(params))
        return [instance(model, names, row) for row in cur.fetchall()]


@functools.cache
def _insert_sql(model: type[Model], vendor: str) -> tuple[str, tuple[Field[Any, Any], ...]]:
    if signals.pre_save.has_listeners(model) or signals.post_save.has_listeners(model):
        raise ImproperlyConfigured(f"{model.__name__} has save signals; write it with the ORM")
    opts = model._meta
    pk = opts.pk
    fields = tuple(f for f in opts.concrete_fields if f is not pk)
    quote = connection.ops.quote_name
    assert pk is not None
    names = ", ".join(quote(str(f.column)) for f in fields)
    sql = (
        f"INSERT INTO {quote(opts.db_table)} ({names}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {quote(str(pk.column))}"
    )
    return sql, fields


def insert(obj: M) -> M:
    """Write a new row for `obj` and set its primary key (as `save()` would, without signals)."""
    sql, fields = _insert_sql(type(obj), connection.vendor)
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    with cursor() as cur:
        cur.execute(sql, params)
        obj.pk = cur.fetchone()[0]
    obj._state.adding = False
    obj._state.db = connection.alias
    return obj


def insert_pair(parent: Model, child: Model, *, link: str) -> None:
    """Write `parent` and `child`, whose foreign key `link` points at it: one statement on PostgreSQL."""
    child_model = type(child)
    if connection.vendor != "postgresql":
        insert(parent)
        setattr(child, link, parent)
        insert(child)
        return
    parent_sql, parent_fields = _insert_sql(type(parent), connection.vendor)
    _, child_fields = _insert_sql(child_model, connection.vendor)
    link_field = child_model._meta.get_field(link)
    quote = connection.ops.quote_name
    others = [f for f in child_fields if f is not link_field]
    child_columns = ", ".join(quote(str(f.column)) for f in others) + ", " + quote(str(link_field.column))  # type: ignore[union-attr]
    parent_pk, child_pk = type(parent)._meta.pk, child_model._meta.pk
    assert parent_pk is not None and child_pk is not None
    sql = (
        f"WITH parent AS ({parent_sql}) INSERT INTO {quote(child_model._meta.db_table)} ({child_columns}) "
        f"SELECT {', '.join(['%s'] * len(others))}, parent.{quote(str(parent_pk.column))} FROM parent "
        f"RETURNING (SELECT * FROM parent), {quote(str(child_pk.column))}"
    )
    params = [f.get_db_prep_save(f.pre_save(parent, True), connection) for f in parent_fields]
    params += [f.get_db_prep_save(f.pre_save(child, True), connection) for f in others]
    with cursor() as cur:
        cur.execute(sql, params)
        parent.pk, child.pk = cur.fetchone()
    for obj in (parent, child):
        obj._state.adding = False
        obj._state.db = connection.alias
    setattr(child, link, parent)


def value(field_owner: type[Model], name: str, python_value: Any) -> Any:
    """A Python value prepared for a hand-written statement's parameter, as the field would store it."""
    field = field_owner._meta.get_field(name)
    return field.get_db_prep_save(python_value, connection)  # type: ignore[union-attr]
