#!/bin/bash
# The insights benchmark at 1M customers in its own embedded PostgreSQL cluster (var/pgbench),
# so the test database is untouched. Run from the repository root:
#   flock /work/bench.lock bash scripts/bench_insights_1m.sh
# Remove var/pgbench afterwards (it holds several GB).
set -e
PG="import sys; sys.path.insert(0, '.'); from pathlib import Path; import pgserver, psycopg
from crm.devenv import PG_TUNING, postgres_stop
d = Path('var/pgbench').resolve(); fresh = not (d / 'PG_VERSION').exists()
s = pgserver.get_server(d, cleanup_mode=None)
if fresh:
    [s.psql(f\"ALTER SYSTEM SET {k} = '{v}';\") for k, v in PG_TUNING.items()]
    postgres_stop(d); s = pgserver.get_server(d, cleanup_mode=None)
c = psycopg.connect(s.get_uri('postgres'), autocommit=True)
if not c.execute(\"SELECT 1 FROM pg_database WHERE datname = 'crm'\").fetchone():
    c.execute('CREATE DATABASE crm')
print(s.get_uri('crm'))"
export DATABASE_URL="$(.venv/bin/python -c "$PG")"
RUN=".venv/bin/python -m crm.devenv exec --"
$RUN .venv/bin/python manage.py migrate --no-input -v 0
/usr/bin/time -f "seed_demo: %e s wall, %M KB max RSS" \
    $RUN .venv/bin/python manage.py seed_demo --reset --customers 1000000
/usr/bin/time -f "bench: %e s wall, %M KB max RSS" $RUN .venv/bin/python scripts/bench_insights.py
.venv/bin/python -c "import sys; sys.path.insert(0, '.'); from pathlib import Path
from crm.devenv import postgres_stop; postgres_stop(Path('var/pgbench').resolve())"
