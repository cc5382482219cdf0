"""Forms: publish workbooks, list and fill forms, receive submissions (OpenRosa and browser),
the submissions pages, the JSON API. Each module is a thin blueprint over app.xlsform and services."""
