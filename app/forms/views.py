"""Pages to upload, preview and publish workbooks, list forms and fill them."""
from flask import Blueprint

bp = Blueprint("forms", __name__)
