"""Cluster: what the Kubernetes manifests need beyond the RunPolicy (issue 13).

The manifests (``k8s/``, built by :mod:`dockgen.k8s`) read the run policy for everything the
container does (user, read-only root, writable paths, capabilities, secrets, probes, grace,
resources); this holds only what a cluster adds: object names, replicas, the Service's type,
the namespace, the image the cluster pulls, the claims' size, and the warnings that only
a cluster raises (the Pod Security Standards' restricted profile, volumes shared by replicas,
a stop signal the kubelet cannot send).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..spec import Kubernetes, Spec, memory_bytes
from .policy import RunPolicy

# The one capability the Pod Security Standards' restricted profile lets a container add
# ("Capabilities (v1.22+)"); any other makes the Pod fail that profile.
RESTRICTED_CAPS = ("NET_BIND_SERVICE",)
PROFILE = "the Pod Security Standards' restricted profile"


@dataclass(frozen=True)
class Cluster:
    """The Kubernetes side of a plan.

    Attributes:
        name: the objects' name (Deployment, Service, container; a DNS-1035 label made from
            the spec's name: ``notes_api`` -> ``notes-api``); labels: the selector labels.
        replicas: Pods the Deployment keeps; namespace: kustomization's, or None (the
            context's); service_type: ClusterIP, NodePort or LoadBalancer.
        image: what the Deployment names (the policy's local tag, ``notes-api:dev``);
            pull_name, pull_tag: what kustomization.yaml sets it to (``images``);
            pull_digest: a ``sha256:`` digest instead of a tag, or None.
        volume_bytes: each PersistentVolumeClaim's request; storage_class: or None (the default).
        secret: the name of the Secret that holds every secret of the app as a key, None without secrets.
        shell: the image has /bin/sh (a preStop hook can send the stop signal).
        warnings: what only a cluster raises (render prints them).
    """

    name: str
    labels: tuple[tuple[str, str], ...]
    replicas: int
    namespace: str | None
    service_type: str
    image: str
    pull_name: str
    pull_tag: str | None
    pull_digest: str | None
    volume_bytes: int
    storage_class: str | None
    secret: str | None
    shell: bool
    warnings: tuple[str, ...] = ()


def object_name(name: str) -> str:
    """A DNS-1035 label for Kubernetes objects from a spec name (lower-case letters, digits,
    '.', '_', '-'): '.' and '_' become '-', a leading digit gets ``app-``, at most 63."""
    label = re.sub(r"[._]+", "-", name)
    label = label if label[0].isalpha() else f"app-{label}"
    return label[:63].rstrip("-")


def _pull(settings: Kubernetes, policy: RunPolicy) -> tuple[str, str | None, str | None]:
    """(name, tag, digest) of the image the cluster pulls: the block's ``image``, else the local tag."""
    image = settings.image or policy.image
    image, _, digest = image.partition("@")
    name, colon, tag = image.rpartition(":")
    if not colon or "/" in tag:  # no tag (a digest alone), or the colon was a registry's port
        name, tag = image, None
    return name, tag, digest or None


def cluster(spec: Spec, policy: RunPolicy, shell: bool) -> Cluster:
    """The cluster settings of ``spec`` (its ``kubernetes`` block, or the defaults when
    ``render --kubernetes`` asks without one) and the warnings they raise."""
    settings = spec.kubernetes or Kubernetes()
    name = object_name(policy.name)
    pull_name, pull_tag, pull_digest = _pull(settings, policy)
    return Cluster(
        name=name,
        labels=(("app.kubernetes.io/name", name),),
        replicas=settings.replicas,
        namespace=settings.namespace,
        service_type=settings.service_type,
        image=policy.image,
        pull_name=pull_name,
        pull_tag=pull_tag,
        pull_digest=pull_digest,
        volume_bytes=memory_bytes(settings.volume_size),
        storage_class=settings.storage_class,
        secret=f"{name}-secrets" if policy.secrets else None,
        shell=shell,
        warnings=tuple(_warnings(policy, settings, shell)),
    )


def _warnings(policy: RunPolicy, settings: Kubernetes, shell: bool) -> list[str]:
    warnings = []
    extra = [cap for cap in policy.cap_add if cap.removeprefix("CAP_") not in RESTRICTED_CAPS]
    if extra:
        warnings.append(f"caps: {', '.join(extra)} fails {PROFILE} (it admits only NET_BIND_SERVICE): a namespace "
                        "that enforces it (pod-security.kubernetes.io/enforce: restricted) refuses the Pod (R14)")
    if policy.volumes and settings.replicas > 1:
        warnings.append(f"kubernetes.replicas: {settings.replicas} Pods share each volume's claim, which is "
                        "ReadWriteOnce: Pods on other nodes cannot mount it; use a storage class that offers "
                        "ReadWriteMany, or one replica")
    if policy.stop_signal != "SIGTERM" and not shell:
        warnings.append(f"stop_signal: {policy.stop_signal} reaches the app on Kubernetes only if the container "
                        "runtime sends the image's STOPSIGNAL (containerd and CRI-O do); the image has no shell "
                        "for a preStop hook that sends it (R11)")
    if not policy.ports:
        warnings.append("ports: none, so k8s/ has no Service; a Deployment restarts the program whenever it "
                        "ends, which suits a service: run a tool as a Job or CronJob instead")
    return warnings
