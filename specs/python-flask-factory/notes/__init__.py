"""A Flask app built by an application factory: gunicorn calls create_app()."""

from flask import Flask, jsonify


def create_app(config: dict | None = None) -> Flask:
    """The application, configured from ``config`` (tests pass their own)."""
    app = Flask(__name__)
    app.config.update(config or {})

    @app.get("/")
    def index():
        return jsonify(app="flask-factory", hello="world")

    @app.get("/health")
    def health():
        return jsonify(status="ok")

    return app
