"""Per-address rate limits for public submissions (complaint form, Open311 POST)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from layers.models import SubmissionAttempt


def address_key(ip: str) -> str:
    """A keyed hash of the client address: enough to count, useless to identify."""
    return hmac.new(settings.SECRET_KEY.encode(), ip.encode(), hashlib.sha256).hexdigest()


def submission_allowed(*, ip: str, action: str) -> None:
    """Refuse (ValidationError, code `rate_limited`) when this address already made
    SIG_SUBMISSION_LIMIT submissions of `action` within SIG_SUBMISSION_WINDOW_MINUTES."""
    key = address_key(ip)
    # Serialise submissions from one address until the caller's transaction ends, so a burst
    # of parallel requests cannot all pass the count before any is recorded. Callers check
    # and record inside one transaction.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])
    since = timezone.now() - dt.timedelta(minutes=settings.SIG_SUBMISSION_WINDOW_MINUTES)
    recent = SubmissionAttempt.objects.filter(key=key, action=action,
                                              created_at__gte=since).count()
    if recent >= settings.SIG_SUBMISSION_LIMIT:
        raise ValidationError(
            _("Too many reports from this connection. Please wait a few minutes and try "
              "again."), code="rate_limited")


def submission_record(*, ip: str, action: str) -> None:
    """Count an accepted submission; forget those older than a day."""
    SubmissionAttempt.objects.create(key=address_key(ip), action=action)
    SubmissionAttempt.objects.filter(
        created_at__lt=timezone.now() - dt.timedelta(days=1)).delete()
