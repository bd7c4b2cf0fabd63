"""A checker of the Pod Security Standards' restricted profile (issue 13), one function per control.

No maintained checker installs here (kube-linter, kubescape and Polaris are Go binaries from
their own download sites; Kubernetes' own admission code needs a cluster), so each control of
https://kubernetes.io/docs/concepts/security/pod-security-standards/ (the page of Kubernetes
v1.37) is written out below under the name that page gives it, with the fields it restricts
and the values it allows. The restricted profile is the baseline profile's controls plus its
own; :func:`violations` runs them all on a Pod spec (``spec.template.spec`` of a Deployment).
tests/test_kubernetes.py checks that each control catches a Pod that breaks it, so a control
that passes everything would fail there.
"""

from __future__ import annotations

from collections.abc import Callable

# Baseline "Capabilities": what a container may add in the baseline profile
BASELINE_CAPS = {"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE",
                 "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"}
# Restricted "Volume Types": the only volume sources allowed
VOLUME_TYPES = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected",
                "secret"}
SAFE_SYSCTLS = {"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
                "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
                "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
                "net.ipv4.tcp_keepalive_probes"}
SELINUX_TYPES = {None, "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}


def _containers(pod: dict) -> list[dict]:
    return [*pod.get("initContainers", []), *pod.get("containers", []), *pod.get("ephemeralContainers", [])]


def _contexts(pod: dict) -> list[dict]:
    return [c.get("securityContext") or {} for c in _containers(pod)]


def host_process(pod: dict) -> bool:
    """Baseline "HostProcess": windowsOptions.hostProcess unset or false, Pod and containers."""
    contexts = [pod.get("securityContext") or {}, *_contexts(pod)]
    return not any((c.get("windowsOptions") or {}).get("hostProcess") for c in contexts)


def host_namespaces(pod: dict) -> bool:
    """Baseline "Host Namespaces": hostNetwork, hostPID, hostIPC unset or false."""
    return not any(pod.get(key) for key in ("hostNetwork", "hostPID", "hostIPC"))


def privileged_containers(pod: dict) -> bool:
    """Baseline "Privileged Containers": securityContext.privileged unset or false."""
    return not any(c.get("privileged") for c in _contexts(pod))


def baseline_capabilities(pod: dict) -> bool:
    """Baseline "Capabilities": capabilities.add only from the baseline list."""
    return all(set((c.get("capabilities") or {}).get("add", [])) <= BASELINE_CAPS for c in _contexts(pod))


def hostpath_volumes(pod: dict) -> bool:
    """Baseline "HostPath Volumes": no hostPath volume."""
    return not any("hostPath" in v for v in pod.get("volumes", []))


def host_ports(pod: dict) -> bool:
    """Baseline "Host Ports": hostPort unset or 0 (the known list is empty by default)."""
    return not any(p.get("hostPort") for c in _containers(pod) for p in c.get("ports", []))


def apparmor(pod: dict) -> bool:
    """Baseline "AppArmor": appArmorProfile.type unset, RuntimeDefault or Localhost (and the
    container.apparmor annotations, which a Deployment's Pod template would carry, unset)."""
    contexts = [pod.get("securityContext") or {}, *_contexts(pod)]
    return all((c.get("appArmorProfile") or {}).get("type") in (None, "RuntimeDefault", "Localhost") for c in contexts)


def selinux(pod: dict) -> bool:
    """Baseline "SELinux": seLinuxOptions.type from the allowed list, user and role unset."""
    contexts = [pod.get("securityContext") or {}, *_contexts(pod)]
    options = [c.get("seLinuxOptions") or {} for c in contexts]
    return all(o.get("type") in SELINUX_TYPES and not o.get("user") and not o.get("role") for o in options)


def proc_mount_type(pod: dict) -> bool:
    """Baseline "/proc Mount Type": procMount unset or Default."""
    return all(c.get("procMount") in (None, "Default") for c in _contexts(pod))


def baseline_seccomp(pod: dict) -> bool:
    """Baseline "Seccomp": seccompProfile.type is never Unconfined."""
    contexts = [pod.get("securityContext") or {}, *_contexts(pod)]
    return all((c.get("seccompProfile") or {}).get("type") != "Unconfined" for c in contexts)


def sysctls(pod: dict) -> bool:
    """Baseline "Sysctls": only the safe sysctls."""
    return all(s.get("name") in SAFE_SYSCTLS for s in (pod.get("securityContext") or {}).get("sysctls", []))


def volume_types(pod: dict) -> bool:
    """Restricted "Volume Types": every volume is of an allowed type."""
    return all(set(v) - {"name"} <= VOLUME_TYPES for v in pod.get("volumes", []))


def privilege_escalation(pod: dict) -> bool:
    """Restricted "Privilege Escalation (v1.8+)": allowPrivilegeEscalation is false in every container."""
    return all(c.get("allowPrivilegeEscalation") is False for c in _contexts(pod))


def running_as_non_root(pod: dict) -> bool:
    """Restricted "Running as Non-root": runAsNonRoot true on the Pod, or on every container
    (a container may not set it false)."""
    pod_level = (pod.get("securityContext") or {}).get("runAsNonRoot")
    return all(c.get("runAsNonRoot", pod_level) is True for c in _contexts(pod))


def running_as_non_root_user(pod: dict) -> bool:
    """Restricted "Running as Non-root user (v1.23+)": runAsUser is never 0."""
    contexts = [pod.get("securityContext") or {}, *_contexts(pod)]
    return all(c.get("runAsUser") != 0 for c in contexts)


def restricted_seccomp(pod: dict) -> bool:
    """Restricted "Seccomp (v1.19+)": seccompProfile.type RuntimeDefault or Localhost, set on the
    Pod or on every container."""
    pod_type = ((pod.get("securityContext") or {}).get("seccompProfile") or {}).get("type")
    return all((c.get("seccompProfile") or {}).get("type", pod_type) in ("RuntimeDefault", "Localhost")
               for c in _contexts(pod))


def restricted_capabilities(pod: dict) -> bool:
    """Restricted "Capabilities (v1.22+)": every container drops ALL and adds at most NET_BIND_SERVICE."""
    caps = [c.get("capabilities") or {} for c in _contexts(pod)]
    return all("ALL" in c.get("drop", []) and set(c.get("add", [])) <= {"NET_BIND_SERVICE"} for c in caps)


CONTROLS: dict[str, Callable[[dict], bool]] = {
    "HostProcess": host_process,
    "Host Namespaces": host_namespaces,
    "Privileged Containers": privileged_containers,
    "Capabilities (baseline)": baseline_capabilities,
    "HostPath Volumes": hostpath_volumes,
    "Host Ports": host_ports,
    "AppArmor": apparmor,
    "SELinux": selinux,
    "/proc Mount Type": proc_mount_type,
    "Seccomp (baseline)": baseline_seccomp,
    "Sysctls": sysctls,
    "Volume Types": volume_types,
    "Privilege Escalation": privilege_escalation,
    "Running as Non-root": running_as_non_root,
    "Running as Non-root user": running_as_non_root_user,
    "Seccomp": restricted_seccomp,
    "Capabilities": restricted_capabilities,
}


def violations(pod: dict) -> list[str]:
    """The names of the restricted profile's controls that the Pod spec ``pod`` fails."""
    return [name for name, allowed in CONTROLS.items() if not allowed(pod)]
