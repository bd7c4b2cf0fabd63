"""The Kubernetes manifests of a plan, as data (issue 13): Deployment, Service, claims, kustomization.

Each function returns the document (plain dicts, lists, strings and integers, in the key
order the file shows) that ``templates/k8s/*.yaml.j2`` emit with PyYAML (the ``k8s`` filter
of :mod:`dockgen.render`). They read the plan's RunPolicy (how the container runs, the same
facts compose.yaml is rendered from) and its Cluster (what a cluster adds), never the spec.

The Pod meets the Pod Security Standards' restricted profile (tests/test_kubernetes.py checks
each control by its name in the Kubernetes documentation): runAsNonRoot with the spec's
uid and gid, seccomp RuntimeDefault, no privilege escalation, every capability dropped and
only ``caps`` added back (R14, R15), and, beyond the profile, a read-only root file system
with emptyDir volumes on the writable paths (R13) and no service account token.
"""

from __future__ import annotations

from .plan import Plan
from .plan.cluster import Cluster
from .plan.names import unique_names
from .plan.policy import Limits, Probe, RunPolicy

API_VERSION = "1.37"  # the Kubernetes API the manifests are validated against (kubernetes-validate)
SECRET_MODE = 0o440  # a secret file: readable by its owner and the Pod's fsGroup (the app's gid), R18
SECRETS_VOLUME = "secrets"


def quantity_bytes(n: int) -> str:
    """Bytes as a Kubernetes quantity in the largest exact binary unit: 268435456 -> ``256Mi``."""
    for unit, size in (("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)):
        if n % size == 0:
            return f"{n // size}{unit}"
    return str(n)


def quantity_cpu(millis: int) -> str:
    """Millicores as a Kubernetes CPU quantity: 1000 -> ``1``, 250 -> ``250m``."""
    return str(millis // 1000) if millis % 1000 == 0 else f"{millis}m"


def volume_names(run: RunPolicy, cluster: Cluster) -> dict[str, str]:
    """The Pod volume's name of each writable path, the app's name first (``notes-api-tmp``,
    ``lab-notebook-app-uploads``), unique and never SECRETS_VOLUME. Kubernetes scopes the names
    to the Pod; Podman 4.3's ``kube play`` makes each emptyDir a named volume of the host by
    that name, so a bare ``tmp`` would be shared by every app played there."""
    bases = [m.name or m.path.strip("/").replace("/", "-").replace("_", "-").replace(".", "-").lower() for m in run.mounts]
    names = unique_names([f"{cluster.name}-{base}"[:63].rstrip("-") for base in bases], taken=(SECRETS_VOLUME,))
    return dict(zip((m.path for m in run.mounts), names))


def _metadata(cluster: Cluster, name: str | None = None) -> dict:
    return {"name": name or cluster.name, "labels": dict(cluster.labels)}


def deployment(plan: Plan) -> dict:
    """The Deployment: ``replicas`` Pods of the locked-down container (R13, R14, R15, R18, R11)."""
    run, cluster = plan.policy, plan.cluster
    spec: dict = {"replicas": cluster.replicas, "selector": {"matchLabels": dict(cluster.labels)}}
    if run.volumes:  # a ReadWriteOnce claim is mounted by one Pod at a time: the old one goes first
        spec["strategy"] = {"type": "Recreate"}
    spec["template"] = {"metadata": {"labels": dict(cluster.labels)}, "spec": pod(run, cluster)}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": _metadata(cluster), "spec": spec}


def pod(run: RunPolicy, cluster: Cluster) -> dict:
    """The Pod template's spec: the restricted profile's Pod-level controls, the grace period
    (R11), the container and its volumes."""
    return {
        # lifecycle.stopSignal (ContainerStopSignals) is only valid on a Pod that names its OS
        **({"os": {"name": "linux"}} if run.stop_signal != "SIGTERM" else {}),
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,  # no FOO_SERVICE_HOST variables of other Services in the app's environment
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": run.uid,
            "runAsGroup": run.gid,
            "fsGroup": run.gid,  # volumes and secret files belong to the app's group
            "fsGroupChangePolicy": "OnRootMismatch",
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "terminationGracePeriodSeconds": run.grace_seconds,
        "containers": [container(run, cluster)],
        **({"volumes": volumes(run, cluster)} if run.mounts or run.secrets else {}),
    }


def container(run: RunPolicy, cluster: Cluster) -> dict:
    """The app's container: image, ports, NAME_FILE variables, the container-level controls,
    resources, probes, the stop hook and the mounts."""
    doc: dict = {"name": cluster.name, "image": cluster.image, "imagePullPolicy": "IfNotPresent"}
    if run.ports:
        doc["ports"] = [{"name": f"port-{p.port}", "containerPort": p.port, "protocol": "TCP"} for p in run.ports]
    if run.secrets:  # R18: the path of each secret's file, never its value
        doc["env"] = [{"name": s.env, "value": s.path} for s in run.secrets]
    capabilities: dict = {"drop": list(run.cap_drop)}
    if run.cap_add:
        capabilities["add"] = list(run.cap_add)
    doc["securityContext"] = {"allowPrivilegeEscalation": not run.no_new_privileges, "privileged": False,
                              "readOnlyRootFilesystem": run.read_only_root, "capabilities": capabilities}
    if run.limits:
        doc["resources"] = resources(run.limits)
    if run.probe:
        doc["livenessProbe"] = probe(run.probe, initial=run.probe.start_period)
        doc["readinessProbe"] = probe(run.probe, initial=0)
    if run.stop_signal != "SIGTERM":  # R11: the ContainerStopSignals field, and a hook for a kubelet without it
        hook = stop_hook(run, cluster)
        doc["lifecycle"] = {**({"preStop": hook} if hook else {}), "stopSignal": run.stop_signal}
    names = volume_names(run, cluster)
    mounts = [{"name": names[m.path], "mountPath": m.path} for m in run.mounts]
    if run.secrets:
        mounts.append({"name": SECRETS_VOLUME, "mountPath": run.secrets[0].path.rsplit("/", 1)[0], "readOnly": True})
    if mounts:
        doc["volumeMounts"] = mounts
    return doc


def resources(limits: Limits) -> dict:
    """``resources.limits`` and ``requests`` (the process limit has no Pod field: the node's applies)."""
    doc: dict = {}
    for key, memory, cpu in (("limits", limits.memory_limit, limits.cpu_limit),
                             ("requests", limits.memory_request, limits.cpu_request)):
        amounts = {**({"cpu": quantity_cpu(cpu)} if cpu else {}), **({"memory": quantity_bytes(memory)} if memory else {})}
        if amounts:
            doc[key] = amounts
    return doc


def probe(check: Probe, initial: int) -> dict:
    """A liveness or readiness probe of the health check: ``httpGet`` when it is a plain GET of
    the app's port (the kubelet makes the request: no program needed in the image), else ``exec``."""
    action = ({"httpGet": {"path": check.http.path, "port": check.http.port}} if check.http
              else {"exec": {"command": list(check.command)}})
    return {**action, "initialDelaySeconds": initial, "periodSeconds": check.interval,
            "timeoutSeconds": check.timeout, "failureThreshold": check.retries}


def stop_hook(run: RunPolicy, cluster: Cluster) -> dict | None:
    """R11: a preStop hook that sends a stop signal other than SIGTERM to PID 1 and waits until
    the app has ended (the container ends with it), for a kubelet that sends SIGTERM; None
    for SIGTERM, or when the image has no shell to run it."""
    if run.stop_signal == "SIGTERM" or not cluster.shell:
        return None  # without a shell the runtime's STOPSIGNAL of the image (containerd, CRI-O) must do
    script = f"kill -s {run.stop_signal.removeprefix('SIG')} 1; while kill -0 1 2>/dev/null; do sleep 1; done"
    return {"exec": {"command": ["/bin/sh", "-c", script]}}


def volumes(run: RunPolicy, cluster: Cluster) -> list[dict]:
    """The Pod's volumes: a memory-backed emptyDir per writable path (a tmpfs, R13), a claim per
    ``volumes`` entry, and the Secret, each key a file readable by the app's group (R18).
    ``optional: false`` is Kubernetes' default, written out: Podman 4.3's ``kube play`` reads
    the field without a default and crashes when it is absent."""
    docs: list[dict] = []
    names = volume_names(run, cluster)
    for mount in run.mounts:
        source = ({"emptyDir": {"medium": "Memory"}} if mount.type == "tmpfs"
                  else {"persistentVolumeClaim": {"claimName": f"{cluster.name}-{mount.name}"}})
        docs.append({"name": names[mount.path], **source})
    if run.secrets:
        docs.append({"name": SECRETS_VOLUME, "secret": {
            "secretName": cluster.secret, "optional": False, "defaultMode": SECRET_MODE,
            "items": [{"key": s.file, "path": s.file} for s in run.secrets]}})
    return docs


def service(plan: Plan) -> dict:
    """The Service in front of the declared ports (each on the same port number)."""
    cluster = plan.cluster
    ports = [{"name": f"port-{p.port}", "port": p.port, "targetPort": p.port, "protocol": "TCP"}
             for p in plan.policy.ports]
    return {"apiVersion": "v1", "kind": "Service", "metadata": _metadata(cluster),
            "spec": {"type": cluster.service_type, "selector": dict(cluster.labels), "ports": ports}}


def claims(plan: Plan) -> list[dict]:
    """A PersistentVolumeClaim per ``volumes`` entry, ReadWriteOnce, of the block's ``volume_size``."""
    cluster = plan.cluster
    docs = []
    for mount in plan.policy.volumes:
        spec: dict = {"accessModes": ["ReadWriteOnce"],
                      "resources": {"requests": {"storage": quantity_bytes(cluster.volume_bytes)}}}
        if cluster.storage_class:
            spec["storageClassName"] = cluster.storage_class
        docs.append({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                     "metadata": _metadata(cluster, f"{cluster.name}-{mount.name}"), "spec": spec})
    return docs


def kustomization(plan: Plan, resources: list[str]) -> dict:
    """kustomization.yaml: the manifests, the namespace and the image the cluster pulls."""
    cluster = plan.cluster
    image: dict = {"name": cluster.image.rpartition(":")[0] or cluster.image, "newName": cluster.pull_name}
    if cluster.pull_digest:
        image["digest"] = cluster.pull_digest
    elif cluster.pull_tag:
        image["newTag"] = cluster.pull_tag
    doc: dict = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization"}
    if cluster.namespace:
        doc["namespace"] = cluster.namespace
    return {**doc, "resources": resources, "images": [image]}


def secret_command(plan: Plan) -> str | None:
    """The ``kubectl create secret`` line that makes the app's Secret from ./secrets/<name>
    (the files compose.yaml reads), or None without secrets. Values never enter a manifest (R18)."""
    cluster = plan.cluster
    if not cluster.secret:
        return None
    namespace = f" -n {cluster.namespace}" if cluster.namespace else ""
    files = " ".join(f"--from-file={s.file}=secrets/{s.file}" for s in plan.policy.secrets)
    return f"kubectl create secret generic {cluster.secret}{namespace} {files}"
