"""What /healthz reports: each dependency checked with a short timeout."""

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from crm.jobs import last_runs
from crm.outbox import outbox_backlog


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except DatabaseError:
        connection.close_if_unusable_or_obsolete()
        return False


def broker_ok() -> bool:
    try:
        client = redis.Redis.from_url(
            settings.CELERY_BROKER_URL, socket_connect_timeout=2, socket_timeout=2
        )
        return bool(client.ping())
    except (redis.RedisError, OSError):
        return False


def health_report() -> dict:
    """The health document: `status` is ok, degraded (worker silent, or the outbox's oldest
    pending message older than OUTBOX_STALE_SECONDS) or down (a store down)."""
    db, broker = database_ok(), broker_ok()
    report: dict = {
        "database": "ok" if db else "down",
        "broker": "ok" if broker else "down",
        "worker": {"heartbeat_age_seconds": None, "status": "unknown"},
        "jobs": {},
        "outbox": {"pending": None, "oldest_pending_age_seconds": None},
    }
    if db:
        runs = last_runs()
        now = timezone.now()
        beat = runs.get("heartbeat")
        if beat is not None and beat.finished_at is not None:
            age = int((now - beat.finished_at).total_seconds())
            stale = age > settings.HEARTBEAT_STALE_SECONDS
            report["worker"] = {"heartbeat_age_seconds": age, "status": "stale" if stale else "ok"}
        else:
            report["worker"]["status"] = "no heartbeat yet"
        report["outbox"] = outbox_backlog()
        report["jobs"] = {
            job: {
                "started_at": run.started_at.isoformat(),
                "finished_at": run.finished_at.isoformat() if run.finished_at else None,
                "outcome": run.outcome,
                "rows": run.rows,
            }
            for job, run in runs.items()
        }
    if not (db and broker):
        report["status"] = "down"
    elif report["worker"]["status"] != "ok" or _outbox_stale(report["outbox"]):
        report["status"] = "degraded"
    else:
        report["status"] = "ok"
    return report


def _outbox_stale(backlog: dict) -> bool:
    age = backlog["oldest_pending_age_seconds"]
    return age is not None and age > settings.OUTBOX_STALE_SECONDS
