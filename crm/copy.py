"""Bulk loading through PostgreSQL's COPY, for demo data and imports at bank scale."""

from collections.abc import Iterable, Sequence

from django.db import connection

CHUNK = 10_000


def _text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    text = str(value)
    if any(c in text for c in "\\\t\n\r"):
        text = (text.replace("\\", "\\\\").replace("\t", "\\t")
                .replace("\n", "\\n").replace("\r", "\\r"))
    return text


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """COPY `rows` into `table` (trusted names from code, never from input); return the count."""
    count = 0
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        buffer: list[str] = []
        for row in rows:
            buffer.append("\t".join(_text(v) for v in row))
            count += 1
            if len(buffer) >= CHUNK:
                copy.write("\n".join(buffer) + "\n")
                buffer.clear()
        if buffer:
            copy.write("\n".join(buffer) + "\n")
    return count


def sequence_reset(table: str) -> None:
    """Move the table's id sequence past the ids that COPY wrote explicitly."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
        )
