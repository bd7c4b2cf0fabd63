"""The value types of the spec: each an ``Annotated`` type with the validator that checks it.

Names, paths, packages, images, durations, signals, capabilities, ports, memory and CPU
amounts, and the names of variables and secrets. A value that breaks a rule is refused
here with a message that names it: R06 (pinned base image), R09 (no ssh server), R18
(secrets are names, never values). Values that later land in a Dockerfile or a shell
script are limited to characters that cannot inject an instruction or a command; the
renderer quotes them as well (defence in depth). Each validator raises pydantic's
``PydanticCustomError``, which the loader shows with the value's file, line and column.
"""

# No `from __future__ import annotations`: pydantic evaluates these types when the spec
# models are built at import; real objects cost less than annotation strings.
import ipaddress
import posixpath
import re
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_core import PydanticCustomError

from .errors import did_you_mean
from .images import parse_reference


def _fail(kind: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(kind, message)


def matcher(pattern: str, what: str):
    regex = re.compile(pattern)

    def check(value: str) -> str:
        if not regex.fullmatch(value):
            raise _fail("pattern", f"{value!r} is not a valid {what}")
        return value

    return check


# Characters that mean something to a shell or to the Dockerfile parser.
SHELL_METACHARACTERS = set(" \t\n\r;&|$`\\'\"()<>*?!#{}")


def no_shell_metacharacters(what: str):
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


def below(path: str, directory: str) -> bool:
    """Whether the absolute ``path`` lies strictly inside ``directory`` (``/app/x`` in ``/app``
    or ``/app/``; ``/app`` itself and ``/apple`` are not)."""
    return path.startswith(directory.rstrip("/") + "/")


def no_bool(value: object) -> object:
    """YAML reads yes/no/on/off as booleans; pydantic would turn them into 1 and 0."""
    if isinstance(value, bool):
        raise _fail("bool_value", f"is the boolean {str(value).lower()} (YAML reads yes/no/on/off so); expected a whole number")
    return value


def not_root_id(what: str, owner: str):
    """R15: a validator refusing the number 0 for ``what`` (uid, gid), which is ``owner``'s
    (root, root's group); it runs before the range check, so 0 gets the rule's reason."""
    def check(value: object) -> object:
        if type(value) is int and value == 0:
            raise _fail("rule", f"{what} 0 is {owner}; use a fixed non-zero {what} such as 10001 (R15)")
        return value

    return check


def _scalar_to_str(value: object) -> object:
    """Accept YAML numbers where a string is meant (``WEB_CONCURRENCY: 2``)."""
    if isinstance(value, bool):
        raise _fail("bool_value", 'is a boolean; quote it ("true"/"false") if text is meant')
    if isinstance(value, (int, float)):
        return str(value)
    return value


# --- value types -------------------------------------------------------------------

Name = Annotated[str, AfterValidator(matcher(r"[a-z0-9]+(?:[._-][a-z0-9]+)*", "name (lower-case letters, digits, '.', '_', '-')"))]
EnvName = Annotated[str, AfterValidator(matcher(r"[A-Za-z_][A-Za-z0-9_]*", "variable name ([A-Za-z_][A-Za-z0-9_]*)"))]
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
    matcher(rf"/{_PATH_CHARS}*", "absolute path (starting with /; letters, digits, . _ @ + - only)")(value)
    if ".." in value.split("/"):
        raise _fail("path", f"{value!r} may not contain `..`")
    return posixpath.normpath(value).replace("//", "/")


AbsPath = Annotated[str, AfterValidator(_absolute_path)]


def _relative_path(value: str) -> str:
    matcher(rf"{_PATH_CHARS}+", "relative path in the build context (letters, digits, . _ @ + - / only)")(value)
    if value.startswith(("/", "-")) or ".." in value.split("/"):
        raise _fail("path", f"{value!r} must be a relative path inside the build context (no leading / or -, no ..)")
    return value


RelPath = Annotated[str, AfterValidator(_relative_path)]


def _image_path(value: str) -> str:
    """A path in the image: absolute (``/www``) or relative to the workdir (``static``)."""
    if value.startswith("/"):
        return _absolute_path(value)
    matcher(rf"{_PATH_CHARS}+", "path in the image (absolute, or relative to workdir; letters, digits, . _ @ + - / only)")(value)
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
    AfterValidator(no_shell_metacharacters("OS package name")),
    AfterValidator(matcher(r"[A-Za-z0-9][A-Za-z0-9+._-]*(?:[=~]{1,2}[A-Za-z0-9.+~:_*-]+)?", "OS package (name or name=version)")),
    AfterValidator(_no_ssh_server),
]
LanguagePackage = Annotated[
    str,
    AfterValidator(no_shell_metacharacters("language package")),
    AfterValidator(matcher(r"[A-Za-z0-9@][A-Za-z0-9@/._+:=~^,\[\]-]*", "language package (e.g. name==1.2.3, name@1.2.3)")),
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
        hint = did_you_mean(name, CAPABILITIES)
        raise _fail("capability", f"{value!r} is not a Linux capability{'; ' + hint if hint else ''}")
    return name


Capability = Annotated[str, AfterValidator(_capability)]

def _base_image(value: str) -> str:
    """R06: the base image carries an explicit version tag (or a digest); scratch is the exception.
    The reference's grammar is :func:`dockgen.images.parse_reference`'s."""
    if value == "scratch":
        return value
    try:
        ref = parse_reference(value)
    except ValueError:
        raise _fail("image", f"{value!r} is not an image reference; expected e.g. python:3.12-slim") from None
    tag, digest, name = ref.tag, ref.digest, ref.name
    if tag == "latest":
        raise _fail("rule", f"{value!r} uses the tag `latest`; pin an explicit version, e.g. {name}:<version> (R06)")
    if not tag and not digest:
        raise _fail("rule", f"{value!r} has no tag; pin an explicit version, e.g. {name}:<version>, or a @sha256: digest (R06)")
    if tag and not re.match(r"v?[0-9]", tag) and not digest:
        raise _fail("rule", f"{value!r}: the tag {tag!r} does not start with a version; use a tag such as "
                    f"{name}:1.2-slim (the software's version first) or add a @sha256: digest (R06)")
    return value


BaseImage = Annotated[str, AfterValidator(_base_image)]


# The Dockerfile frontend of the `# syntax=` line (issue 14): BuildKit fetches this image
# before it reads the Dockerfile, so it is pinned like a base image (R06): a 1.x tag, a
# digest, or both; a mirror's path is fine as long as the image is a dockerfile frontend.
DEFAULT_FRONTEND = "docker/dockerfile:1"
_FRONTEND_NAMES = ("dockerfile", "dockerfile-upstream")
_FRONTEND_TAG = re.compile(r"1(?:\.[0-9]+){0,2}(?:-labs)?")


def _frontend(value: str) -> str:
    """Issue 14, R06: the ``syntax`` frontend is a pinned ``docker/dockerfile`` image."""
    try:
        ref = parse_reference(value)
    except ValueError:
        ref = None
    if ref is None or ref.repository.rsplit("/", 1)[-1] not in _FRONTEND_NAMES:
        raise _fail("image", f"{value!r} is not a Dockerfile frontend image; expected e.g. docker/dockerfile:1.7, "
                    "docker/dockerfile:1@sha256:<64 hex>, or false for no `# syntax` line")
    if not ref.tag and not ref.digest:
        raise _fail("rule", f"{value!r} has no tag; pin it, e.g. {ref.name}:1.7 or a @sha256: digest (R06)")
    if ref.tag and not _FRONTEND_TAG.fullmatch(ref.tag):
        raise _fail("rule", f"{value!r}: the tag {ref.tag!r} is not a 1.x version of the Dockerfile frontend; use e.g. "
                    f"{ref.name}:1 or {ref.name}:1.7 (R06)")
    return value


def _frontend_setting(value: str | bool) -> str | bool:
    """Issue 14: ``syntax`` is a frontend image or ``false``; ``true`` names no frontend."""
    if value is True:
        raise _fail("syntax", f"true names no frontend; give one, e.g. {DEFAULT_FRONTEND}, or false to leave "
                    "the `# syntax` line out")
    return value if value is False else _frontend(value)


# The `syntax` field: a pinned frontend image, or false (one validator, so one message).
FrontendSetting = Annotated[str | bool, AfterValidator(_frontend_setting)]


def secret_names(value: object) -> object:
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


def env_name(value: str) -> str:
    """R18: a name that looks like a secret does not get a value in the spec."""
    if looks_like_secret(value):
        raise _fail("rule", f"{value} looks like a secret; list it under `secrets` and deliver it at run time "
                    f"via {value}_FILE instead of an ENV value (R18)")
    return value


def env_value(value: str) -> str:
    """R18: a URL that carries a password is a secret, whatever its variable is called."""
    if _URL_WITH_PASSWORD.search(value):
        raise _fail("rule", "holds a URL with a password; make the variable a secret (`secrets:`) and deliver "
                    "it via NAME_FILE, or leave the password out of the URL (R18)")
    return value


# Variables every process has; a secret of that name could never be delivered (NAME and NAME_FILE).
RESERVED_NAMES = {"PATH", "HOME", "HOSTNAME", "PWD", "OLDPWD", "USER", "LOGNAME", "SHELL", "TERM", "LANG", "IFS", "PPID"}


def secret_name(value: str) -> str:
    if value.upper() in RESERVED_NAMES:
        raise _fail("reserved", f"{value} is set in every container; give the secret its own name")
    return value


def unique(what: str, key=lambda v: v):
    def check(values: list) -> list:
        seen: dict = {}
        for value in values:
            if key(value) in seen:
                raise _fail("unique", f"{value!r} is listed twice{' (names are compared case-insensitively)' if what == 'secret' else ''}")
            seen[key(value)] = value
        return values

    return check


def version_text(value: object) -> object:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        example = f'"{value}"' if isinstance(value, int) else '"3.12"'  # a float may have lost a digit (3.10)
        raise _fail("version_number", f"is a number in YAML (unquoted, 3.10 reads as 3.1); quote it, e.g. version: {example}")
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


def host_address(value: str) -> str:
    """Issue 10, item 12: a published port's host IP, an IPv4 or IPv6 address, in its short form."""
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise _fail("host_ip", f"{value!r} is not an IP address; expected 127.0.0.1 (this machine only, the "
                    "default), 0.0.0.0 or :: (every interface) or one of the host's own addresses") from None


Port = Annotated[int, BeforeValidator(no_bool), Field(ge=1, le=65535)]


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
