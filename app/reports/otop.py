"""The last steps of the OTOP path on the province report, per district: occupational groups that
developed a product, registered as OTOP producers and sell online by the end of the fiscal year, from
the groups' development path (app/otop/paths.py, the household-profile / OTOP issue)."""
from __future__ import annotations

STAGE_KEYS = ("product_developed", "otop_registered", "selling_online")


def otop_stages_by_district(district_codes: list[str] | None, fiscal_year: int) -> dict[str, dict[str, int]]:
    """{district: {product_developed, otop_registered, selling_online}} (0 for a district with none)."""
    from app.otop.paths import stage_counts_by_district

    counts = stage_counts_by_district(district_codes, fiscal_year)
    return {d: {k: c.get(k, 0) for k in STAGE_KEYS} for d, c in counts.items()}
