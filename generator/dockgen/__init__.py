"""dockgen: a validated YAML spec of an application → container files right by construction.

Stations: ``loader`` (YAML → Spec) → ``plan`` (Spec → Plan) → ``render`` (Plan → files).
"""

__version__ = "0.1.0"
