"""The "on this device" page names drafts as people do (issue 14): the group's registered name, its
village and the assessment date in the Buddhist Era, never the group code, a `uuid:` or an ISO date."""
from __future__ import annotations

from tests.browser.test_bundled_assessment import GROUP, GROUP_NAME, bundled, q  # noqa: F401  (fixture)


SAVED_WITH_DATE = """async () => {
  const open = indexedDB.open("chumchon-offline");
  const db = await new Promise((resolve, reject) => { open.onsuccess = () => resolve(open.result); open.onerror = reject; });
  try {
    const all = await new Promise((resolve) => {
      const req = db.transaction("drafts").objectStore("drafts").getAll();
      req.onsuccess = () => resolve(req.result);
    });
    return all.some((d) => d.about && d.about.date === "2024-03-10");
  } finally { db.close(); }
}"""


def test_drafts_list_shows_group_name_village_and_buddhist_era_date(page, bundled):  # noqa: F811
    page.goto("/forms/sg_assessment_21/fill")
    page.wait_for_selector("#fill[data-ready=true]")
    page.check(f'{q("group")} input[value="{GROUP}"]')
    page.fill(f'{q("assessed_on")} input', "2024-03-10")
    for _ in range(100):  # until the debounced autosave has kept the date (polled, at most 10 s)
        if page.evaluate(SAVED_WITH_DATE):
            break
        page.wait_for_timeout(100)
    else:
        raise AssertionError("the draft was never saved with its assessment date")
    page.goto("/drafts")
    page.wait_for_selector("#offline-page[data-ready=true][data-drafts='1']")
    item = page.locator("#offline-drafts .offline-item").inner_text()
    assert GROUP_NAME in item
    assert "บ้านทดลอง 1 ต.ทดลอง 1 อ.วังสะพุง" in item  # the village's name from groups.csv
    assert "10 มี.ค. 2567" in item
    assert GROUP not in item and "uuid:" not in item and "2024-03-10" not in item
