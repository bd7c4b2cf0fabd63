"""The spec model: field names, defaults, validation and rule refusals.

A spec describes one application (R01) in YAML; :class:`Spec` is its pydantic v2 model.
Field names are the stable public interface (issues 2 and 3). Values that would break a
rule in ``shared/RULES.md`` are refused here with a message that names the rule:
R06 (pinned base), R09 (no ssh server), R12 (exec form), R15 (not root), R18 (secrets
are names, never values). Values that later land in a Dockerfile or a shell script are
limited to characters that cannot inject an instruction or a command; the renderer
quotes them as well (defence in depth).

Cross-field refusals raise :class:`Refusal`, which pydantic lets through unchanged so
that the loader can point at the field that caused it.
"""

# No `from __future__ import annotations`: pydantic would then eval every field's annotation
# text when the models are built, at import (about 1 ms of each `dockgen render`).
import ipaddress
import json
import posixpath
import re
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .languages import NAMES as LANGUAGES
from .packagers import BY_LANGUAGE as PACKAGE_MANAGERS_OF
from .packagers import NAMES as PACKAGE_MANAGERS
from .packagers import fits as _fits_language


class Refusal(Exception):
    """A spec that asks for what a rule forbids (cross-field check).

    Attributes:
        field: tuple path of the field to blame, e.g. ``("secrets",)``.
        message: what is refused and why.
        rule: the rule ID (``R13``) or None.
    """

    def __init__(self, field: tuple, message: str, rule: str | None = None):
        super().__init__(message)
        self.field = field
        self.message = message
        self.rule = rule


def _fail(kind: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(kind, message)


def _matcher(pattern: str, what: str):
    regex = re.compile(pattern)

    def check(value: str) -> str:
        if not regex.fullmatch(value):
            raise _fail("pattern", f"{value!r} is not a valid {what}")
        return value

    return check


# Characters that mean something to a shell or to the Dockerfile parser.
SHELL_METACHARACTERS = set(" \t\n\r;&|$`\\'\"()<>*?!#{}")


def _no_shell_metacharacters(what: str):
    def check(value: str) -> str:
        bad = sorted(set(value) & SHELL_METACHARACTERS)
        if bad or not value:
            shown = " ".join(repr(c) for c in bad) or "an empty name"
            raise _fail(
                "shell_metacharacter",
                f"{value!r} is not a valid {what}: it contains {shown}; "
                "names may not contain shell metacharacters",
            )
        return value

    return check


def _one_line(value: str) -> str:
    if "\n" in value or "\r" in value or "\x00" in value:
        raise _fail("multiline", "must be a single line (no newline or NUL character)")
    return value


def _no_bool(value: object) -> object:
    """YAML reads yes/no/on/off as booleans; pydantic would turn them into 1 and 0."""
    if isinstance(value, bool):
        raise _fail("bool_value", f"is the boolean {str(value).lower()} (YAML reads yes/no/on/off so); expected a whole number")
    return value


def _scalar_to_str(value: object) -> object:
    """Accept YAML numbers where a string is meant (``WEB_CONCURRENCY: 2``)."""
    if isinstance(value, bool):
        raise _fail("bool_value", 'is a boolean; quote it ("true"/"false") if text is meant')
    if isinstance(value, (int, float)):
        return str(value)
    return value


# --- value types -------------------------------------------------------------------

Name = Annotated[str, AfterValidator(_matcher(r"[a-z0-9]+(?:[._-][a-z0-9]+)*", "name (lower-case letters, digits, '.', '_', '-')"))]
EnvName = Annotated[str, AfterValidator(_matcher(r"[A-Za-z_][A-Za-z0-9_]*", "variable name ([A-Za-z_][A-Za-z0-9_]*)"))]
OneLine = Annotated[str, BeforeValidator(_scalar_to_str, json_schema_input_type=str | int | float), AfterValidator(_one_line)]
def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise _fail("nul", "may not contain a NUL character")
    return value


Argument = Annotated[str, AfterValidator(_no_nul)]
Argv = Annotated[list[Argument], Field(min_length=1)]

# Path characters: no spaces, quotes, $ (Dockerfile expansion), nor , = : (mount option syntax).
_PATH_CHARS = r"[A-Za-z0-9._@+/-]"


def _absolute_path(value: str) -> str:
    """An absolute path, normalised (``/etc/app/`` -> ``/etc/app``); ``..`` is refused."""
    _matcher(rf"/{_PATH_CHARS}*", "absolute path (starting with /; letters, digits, . _ @ + - only)")(value)
    if ".." in value.split("/"):
        raise _fail("path", f"{value!r} may not contain `..`")
    return posixpath.normpath(value).replace("//", "/")


AbsPath = Annotated[str, AfterValidator(_absolute_path)]


def _relative_path(value: str) -> str:
    _matcher(rf"{_PATH_CHARS}+", "relative path in the build context (letters, digits, . _ @ + - / only)")(value)
    if value.startswith(("/", "-")) or ".." in value.split("/"):
        raise _fail("path", f"{value!r} must be a relative path inside the build context (no leading / or -, no ..)")
    return value


RelPath = Annotated[str, AfterValidator(_relative_path)]


def _image_path(value: str) -> str:
    """A path in the image: absolute (``/www``) or relative to the workdir (``static``)."""
    if value.startswith("/"):
        return _absolute_path(value)
    _matcher(rf"{_PATH_CHARS}+", "path in the image (absolute, or relative to workdir; letters, digits, . _ @ + - / only)")(value)
    if value.startswith("-") or ".." in value.split("/"):
        raise _fail("path", f"{value!r} must be an absolute path in the image or one relative to workdir "
                    "(no leading -, no ..)")
    return posixpath.normpath(value)


ImagePath = Annotated[str, AfterValidator(_image_path)]

# Package names that install an ssh server (Debian, Alpine), compared without punctuation:
# apt reads `openssh.server` or `openssh-server+` as patterns that match openssh-server.
SSH_SERVERS = {"opensshserver", "openssh", "opensshserverpam", "ssh", "sshd", "dropbear", "dropbearbin",
               "dropbearrunit", "dropbearopenrc", "tinyssh", "tinysshd", "lsh", "lshserver"}


def _no_ssh_server(value: str) -> str:
    """R09: an ssh server in the image is refused; ``docker exec`` is the way in."""
    name = re.split(r"[=<>~@:]", value, maxsplit=1)[0]
    if re.sub(r"[^a-z0-9]", "", name.lower()) in SSH_SERVERS:
        raise _fail(
            "rule",
            f"{value!r} is an ssh server; use `docker exec -it <container> sh` to get a shell "
            "in a running container instead (R09)",
        )
    return value


OsPackage = Annotated[
    str,
    AfterValidator(_no_shell_metacharacters("OS package name")),
    AfterValidator(_matcher(r"[A-Za-z0-9][A-Za-z0-9+._-]*(?:[=~]{1,2}[A-Za-z0-9.+~:_*-]+)?", "OS package (name or name=version)")),
    AfterValidator(_no_ssh_server),
]
LanguagePackage = Annotated[
    str,
    AfterValidator(_no_shell_metacharacters("language package")),
    AfterValidator(_matcher(r"[A-Za-z0-9@][A-Za-z0-9@/._+:=~^,\[\]-]*", "language package (e.g. name==1.2.3, name@1.2.3)")),
    AfterValidator(_no_ssh_server),
]

_DURATION = re.compile(r"(?:[0-9]+(?:\.[0-9]+)?(?:ms|s|m|h))+")


def duration_seconds(value: str) -> Decimal:
    """Convert a Go-style duration (``1m30s``, ``500ms``) to seconds, exactly (a Decimal).

    The format is the one Docker uses for HEALTHCHECK and compose's ``stop_grace_period``.
    """
    factor = {"ms": Decimal("0.001"), "s": Decimal(1), "m": Decimal(60), "h": Decimal(3600)}
    return sum((Decimal(n) * factor[u] for n, u in re.findall(r"([0-9.]+)(ms|s|m|h)", value)), Decimal(0))


def _duration(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = f"{value}s"
    if not isinstance(value, str) or not _DURATION.fullmatch(value):
        raise _fail("duration", f"{value!r} is not a duration; expected e.g. 30s, 1m30s or 500ms")
    return value


Duration = Annotated[str, BeforeValidator(_duration, json_schema_input_type=str | int)]

SIGNALS = (
    "SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGWINCH",
)  # never SIGKILL or SIGSTOP: a stop must end the app gracefully with its own exit code (R11)


def _signal(value: str) -> str:
    upper = value.upper()
    if not upper.startswith("SIG"):
        upper = "SIG" + upper
    if upper not in SIGNALS:
        raise _fail("signal", f"{value!r} is not a signal dockgen knows; expected one of {', '.join(SIGNALS)}")
    return upper


Signal = Annotated[str, AfterValidator(_signal)]

CAPABILITIES = (
    "AUDIT_CONTROL", "AUDIT_READ", "AUDIT_WRITE", "BLOCK_SUSPEND", "BPF", "CHECKPOINT_RESTORE",
    "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "IPC_LOCK", "IPC_OWNER",
    "KILL", "LEASE", "LINUX_IMMUTABLE", "MAC_ADMIN", "MAC_OVERRIDE", "MKNOD", "NET_ADMIN",
    "NET_BIND_SERVICE", "NET_BROADCAST", "NET_RAW", "PERFMON", "SETFCAP", "SETGID", "SETPCAP",
    "SETUID", "SYS_ADMIN", "SYS_BOOT", "SYS_CHROOT", "SYS_MODULE", "SYS_NICE", "SYS_PACCT",
    "SYS_PTRACE", "SYS_RAWIO", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "SYSLOG", "WAKE_ALARM",
)


def _capability(value: str) -> str:
    name = value.upper().removeprefix("CAP_")
    if name not in CAPABILITIES:
        import difflib

        close = difflib.get_close_matches(name, CAPABILITIES, n=1)
        hint = f"; did you mean `{close[0]}`?" if close else ""
        raise _fail("capability", f"{value!r} is not a Linux capability{hint}")
    return name


Capability = Annotated[str, AfterValidator(_capability)]

# An image reference: [registry/]path[:tag][@sha256:digest]. R06 wants a tag with a version.
_IMAGE = re.compile(
    r"(?P<name>(?:[a-z0-9.-]+(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)"
    r"(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?"
    r"(?:@(?P<digest>sha256:[a-f0-9]{64}))?"
)


def _base_image(value: str) -> str:
    """R06: the base image carries an explicit version tag (or a digest); scratch is the exception."""
    if value == "scratch":
        return value
    match = _IMAGE.fullmatch(value)
    if not match:
        raise _fail("image", f"{value!r} is not an image reference; expected e.g. python:3.12-slim")
    tag, digest = match["tag"], match["digest"]
    if tag == "latest":
        raise _fail("rule", f"{value!r} uses the tag `latest`; pin an explicit version, e.g. {match['name']}:<version> (R06)")
    if not tag and not digest:
        raise _fail("rule", f"{value!r} has no tag; pin an explicit version, e.g. {match['name']}:<version>, or a @sha256: digest (R06)")
    if tag and not re.match(r"v?[0-9]", tag) and not digest:
        raise _fail("rule", f"{value!r}: the tag {tag!r} does not start with a version; use a tag such as "
                    f"{match['name']}:1.2-slim (the software's version first) or add a @sha256: digest (R06)")
    return value


BaseImage = Annotated[str, AfterValidator(_base_image)]


def _secret_names(value: object) -> object:
    """R18: ``secrets`` holds names only; a value given in the spec is refused."""
    if isinstance(value, dict):
        raise _fail("rule", "takes names only, never values: write `secrets: [NAME]` and deliver the value at run time via NAME_FILE or the environment (R18)")
    if isinstance(value, list):
        for item in value:
            if isinstance(item, str) and "=" in item:
                raise _fail("rule", f"{item.split('=')[0]!r} is given a value; secrets are names only, the value comes at run time via NAME_FILE (R18)")
            if isinstance(item, dict):
                raise _fail("rule", "takes names only, never values (R18)")
    return value


# A secret-looking name has one of these words as a part (DB_PASSWORD, GITHUB_TOKEN, API_KEY),
# unless its last part says it is about the secret, not the secret (*_FILE, *_URL, *_TTL, ...).
_SECRET_WORDS = {"PASSWORD", "PASSWD", "PASS", "PWD", "PW", "SECRET", "TOKEN", "APIKEY", "CREDENTIAL"}
_SECRET_PAIRS = {("API", "KEY"), ("PRIVATE", "KEY"), ("SECRET", "KEY"), ("ACCESS", "KEY"), ("AUTH", "KEY")}
_ABOUT_A_SECRET = {"FILE", "DIR", "PATH", "URL", "URI", "TTL", "SECONDS", "LENGTH", "SIZE", "ENABLED", "TIMEOUT",
                   "EXPIRY", "EXPIRES", "HEADER", "NAME", "TYPE", "MIN", "MAX", "COUNT", "ALGORITHM", "ID"}


def looks_like_secret(name: str) -> bool:
    """True for a variable name that names a secret value (R18), e.g. DB_PASSWORD or
    GITHUB_TOKEN, and not for one about a secret (DB_PASSWORD_FILE, TOKEN_TTL, MAX_TOKENS)."""
    parts = name.upper().split("_")
    if parts[-1] in _ABOUT_A_SECRET:
        return False
    return bool(_SECRET_WORDS & set(parts)) or any(pair in _SECRET_PAIRS for pair in zip(parts, parts[1:]))
_URL_WITH_PASSWORD = re.compile(r"://[^/@\s:]*:[^/@\s]+@")


def _env_name(value: str) -> str:
    """R18: a name that looks like a secret does not get a value in the spec."""
    if looks_like_secret(value):
        raise _fail("rule", f"{value} looks like a secret; list it under `secrets` and deliver it at run time "
                    f"via {value}_FILE instead of an ENV value (R18)")
    return value


def _env_value(value: str) -> str:
    """R18: a URL that carries a password is a secret, whatever its variable is called."""
    if _URL_WITH_PASSWORD.search(value):
        raise _fail("rule", "holds a URL with a password; make the variable a secret (`secrets:`) and deliver "
                    "it via NAME_FILE, or leave the password out of the URL (R18)")
    return value


# Variables every process has; a secret of that name could never be delivered (NAME and NAME_FILE).
RESERVED_NAMES = {"PATH", "HOME", "HOSTNAME", "PWD", "OLDPWD", "USER", "LOGNAME", "SHELL", "TERM", "LANG", "IFS", "PPID"}


def _secret_name(value: str) -> str:
    if value.upper() in RESERVED_NAMES:
        raise _fail("reserved", f"{value} is set in every container; give the secret its own name")
    return value


def _unique(what: str, key=lambda v: v):
    def check(values: list) -> list:
        seen: dict = {}
        for value in values:
            if key(value) in seen:
                raise _fail("unique", f"{value!r} is listed twice{' (names are compared case-insensitively)' if what == 'secret' else ''}")
            seen[key(value)] = value
        return values

    return check


def _version_text(value: object) -> object:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise _fail("version_number", "is a number in YAML (unquoted, 3.10 reads as 3.1); quote it, e.g. version: \"3.12\"")
    return value


# --- the build step (issue 11, section 1) --------------------------------------------


def _build_command(value: str) -> str:
    """A ``build`` command: one shell command line, run as a RUN in shell form. Refused: what
    would end or change the Dockerfile instruction (a newline, a trailing backslash that
    continues it, ``<<`` that BuildKit reads as a heredoc, a leading ``[`` read as exec form)."""
    if not value.strip():
        raise _fail("build_command", "is empty; write the command, e.g. npm run build")
    for bad, why in (("\n", "a newline"), ("\r", "a carriage return"), ("\x00", "a NUL character"),
                     ("<<", "`<<` (BuildKit reads it as a heredoc)")):
        if bad in value:
            raise _fail("build_command", f"contains {why}, which would break the Dockerfile's RUN line; "
                        "give each command as its own list entry")
    if value.rstrip().endswith("\\"):
        raise _fail("build_command", "ends in a backslash, which would join the next Dockerfile line to this RUN")
    if value.lstrip().startswith("["):
        raise _fail("build_command", "starts with `[`, which the Dockerfile reads as an exec-form array; "
                    "write the command as a shell command line")
    return value


BuildCommand = Annotated[str, AfterValidator(_build_command)]


def _artifact(value: str) -> str:
    """``PATH`` or ``PATH:DEST``, both relative to the workdir (``.`` is the workdir itself)."""
    source, sep, dest = value.partition(":")
    _relative_path(source)
    if sep:
        _relative_path(dest)
    return value


Artifact = Annotated[str, AfterValidator(_artifact)]



# --- models --------------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Static(_Model):
    """The final image is a static web server (nginx, unprivileged) serving ``root`` (issue 11)."""

    root: RelPath
    spa: bool = False

class User(_Model):
    """The non-root user the application runs as (R15)."""

    name: Annotated[str, AfterValidator(_no_shell_metacharacters("user name")), AfterValidator(_matcher(r"[a-z_][a-z0-9_-]{0,31}", "user name"))] = "app"
    uid: Annotated[int, BeforeValidator(_no_bool)] = Field(10001, ge=0, le=2**31 - 2)
    gid: Annotated[int, BeforeValidator(_no_bool)] = Field(10001, ge=0, le=2**31 - 2)

    @model_validator(mode="after")
    def _not_root(self) -> "User":
        if self.name == "root":
            raise Refusal(("user", "name"), "root is refused; the application runs as a non-root user (R15)", "R15")
        if self.uid == 0:
            raise Refusal(("user", "uid"), "uid 0 is root; use a fixed non-zero uid such as 10001 (R15)", "R15")
        if self.gid == 0:
            raise Refusal(("user", "gid"), "gid 0 is root's group; use a fixed non-zero gid such as 10001 (R15)", "R15")
        return self


class Healthcheck(_Model):
    """A HEALTHCHECK in exec form (R12); durations in Docker's Go format."""

    command: Argv
    interval: Duration = "30s"
    timeout: Duration = "5s"
    start_period: Duration = "10s"
    retries: int = Field(3, ge=1, le=100)


class ConfigFile(_Model):
    """A file written by run.sh at container start from a template (R17)."""

    source: RelPath
    target: AbsPath
    # None: 0600 when the template uses a secret (R18), else 0644
    mode: Annotated[str, AfterValidator(_matcher(r"0?[0-7]{3}", "file mode (octal, e.g. \"0640\")"))] | None = None


class CopyEntry(_Model):
    """A ``copy`` entry in mapping form: ``source`` (a file or directory of the build
    context) lands at ``target``; a directory's contents go into ``target`` (R07)."""

    source: RelPath
    target: ImagePath


# A `copy` entry: a path, or a mapping; told apart by its YAML type, so an error names only
# the form written (the loader drops the "[path]"/"[mapping]" tags from error locations).
CopyItem = Annotated[Annotated[RelPath, Tag("[path]")] | Annotated[CopyEntry, Tag("[mapping]")],
                     Discriminator(lambda value: "[mapping]" if isinstance(value, (dict, CopyEntry)) else "[path]")]


class Process(_Model):
    """One program of the application, run as an s6 service (R01)."""

    command: Annotated[list[Argument], Field(min_length=1)]
    stop_signal: Signal = "SIGTERM"


def _host_address(value: str) -> str:
    """Issue 10, item 12: a published port's host IP, an IPv4 or IPv6 address, in its short form."""
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise _fail("host_ip", f"{value!r} is not an IP address; expected 127.0.0.1 (this machine only, the "
                    "default), 0.0.0.0 or :: (every interface) or one of the host's own addresses") from None


Port = Annotated[int, BeforeValidator(_no_bool), Field(ge=1, le=65535)]


# Issue 13, "Resources": Kubernetes quantities, the one notation every run target converts from.
_MEMORY = re.compile(r"([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?")
_MEMORY_FACTOR = {None: 1, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12,
                  "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}
MIN_MEMORY = 6 * 2**20  # Docker refuses a memory limit below 6 MiB
_CPU = re.compile(r"[0-9]+(?:\.[0-9]{1,3})?|[0-9]+m")


def memory_bytes(value: str) -> int:
    """A memory quantity (``512Mi``, ``1G``, ``1.5Gi``, ``268435456``) in bytes, rounded down."""
    number, unit = _MEMORY.fullmatch(value).groups()
    return int(Decimal(number) * _MEMORY_FACTOR[unit])


def cpu_millis(value: str) -> int:
    """A CPU quantity (``500m``, ``0.5``, ``2``) in thousandths of a CPU (millicores)."""
    return int(value[:-1]) if value.endswith("m") else int(Decimal(value) * 1000)


def _memory(value: object) -> str:
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str) or not _MEMORY.fullmatch(text):
        raise _fail("memory", f"{value!r} is not a memory size; expected e.g. 512Mi, 1Gi or 500M (Ki, Mi, Gi: "
                    "powers of 1024; k, M, G: of 1000)")
    if memory_bytes(text) < MIN_MEMORY:
        raise _fail("memory", f"{value!r} is below 6Mi, the least memory Docker runs a container with")
    return text


def _cpu(value: object) -> str:
    text = str(value) if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool) else value
    if not isinstance(text, str) or not _CPU.fullmatch(text):
        raise _fail("cpu", f"{value!r} is not a CPU amount; expected CPUs (0.5, 2) or millicores (500m)")
    if cpu_millis(text) < 10:
        raise _fail("cpu", f"{value!r} is below 10m (0.01 CPU), the least Docker accepts")
    return text


Memory = Annotated[str, BeforeValidator(_memory, json_schema_input_type=str | int)]
Cpu = Annotated[str, BeforeValidator(_cpu, json_schema_input_type=str | int | float)]


class Amounts(_Model):
    """Memory and CPU, each optional (issue 13, "Resources")."""

    memory: Memory | None = None
    cpu: Cpu | None = None


class Resources(_Model):
    """What the container may use: ``limits`` (enforced), ``requests`` (reserved; at most the
    limits) and ``pids``, the most processes and threads it may run at once."""

    limits: Amounts = Amounts()
    requests: Amounts = Amounts()
    pids: Annotated[int, BeforeValidator(_no_bool), Field(ge=1, le=4194304)] | None = None

    @model_validator(mode="after")
    def _requests_within_limits(self) -> "Resources":
        for name, amount in (("memory", memory_bytes), ("cpu", cpu_millis)):
            request, limit = getattr(self.requests, name), getattr(self.limits, name)
            if request and limit and amount(request) > amount(limit):
                raise Refusal(("resources", "requests", name), f"{request} is more than the limit {limit}; "
                              "a request is what the container is sure to get, at most its limit")
        return self


class Spec(_Model):
    """A validated dockgen spec: one application (R01) and how to build and run it.

    Input: the mapping read from the spec YAML (see ``loader.load_spec``).
    Raises ``pydantic.ValidationError`` for field errors and :class:`Refusal` for
    cross-field rule refusals.
    """

    name: Name
    description: OneLine | None = None
    language: Literal[LANGUAGES]  # the registry's names: the schema enum derives from them
    version: Annotated[str, BeforeValidator(_version_text, json_schema_input_type=str), AfterValidator(_matcher(r"[0-9][0-9A-Za-z.-]*", "version (e.g. \"3.12\")"))] | None = None
    variant: Literal["slim", "alpine"] = "slim"
    base: BaseImage | None = None
    system_packages: list[OsPackage] = []
    build_packages: list[OsPackage] = []
    dependencies: list[RelPath] | None = None
    package_manager: Annotated[Literal[PACKAGE_MANAGERS] | None, AfterValidator(_fits_language)] = None  # the registry's names
    packages: list[LanguagePackage] = []
    workdir: AbsPath = "/app"
    copy_: list[CopyItem] = Field(default=["."], alias="copy")
    user: User = User()
    ports: Annotated[list[Port], AfterValidator(_unique("port"))] = []
    host_ip: dict[Port, Annotated[str, AfterValidator(_host_address)]] = {}
    resources: Resources | None = None
    env: dict[Annotated[EnvName, AfterValidator(_env_name)], Annotated[OneLine, AfterValidator(_env_value)]] = {}
    secrets: Annotated[list[Annotated[EnvName, AfterValidator(_secret_name)]], BeforeValidator(_secret_names),
                       AfterValidator(_unique("secret", str.upper))] = []
    entrypoint: Argv | None = None
    cmd: Argv | None = None
    labels: dict[Annotated[str, AfterValidator(_no_shell_metacharacters("label key")), AfterValidator(_matcher(r"[A-Za-z0-9][A-Za-z0-9._/-]*", "label key"))], OneLine] = {}
    caps: Annotated[list[Capability], AfterValidator(_unique("capability"))] = []
    healthcheck: Healthcheck | None = None
    stop_signal: Signal = "SIGTERM"
    config: list[ConfigFile] = []
    processes: dict[Annotated[str, AfterValidator(_matcher(r"[A-Za-z0-9][A-Za-z0-9_.-]*", "process name"))], Process] = {}
    init: bool = True
    writable: Annotated[list[AbsPath], AfterValidator(_unique("path"))] = []
    volumes: Annotated[list[AbsPath], AfterValidator(_unique("path"))] = []
    stop_grace_period: Duration = "10s"
    # the build step (issue 11): builder-only commands, what the final image takes, a static server, build secrets
    build: list[BuildCommand] = []
    artifacts: Annotated[list[Artifact], AfterValidator(_unique("artifact"))] = []
    static: Static | None = None
    build_secrets: Annotated[list[Annotated[EnvName, AfterValidator(_secret_name)]],
                             AfterValidator(_unique("secret", str.upper))] = []

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @property
    def copy(self) -> list[str | CopyEntry]:  # noqa: D401 - the public name of the field
        """What goes into the image (``copy`` in YAML; ``copy_`` avoids BaseModel.copy)."""
        return self.copy_

    @property
    def copies(self) -> tuple[tuple[str, str], ...]:
        """Each ``copy`` entry as (source in the build context, destination in the image).

        Issue 10, item 3: a path entry lands at its own relative path under the workdir
        (``src/app`` -> ``./src/app``; ``.`` -> ``./``), so nothing is flattened; a mapping
        entry lands at its ``target`` (absolute, or relative to the workdir).
        """
        def landing(source: str) -> str:
            path = posixpath.normpath(source)
            return "./" if path == "." else "./" + path

        return tuple((entry.source, entry.target) if isinstance(entry, CopyEntry) else (entry, landing(entry))
                     for entry in self.copy_)

    @model_validator(mode="after")
    def _cross_field(self) -> "Spec":
        if self.language != "none" and not self.version:
            raise Refusal(("language",), f"{self.language} needs `version`, the runtime's version (e.g. version: \"3.12\")")
        if self.language == "none" and not self.base:
            raise Refusal(("language",), "language none needs an explicit `base` (e.g. base: alpine:3.20, busybox:1.36.1 or scratch)")
        if self.processes and (self.entrypoint or self.cmd):
            raise Refusal(("processes",), "use either `processes` (several programs under s6) or `entrypoint`/`cmd`, not both (R01)", "R01")
        if not (self.processes or self.entrypoint or self.cmd or self.language == "go" or self.static):
            raise Refusal(("entrypoint",), "nothing to run: give `entrypoint` (and `cmd`), or `processes`")
        for name in self.env:
            if name in self.secrets:
                raise Refusal(("env", name), f"{name} is a secret and is given a value here; secrets come at run time via {name}_FILE, never from the spec (R18)", "R18")
        for field in ("writable", "volumes"):
            for i, path in enumerate(getattr(self, field)):
                if path == "/" or self.workdir == path or self.workdir.startswith(path.rstrip("/") + "/"):
                    raise Refusal((field, i), f"{path} would hide the application in {self.workdir} (or the whole "
                                  "filesystem) behind an empty mount; declare only the directories the app writes to", "R13")
        writable = set(self.writable) | set(self.volumes)
        for i, config in enumerate(self.config):
            if config.target in writable:
                raise Refusal(("config", i, "target"), f"{config.target} is a writable directory; the target must be a file path")
        return self

    @model_validator(mode="after")
    def _go_binary(self) -> "Spec":
        """A Go service's first entrypoint word is the binary's path: a COPY line writes it,
        where no quoting is possible."""
        if self.language == "go" and self.entrypoint and not GO_BINARY.fullmatch(self.entrypoint[0]):
            raise Refusal(("entrypoint", 0), f"{self.entrypoint[0]!r}: for a Go service the first word is the binary's "
                          "name or absolute path (letters, digits, '.', '_', '-', '/'), e.g. /pinger")
        return self

    @model_validator(mode="after")
    def _s6_can_stop(self) -> "Spec":
        """``processes`` run under s6-svscan: the stop signal must stop it, and the grace period
        must leave s6 time to stop every program before docker's SIGKILL (R11)."""
        if not self.processes:
            return self
        if duration_seconds(self.stop_grace_period) < STOP_MARGIN + 1:
            raise Refusal(("stop_grace_period",), f"{self.stop_grace_period} is too short for s6 to stop "
                          f"every program before docker's SIGKILL; give at least {STOP_MARGIN + 1}s", "R11")
        if self.stop_signal not in S6_STOP_SIGNALS:
            raise Refusal(("stop_signal",), f"{self.stop_signal} does not stop s6-svscan, which runs the "
                          f"`processes`: use one of {', '.join(S6_STOP_SIGNALS)} (each program keeps its own "
                          "stop_signal)", "R11")
        return self

    @model_validator(mode="after")
    def _env_path_and_config_targets(self) -> "Spec":
        """Issue 10, item 7: ``env: {PATH: ...}`` and two config files with one target."""
        if "PATH" in self.env:
            raise Refusal(("env", "PATH"), "replaces the image's whole PATH: run.sh would no longer find rm or awk, "
                          "and the directories the base image and the language add (Python's virtual environment, "
                          "/usr/local/bin) would be gone; start a program outside PATH by its absolute path "
                          "(entrypoint: [/app/bin/server]) or install it into /usr/local/bin, which is on PATH", "R17")
        targets: dict[str, int] = {}
        for i, config in enumerate(self.config):
            target = posixpath.normpath(config.target)
            if target in targets:
                raise Refusal(("config", i, "target"), f"{config.target} is also the target of config[{targets[target]}]; "
                              "run.sh would write one over the other: give each config file its own target, or "
                              "merge the two templates into one", "R17")
            targets[target] = i
        return self

    @model_validator(mode="after")
    def _host_ip_of_ports(self) -> "Spec":
        """Issue 10, item 12: ``host_ip`` names only ports that ``ports`` publishes."""
        for port in self.host_ip:
            if port not in self.ports:
                raise Refusal(("host_ip", port), f"{port} is not in `ports` ({', '.join(map(str, self.ports)) or 'none'}); "
                              "host_ip says where a published port listens: list the port in `ports` too")
        return self


    @model_validator(mode="after")
    def _build_step(self) -> "Spec":
        """Issue 11: what the build step, its artifacts, the static server and build secrets
        need from the rest of the spec."""
        if self.language == "none" and (self.build or self.build_secrets):
            field = "build" if self.build else "build_secrets"
            raise Refusal((field,), "language none has no builder stage to run it in; choose the language "
                          "whose tools the build needs (e.g. language: node)")
        if self.artifacts and not self.build:
            raise Refusal(("artifacts",), "names what the final image takes from the build, but there is no "
                          "`build`; add the build commands, or drop artifacts")
        if self.static is None:
            return self
        for field in ("entrypoint", "cmd", "processes", "artifacts"):
            if getattr(self, field):
                raise Refusal((field,), f"static: the final image runs the web server, which serves "
                              f"{self.static.root}; drop {field}")
        if len(self.ports) != 1 or self.ports[0] < 1024:
            raise Refusal(("ports",), "static: give the one unprivileged port the web server listens on "
                          "(1024 or higher, e.g. ports: [8080]); the server runs as the non-root user (R15)", "R15")
        return self

GO_BINARY = re.compile(r"/?[A-Za-z0-9_-][A-Za-z0-9._-]*(?:/[A-Za-z0-9_-][A-Za-z0-9._-]*)*")  # a Go entrypoint's binary
# s6 sends each program its stop signal at once and SIGKILLs one still running after the
# grace period minus this margin (seconds): the whole stop ends inside docker's grace period (R11).
STOP_MARGIN = 1
# The signals on which s6-svscan stops every program and exits (s6-svscan's documentation).
S6_STOP_SIGNALS = ("SIGTERM", "SIGINT", "SIGQUIT")


_ENV_PLACEHOLDER = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*(?::?[-?][^}]*)?\}")


def env_warnings(spec: Spec) -> list[str]:
    """Warnings about ``env`` values that hold ``${VAR}``: the image's ENV is literal, so the
    app gets the text ``${VAR}`` itself (issue 10, item 7). One line each, naming the field."""
    warnings = []
    for name, value in spec.env.items():
        found = _ENV_PLACEHOLDER.search(value)
        if found:
            warnings.append(f"env.{name}: {found[0]} reaches the app as the literal text {found[0]}: env values are "
                            "not expanded, at build or at run time; run-time interpolation happens in config "
                            "templates (config:, R17), or set the whole value at run time (docker run -e)")
    return warnings


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
    "env": "Environment variables baked into the image, taken literally (${VAR} is not expanded); never secrets (R18), never PATH.",
    "secrets": "Secret names only; values arrive at run time via NAME_FILE or NAME and are unset before the app starts (R18).",
    "entrypoint": "The program, in exec form (a list) (R02, R12).",
    "cmd": "Default arguments of the entrypoint, in exec form (R12).",
    "labels": "Extra OCI labels (R16).",
    "caps": "Linux capabilities added back after dropping ALL (R14).",
    "healthcheck": "command (exec form), interval, timeout, start_period, retries.",
    "stop_signal": "The signal docker stop sends (default SIGTERM, R11).",
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
}
