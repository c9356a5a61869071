"""The complaint officer's queue (/pengaduan/petugas/) and one complaint's page with its
actions (/pengaduan/petugas/<ticket>/).

Who sees what is decided by layers.permissions (through selectors.complaints
.complaints_for_officer): a complaint outside the officer's wilayah and categories is a 404,
and every action asks permissions.can_handle_complaint again on the server (403 otherwise)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from layers import permissions
from layers.forms.complaints import (
    AssignForm,
    MoveForm,
    StatusForm,
    add_service_error,
)
from layers.models import Complaint, Status
from layers.models.complaints import TRANSITIONS
from layers.selectors.complaint_queue import (
    OPEN,
    QueueFilters,
    can_use_queue,
    complaint_history,
    officer_complaint,
    officer_queue,
    queue_categories,
    queue_counts,
    queue_kecamatan,
    suggested_duplicates,
)
from layers.services.complaints import (
    complaint_assign,
    complaint_move,
    complaint_set_status,
)
from layers.views.complaint_form import pin_map_config

PAGE_SIZE = 50


def forbidden(request: HttpRequest, reason: str) -> HttpResponse:
    return render(request, "layers/complaints/forbidden.html", {"reason": reason}, status=403)


NOT_AN_OFFICER = gettext_lazy(
    "This page is for complaint officers. Your account has no complaint-officer role; ask "
    "the administrator to assign you a wilayah and categories.")


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(required=False)
    category = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    kecamatan = forms.ChoiceField(required=False)
    overdue = forms.BooleanField(required=False)
    sort = forms.ChoiceField(required=False, choices=[
        ("due", gettext_lazy("Due date")), ("new", gettext_lazy("Newest")),
        ("supporters", gettext_lazy("Most supported"))])

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(OPEN, _("Open (all)")), ("", _("All")),
                                         *Status.choices]
        self.fields["category"].choices = [("", _("All categories")),
                                           *queue_categories(user)]
        self.fields["kecamatan"].choices = [("", _("All kecamatan")), *queue_kecamatan(user)]

    def filters(self) -> QueueFilters:
        if not self.is_bound or not self.is_valid():
            return QueueFilters()
        d = self.cleaned_data
        status = d["status"] if "status" in self.data else OPEN
        return QueueFilters(status=status, category_id=d["category"],
                            kecamatan=d["kecamatan"], overdue=d["overdue"],
                            sort=d["sort"] or "due")


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    if not can_use_queue(request.user):
        return forbidden(request, NOT_AN_OFFICER)
    params = {k: v for k, v in request.GET.items() if k != "page"}
    form = QueueFilterForm(params or None, user=request.user,
                           initial={"status": OPEN, "sort": "due"})
    filters = form.filters()
    page = Paginator(officer_queue(user=request.user, filters=filters),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "layers/complaints/queue.html", {
        "form": form, "filters": filters, "page": page, "counts": queue_counts(request.user),
        "query": query.urlencode(),
    })


ACTIONS = {"status": StatusForm, "assign": AssignForm, "move": MoveForm}


def _act(request: HttpRequest, complaint: Complaint, action: str, form) -> Complaint:
    d = form.cleaned_data
    if action == "status":
        return complaint_set_status(complaint=complaint, status=d["status"], by=request.user,
                                    note=d["note"], internal=d["internal"])
    if action == "assign":
        return complaint_assign(complaint=complaint, agency=d["agency"], by=request.user,
                                note=d["note"])
    return complaint_move(complaint=complaint, point=form.point(), by=request.user,
                          note=d["note"])


DONE = {
    "status": gettext_lazy("Status changed to “%(status)s”."),
    "assign": gettext_lazy("Assigned to %(agency)s."),
    "move": gettext_lazy("Location corrected: %(desa)s."),
}


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, ticket: str) -> HttpResponse:
    if not can_use_queue(request.user):
        return forbidden(request, NOT_AN_OFFICER)
    complaint = officer_complaint(user=request.user, ticket=ticket)
    if complaint is None:
        raise Http404(_("No complaint with this ticket in your queue."))
    area_code = complaint.area.code if complaint.area else None
    allowed = permissions.can_handle_complaint(request.user, area_code=area_code,
                                               category_id=complaint.category_id)
    bound, status = {}, 200
    if request.method == "POST":
        if not allowed:
            return forbidden(request, _("You may not act on complaints of this wilayah or "
                                        "category."))
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            return HttpResponse(_("Unknown action."), status=400)
        form = ACTIONS[action](request.POST, complaint=complaint)
        if form.is_valid():
            try:
                updated = _act(request, complaint, action, form)
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, DONE[action] % {
                    "status": updated.get_status_display(),
                    "agency": updated.agency.name if updated.agency else "",
                    "desa": updated.area.name if updated.area else ""})
                if officer_complaint(user=request.user, ticket=updated.ticket) is None:
                    # Moved or routed out of this officer's wilayah: it is someone else's now.
                    messages.info(request, _("%(ticket)s is now outside your queue.") % {
                        "ticket": updated.ticket})
                    return redirect("layers:complaint-queue")
                return redirect("layers:complaint-officer", ticket=updated.ticket)
        bound[action], status = form, 400
    forms_ = {name: bound.get(name) or cls(complaint=complaint) for name, cls in ACTIONS.items()}
    config = pin_map_config(strings={"dragHint": _("Drag the pin to the right place, then "
                                                    "save the new location.")})
    config["pin"] = [complaint.geom.y, complaint.geom.x]
    config["editable"] = allowed
    return render(request, "layers/complaints/detail.html", {
        "complaint": complaint, "events": complaint_history(complaint),
        "photos": complaint.photos.all(),
        "duplicates": suggested_duplicates(user=request.user, complaint=complaint),
        "forms": forms_, "allowed": allowed, "config": config,
        "open_action": next(iter(bound), ""),
        "can_reject": Status.REJECTED in TRANSITIONS.get(complaint.status, ()),
    }, status=status)
