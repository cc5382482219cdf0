// Every page: htmx for server-rendered interactions. Kept tiny on purpose.
import htmx from "htmx.org";

window.htmx = htmx;
