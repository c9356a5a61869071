"""Forms of the complaint pages: the public form, its JSON helpers, and the officer's actions.

They check input only; writes go through layers.services.complaints, whose ValidationErrors
(each with a `.code`) are put back on the right field by `add_service_error`."""

from __future__ import annotations

from django import forms
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from layers.errors import ErrorCode
from layers.models import Agency, Complaint, ComplaintCategory, Status
from layers.models.complaints import TRANSITIONS
from layers.services.complaints import MAX_PHOTOS

MAX_DESCRIPTION = 2000

# Service error codes → the form field they belong to (None: the whole form).
FIELD_BY_CODE = {
    "description_missing": "description",
    "photo_count": "photos", "photo_too_large": "photos", "photo_type": "photos",
    "photo_pixels": "photos", "photo_unreadable": "photos",
    ErrorCode.OUTSIDE_REGION: None, ErrorCode.GEOMETRY_INVALID: None,
    ErrorCode.GEOMETRY_EMPTY: None, ErrorCode.GEOMETRY_TYPE: None,
    "note_required": "note",
}

PIN_REQUIRED = _("Place the pin on the map, or use your location.")


def add_service_error(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the field its code names (else on the form)."""
    errors = exc.error_list if hasattr(exc, "error_list") else [exc]
    for error in errors:
        field = FIELD_BY_CODE.get(getattr(error, "code", None))
        form.add_error(field if field in form.fields else None, error)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to MAX_PHOTOS files from one or more inputs named alike. Type and size are checked
    (and the photo re-encoded) by the service; here only the count and an obvious non-image."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_PHOTOS:
            raise ValidationError(_("At most %(n)d photos.") % {"n": MAX_PHOTOS},
                                  code="photo_count")
        single = super().clean
        cleaned = [single(f, initial) for f in files]
        for f in cleaned:
            kind = (getattr(f, "content_type", "") or "").lower()
            if kind and not kind.startswith("image/"):
                raise ValidationError(_("Only JPEG, PNG or WebP photos are accepted."),
                                      code="photo_type")
        return cleaned


class PointFields(forms.Form):
    """Latitude and longitude in degrees (EPSG:4326): what the map's pin writes, and what a
    visitor without JavaScript may type."""

    lat = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90,
                           error_messages={"required": PIN_REQUIRED},
                           widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}))
    lng = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180,
                           error_messages={"required": PIN_REQUIRED},
                           widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}))

    def point(self) -> Point:
        return Point(self.cleaned_data["lng"], self.cleaned_data["lat"], srid=4326)


phone_number = RegexValidator(r"^\+?[0-9][0-9 ().-]{5,24}$",
                              _("Enter a phone number, e.g. 0812 3456 7890."), code="phone")


class ComplaintForm(PointFields):
    """The public complaint form. `website` is a trap: people never see it, bots fill it."""

    category = forms.ModelChoiceField(
        label=_("What is the problem?"), empty_label=_("Choose a category…"),
        queryset=ComplaintCategory.objects.filter(is_active=True).order_by("name"),
        error_messages={"required": _("Choose a category.")})
    description = forms.CharField(
        label=_("Describe the problem"), max_length=MAX_DESCRIPTION, min_length=10,
        error_messages={"required": _("Describe the problem."),
                        "min_length": _("Please describe the problem in a few more words.")},
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_DESCRIPTION,
                                     "aria-describedby": "description-hint"}))
    photos = PhotosField(label=_("Photos"), required=False)
    reporter_name = forms.CharField(label=_("Name"), max_length=120, required=False,
                                    widget=forms.TextInput(attrs={"autocomplete": "name"}))
    reporter_phone = forms.CharField(
        label=_("Phone / WhatsApp"), max_length=30, required=False, validators=[phone_number],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel",
                                      "inputmode": "tel"}))
    reporter_email = forms.EmailField(
        label=_("E-mail"), required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    website = forms.CharField(required=False, label=_("Leave this field empty"),
                              widget=forms.TextInput(attrs={"autocomplete": "off",
                                                            "tabindex": "-1"}))

    field_order = ["lat", "lng", "category", "description", "photos", "reporter_name",
                   "reporter_phone", "reporter_email", "website"]

    def is_trapped(self) -> bool:
        """A bot filled the hidden field: pretend success, keep nothing."""
        return bool((self.data.get("website") or "").strip())

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {"category": d["category"], "description": d["description"],
                "point": self.point(), "photos": d["photos"],
                "reporter_name": d["reporter_name"], "reporter_phone": d["reporter_phone"],
                "reporter_email": d["reporter_email"]}


class NearbyQuery(PointFields):
    """Query of /pengaduan/sekitar/: the pin and, when chosen, the category."""

    category = forms.ModelChoiceField(queryset=ComplaintCategory.objects.filter(is_active=True),
                                      required=False)


class SupportForm(forms.Form):
    """“Saya juga”, optionally with an e-mail address to hear of changes."""

    email = forms.EmailField(label=_("E-mail (optional, to hear of changes)"), required=False)


# ---- the officer's actions -------------------------------------------------------------------

class ActionForm(forms.Form):
    """Common to every action: the version the officer saw (a concurrent change is not
    silently overwritten) and an optional note."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), required=False, max_length=MAX_DESCRIPTION,
                           widget=forms.Textarea(attrs={"rows": 3}))

    action = ""

    def __init__(self, *args, complaint: Complaint, **kwargs):
        self.complaint = complaint
        kwargs.setdefault("initial", {})["version"] = complaint.version
        kwargs.setdefault("auto_id", f"{self.action}-%s")  # several forms on one page
        super().__init__(*args, **kwargs)

    def clean_version(self) -> int:
        version = self.cleaned_data["version"]
        if version != self.complaint.version:
            raise ValidationError(
                _("Someone else changed this complaint a moment ago. Check the history below, "
                  "then repeat your action if it is still needed."),
                code=ErrorCode.VERSION_CONFLICT)
        return version


# What the officer's buttons say for each next status.
ACTION_LABELS = {
    Status.VERIFIED: _("Verify"),
    Status.IN_PROGRESS: _("Answer / in progress"),
    Status.RESOLVED: _("Resolve"),
    Status.REJECTED: _("Reject"),
}


class StatusForm(ActionForm):
    """Move the complaint on (verify, in progress, resolve, reject) with a note that is public
    unless marked internal. `duplicate_of` rejects it as a duplicate of another ticket."""

    action = "status"

    status = forms.ChoiceField(choices=Status.choices)
    internal = forms.BooleanField(label=_("Internal note (not shown to the public)"),
                                  required=False)
    duplicate_of = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = TRANSITIONS.get(self.complaint.status, frozenset())
        self.fields["status"].choices = [(s.value, ACTION_LABELS.get(s, s.label))
                                         for s in Status if s in allowed]

    def clean(self):
        data = super().clean()
        ticket = (data.get("duplicate_of") or "").strip().upper()
        if ticket:
            if not Complaint.objects.filter(ticket=ticket).exclude(
                    pk=self.complaint.pk).exists():
                raise ValidationError(_("Complaint %(ticket)s was not found."),
                                      params={"ticket": ticket}, code="duplicate_missing")
            text = _("Same problem as complaint %(ticket)s, which is being handled: please "
                     "follow that one.") % {"ticket": ticket}
            data["note"] = f"{text} {data.get('note', '')}".strip()
            data["status"] = Status.REJECTED
        return data


class AssignForm(ActionForm):
    """Route the complaint to another office; the note is public."""

    action = "assign"

    agency = forms.ModelChoiceField(label=_("Office"), queryset=Agency.objects.order_by("name"),
                                    empty_label=_("Choose an office…"))


class MoveForm(ActionForm, PointFields):
    """Correct the location (the wilayah follows); the note is public."""

    action = "move"

    def __init__(self, *args, complaint: Complaint, **kwargs):
        kwargs.setdefault("initial", {}).update(
            lat=round(complaint.geom.y, 6), lng=round(complaint.geom.x, 6))
        super().__init__(*args, complaint=complaint, **kwargs)
