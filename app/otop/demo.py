"""Demo data for the OTOP pages (called by app/demo.load_demo), through the normal receiving path:

- household mappings (fiscal year 2569) in five villages of Mueang Loei (4201) and one of Wang Saphung
  (4209), so that the profile, the star occupations and candidate groups appear: weaving in
  บ้านทดลอง 1 and chilli paste in บ้านทดลอง 2 (village candidates), basketry across บ้านทดลอง 3 and 4
  (a tambon candidate only), orchards too few to form one; weaving in 4209 (another district's);
- the กข.คจ. target households of those villages for 2569;
- five occupational groups of 4201 registered and approved in 2569, with follow-ups so that the
  proposal's indicators read 4/5 product developed (80 %, met), 2/5 OTOP registered (40 %, not met),
  1/2 selling online (50 %, not met).

Fixed instanceIDs (uuid5 of a name) make it idempotent: loading twice stores nothing new.
"""
from __future__ import annotations

import random
from datetime import date
from typing import Any

from sqlalchemy import select

from app import db
from app.models import Group, GroupStatus, KkcjTarget

FY = 2569
FIRST_NAMES = ["สมศรี", "บุญมา", "คำปุ่น", "จันทร์เพ็ญ", "ทองใบ", "สมหมาย", "บัวผัน", "ประยูร", "แสงจันทร์", "หนูเพียร",
               "สุวรรณ", "ดวงใจ", "วันดี", "อุไร", "บุญเรือง", "ทองดี", "สายทอง", "คำพอง", "มณี", "สมพร"]
LAST_NAMES = ["ใจดี", "ศรีเลย", "ทองคำ", "มีสุข", "พรมมา", "แก้วมณี", "บุญมาก", "สุขใจ", "ภูเขียว", "ดอนไพร"]
PROBLEMS = {"occ_problems_production": ["no_distinctive", "uneven_quality", "copying"],
            "occ_problems_management": ["no_bookkeeping", "no_costing", "no_stock_control"],
            "occ_problems_marketing": ["no_market_knowledge", "no_brand", "no_online"]}
TRAINING = ["design", "storytelling", "costing", "online"]
SAVINGS = ["cash", "bank", "savings_group", "community_fund", "nsf", "gold"]

# (village, how many, occupation: (category, product, OTOP type, sub-group), interested, potential range)
PLAN = [
    ("42010101", 6, ("processing", "ผ้าทอมือมัดหมี่", "3", "3.1"), True, (3, 5)),
    ("42010101", 2, ("rice", "ข้าวเหนียว", "", ""), False, (2, 3)),
    ("42010102", 6, ("processing", "น้ำพริกเผา", "1", "1.3"), True, (3, 5)),
    ("42010102", 2, ("wage", "รับจ้างทั่วไป", "", ""), False, (1, 2)),
    ("42010103", 3, ("processing", "กระติบข้าวไม้ไผ่", "4", "4.2"), True, (3, 4)),
    ("42010104", 3, ("processing", "กระติบข้าวไม้ไผ่", "4", "4.2"), True, (2, 4)),
    ("42010201", 4, ("orchard", "มะขามหวาน", "", ""), True, (3, 4)),
    ("42010201", 2, ("livestock", "โคเนื้อ", "", ""), False, (2, 3)),
    ("42090101", 5, ("processing", "ผ้าทอมือ", "3", "3.1"), True, (3, 5)),
]
TARGETS = {"42010101": 12, "42010102": 10, "42010103": 8, "42010104": 8, "42010201": 9, "42090101": 10}

# name, product, OTOP sub-group, village, founded, registered, follow-up stages {stage: date}
GROUPS = [
    ("กลุ่มอาชีพทอผ้าไหมบ้านทดลอง 5", "ผ้าไหม", "3.1", "42010105", "2025-10-20", "2025-11-10",
     {"product_developed": "2026-02-01", "otop_registered": "2026-04-01", "selling_online": "2026-06-01"}),
    ("กลุ่มอาชีพแปรรูปกล้วยบ้านทดลอง 6", "กล้วยตาก", "1.3", "42010106", "2025-11-05", "2025-12-01",
     {"product_developed": "2026-03-01", "otop_registered": "2026-05-15"}),
    ("กลุ่มอาชีพจักสานบ้านทดลอง 7", "ตะกร้าหวาย", "4.2", "42010107", "2025-11-20", "2025-12-15",
     {"product_developed": "2026-03-20"}),
    ("กลุ่มอาชีพสมุนไพรบ้านทดลอง 8", "ยาหม่องสมุนไพร", "5.1", "42010108", "2025-12-01", "2026-01-10",
     {"product_developed": "2026-05-01"}),
    ("กลุ่มอาชีพเลี้ยงปลาบ้านทดลอง 9", "ปลาส้ม", "1.3", "42010109", "2026-01-05", "2026-02-01", {}),
]


def _household(rng: random.Random, village: str, n: int, occupation: tuple, interested: bool,
               potential: tuple[int, int]) -> dict[str, Any]:
    from app.demo import thai_national_id

    category, product, otop_type, subgroup = occupation
    members = rng.randint(2, 6)
    working = rng.randint(1, min(3, members))
    elderly = rng.randint(0, members - working)
    occ_income = rng.choice([36000, 48000, 60000, 84000, 120000, 150000])
    main = occ_income
    secondary = rng.choice([0, 12000, 24000, 36000])
    other = rng.choice([3000, 6000, 12000])
    own = rng.choice([0, 5000, 8000])
    occ = {"occ_category": category, "occ_product": product, "occ_income": str(occ_income),
           "occ_potential": str(rng.randint(*potential))}
    if otop_type:
        occ.update(occ_otop_type=otop_type, occ_otop_subgroup=subgroup)
    for question, options in PROBLEMS.items():
        picked = [o for o in options if rng.random() < 0.45]
        if picked:
            occ[question] = " ".join(picked)
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    return {
        "consent": "OK", "surveyed_on": f"2026-0{rng.randint(1, 2)}-{rng.randint(10, 28)}",
        "district": village[:4], "tambon": village[:6], "village": village, "house_no": f"{n}/{rng.randint(1, 9)}",
        "head_name": f"{'นาง' if rng.random() < 0.6 else 'นาย'}{first} {last}",
        "national_id": thai_national_id(f"3{village[:4]}{rng.randint(0, 9_999_999):07d}"),
        "members": str(members), "members_working": str(working), "members_elderly": str(elderly),
        "kkcj_target": "yes" if rng.random() < 0.85 else "no", "kkcj_borrowed": "no",
        "income_main": str(main), "income_secondary": str(secondary), "income_other": str(other),
        "income_own_produce": str(own), "exp_production": str(main // 3), "exp_necessities": str(rng.randint(20, 60) * 1000),
        "exp_nonessential": str(rng.choice([0, 1200, 3600])), "exp_debt": str(rng.choice([0, 6000, 12000])),
        "debt_formal": str(rng.choice([0, 0, 30000, 50000])), "debt_community": str(rng.choice([0, 5000, 10000])),
        "debt_informal": str(rng.choice([0, 0, 0, 8000])),
        "saves_in": " ".join(sorted(rng.sample(SAVINGS, rng.randint(1, 3)), key=SAVINGS.index)),
        "occupation": [occ], "join_group": "yes" if interested else "no",
        "otop_register": "yes" if interested and rng.random() < 0.7 else "no",
        "training_wanted": " ".join(t for t in TRAINING if rng.random() < 0.5) or "costing",
    }


def household_plan() -> list[tuple[str, dict[str, Any]]]:
    """(demo name, answers) of every demo household, the same on every load."""
    out = []
    for village, count, occupation, interested, potential in PLAN:
        rng = random.Random(f"otop-demo-{village}-{occupation[1]}")
        for i in range(count):
            number = 10 + len([1 for name, _a in out if name.startswith(f"otop-hh-{village}-")]) * 3
            answers = _household(rng, village, number, occupation, interested, potential)
            out.append((f"otop-hh-{village}-{answers['house_no']}", answers))
    return out


def _registration(name: str, product: str, subgroup: str, village: str, founded: str) -> dict[str, Any]:
    from app.demo import registration_answers

    return {**registration_answers(), "group_name": name, "occupation": product, "otop_type": subgroup.split(".")[0],
            "otop_subgroup": subgroup, "district": village[:4], "tambon": village[:6], "village": village,
            "founded_on": founded}


def _followup(code: str, stages: dict[str, str], day: str) -> dict[str, Any]:
    answers = {"group": code, "followed_on": day}
    for stage in ("product_developed", "otop_registered", "selling_online"):
        answers[stage] = "yes" if stage in stages else "no"
        if stage in stages:
            answers[f"{stage}_on"] = stages[stage]
    if "product_developed" in stages:
        answers["product_name"] = "ผลิตภัณฑ์ใหม่"
    if "otop_registered" in stages:
        answers["otop_registration_no"] = f"OTOP-{code}"
    if "selling_online" in stages:
        answers["online_channels"] = "facebook shopee"
    return answers


def seed_targets() -> None:
    s = db.session()
    have = {t.village_code for t in s.scalars(select(KkcjTarget).where(KkcjTarget.fiscal_year == FY))}
    for village, n in TARGETS.items():
        if village not in have:
            s.add(KkcjTarget(village_code=village, district_code=village[:4], fiscal_year=FY, households=n,
                             updated_by="demo"))
    s.commit()


def load_otop_demo() -> list[tuple[str, int]]:
    """Send the demo households, registrations and follow-ups; approve the registrations (as demo)."""
    from app.auth.accounts import find_user
    from app.demo import REGISTRATION_FILES, _latest, _send

    results = []
    officers = {"4201": find_user("somchai"), "4209": find_user("malee")}
    mapping = _latest("hh_mapping")
    if mapping is not None:
        for name, answers in household_plan():
            outcome = _send(mapping, name, answers, officers.get(answers["district"]))
            results.append((outcome.instance_id, outcome.status))
    seed_targets()
    registration, followup = _latest("group_registration"), _latest("group_followup")
    if registration is None:
        return results
    s = db.session()
    for n, (name, product, subgroup, village, founded, registered, stages) in enumerate(GROUPS, start=1):
        outcome = _send(registration, f"otop-reg-{n}", _registration(name, product, subgroup, village, founded),
                        officers["4201"], REGISTRATION_FILES)
        results.append((outcome.instance_id, outcome.status))
        group = s.scalar(select(Group).where(Group.entity_id == outcome.instance_id))
        if group is None:
            continue
        if group.status == GroupStatus.SUBMITTED:
            group.status, group.registration_no = GroupStatus.APPROVED, f"ลย 4201/{FY}-{n:02d}"
            group.registered_on, group.decided_by = date.fromisoformat(registered), "demo"
            s.commit()
        if followup is not None and stages:
            outcome = _send(followup, f"otop-followup-{n}", _followup(group.code, stages, max(stages.values())),
                            officers["4201"])
            results.append((outcome.instance_id, outcome.status))
    return results
