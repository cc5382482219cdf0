"""Reports: dashboards and exports of submissions."""
