"""Uploaded core-banking files between their dry run and their commit."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PendingImport(models.Model):
    """An uploaded core-banking file between its dry run and its commit.

    Kept in the database, not on one web server's disk, so that the commit may reach any
    server behind the proxy; deleted on commit, or after PENDING_IMPORT_HOURS.
    """

    token = models.UUIDField(_("token"), default=uuid.uuid4, unique=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    kind = models.CharField(_("contents"), max_length=20)
    name = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("content"))
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("pending import")
        verbose_name_plural = _("pending imports")
        indexes = [
            # The purge of uploads that were never committed.
            models.Index(fields=["created_at"], name="pending_import_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"
