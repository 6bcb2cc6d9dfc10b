"""The one COPY writer: bulk rows into PostgreSQL for demo data and imports at bank scale.

Rows are Python values (str, int, float, Decimal, bool, None, date, aware datetime, lists
for array columns); psycopg's `Copy.write_row` turns each into COPY's format, so nothing here
or in a caller escapes text by hand, and timestamps carry their own time zone (build them
with `local_datetime`, in the bank's zone, never with a hard-coded offset).

    from crm.pgcopy import copy_rows, local_datetime, sequence_reset

    n = copy_rows("customers_lifeevent", ["customer_id", "kind", "event_date"], rows)
    sequence_reset("customers_lifeevent")  # when the rows carried explicit ids

`copy_rows` runs on Django's connection, so it joins the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from psycopg import sql


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """COPY `rows` (sequences of values in `columns` order) into `table`; returns the count.

    Raises psycopg's errors (through Django's wrappers) if PostgreSQL refuses a row; inside a
    transaction nothing of the COPY is then written.
    """
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    count = 0
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        write_row = copy.write_row
        for row in rows:
            write_row(row)
            count += 1
    return count


@contextmanager
def indexes_deferred(*tables: str) -> Iterator[None]:
    """Drop the secondary indexes of `tables` for the duration of a bulk load, then build them
    again, each in one sorted pass (minutes cheaper than maintaining them row by row at the
    demo's 10 million rows). Indexes that back a constraint (primary key, unique) stay.

    Use it inside the load's transaction, right after the tables were emptied: until the
    indexes are back, queries on these tables are slow and other sessions wait on the lock
    DROP INDEX takes. If the block raises, the transaction's rollback restores the indexes.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT ix.relname, pg_get_indexdef(i.indexrelid)
            FROM pg_index i JOIN pg_class ix ON ix.oid = i.indexrelid
            WHERE i.indrelid = ANY(%s::regclass[])
              AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid)
            ORDER BY 1
            """,
            [list(tables)],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    yield
    with connection.cursor() as cursor:
        # CREATE INDEX refuses a table with deferred foreign-key checks still pending: run
        # them now, then defer again (Django's foreign keys are INITIALLY DEFERRED).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for _name, definition in indexes:
            cursor.execute(definition)
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def sequence_reset(table: str) -> None:
    """Move the table's id sequence past the ids that COPY wrote explicitly."""
    with connection.cursor() as cursor:
        query = sql.SQL(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
            "COALESCE((SELECT MAX(id) FROM {}), 0) + 1, false)"
        ).format(sql.Identifier(table))
        cursor.execute(query, [table])


def tables_truncate(tables: Iterable[str]) -> None:
    """Empty `tables` (and, by CASCADE, tables that point at them) and restart their ids."""
    names = sorted(set(tables))
    if not names:
        return
    with connection.cursor() as cursor:
        # Deferred foreign-key checks still pending would block TRUNCATE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(
                sql.SQL(", ").join(map(sql.Identifier, names))
            )
        )


@lru_cache(maxsize=4)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def bank_zone() -> ZoneInfo:
    """The bank's time zone (settings.TIME_ZONE)."""
    return _zone(settings.TIME_ZONE)


def local_datetime(day: dt.date, hour: int = 0, minute: int = 0) -> dt.datetime:
    """`day` at `hour`:`minute` on the bank's clock, as an aware datetime (its offset is the
    zone's on that day, daylight saving included)."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=bank_zone())
