"""Backups and restore: a consistent snapshot of the whole database (attachment blobs included) with a
manifest of counts and checksums, made while the server runs; restore only into an empty database,
verified. `flask --app wsgi backup create|verify|restore` (cli.py); the decision is in
docs/ARCHITECTURE.md ("Backups and restore")."""
