"""What an import did, returned (never printed): counts, per-feature problems, notices."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


@dataclass(frozen=True)
class Problem:
    """One feature that was repaired, skipped or refused. `feature` is its 1-based position in
    the source layer; `skipped` says whether it was left out."""

    feature: int
    code: str
    message: str
    skipped: bool = True


@dataclass
class ImportReport:
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    problems: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def imported(self) -> int:
        return self.created + self.updated + self.unchanged

    def counts(self) -> dict[str, int]:
        return {"total": self.total, "created": self.created, "updated": self.updated,
                "unchanged": self.unchanged, "skipped": self.skipped}

    def problems_as_dicts(self) -> list[dict]:
        return [asdict(p) for p in self.problems]

    def skip_reasons(self) -> dict[str, int]:
        """How many features were skipped for each reason code."""
        reasons: dict[str, int] = {}
        for p in self.problems:
            if p.skipped:
                reasons[p.code] = reasons.get(p.code, 0) + 1
        return reasons

    def summary(self) -> str:
        """One line for the end of a command's output and for the job list."""
        if self.dry_run:
            head = _("Dry run: %(n)d of %(total)d features would be imported") % {
                "n": self.total - self.skipped, "total": self.total}
        else:
            head = _("Imported %(n)d of %(total)d features (%(created)d new, %(updated)d "
                     "updated, %(unchanged)d unchanged)") % {
                "n": self.imported, "total": self.total, "created": self.created,
                "updated": self.updated, "unchanged": self.unchanged}
        if not self.skipped:
            return head + "; " + _("none skipped") + "."
        reasons = ", ".join(f"{n} {code}" for code, n in sorted(self.skip_reasons().items()))
        return head + "; " + ngettext("%(n)d skipped", "%(n)d skipped", self.skipped) % {
            "n": self.skipped} + f" ({reasons})."
