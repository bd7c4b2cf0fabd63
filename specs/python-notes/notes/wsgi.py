"""A tiny notes API: GET /health answers ok, GET / tells whether the config was rendered."""

import configparser
import json

import psycopg2  # noqa: F401  (the compiled dependency this example is about)


def app(environ, start_response):
    if environ.get("PATH_INFO") == "/health":
        body = b"ok\n"
    else:
        config = configparser.ConfigParser()
        config.read("/app/notes.ini")
        body = json.dumps({"app": "notes-api", "db_host": config.get("database", "host", fallback=None),
                           "db_password_set": bool(config.get("database", "password", fallback=""))}).encode() + b"\n"
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
