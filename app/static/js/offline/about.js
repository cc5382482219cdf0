// What a draft or an outbox record is about, in the words of the field: the group's registered name
// and village and the assessment date, so the "on this device" page never lists a group code, a
// `uuid:` or an ISO date. Read from the fill page's scoring data (#form-scoring: the group and date
// questions' paths, the group names) and the registry list inside the page (groups.csv carries each
// group's village name, app/registry/media.py). Plain forms have none: their label is used.

function childText(item, name) {
  for (const c of item.children) if (c.localName === name) return c.textContent.trim();
  return "";
}

/** The registry row of group `code` in the page's groups instance, or null. */
function groupItem(doc, code) {
  const instance = [...doc.getElementsByTagName("instance")].find((i) => i.getAttribute("id") === "groups");
  if (!instance) return null;
  for (const item of instance.getElementsByTagName("item")) if (childText(item, "name") === code) return item;
  return null;
}

/** {group, groupName, village, date} of the open form, or null when the form names no group or date. */
export function aboutOf(view) {
  const el = document.getElementById("form-scoring");
  if (!el || !view?.model) return null;
  let conf;
  try {
    conf = JSON.parse(el.dataset.json);
  } catch {
    return null;
  }
  const answer = (path) => (path ? (view.model.find(path)?.textContent || "").trim() : "");
  const group = answer(conf.group_path);
  const date = answer(conf.date_path);
  if (!group && !date) return null;
  let groupName = conf.group_choices?.[group]?.th || "";
  let village = "";
  const item = group ? groupItem(view.model.doc, group) : null;
  if (item) {
    groupName ||= childText(item, "label");
    village = childText(item, "village_label");
  }
  return { group, groupName, village, date };
}
