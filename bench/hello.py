"""A bare Flask application with one "hello" route: the yardstick the directory page is compared with, served by
the same gunicorn settings in the same run (bench/load.py)."""

from flask import Flask

app = Flask(__name__)


@app.get("/hello")
def hello() -> str:
    return "hello"
