"""Demo data as an ordered list of app steps (settings.SEED_DEMO_STEPS), run by `seed_demo`.

Each app that has demo data has `<app>/seed.py` with

    def seed_step(ctx: SeedContext) -> str:
        '''Write this app's demo rows with crm.pgcopy (COPY, never ORM saves per row).'''
        org = ctx.facts["organisation"]        # what an earlier step left for later ones
        ...
        ctx.log("12,000 things")               # optional progress lines
        return "12,000 things, 3,000 others"   # the step's one-line summary

and one line in settings.SEED_DEMO_STEPS, after the steps whose rows it needs. Before the
steps run, `seed_demo --reset` empties every table of the project's apps (`demo_tables`,
derived from the app registry) except the reference data in settings.SEED_DEMO_KEEP, so a
new app needs nothing else. All steps run in one transaction; ANALYZE follows.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.module_loading import import_string


@dataclass
class SeedContext:
    """What every seed step gets: a seeded `rng` (so the same --seed gives the same data),
    the bank's `today`, the number of `customers` asked for, the demo users' `password`, a
    `facts` dict earlier steps fill for later ones, and `log(text)` for progress lines."""

    rng: random.Random
    today: dt.date
    customers: int
    password: str
    facts: dict[str, Any] = field(default_factory=dict)
    log: Callable[[str], None] = field(default=lambda text: None)

    def analyze(self) -> None:
        """Refresh the planner's statistics now (ANALYZE; the transaction's own rows count),
        for a step whose queries read what earlier steps wrote. seed_demo analyzes again at
        the end."""
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


SeedStep = Callable[[SeedContext], str]


def seed_steps() -> list[tuple[str, SeedStep]]:
    """(dotted path, function) for each entry of settings.SEED_DEMO_STEPS, in order.

    Raises ImportError for a path that does not resolve."""
    return [(path, import_string(path)) for path in settings.SEED_DEMO_STEPS]


def project_app_configs() -> list:
    """The apps that are this project's (their code lives under BASE_DIR), not Django's or a
    library's."""
    base = Path(settings.BASE_DIR).resolve()
    return [
        config
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(base)
        and ".venv" not in Path(config.path).resolve().relative_to(base).parts
    ]


def demo_tables() -> list[str]:
    """Every table seed_demo --reset empties: all models of the project's apps (history and
    many-to-many tables included), the user table and the sessions (a session of a deleted
    user must not sign in whoever gets that id next), less settings.SEED_DEMO_KEEP."""
    keep = {apps.get_model(label)._meta.db_table for label in settings.SEED_DEMO_KEEP}
    tables = {get_user_model()._meta.db_table}
    if apps.is_installed("django.contrib.sessions"):
        tables.add(apps.get_model("sessions", "Session")._meta.db_table)
    for config in project_app_configs():
        for model in config.get_models(include_auto_created=True):
            if model._meta.managed and not model._meta.proxy:
                tables.add(model._meta.db_table)
    return sorted(tables - keep)
