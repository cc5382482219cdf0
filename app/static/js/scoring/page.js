// dist/meeting.js: the meeting screen. On the server-rendered meeting page (/submissions/<id>/meeting)
// it lays the screen out in meeting mode (screens and step buttons) and wires print and full screen;
// the fill page imports the same bundle when the officer reaches the last page (form/index.js) and
// uses installMeeting(). It carries the JavaScript twin of the scoring (score.js) for both.
import { layoutMeeting, wireLayout, wireTools } from "./meeting.js";
import { score } from "./score.js";

export { installMeeting } from "./meeting.js";

// scoring.score: the JavaScript twin of app/scoring (tests/browser/test_scoring_twin.py).
window.chumchon = { ...(window.chumchon || {}), scoring: { score } };

const el = document.querySelector('#meeting[data-source="server"]');
if (el) {
  wireTools(el);
  wireLayout(el);
  document.documentElement.classList.add("meeting-open");
  layoutMeeting(el, 0);
}
