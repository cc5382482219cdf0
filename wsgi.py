"""What gunicorn serves: `gunicorn wsgi:app`; also `flask --app wsgi ...` for the CLI."""
from app import create_app

app = create_app()
