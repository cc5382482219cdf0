"""The OTOP proposal as a working tool: household profiles, star occupations, candidate groups and the
development path of occupational groups (issue 15). rules.py is pure; store.py writes at receipt."""
