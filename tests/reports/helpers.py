"""A small hand-built form (groups, selects, a nested repeat, a photo) and its submissions,
shared by the export tests and the submissions-page tests."""
from __future__ import annotations

from app.xlsform.definition import Choice, FormDefinition, Node

TH, EN = "Thai (th)", "English (en)"


def _t(th: str, en: str) -> dict[str, str]:
    return {TH: th, EN: en}


def sample_definition(form_id: str = "household", version: str = "2024030101") -> FormDefinition:
    def field(path: str, th: str, en: str, **kw) -> Node:
        return Node(path=path, name=path.rsplit("/", 1)[1], kind="field", label=_t(th, en), **kw)

    crops = [Choice("rice", _t("ข้าว", "Rice")), Choice("cassava", _t("มันสำปะหลัง", "Cassava")),
             Choice("rubber", _t("ยางพารา", "Rubber"))]
    sexes = [Choice("m", _t("ชาย", "Male")), Choice("f", _t("หญิง", "Female"))]
    root = Node(path="/data", name="data", kind="group", children=[
        field("/data/intro", "ยินดีต้อนรับ", "Welcome", control="input", readonly="true()"),
        field("/data/name", "ชื่อหัวหน้าครัวเรือน", "Head of household", control="input"),
        field("/data/age", "อายุ", "Age", control="input", datatype="int"),
        field("/data/balance", "ยอดคงเหลือ", "Balance", control="input", datatype="decimal"),
        field("/data/crops", "พืชที่ปลูก", "Crops grown", control="select", datatype="select", choices=crops),
        field("/data/sex", "เพศ", "Sex", control="select1", datatype="select1", choices=sexes),
        Node(path="/data/hh", name="hh", kind="group", label=_t("ที่อยู่", "Address"), children=[
            field("/data/hh/village", "หมู่บ้าน", "Village", control="input"),
            field("/data/hh/photo", "รูปบ้าน", "House photo", control="upload", datatype="binary",
                  mediatype="image/*"),
            field("/data/hh/location", "พิกัด", "Location", control="input", datatype="geopoint"),
        ]),
        Node(path="/data/score", name="score", kind="field", calculate="1 + 1"),
        Node(path="/data/members", name="members", kind="repeat", label=_t("สมาชิก", "Members"), children=[
            field("/data/members/mname", "ชื่อสมาชิก", "Member name", control="input"),
            field("/data/members/mage", "อายุสมาชิก", "Member age", control="input", datatype="int"),
            Node(path="/data/members/visits", name="visits", kind="repeat", label=_t("การเยี่ยม", "Visits"),
                 children=[field("/data/members/visits/vdate", "วันที่เยี่ยม", "Visit date", control="input",
                                 datatype="date")]),
        ]),
        Node(path="/data/meta", name="meta", kind="group", children=[
            Node(path="/data/meta/instanceID", name="instanceID", kind="field",
                 calculate="concat('uuid:', uuid())", readonly="true()"),
        ]),
    ])
    return FormDefinition(form_id=form_id, version=version, title="แบบสำรวจครัวเรือน",
                          languages=[TH, EN], default_language=TH, root=root)


def flat_definition(form_id: str = "flat") -> FormDefinition:
    """A form with no repeats (its CSV export is a single file)."""
    root = Node(path="/data", name="data", kind="group", children=[
        Node(path="/data/name", name="name", kind="field", control="input", label={"default": "Name"}),
        Node(path="/data/n", name="n", kind="field", control="input", datatype="int", label={"default": "N"}),
    ])
    return FormDefinition(form_id=form_id, version="1", title="Flat", languages=["default"],
                          default_language="default", root=root)


def sample_data(name: str = "สมชาย ใจดี", **overrides) -> dict:
    data = {
        "/data/intro": "",
        "/data/name": name,
        "/data/age": "42",
        "/data/balance": "-5.25",
        "/data/crops": "rice rubber",
        "/data/sex": "m",
        "/data/hh/village": "บ้านนาดี",
        "/data/hh/photo": "house.jpg",
        "/data/hh/location": "17.4860 101.7223 250 5",
        "/data/score": "2",
        "/data/members": [
            {"/data/members/mname": "แดง", "/data/members/mage": "7",
             "/data/members/visits": [{"/data/members/visits/vdate": "2024-03-01"}]},
            {"/data/members/mname": "ดำ", "/data/members/mage": "9",
             "/data/members/visits": [{"/data/members/visits/vdate": "2024-03-02"},
                                      {"/data/members/visits/vdate": "2024-03-09"}]},
        ],
        "/data/meta/instanceID": "uuid:1",
    }
    data.update(overrides)
    return data
