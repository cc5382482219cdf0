"""JSON API under /api/v1 (marshmallow schemas): forms, versions, submissions, validation errors."""
from flask import Blueprint

bp = Blueprint("api", __name__)
