"""What every import target shares: the `Target` base (model, natural key, fields with the
names agencies use, `clean_<field>` hooks over whole pandas columns, never row by row), the
`Context` its hooks refuse rows through, and the cleaners they share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from django.contrib.auth.models import AbstractBaseUser
from django.db import models

from importers.mapping import TargetField
from importers.report import Problem

TARGET_CHOICES = ("admin_areas", "assets", "land_use", "complaints", "layer:<slug>")


@dataclass
class Context:
    """What a target's hooks see: constants and options, and where they refuse rows."""

    constants: dict[str, Any]
    key_field: str | None
    user: AbstractBaseUser | None
    public: bool
    keep: np.ndarray
    problems: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    def refuse(self, mask: np.ndarray | pd.Series, code: str, message: str) -> None:
        """Leave out the rows where `mask` is true (and still kept), each with the reason."""
        mask = np.asarray(mask, dtype=bool) & self.keep
        for i in np.flatnonzero(mask):
            self.problems.append(Problem(int(i) + 1, code, message))
        self.keep &= ~mask

    def note(self, mask: np.ndarray | pd.Series, code: str, message: str) -> None:
        """Report rows that go on with a changed value."""
        mask = np.asarray(mask, dtype=bool) & self.keep
        for i in np.flatnonzero(mask):
            self.problems.append(Problem(int(i) + 1, code, message, skipped=False))


def text(values: pd.Series, max_length: int | None = None) -> pd.Series:
    out = values.astype("string").fillna("").str.strip()
    return out.str.slice(0, max_length) if max_length else out


def number(values: pd.Series) -> pd.Series:
    """Numbers as agencies write them: `1.500.000`, `1,53`, `Rp 2.000.000,50`."""
    if pd.api.types.is_numeric_dtype(values):
        return pd.to_numeric(values, errors="coerce")
    s = values.astype("string").str.replace(r"[^0-9,.\-]", "", regex=True)
    both = s.str.contains(",", regex=False) & s.str.contains(".", regex=False)
    many_dots = s.str.count(r"\.") > 1
    s = s.mask(both | many_dots, s.str.replace(".", "", regex=False))
    s = s.str.replace(",", ".", regex=False)
    return pd.to_numeric(s, errors="coerce")


class Target:
    """Base of every target. Subclasses declare `fields` and the write columns."""

    key: ClassVar[str]
    label: ClassVar[Any]
    model: ClassVar[type[models.Model]]
    fields: ClassVar[tuple[TargetField, ...]]
    kinds: ClassVar[set[str] | None] = None
    multi: ClassVar[bool] = False
    # Stage columns and their PostgreSQL types (the geometry and source_ref come on top).
    columns: ClassVar[dict[str, str]]
    namespace: str = ""

    def __init__(self, *, constants: dict[str, Any]) -> None:
        self.constants = constants

    # The SQL that matches a stage row `s` to an existing row `t`.
    def key_match(self) -> str:
        return "t.source_ref = s.source_ref"

    def insert_extra(self) -> dict[str, str]:
        """Columns only an insert sets, as SQL over the stage row `s` and %(params)s."""
        return {}

    def params(self) -> dict[str, Any]:
        return {}

    def claim_empty(self, cursor) -> bool:
        """True when no stored row can match this import (a first import into a thematic
        layer), with the layer locked until the transaction ends, so the rows may go into a
        batch table of their own (importers/writers.py)."""
        return False

    def copy_extra(self) -> dict[str, Any]:
        """insert_extra() as constants for a batch table: column -> value."""
        return {}

    def geometry_kinds(self) -> set[str] | None:
        return self.kinds

    def prepare(self, frame: pd.DataFrame, mapping: dict[str, str], ctx: Context
                ) -> pd.DataFrame:
        """The stage columns for every row, cleaned by the `clean_<field>` hooks."""
        out = pd.DataFrame(index=frame.index)
        for f in self.fields:
            source = mapping.get(f.name)
            if source is not None:
                values = frame[source]
            elif self.constants.get(f.name) not in (None, ""):
                values = pd.Series([self.constants[f.name]] * len(frame), index=frame.index)
            else:
                continue  # not in the file: inserts take the default, updates keep the value
            hook = getattr(self, f"clean_{f.name}", None)
            out[f.name] = hook(values, ctx) if hook else values
        return out

    def after_write(self, cursor, ids: list[int], created: list[int]) -> None:
        """Derived columns, in SQL, in the import's transaction."""
