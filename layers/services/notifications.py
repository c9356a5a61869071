"""Telling reporters, followers and offices what happened, after the change is committed."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from layers.models import Complaint, Status


def notify_status_change(complaint: Complaint, *, note: str = "") -> None:
    """E-mail the reporter (if they left an address), the residents who follow the complaint
    and the assigned office, once the transaction commits (never for a rolled-back change)."""
    complaint_id, status = complaint.pk, complaint.status

    def send() -> None:
        c = Complaint.objects.select_related("agency", "category").get(pk=complaint_id)
        link = settings.SIG_PUBLIC_URL.rstrip("/") + reverse("layers:complaint-track",
                                                             args=[c.ticket])
        subject = _("Complaint %(ticket)s: %(status)s") % {
            "ticket": c.ticket, "status": Status(status).label}
        body = _("The status of complaint %(ticket)s (%(category)s) is now: %(status)s."
                 ) % {"ticket": c.ticket, "category": c.category.name,
                      "status": Status(status).label}
        if note:
            body += "\n\n" + note
        body += "\n\n" + _("Follow it here: %(link)s") % {"link": link}
        residents = {c.reporter_email} | set(c.followers.values_list("email", flat=True))
        messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
                    for to in sorted(residents) if to]
        if c.agency and c.agency.email:
            messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, [c.agency.email]))
        if messages:
            send_mass_mail(messages, fail_silently=True)

    transaction.on_commit(send)
