// htmx, loaded only by the pages that use hx-* attributes (forms/upload.html, submissions/list.html,
// through base.html's {% block htmx %}): the fill page, the one officers open most and offline, does
// not pay for it. It sends the CSRF token from <body hx-headers> (base.html).
import htmx from "htmx.org";

window.htmx = htmx;
