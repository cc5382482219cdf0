"""OpenRosa APIs for ODK Collect and the browser: Form List, manifests, Form Submission."""
from flask import Blueprint

bp = Blueprint("openrosa", __name__)
