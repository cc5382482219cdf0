"""Loei's demo registry: villages and the 508 savings groups of 2566 (data/loei_2566.csv, copied from
the provincial office's report: groups and level counts per district). Idempotent.

The village and group names are made up for the demo (the report names no village or group); the
per-district numbers are the report's.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select

from app import db
from app.models import Group, GroupStatus, Village

DATA = Path(__file__).resolve().parent / "data"
TAMBONS_PER_DISTRICT = 4
VILLAGES_PER_TAMBON = 12


@dataclass(frozen=True)
class DistrictLevels:
    code: str
    name_th: str
    name_en: str
    groups: int
    level1: int
    level2: int
    level3: int


def loei_2566() -> list[DistrictLevels]:
    with (DATA / "loei_2566.csv").open(encoding="utf-8") as f:
        return [DistrictLevels(r["district_code"], r["district_th"], r["district_en"], int(r["sg_groups"]),
                               int(r["sg_level1"]), int(r["sg_level2"]), int(r["sg_level3"]))
                for r in csv.DictReader(f)]


def seed_villages() -> int:
    """Demo villages: 4 tambons x 12 villages per district. Returns how many were added."""
    s = db.session()
    have = set(s.scalars(select(Village.code)))
    added = 0
    for d in loei_2566():
        for t in range(1, TAMBONS_PER_DISTRICT + 1):
            tambon_code = f"{d.code}{t:02d}"
            for v in range(1, VILLAGES_PER_TAMBON + 1):
                code = f"{tambon_code}{v:02d}"
                if code in have:
                    continue
                s.add(Village(code=code, name_th=f"บ้านทดลอง {v} ต.ทดลอง {t} อ.{d.name_th}",
                              name_en=f"Demo village {v}, tambon {t}, {d.name_en}", tambon_code=tambon_code,
                              tambon_th=f"ตำบลทดลอง {t} ({d.name_th})", tambon_en=f"Demo tambon {t} ({d.name_en})",
                              district_code=d.code))
                added += 1
    s.commit()
    return added


def demo_group_code(district_code: str, n: int) -> str:
    return f"SG-{district_code}-D{n:03d}"


def seed_savings_groups() -> list[Group]:
    """The approved savings groups of every district (as many as the report counts), in code order."""
    s = db.session()
    have = {g.code: g for g in s.scalars(select(Group).where(Group.code.like("SG-%-D%")))}
    out = []
    villages = TAMBONS_PER_DISTRICT * VILLAGES_PER_TAMBON
    for d in loei_2566():
        for n in range(1, d.groups + 1):
            code = demo_group_code(d.code, n)
            group = have.get(code)
            if group is None:
                village = (n - 1) % villages
                group = Group(code=code, kind="savings", name=f"กลุ่มออมทรัพย์เพื่อการผลิตทดลอง {n} อ.{d.name_th}",
                              village_code=f"{d.code}{village // VILLAGES_PER_TAMBON + 1:02d}"
                                           f"{village % VILLAGES_PER_TAMBON + 1:02d}",
                              district_code=d.code, status=GroupStatus.APPROVED,
                              registration_no=f"{d.code}/{n:03d}", registered_on=date(2010, 1, 1),
                              decided_by="demo", entity_id=f"demo:{code}", properties={})
                s.add(group)
            out.append(group)
    s.commit()
    return out
