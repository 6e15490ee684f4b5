"""The floor: the least a Flask page on this database can cost.

One page, three indexed queries (by unique email, by unique foreign key, an indexed ordered
scan with a limit), one small Jinja template. Served by gunicorn exactly like the app and on
the same database through the same engine setup, so a page's throughput divided by the
floor's is what the app's own work costs, whatever the machine or its noise that minute.
"""

import os

from flask import Flask, render_template
from sqlalchemy import select

from marketplace.models import Person, Provider, User
from marketplace.storage import make_engine

FLOOR_EMAIL = "sam@example.org"


def create_floor_app(database_url: str) -> Flask:
    floor = Flask(__name__)
    engine = make_engine(database_url)
    users, people, providers = User.__table__, Person.__table__, Provider.__table__

    @floor.route("/")
    def page():
        with engine.connect() as connection:
            user = connection.execute(
                select(users.c.id, users.c.name).where(users.c.email == FLOOR_EMAIL)
            ).one()
            person = connection.execute(
                select(people.c.name, people.c.postcode_district).where(people.c.user_id == user.id)
            ).one_or_none()
            first_providers = connection.execute(
                select(providers.c.id, providers.c.name).order_by(providers.c.name).limit(10)
            ).all()
        return render_template("floor.html", user=user, person=person, providers=first_providers)

    @floor.route("/healthz")
    def healthz():
        return {"status": "ok"}

    return floor


def floor_app_from_environment() -> Flask:
    """gunicorn "bench.floor:floor_app_from_environment()": the database comes from
    DATABASE_URL, as it does for the app."""
    return create_floor_app(os.environ["DATABASE_URL"])
