"""Demo data of the dashboards: the branch figures, so head office's home shows them at once."""

from dashboards.services import branch_figures_refresh


def seed_step(ctx) -> str:
    """seed_demo step (settings.SEED_DEMO_STEPS): compute the figures beat refreshes later."""
    return f"branch figures of {branch_figures_refresh()} branches"
