"""The Celery application: configuration is read from Django settings (CELERY_*)."""

import os

from celery import Celery, Task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")


class OutboxTask(Task):
    """The project's task class: a message from the outbox (task id `outbox-<id>`) runs once.

    Before running one, the worker stamps its row delivered; a second published copy finds it
    stamped and is skipped (see crm.outbox). Other tasks run as usual.
    """

    def __call__(self, *args, **kwargs):
        task_id = self.request.id
        if task_id and task_id.startswith("outbox-"):
            from crm.outbox import outbox_claim_delivery

            redelivered = bool((self.request.delivery_info or {}).get("redelivered"))
            if not outbox_claim_delivery(task_id=task_id, redelivered=redelivered):
                return None
        return super().__call__(*args, **kwargs)


app = Celery("crm", task_cls=OutboxTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
