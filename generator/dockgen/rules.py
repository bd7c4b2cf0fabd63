"""The rules dockgen follows by construction, R01-R21, as data (from ``shared/RULES.md``).

Code, templates and tests cite a rule by its ID: code as a member (``Rule.R09`` in a
refusal, a step's rules), templates and comments as the plain ID (``# R07``), tests in their
names (``test_r07_...``), so that ``grep -r R07`` finds the rule's whole story.
``tests/test_rules.py`` fails when a rule has no code citing it or no test named after it.

A member is a ``str`` equal to its ID (``Rule.R09 == "R09"``, ``str(Rule.R09) == "R09"``), so
it goes wherever an ID did: error messages, JSON, templates. Its ``heading`` is the rule's
name and ``requirement`` one line of what the generated files must show; RULES.md has the
full text and the sources.
"""

from __future__ import annotations

from enum import Enum


class Rule(str, Enum):
    """One rule: ``Rule.R04.value == "R04"``, ``.heading``, ``.requirement``."""

    heading: str
    requirement: str

    def __new__(cls, rule_id: str, heading: str, requirement: str) -> Rule:
        member = str.__new__(cls, rule_id)
        member._value_ = rule_id
        member.heading = heading
        member.requirement = requirement
        return member

    def __str__(self) -> str:
        return self.value

    __format__ = str.__format__

    R01 = ("R01", "One concern per container",
           "A spec describes one application; several long-running processes only when declared together, under a process manager.")
    R02 = ("R02", "Your process is PID 1",
           "ENTRYPOINT/CMD in exec form, run.sh ends in exec, and a minimal init (tini) is PID 1 unless the spec turns it off.")
    R03 = ("R03", "Few layers",
           "Related commands share one RUN joined with &&, with \\ continuations, one package per line, sorted.")
    R04 = ("R04", "Remove what won't be used",
           "No recommends, no package caches (apt lists, apk --no-cache, pip --no-cache-dir, npm ci --omit=dev); build tools stay in a builder stage.")
    R05 = ("R05", "The right base image",
           "A language spec starts from that language's official image, never ubuntu/debian plus installing the runtime.")
    R06 = ("R06", "Pin the version in FROM",
           "Never latest or an untagged image: a tag with an explicit version, optionally an @sha256: digest.")
    R07 = ("R07", "Be smart about caching",
           "base, system packages, user, dependency manifests, dependency install, then the application code last.")
    R08 = ("R08", "Group related commands",
           "apt-get update never stands alone: update, install and cleanup are one RUN.")
    R09 = ("R09", "docker exec, not ssh",
           "No ssh server in the image; openssh-server in a spec is refused, pointing to docker exec.")
    R10 = ("R10", "Clean up",
           "Caches and package lists are removed in the layer that made them.")
    R11 = ("R11", "Signals arrive",
           "Every image stops within about a second of SIGTERM with the app's own exit code, never by SIGKILL; STOPSIGNAL and grace period settable.")
    R12 = ("R12", "ENTRYPOINT + CMD",
           "ENTRYPOINT is the binary (or run.sh), CMD its default arguments, both in exec form; shell form is never emitted.")
    R13 = ("R13", "Read-only filesystem",
           "compose.yaml and the docker run line use a read-only root, with tmpfs or volumes only for the paths the spec declares writable.")
    R14 = ("R14", "Drop capabilities",
           "cap_drop: [ALL], then only the capabilities the spec lists; no-new-privileges.")
    R15 = ("R15", "Not root",
           "A user and group with fixed numeric IDs (default 10001), USER before ENTRYPOINT, application files owned by root unless writable.")
    R16 = ("R16", "Labels",
           "OCI labels (title, version, revision, created, source, licenses, ...) plus the spec's own; build-time values from ARGs.")
    R17 = ("R17", "The startup script",
           "run.sh (POSIX sh, set -eu) writes configuration from environment variables, then starts the process with exec.")
    R18 = ("R18", "Secrets stay out of ENV",
           "No secret in ENV, ARG or a layer; at run time from a file (NAME_FILE) or the environment, unset before exec.")
    R19 = ("R19", ".dockerignore",
           "Always generated: version control, the container files, the language's caches and local environments, secret-looking files.")
    R20 = ("R20", "Its own repo, automated builds",
           "dockgen init can scaffold a new repository: the spec, the rendered files and a CI workflow that renders, lints and builds.")
    R21 = ("R21", "Inspect what you build",
           "Every generated instruction can be traced to the spec field and the rule behind it (dockgen explain, --annotate).")
