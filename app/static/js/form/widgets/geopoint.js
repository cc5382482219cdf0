// Geopoint: the device's position (high accuracy) or coordinates typed by hand.
// Stored as ODK does: "lat lon altitude accuracy" (metres).

const MESSAGES = {
  busy: 'กำลังหาตำแหน่ง… <span class="en">Finding your location…</span>',
  1: 'ไม่ได้รับอนุญาตให้ใช้ตำแหน่ง อนุญาตในเบราว์เซอร์หรือกรอกพิกัดเอง <span class="en">Location permission was refused. Allow it in the browser or type the coordinates.</span>',
  2: 'หาตำแหน่งไม่ได้ ลองออกไปที่โล่งหรือกรอกพิกัดเอง <span class="en">The position is not available. Try in the open or type the coordinates.</span>',
  3: 'หาตำแหน่งนานเกินไป ลองอีกครั้งหรือกรอกพิกัดเอง <span class="en">Finding the position took too long. Try again or type the coordinates.</span>',
  none: 'อุปกรณ์นี้ไม่มีระบบระบุตำแหน่ง กรุณากรอกพิกัดเอง <span class="en">This device cannot locate itself; type the coordinates.</span>',
};

const round = (x, digits) => String(Math.round(x * 10 ** digits) / 10 ** digits);

export const geopoint = {
  init(q, view) {
    const $ = (s) => q.querySelector(s);
    const status = (html) => ($(".geo-status").innerHTML = html || "");
    $(".geo-get").addEventListener("click", () => {
      if (!navigator.geolocation) {
        status(MESSAGES.none);
        $(".geo-manual").open = true;
        return;
      }
      status(MESSAGES.busy);
      navigator.geolocation.getCurrentPosition(
        (pos) => {
          const c = pos.coords;
          status("");
          view.setValue(q, [c.latitude, c.longitude, c.altitude ?? 0, round(c.accuracy ?? 0, 1)].join(" "));
          geopoint.show(q, view.model.get(q._node));
        },
        (err) => {
          status(MESSAGES[err.code] || MESSAGES[2]);
          $(".geo-manual").open = true;
        },
        { enableHighAccuracy: true, timeout: 60000, maximumAge: 0 },
      );
    });
    // Typed coordinates reach the record on every keystroke (a draft saved while the cursor is still
    // in the field keeps them); the fields themselves are redrawn only when the officer leaves one,
    // so "13." is not turned into "13" mid-typing.
    const manual = (redraw) => {
      const lat = $(".geo-lat").value;
      const lon = $(".geo-lon").value;
      const ok = lat !== "" && lon !== "" && Math.abs(lat) <= 90 && Math.abs(lon) <= 180;
      if (ok) {
        view.setValue(q, `${Number(lat)} ${Number(lon)} 0 0`);
        if (redraw) geopoint.show(q, view.model.get(q._node));
      }
    };
    for (const field of [$(".geo-lat"), $(".geo-lon")]) {
      field.addEventListener("input", () => manual(false));
      field.addEventListener("change", () => manual(true));
    }
    $(".geo-clear").addEventListener("click", () => {
      view.setValue(q, "");
      geopoint.show(q, "");
    });
  },

  show(q, value) {
    const [lat, lon, , acc] = (value || "").split(/\s+/);
    const has = Boolean(value && lat && lon);
    q.querySelector(".geo-show").hidden = !has;
    q.querySelector(".geo-clear").hidden = !has;
    q.querySelector(".geo-lat-out").textContent = has ? lat : "";
    q.querySelector(".geo-lon-out").textContent = has ? lon : "";
    q.querySelector(".geo-acc-out").textContent = has && Number(acc) > 0 ? `± ${round(Number(acc), 1)} ม. (m)` : "—";
    if (has) {
      q.querySelector(".geo-lat").value = lat;
      q.querySelector(".geo-lon").value = lon;
    }
  },
};
