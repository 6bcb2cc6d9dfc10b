import datetime as dt
from decimal import Decimal

from django.utils import timezone

from customers.models import BalanceSnapshot


def balances(customer, *, as_of: dt.date, history: list, latest, column: str = "deposits"):
    """Monthly snapshots: `history` (oldest first) on the months before `as_of`, then `latest`.

    The other balance columns hold a constant so that only `column` moves.
    """
    rows = []
    n = len(history)
    for i, value in enumerate([*history, latest]):
        day = as_of - dt.timedelta(days=30 * (n - i))
        values = {"deposits": Decimal("50000"), "investments": Decimal("50000"), "loans": 0}
        values[column] = Decimal(str(value))
        rows.append(BalanceSnapshot(customer=customer, as_of=day, **values))
    BalanceSnapshot.objects.bulk_create(rows)
    return rows


def today() -> dt.date:
    return timezone.localdate()
