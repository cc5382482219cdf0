// Entry of the server-rendered meeting page (/submissions/<id>/meeting): print and full-screen buttons.
import { wireTools } from "./meeting.js";

const el = document.getElementById("meeting");
if (el) {
  wireTools(el);
  document.documentElement.classList.add("meeting-open");
}
