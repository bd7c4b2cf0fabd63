"""``python -m dockgen``: the same as the ``dockgen`` command."""

from .cli import run

run()
