"""A FastAPI service: GET / and GET /health."""

from fastapi import FastAPI

app = FastAPI(title="fastapi-uv")


@app.get("/")
def index() -> dict:
    return {"app": "fastapi-uv", "hello": "world"}


@app.get("/health")
def health() -> dict:
    return {"status": "ok"}
