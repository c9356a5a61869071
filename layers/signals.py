"""Signal handlers the domain needs whatever deletes a row (the admin, a cascade)."""

from __future__ import annotations

from django.db import connection
from django.db.models.signals import post_delete
from django.dispatch import receiver

from layers.models import FeatureBatch


@receiver(post_delete, sender=FeatureBatch)
def drop_batch_table(sender, instance: FeatureBatch, **kwargs) -> None:
    # A deleted layer takes its batches with it; their tables (emptied by the cascade that
    # deleted the layer's features first) go too.
    if instance.table:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {instance.table} CASCADE")  # and its parts
