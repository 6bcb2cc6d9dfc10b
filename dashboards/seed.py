"""Demo data of the dashboards: their figures, so every dashboard shows them at once."""

from django.conf import settings

from dashboards.services import figures_refresh


def seed_step(ctx) -> str:
    """seed_demo step (settings.SEED_DEMO_STEPS): compute the figures beat refreshes later."""
    rows = figures_refresh(days=settings.DASHBOARD_FULL_DAYS)
    return f"dashboard figures ({rows:,} rows)"
