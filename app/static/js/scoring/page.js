// Entry of the server-rendered meeting page (/submissions/<id>/meeting): meeting-mode layout (screens
// and step buttons), print and full-screen buttons.
import { layoutMeeting, wireLayout, wireTools } from "./meeting.js";

const el = document.getElementById("meeting");
if (el) {
  wireTools(el);
  wireLayout(el);
  document.documentElement.classList.add("meeting-open");
  layoutMeeting(el, 0);
}
