import urllib.parse

from django.db import connection


def test_database_url() -> str:
    """The test database as a DATABASE_URL, for processes the tests start (worker, make run)."""
    s = connection.settings_dict
    auth = s["USER"] + (f":{urllib.parse.quote(s['PASSWORD'], safe='')}" if s["PASSWORD"] else "")
    socket_dir = s["OPTIONS"].get("host", "")
    if socket_dir.startswith("/"):  # a Unix socket directory (the embedded server)
        return f"postgres://{auth}@/{s['NAME']}?host={socket_dir}"
    port = f":{s['PORT']}" if s["PORT"] else ""
    return f"postgres://{auth}@{s['HOST'] or 'localhost'}{port}/{s['NAME']}"


test_database_url.__test__ = False  # a helper, not a test
