"""Excel -> published form, with no Flask in sight: pyxform conversion, friendly errors, the form
definition read from the XForm, and checks of submitted instances against it."""
