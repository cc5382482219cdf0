"""The registry: villages, groups (occupational and savings) and households.

- models in app/models.py (Village, Group, Household);
- entities.py: ODK Entities — a submission of a form with an `entities` sheet creates/updates a
  Group (dataset `groups`) or a Household (dataset `households`), called from receiving;
- media.py: the CSVs the forms read (`groups.csv`, `villages.csv`) generated per request for the
  signed-in user, served where form media are served (fill page, OpenRosa manifest);
- views.py: /registry/groups, the district office's approval;
- seed.py: Loei's demo villages and savings groups (data/loei_2566.csv).
"""
