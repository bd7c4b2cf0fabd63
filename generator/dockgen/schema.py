"""The spec's JSON Schema, for editors and validators (``dockgen schema``, ``dockgen init``).

Kept out of :mod:`dockgen.spec` so that building the model at import costs nothing extra
(``dockgen render`` never needs it).
"""

import json

from .languages import NAMES as LANGUAGES
from .packagers import BY_LANGUAGE as PACKAGE_MANAGERS_OF
from .spec import Spec


def json_schema_text() -> str:
    """The spec's JSON Schema (draft 2020-12) as text: ``Spec.model_json_schema(by_alias=True)``
    with ``$schema`` and the title "dockgen spec", indented by 2, non-ASCII kept, newline-terminated.

    What ``dockgen schema`` prints and ``dockgen init`` writes as ``dockgen.schema.json``.
    """
    schema = Spec.model_json_schema(by_alias=True)
    for name, text in FIELD_DOCS.items():  # editors show these on hover
        schema["properties"][name]["description"] = text
    document = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "dockgen spec",
        **{k: v for k, v in schema.items() if k != "title"},
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# One line per spec field for the JSON Schema (kept out of the model so that building the
# model at import costs nothing extra: `dockgen render` speed matters). Rule IDs: RULES.md.
FIELD_DOCS = {
    "name": "Image title: lower-case letters, digits, '.', '_', '-'. Also the compose service name.",
    "description": "One line; becomes the org.opencontainers.image.description label (R16).",
    "language": " | ".join(LANGUAGES) + ": picks the official base image and the install steps (R05).",
    "version": "The language runtime's version, quoted (\"3.12\"); required unless language is none.",
    "variant": "slim (Debian, default) or alpine.",
    "jlink": "java only: true puts a jlink runtime of just the modules jdeps finds in the jars (in /opt/jre) on "
             "debian:12-slim (or alpine, or base) instead of the eclipse-temurin JRE image; default false.",
    "base": "An explicit base image; its tag must start with a version, or carry a @sha256: digest (R06). scratch is allowed.",
    "system_packages": "OS packages in the final image (apt or apk); pin with name=version (R03, R04).",
    "build_packages": "OS packages needed only to build dependencies: builder stage only (R04).",
    "dependencies": "Manifest and lock files copied before the code (R07); default: the language's standard ones.",
    "package_manager": ", ".join(f"{' | '.join(names)} ({language})" for language, names in PACKAGE_MANAGERS_OF.items())
                       + ": installs the dependencies frozen to the lock file; default: chosen from the lock file in dependencies.",
    "packages": "Extra language packages (pin them: name==1.2.3, name@1.2.3, name:1.2.3).",
    "workdir": "The application's directory in the image.",
    "copy": "What goes into the image from the build context (filtered by .dockerignore), copied last (R07): a path "
            "lands at the same relative path under workdir (\".\" is the whole context); {source: DIR, target: /path} "
            "puts DIR's contents (or a file) at target. [] copies nothing.",
    "user": "The non-root user the app runs as: name, uid, gid (default app 10001:10001; root is refused, R15).",
    "ports": "Ports the app listens on in the container; compose.yaml and --print-run publish each on the same host port.",
    "host_ip": "Where a published port listens on the host, per port ({8000: 0.0.0.0}); a port not listed binds "
               "127.0.0.1, this machine only. 0.0.0.0 or :: opens it to the network (Docker's published ports bypass a host firewall such as ufw).",
    "resources": "limits and requests ({memory: 512Mi, cpu: \"1\"}: Ki/Mi/Gi or k/M/G; CPUs or millicores, 500m) "
                 "and pids, the most processes; compose.yaml and --print-run apply them. Without it the container is unbounded.",
    "kubernetes": "Write k8s/ manifests too (Deployment, Service, PVCs, kustomization.yaml): replicas, namespace, "
                  "service_type (ClusterIP | NodePort | LoadBalancer), image (what the cluster pulls), volume_size, storage_class.",
    "env": "Environment variables baked into the image, taken literally (${VAR} is not expanded); never secrets (R18), never PATH.",
    "secrets": "Secret names only; values arrive at run time via NAME_FILE or NAME and are unset before the app starts (R18).",
    "entrypoint": "The program, in exec form (a list) (R02, R12).",
    "cmd": "Default arguments of the entrypoint, in exec form (R12).",
    "labels": "Extra OCI labels (R16).",
    "caps": "Linux capabilities added back after dropping ALL (R14).",
    "healthcheck": "command (exec form), interval, timeout, start_period, retries.",
    "stop_signal": "The signal docker stop sends, always the image's STOPSIGNAL (default SIGTERM; with static, nginx's graceful SIGQUIT; R11).",
    "config": "Files run.sh writes at start from templates: ${VAR}, ${VAR:-default}, ${VAR:?message} (R17).",
    "processes": "Several programs of one application, each an s6 service, instead of entrypoint/cmd (R01).",
    "init": "true (default): tini is PID 1 and forwards signals; false: the app is PID 1 and handles them (R02).",
    "writable": "The only writable paths on the read-only root filesystem (tmpfs in compose.yaml, R13).",
    "volumes": "Persistent paths (named volumes in compose.yaml).",
    "stop_grace_period": "Time between docker stop's signal and SIGKILL (R11).",
    "build": "Shell command lines run in the builder after the code is copied, with dev dependencies installed; each one RUN.",
    "artifacts": "What the final image takes from the builder after build (PATH or PATH:DEST, relative to workdir); default: the app with production dependencies.",
    "static": "root (the built files, relative to workdir) and spa: the final image is an unprivileged nginx serving them.",
    "build_secrets": "Secret names for install and build commands only (BuildKit RUN --mount=type=secret); never in a layer, ARG or ENV (R18).",
    "syntax": "The Dockerfile frontend of the `# syntax=` line: docker/dockerfile with a 1.x tag and/or a @sha256: digest (R06); false leaves the line out (the builder's built-in frontend).",
}
