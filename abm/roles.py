"""Role divisions: who builds and pays for what, one validated record per ``policy.role_division`` choice.

The values live in ``abm/data/role_divisions.toml`` (one table per role division, named as the choices of
``policy.role_division``); this schema declares each field once, with unit, bounds and source, and refuses a
table that misses, adds or mistypes a field or a role division.
"""

from __future__ import annotations

from typing import get_args

from pydantic import BaseModel, ConfigDict, ValidationError

from abm.schema import F, RoleDivision
from abm.vocab import load_table

_WHY = "[I] mizuho's recommended split and its structural argument (abm/data/role_divisions.toml)"


class RoleDivisionSpec(BaseModel):
    """What one role division means for the national programme."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    label: str
    compute_scale: float = F(..., ge=0, le=5, unit="x planned cluster", source=_WHY,
                             label="Size of the national cluster / base-model programme relative to the plan")
    public_share: float = F(..., ge=0.01, le=1, unit="share", source=_WHY,
                            label="Share of the programme's cost paid by the government (rest: private consortium)")
    sovereign_model: bool = F(..., unit="-", source=_WHY, label="A domestic base model is trained at all")
    public_specialised: bool = F(..., unit="-", source="mizuho note 1: defence and healthcare models are public",
                                 label="The government trains public specialised models")
    sovereign_price_factor: float = F(..., ge=0, le=5, unit="x cost-based price", source=_WHY,
                                      label="Price of the domestic model relative to its cost input")
    finetune_effectiveness: float = F(..., ge=0, le=2, unit="x", source=_WHY,
                                      label="How well specialised models use firms' own data and staff")
    data_platform_scale: float = F(..., ge=0, le=5, unit="x", source=_WHY,
                                   label="Government effort on machine-readable public data and holders' willingness")
    programme_scale: float = F(..., ge=0, le=5, unit="x levers", source=_WHY,
                               label="Talent programmes, subsidies and ASEAN co-creation relative to the levers")
    national_compute_price_factor: float = F(..., ge=0, le=5, unit="x foreign cloud price", source=_WHY,
                                             label="Price at which national compute not training is sold to firms")


def load_role_divisions(table: dict | None = None) -> dict[str, RoleDivisionSpec]:
    """The shipped role divisions (or ``table``), validated; ValueError names the role division and field."""
    table = load_table("role_divisions.toml") if table is None else table
    names = set(get_args(RoleDivision))
    if set(table) != names:
        raise ValueError(f"role_divisions.toml: role divisions must be exactly {sorted(names)} (got {sorted(table)})")
    out = {}
    for name, values in table.items():
        try:
            out[name] = RoleDivisionSpec(**values)
        except ValidationError as e:
            err = e.errors()[0]
            raise ValueError(f"role_divisions.toml: {name}.{'.'.join(map(str, err['loc']))}: {err['msg']}") from None
    return out


ROLE_DIVISIONS = load_role_divisions()


def describe(name: str) -> list[str]:
    """The role division's record as TOML comment lines, with units and meanings (for show-scenario)."""
    spec = ROLE_DIVISIONS[name]
    lines = [f"# role division {name!r}: {spec.label} (values from abm/data/role_divisions.toml)"]
    for field, info in RoleDivisionSpec.model_fields.items():
        if field != "label":
            extra = info.json_schema_extra or {}
            lines.append(f"#   {field} = {getattr(spec, field)!s:<6} {extra.get('unit', '')}: {extra.get('label', '')}")
    return lines
