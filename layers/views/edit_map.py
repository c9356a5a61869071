"""The staff map's editor: its configuration (URLs of the editing API, editable layers, every
sentence its JavaScript shows, translated here) for users who may edit. Who may edit is
layers.permissions' decision; the editing API asks it again on every write."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from layers import permissions
from layers.selectors.edit_map import editable_layers

# Placeholders the JavaScript replaces (static/js/map/edit/api.js: url()).
SLUG = "__slug__"
ID = "__id__"
# Below this zoom the editor fetches no snap targets (the view would hold too many features).
SNAP_MIN_ZOOM = 15


def edit_strings() -> dict[str, str]:
    """Every sentence of static/js/map/edit/*.js, in the active language."""
    return {
        "editing": _("Editing"),
        "newFeature": _("New feature"),
        "editFeature": _("Edit feature"),
        "edit": _("Edit"),
        "history": _("History"),
        "close": _("Close"),
        "layer": _("Layer"),
        "category": _("Category"),
        "chooseCategory": _("Choose a category…"),
        "chooseCategoryFirst": _("Choose a category first: it decides the kind of shape."),
        "attributes": _("Attributes of the category"),
        "required": _("(required)"),
        "unset": "—",
        "noEditableLayers": _("There is no layer you can edit."),
        "schemaError": _("The form of this layer could not be loaded. Try again in a moment."),
        "loadError": _("The feature could not be loaded. Try again in a moment."),
        "notFound": _("This feature no longer exists (it may have been deleted)."),
        "geometryTools": _("Shape"),
        "draw_point": _("Place a point"),
        "draw_line": _("Draw a line"),
        "draw_polygon": _("Draw a polygon"),
        "redraw_point": _("Place the point again"),
        "redraw_line": _("Draw the line again"),
        "redraw_polygon": _("Draw the polygon again"),
        "drawHint_point": _("Click the map where the feature is."),
        "drawHint_line": _("Click the map to add vertices; click the last vertex (or Finish) to "
                           "end the line. Esc cancels."),
        "drawHint_polygon": _("Click the map to add corners; click the first corner (or Finish) to "
                              "close the polygon. Esc cancels."),
        "finishDrawing": _("Finish"),
        "removeLastVertex": _("Remove last vertex"),
        "cancelDrawing": _("Cancel drawing"),
        "editHint": _("Drag a vertex to move it, drag a midpoint to add one, right-click a vertex "
                      "to remove it. Vertices snap to nearby features (hold Alt to place freely)."),
        "snapZoom": _("Zoom in closer to snap to other features."),
        "markerKeys": _("The point being edited: the arrow keys move it (with Shift, faster)."),
        "cutHole": _("Cut a hole"),
        "cutHint": _("Draw the hole inside the polygon; click its first corner to finish."),
        "save": _("Save"),
        "saving": _("Saving…"),
        "delete": _("Delete"),
        "discard": _("Your changes are not saved. Discard them?"),
        "confirmDelete": _("Delete this feature? Its history is kept and it can be restored."),
        "deleted": _("The feature was deleted."),
        "noGeometry": _("Draw the feature's shape on the map first."),
        "nothingChanged": _("Nothing has changed since the last save."),
        "created": _("Saved as a new feature."),
        "saved": _("Saved (version %(v)s)."),
        "notice": _("Note: %(text)s"),
        "areaHa": _("Area: %(ha)s ha"),
        "lengthM": _("Length: %(m)s m"),
        "inWilayah": _("in %(name)s"),
        "unverified": _("Not verified yet: not public until a planner verifies it."),
        "sentBack": _("Sent back by the reviewer: %(note)s"),
        "versionN": _("version %(v)s"),
        "invalid": _("Some values need attention; nothing was saved."),
        "forbidden": _("Not allowed, nothing was saved: %(reason)s"),
        "network": _("The server could not be reached; nothing was saved. Your changes are still "
                     "here: try again."),
        "serverError": _("The server could not save this (error %(status)s). Your changes are "
                         "still here: try again."),
        "geometry": _("Geometry"),
        # The conflict view.
        "conflictTitle": _("Someone else changed this feature"),
        "conflictText": _("Your changes were based on version %(yours)s, but version %(theirs)s is "
                          "stored now. Nothing was overwritten. Compare the two and choose."),
        "conflictTableCaption": _("The stored version and yours, field by field"),
        "field": _("Field"),
        "theirs": _("Stored (theirs)"),
        "yours": _("Yours"),
        "theirsOnMap": _("stored shape"),
        "yoursOnMap": _("your shape"),
        "differs": _("differs"),
        "geometrySame": _("the same"),
        "geometryTheirs": _("the blue dashed shape"),
        "geometryYours": _("the orange shape"),
        "version": _("Version"),
        "keepTheirs": _("Keep theirs (discard mine)"),
        "applyMine": _("Apply mine on top"),
        "deleteAnyway": _("Delete it anyway"),
        "keptTheirs": _("The stored version is loaded; your changes were discarded."),
        # The history panel.
        "historyTitle": _("History"),
        "historyEmpty": _("No history recorded yet."),
        "historyError": _("The history could not be loaded."),
        "showChange": _("Show this change on the map"),
        "type_created": pgettext("history entry", "created"),
        "type_changed": pgettext("history entry", "changed"),
        "type_deleted": pgettext("history entry", "deleted"),
        "geometryChanged": _("moved or reshaped"),
        "byUser": _("by %(user)s"),
        "byUnknown": _("by an unknown user"),
        "reason": _("Reason: %(reason)s"),
        "before": _("before"),
        "after": _("after"),
        "revertTo": _("Revert to version %(v)s"),
        "confirmRevert": _("Restore the geometry and attributes of version %(v)s? This is saved "
                           "as a new version; nothing is lost."),
        "reverted": _("Restored version %(v)s (was version %(from)s, now version %(n)s)."),
        "revertConflict": _("The feature changed meanwhile; the history shows the latest version "
                            "now. Choose again."),
        "backToEditing": _("Back to editing"),
        "reviewQueue": _("Review queue"),
    }


def geoman_strings() -> dict[str, dict[str, str]]:
    """Leaflet-Geoman's own tooltips, in the active language (map.pm.setLang)."""
    return {
        "tooltips": {
            "placeMarker": _("Click to place the point"),
            "placeMarkerTouch": _("Tap the map to place the point"),
            "firstVertex": _("Click to place the first vertex"),
            "continueLine": _("Click to continue drawing"),
            "finishLine": _("Click the last vertex to finish"),
            "finishPoly": _("Click the first vertex to finish"),
        },
        "actions": {"finish": _("Finish"), "cancel": _("Cancel"),
                    "removeLastVertex": _("Remove last vertex")},
    }


def edit_config(request: HttpRequest) -> dict | None:
    """The editor's part of the staff map's configuration, or None when the user may not
    edit anywhere (the page then loads no editing code)."""
    user = request.user
    if not permissions.can_edit_somewhere(user):
        return None
    one = [SLUG, ID]
    return {
        "layers": editable_layers(user=user),
        "urls": {
            "schema": reverse("api:layer-edit-schema", args=[SLUG]),
            "features": reverse("api:layer-features", args=[SLUG]),
            "feature": reverse("api:layer-feature", args=one),
            "history": reverse("api:feature-history", args=one),
            "revert": reverse("api:feature-revert", args=one),
            "review": reverse("layers:review") if permissions.can_publish_somewhere(user) else None,
        },
        "snapMinZoom": SNAP_MIN_ZOOM,
        "strings": edit_strings(),
        "geoman": geoman_strings(),
    }
