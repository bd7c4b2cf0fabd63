"""Issue 13: ``render --kubernetes`` and the spec's ``kubernetes`` block write k8s/ manifests.

Every example and shared spec renders manifests that validate against the Kubernetes API
schemas of v1.37 (kubernetes-validate, strict: no unknown field) and whose Pod passes every
control of the Pod Security Standards' restricted profile (tests/pod_security.py, one check
per control, named as the Kubernetes documentation names it). The rest checks what the
manifests take from the run policy: secrets as files (R18), writable paths (R13), probes,
the stop (R11), resources, and the block's settings.
"""

from __future__ import annotations

import base64
import copy
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from dockgen import languages

import pod_security
from support import ALL_SPECS, EXAMPLES, dockgen, spec_id

K8S_VERSION = "1.37.0"  # the API the manifests are validated against (dockgen.k8s.API_VERSION)
PY_NOTES = next(s for s in EXAMPLES if s.parent.name == "python-notes")
PHP = next(s for s in EXAMPLES if s.parent.name == "php-notebook-debian")


def manifests(spec: Path, out: Path, *extra: str) -> dict[str, list[dict]]:
    """Render ``spec`` with --kubernetes into ``out``; the documents of each k8s/ file by name."""
    result = dockgen("render", spec, "-o", out, "--kubernetes", *extra)
    assert result.returncode == 0, result.stderr
    return {p.name: list(yaml.safe_load_all(p.read_text())) for p in sorted((out / "k8s").iterdir())}


def pod_of(docs: dict[str, list[dict]]) -> dict:
    (deployment,) = docs["deployment.yaml"]
    return deployment["spec"]["template"]["spec"]


def spec_file(tmp_path: Path, text: str) -> Path:
    (tmp_path / "app.py").write_text("print('hi')\n")
    path = tmp_path / "dockgen.yaml"
    path.write_text("name: app\nlanguage: python\nversion: '3.12'\ncopy: [app.py]\ndependencies: []\n"
                    "entrypoint: [python, app.py]\n" + text)
    return path


@pytest.fixture(params=ALL_SPECS, ids=spec_id)
def rendered(request, tmp_path: Path) -> tuple[Path, dict[str, list[dict]]]:
    return request.param, manifests(request.param, tmp_path)


def test_every_manifest_validates_against_the_kubernetes_api_schemas(rendered) -> None:
    """kubernetes-validate, strict, against v1.37; kustomization.yaml lists the others and sets the image."""
    spec, docs = rendered
    for name, documents in docs.items():
        for document in documents:
            if document["kind"] == "Kustomization":
                continue
            assert kubernetes_validate.validate(document, K8S_VERSION, strict=True) == "1.37", name
    (kustomization,) = docs["kustomization.yaml"]
    assert kustomization["apiVersion"] == "kustomize.config.k8s.io/v1beta1"
    assert sorted(kustomization["resources"]) == sorted(n for n in docs if n != "kustomization.yaml")
    (deployment,) = docs["deployment.yaml"]
    image = deployment["spec"]["template"]["spec"]["containers"][0]["image"]
    assert [i["name"] for i in kustomization["images"]] == [image.rpartition(":")[0]]


def test_every_pod_meets_the_restricted_profile(rendered) -> None:
    """Every control of the restricted profile (tests/pod_security.py), plus dockgen's own
    lock-down beyond it: read-only root, no service account token (R13, R14, R15)."""
    spec, docs = rendered
    pod = pod_of(docs)
    caps = set(yaml.safe_load(spec.read_text()).get("caps") or [])
    expected = {*(["Capabilities"] if caps - {"NET_BIND_SERVICE"} else []),
                *(["Capabilities (baseline)"] if caps - pod_security.BASELINE_CAPS else [])}
    assert set(pod_security.violations(pod)) == expected
    assert pod["automountServiceAccountToken"] is False
    (container,) = pod["containers"]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert pod["securityContext"]["runAsUser"] != 0 and pod["securityContext"]["fsGroup"] == pod["securityContext"]["runAsGroup"]


@pytest.mark.parametrize("control", sorted(pod_security.CONTROLS))
def test_each_restricted_control_catches_a_pod_that_breaks_it(control: str, tmp_path: Path) -> None:
    """The checker is not a rubber stamp: each control fails a Pod changed to break only it."""
    pod = pod_of(manifests(PHP, tmp_path))
    assert pod_security.violations(pod) == []
    broken = copy.deepcopy(pod)
    BREAK[control](broken, broken["containers"][0].setdefault("securityContext", {}))
    assert control in pod_security.violations(broken)


BREAK = {
    "HostProcess": lambda p, c: c.update(windowsOptions={"hostProcess": True}),
    "Host Namespaces": lambda p, c: p.update(hostPID=True),
    "Privileged Containers": lambda p, c: c.update(privileged=True),
    "Capabilities (baseline)": lambda p, c: c["capabilities"].update(add=["SYS_ADMIN"]),
    "HostPath Volumes": lambda p, c: p["volumes"].append({"name": "h", "hostPath": {"path": "/"}}),
    "Host Ports": lambda p, c: p["containers"][0]["ports"][0].update(hostPort=8080),
    "AppArmor": lambda p, c: c.update(appArmorProfile={"type": "Unconfined"}),
    "SELinux": lambda p, c: c.update(seLinuxOptions={"type": "spc_t"}),
    "/proc Mount Type": lambda p, c: c.update(procMount="Unmasked"),
    "Seccomp (baseline)": lambda p, c: c.update(seccompProfile={"type": "Unconfined"}),
    "Sysctls": lambda p, c: p["securityContext"].update(sysctls=[{"name": "kernel.msgmax", "value": "1"}]),
    "Volume Types": lambda p, c: p["volumes"].append({"name": "n", "nfs": {"server": "x", "path": "/"}}),
    "Privilege Escalation": lambda p, c: c.pop("allowPrivilegeEscalation"),
    "Running as Non-root": lambda p, c: c.update(runAsNonRoot=False),
    "Running as Non-root user": lambda p, c: c.update(runAsUser=0),
    "Seccomp": lambda p, c: p["securityContext"].pop("seccompProfile"),
    "Capabilities": lambda p, c: c["capabilities"].update(add=["NET_RAW"]),
}


def test_r14_a_capability_beyond_net_bind_service_is_a_warning_naming_the_profile(tmp_path: Path) -> None:
    """caps go to capabilities.add; the restricted profile admits only NET_BIND_SERVICE."""
    spec = spec_file(tmp_path, "caps: [NET_BIND_SERVICE, NET_RAW]\n")
    result = dockgen("render", spec, "-o", tmp_path / "out", "--kubernetes")
    assert result.returncode == 0, result.stderr
    assert "NET_RAW fails the Pod Security Standards' restricted profile" in result.stderr
    assert "NET_BIND_SERVICE fails" not in result.stderr and "NET_BIND_SERVICE, NET_RAW fails" not in result.stderr
    pod = yaml.safe_load((tmp_path / "out/k8s/deployment.yaml").read_text())["spec"]["template"]["spec"]
    assert pod["containers"][0]["securityContext"]["capabilities"] == {"drop": ["ALL"], "add": ["NET_BIND_SERVICE", "NET_RAW"]}
    quiet = dockgen("render", spec_file(tmp_path, "caps: [NET_BIND_SERVICE]\n"), "-o", tmp_path / "q", "--kubernetes")
    assert "restricted profile" not in quiet.stderr


def test_r18_secrets_are_a_read_only_secret_volume_and_name_file_never_values(tmp_path: Path) -> None:
    """Each secret: a key of the app's Secret, mounted read-only where NAME_FILE points, as in compose.yaml."""
    docs = manifests(PHP, tmp_path)
    pod = pod_of(docs)
    (container,) = pod["containers"]
    compose = yaml.safe_load((tmp_path / "compose.yaml").read_text())
    (service,) = compose["services"].values()
    env = {e["name"]: e for e in container["env"]}
    assert {k: v["value"] for k, v in env.items()} == {k: v for k, v in service["environment"].items() if k.endswith("_FILE")}
    assert all(set(e) == {"name", "value"} for e in env.values()), "no valueFrom: a secret never enters the environment"
    (volume,) = [v for v in pod["volumes"] if "secret" in v]
    assert volume["secret"]["secretName"] == "lab-notebook-secrets" and volume["secret"]["defaultMode"] == 0o440
    assert {i["key"] for i in volume["secret"]["items"]} == {"db_password", "secret_key"}
    (mount,) = [m for m in container["volumeMounts"] if m["name"] == volume["name"]]
    assert mount == {"name": volume["name"], "mountPath": "/run/secrets", "readOnly": True}
    assert all(path.startswith("/run/secrets/") for path in service["environment"].values())
    assert not any(d.get("kind") == "Secret" for documents in docs.values() for d in documents)
    header = (tmp_path / "k8s/deployment.yaml").read_text()
    assert ("#   kubectl create secret generic lab-notebook-secrets --from-file=db_password=secrets/db_password "
            "--from-file=secret_key=secrets/secret_key\n") in header


def test_r13_writable_paths_are_memory_emptydirs_and_volumes_are_claims(tmp_path: Path) -> None:
    """compose.yaml's tmpfs paths are emptyDir (medium Memory), its named volumes PersistentVolumeClaims."""
    docs = manifests(PHP, tmp_path)
    pod = pod_of(docs)
    (container,) = pod["containers"]
    compose = yaml.safe_load((tmp_path / "compose.yaml").read_text())
    (service,) = compose["services"].values()
    volumes = {v["name"]: v for v in pod["volumes"]}
    mounts = {m["mountPath"]: volumes[m["name"]] for m in container["volumeMounts"]}
    assert sorted(p for p, v in mounts.items() if "emptyDir" in v) == sorted(t.split(":")[0] for t in service["tmpfs"])
    assert all(v["emptyDir"] == {"medium": "Memory"} for v in mounts.values() if "emptyDir" in v)
    claims = {d["metadata"]["name"]: d for d in docs["volumes.yaml"]}
    assert mounts["/app/uploads"]["persistentVolumeClaim"]["claimName"] in claims
    assert len(claims) == len(compose["volumes"])
    (deployment,) = docs["deployment.yaml"]
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}, "a ReadWriteOnce claim: the old Pod goes first"


def test_probes_are_httpget_for_a_plain_get_and_exec_otherwise(tmp_path: Path) -> None:
    """python-notes' urllib one-liner is a plain GET: httpGet; node's status check stays exec."""
    (container,) = pod_of(manifests(PY_NOTES, tmp_path / "py"))["containers"]
    assert container["livenessProbe"]["httpGet"] == {"path": "/health", "port": 8000}
    assert container["readinessProbe"]["httpGet"] == {"path": "/health", "port": 8000}
    assert container["livenessProbe"]["initialDelaySeconds"] == 10 and container["livenessProbe"]["periodSeconds"] == 30
    node = next(s for s in EXAMPLES if s.parent.name == "node-orders")
    (container,) = pod_of(manifests(node, tmp_path / "node"))["containers"]
    command = yaml.safe_load(node.read_text())["healthcheck"]["command"]
    assert container["livenessProbe"]["exec"] == {"command": command}
    assert container["livenessProbe"]["failureThreshold"] == 3


@pytest.mark.parametrize("check, http", [
    ("[curl, -fsS, 'http://127.0.0.1:8000/health']", True),
    ("[curl, 'http://127.0.0.1:8000/health']", False),  # without -f curl exits 0 on a 500
    ("[wget, -q, --spider, 'http://localhost:8000/']", True),
    ("[wget, -q, --spider, 'http://127.0.0.1:9999/']", False),  # not a declared port
    ("[python, -c, \"import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/x?y=1', timeout=3)\"]", True),
    ("[python, -c, \"import urllib.request, sys; urllib.request.urlopen('http://127.0.0.1:8000/'); sys.exit(0)\"]", False),
])
def test_a_plain_http_get_is_recognised_and_nothing_more(check: str, http: bool, tmp_path: Path) -> None:
    spec = spec_file(tmp_path, f"ports: [8000]\nhealthcheck:\n  command: {check}\n")
    (container,) = pod_of(manifests(spec, tmp_path / "out"))["containers"]
    assert ("httpGet" in container["livenessProbe"]) is http, container["livenessProbe"]


def test_r11_grace_period_and_a_stop_signal_other_than_sigterm(tmp_path: Path) -> None:
    """The grace period is terminationGracePeriodSeconds; SIGQUIT is lifecycle.stopSignal (with
    os.name, as the API requires) and a preStop hook that sends it to PID 1 and waits."""
    spec = spec_file(tmp_path, "stop_signal: SIGQUIT\nstop_grace_period: 20s\n")
    pod = pod_of(manifests(spec, tmp_path / "out"))
    assert pod["terminationGracePeriodSeconds"] == 20 and pod["os"] == {"name": "linux"}
    lifecycle = pod["containers"][0]["lifecycle"]
    assert lifecycle["stopSignal"] == "SIGQUIT"
    assert lifecycle["preStop"]["exec"]["command"][:2] == ["/bin/sh", "-c"]
    assert lifecycle["preStop"]["exec"]["command"][2].startswith("kill -s QUIT 1; while kill -0 1")
    plain = pod_of(manifests(PY_NOTES, tmp_path / "notes"))
    assert "lifecycle" not in plain["containers"][0] and "os" not in plain


def test_r11_a_stop_signal_without_a_shell_warns_that_the_runtime_must_send_it(tmp_path: Path) -> None:
    go = next(s for s in EXAMPLES if s.parent.name == "go-pinger")
    spec = tmp_path / "dockgen.yaml"
    spec.write_text(go.read_text() + "stop_signal: SIGINT\n")
    for name in ("go.mod", "main.go"):
        (tmp_path / name).write_bytes((go.parent / name).read_bytes())
    result = dockgen("render", spec, "-o", tmp_path / "out", "--kubernetes")
    assert result.returncode == 0, result.stderr
    assert "stop_signal: SIGINT reaches the app on Kubernetes only if the container runtime sends the image's STOPSIGNAL" in result.stderr
    lifecycle = pod_of({"deployment.yaml": [yaml.safe_load((tmp_path / "out/k8s/deployment.yaml").read_text())]})["containers"][0]["lifecycle"]
    assert lifecycle == {"stopSignal": "SIGINT"}


def test_resources_are_the_containers_resources(tmp_path: Path) -> None:
    """limits and requests in Kubernetes quantities; the process limit, which has no Pod field, a comment."""
    dockgen("render", PY_NOTES, "-o", tmp_path, "--kubernetes")
    (container,) = pod_of({"deployment.yaml": [yaml.safe_load((tmp_path / "k8s/deployment.yaml").read_text())]})["containers"]
    assert container["resources"] == {"limits": {"cpu": "1", "memory": "256Mi"}, "requests": {"cpu": "250m", "memory": "128Mi"}}
    assert "# resources.pids (128) has no Pod field: the kubelet's podPidsLimit" in (tmp_path / "k8s/deployment.yaml").read_text()


def test_the_kubernetes_block_renders_k8s_without_the_flag(tmp_path: Path) -> None:
    """replicas, namespace, service_type, image (kustomization's images), volume_size, storage_class."""
    spec = spec_file(tmp_path, "ports: [8000]\nvolumes: [/data]\nkubernetes:\n  replicas: 3\n  namespace: shop\n"
                     "  service_type: LoadBalancer\n  image: registry.example.org:5000/team/app:1.4.2\n"
                     "  volume_size: 5Gi\n  storage_class: fast-ssd\n")
    result = dockgen("render", spec, "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "3 Pods share each volume's claim, which is ReadWriteOnce" in result.stderr
    docs = {p.name: list(yaml.safe_load_all(p.read_text())) for p in (tmp_path / "out/k8s").iterdir()}
    (deployment,), (service,), (claim,) = docs["deployment.yaml"], docs["service.yaml"], docs["volumes.yaml"]
    assert deployment["spec"]["replicas"] == 3 and service["spec"]["type"] == "LoadBalancer"
    assert claim["spec"]["resources"]["requests"]["storage"] == "5Gi" and claim["spec"]["storageClassName"] == "fast-ssd"
    (kustomization,) = docs["kustomization.yaml"]
    assert kustomization["namespace"] == "shop"
    assert kustomization["images"] == [{"name": "app", "newName": "registry.example.org:5000/team/app", "newTag": "1.4.2"}]


@pytest.mark.parametrize("block, message", [
    ("  namespace: Shop_1\n", "namespace"),
    ("  service_type: Ingress\n", "service_type"),
    ("  image: registry.example.org/app:latest\n", "latest"),
    ("  replicas: -1\n", "replicas"),
    ("  replica: 2\n", "replica"),
])
def test_a_bad_kubernetes_block_exits_2_naming_the_field(block: str, message: str, tmp_path: Path) -> None:
    spec = spec_file(tmp_path, "kubernetes:\n" + block)
    result = dockgen("render", spec, "-o", tmp_path / "out")
    assert result.returncode == 2 and "dockgen.yaml:8:" in result.stderr and message in result.stderr, result.stderr
    assert not (tmp_path / "out").exists()


def test_manifests_are_deterministic_sealed_and_checked(tmp_path: Path) -> None:
    """The same spec gives the same bytes; each file carries its checksum; --check sees k8s/ too."""
    manifests(PHP, tmp_path / "a")
    manifests(PHP, tmp_path / "b")
    for path in (tmp_path / "a/k8s").iterdir():
        assert path.read_bytes() == (tmp_path / "b/k8s" / path.name).read_bytes()
        assert "dockgen-checksum: " in path.read_text().splitlines()[0]
    assert dockgen("render", PHP, "-o", tmp_path / "a", "--kubernetes", "--check").returncode == 0
    (tmp_path / "a/k8s/service.yaml").unlink()
    check = dockgen("render", PHP, "-o", tmp_path / "a", "--kubernetes", "--check")
    assert check.returncode == 1 and "service.yaml" in check.stderr


def test_the_secret_line_makes_a_secret_the_deployment_finds(tmp_path: Path) -> None:
    """What `kubectl create secret generic NAME --from-file=KEY=PATH` makes (keys = the files'
    names, base64 values) is what the Deployment's secret volume reads."""
    docs = manifests(PY_NOTES, tmp_path)
    header = (tmp_path / "k8s/deployment.yaml").read_text()
    line = next(l for l in header.splitlines() if l.startswith("#   kubectl create secret"))
    words = line.split()[2:]
    name, keys = words[3], dict(w.removeprefix("--from-file=").split("=") for w in words[4:])
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name},
              "data": {k: base64.b64encode(b"x").decode() for k in keys}}
    assert kubernetes_validate.validate(secret, K8S_VERSION, strict=True)
    (volume,) = [v for v in pod_of(docs)["volumes"] if "secret" in v]
    assert volume["secret"]["secretName"] == name and {i["key"] for i in volume["secret"]["items"]} <= set(keys)


@pytest.mark.parametrize("language", ["python", "go"])
def test_init_new_kubernetes_adds_k8s_and_its_workflow_validates_the_manifests(language: str, tmp_path: Path) -> None:
    """`init --new --kubernetes`: the spec's kubernetes block, k8s/ rendered, and the CI step
    that validates the manifests, run here as written (kubernetes-validate from the dev extras)."""
    import shlex
    import subprocess

    from support import tool

    result = dockgen("init", "--new", "demo", "--language", language, "--kubernetes", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    repo = tmp_path / "demo"
    assert yaml.safe_load((repo / "dockgen.yaml").read_text())["kubernetes"] == {"replicas": 1, "service_type": "ClusterIP"}
    assert {p.name for p in (repo / "k8s").iterdir()} == {"deployment.yaml", "service.yaml", "kustomization.yaml"}
    assert dockgen("render", "--check", repo / "dockgen.yaml").returncode == 0  # CI's --check covers k8s/
    workflow = yaml.safe_load((repo / ".github/workflows/container.yml").read_text())
    steps = {s.get("name"): s for s in workflow["jobs"]["container"]["steps"]}
    lines = steps["Validate the Kubernetes manifests"]["run"].splitlines()
    assert "kubernetes-validate>=1.37,<1.38" in shlex.split(steps["Install dockgen and hadolint"]["run"])
    validate = shlex.split(lines[0])
    assert validate[:5] == ["kubernetes-validate", "--kubernetes-version", "1.37.0", "--strict", "k8s/*.yaml"]
    files = sorted(str(p.relative_to(repo)) for p in (repo / "k8s").glob("*.yaml"))
    run = subprocess.run([tool("kubernetes-validate"), *validate[1:4], *files], cwd=repo, capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout.count("passed for resource") == 2, run.stdout + run.stderr
    assert lines[1] == "kubectl kustomize k8s/ > /dev/null"
    plain = dockgen("init", "--new", "flat", "--language", language, cwd=tmp_path)
    assert plain.returncode == 0 and not (tmp_path / "flat/k8s").exists()
    assert "kubernetes" not in (tmp_path / "flat/.github/workflows/container.yml").read_text()


@pytest.mark.parametrize("language", languages.NAMES)
def test_init_proposes_the_languages_default_resources_and_render_is_then_bounded(language: str, tmp_path: Path) -> None:
    """Issue 13: init writes the language module's RESOURCES; without resources render
    warns that the container is unbounded."""
    result = dockgen("init", "--new", "demo", "--language", language, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    spec = yaml.safe_load((tmp_path / "demo/dockgen.yaml").read_text())
    assert spec["resources"] == languages.module(language).RESOURCES
    assert "unbounded" not in result.stderr
    del spec["resources"]
    (tmp_path / "demo/dockgen.yaml").write_text(yaml.safe_dump(spec))
    unbounded = dockgen("render", tmp_path / "demo/dockgen.yaml", "-o", tmp_path / "out")
    assert unbounded.returncode == 0 and "resources: not set, so the container is unbounded" in unbounded.stderr


def test_a_later_render_keeps_k8s_up_to_date(tmp_path: Path) -> None:
    """Issue 13: once `render --kubernetes` wrote k8s/, a plain render (and --check) covers it
    too, so a changed port never leaves a stale Service (a reviewer's finding)."""
    spec = tmp_path / "dockgen.yaml"
    text = "name: web\nlanguage: none\nbase: busybox:1.36.1\nports: [8080]\nentrypoint: [httpd, -f, -p, '8080']\n"
    spec.write_text(text)
    assert dockgen("render", spec, "--kubernetes").returncode == 0
    spec.write_text(text.replace("8080", "8081"))
    stale = dockgen("render", spec, "--check")
    assert stale.returncode == 1 and "k8s/service.yaml" in stale.stderr, stale.stderr
    assert dockgen("render", spec).returncode == 0
    service = yaml.safe_load((tmp_path / "k8s/service.yaml").read_text())
    assert [port["port"] for port in service["spec"]["ports"]] == [8081]
    assert dockgen("render", spec, "--check").returncode == 0
