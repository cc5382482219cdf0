"""Submissions pages: list with filters, detail laid out like the form, attachments, exports."""
from flask import Blueprint

bp = Blueprint("submissions", __name__)
