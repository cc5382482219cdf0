"""The last step of the OTOP path on the province report: occupational groups registered as OTOP
producers, per district.

Not yet recorded in chumchon: the OTOP development stages of occupational groups arrive with their
own table (the household-profile / OTOP issue). Until then this answers None and the report shows
the column as "not yet available" rather than a made-up number. At merge, wire it to that table:
return {district_code: groups registered as OTOP producers} for the given districts (an SQL GROUP BY
over the stage table's district column), 0 for a district with none.
"""
from __future__ import annotations


def otop_registered_by_district(district_codes: list[str] | None) -> dict[str, int] | None:  # noqa: ARG001
    return None
