"""The fill page: a published form version rendered for officers, with the browser runtime."""
from flask import Blueprint

bp = Blueprint("fill", __name__)
