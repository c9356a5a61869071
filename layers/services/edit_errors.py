"""What an editing service refuses with: a code (the API's `code`), a translated description
and, for invalid input, the translated errors per field. The API answers them as 400, 403,
404 and 409; whatever refused, nothing was written (each service is one transaction)."""

from __future__ import annotations

from typing import Any

from django.db import models


class EditErrorCode(models.TextChoices):
    INVALID = "invalid"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"


class EditError(Exception):
    code: EditErrorCode = EditErrorCode.INVALID
    status: int = 400

    def __init__(self, description: str, *, errors: dict[str, list[str]] | None = None):
        super().__init__(description)
        self.description = str(description)
        self.errors = {k: [str(m) for m in v] for k, v in (errors or {}).items()}


class EditInvalid(EditError):
    code, status = EditErrorCode.INVALID, 400


class EditForbidden(EditError):
    code, status = EditErrorCode.FORBIDDEN, 403


class EditNotFound(EditError):
    code, status = EditErrorCode.NOT_FOUND, 404


class EditConflict(EditError):
    """The edit was based on another version than the one stored: `current` is the stored
    feature (a model instance of `layer`) for the editor to compare with theirs."""

    code, status = EditErrorCode.CONFLICT, 409

    def __init__(self, description: str, *, current: Any = None, layer: Any = None):
        super().__init__(description)
        self.current = current
        self.layer = layer
