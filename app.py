"""Entry point: `flask --app app run` and gunicorn `app:app`."""

from marketplace.factory import create_app

app = create_app()
