"""Where the client talks to, where its config lives, and which token it may send.

* Empty environment variables count as unset (``X=`` never shadows a fallback).
* API base: ``--api-base-url``, the env var with role ``api-base-url``, then the spec's
  ``urls.api``. Only scheme, host and port count: a path part is ignored (as the spec
  documents). An unusable base is ``PUBLIC_CLI_FAILED``.
* Config file: the env var with role ``config-path``, else
  ``${XDG_CONFIG_HOME:-~/.config}/<client.config_dir>/config.json`` (a relative
  XDG_CONFIG_HOME is ignored, as the XDG spec says).
* Token order: ``--token-stdin``, the env var with role ``token``, those with role
  ``token-fallback``, then the saved config.
* A token is sent only to an https base or to http on a loopback host
  (``API_BASE_URL_REFUSED`` otherwise, before any request).
* A saved token is also bound to the API base it was saved for: it is never sent to
  another base, whatever that base is.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any
from urllib.parse import urlsplit

from .envelope import CliError


def env_value(name: str | None) -> str | None:
    if not name:
        return None
    value = os.environ.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def normalize_base(url: str) -> str:
    """Canonical form used to compare bases: scheme://host[:port]/path without trailing slash."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    default = 443 if scheme == "https" else 80
    netloc = host if port in (None, default) else f"{host}:{port}"
    return f"{scheme}://{netloc}{parts.path.rstrip('/')}"


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    host = host.lower().strip("[]")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    import ipaddress

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_secure_base(url: str) -> bool:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme == "https" or (scheme == "http" and is_loopback(parts.hostname))


class Session:
    def __init__(self, table: Any, values: dict[str, Any]) -> None:
        self.table = table
        self.values = values
        self.label = table.cli_name
        self._stdin_token: str | None = None
        self._stdin_read = False

    # ------------------------------------------------------------------ base URL

    def base_url(self) -> str:
        flag_value = self.values.get("--api-base-url")
        if isinstance(flag_value, str) and flag_value.strip():
            raw, source = flag_value.strip(), "--api-base-url"
        else:
            env_name = self.table.env.get("api_base_url")
            raw = env_value(env_name) or ""
            source = env_name or "urls.api"
            if not raw:
                raw, source = str(self.table.urls.get("api", "")), "the spec's API URL"
        parts = urlsplit(raw)
        try:
            _ = parts.port  # raises ValueError on a malformed port
        except ValueError:
            parts = urlsplit("invalid:")
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise CliError(
                "PUBLIC_CLI_FAILED",
                f"the API base URL from {source} is not an http(s) URL: {raw!r}",
                recovery={"docs_url": self.table.docs_anchor(None)},
                retryable=False,
            )
        if parts.username or parts.password:
            raise CliError(
                "PUBLIC_CLI_FAILED", f"the API base URL from {source} must not carry credentials", retryable=False
            )
        return f"{parts.scheme.lower()}://{parts.netloc.lower()}"

    # ------------------------------------------------------------------ config

    def config_path(self) -> str:
        explicit = env_value(self.table.env.get("config_path"))
        if explicit:
            return os.path.abspath(os.path.expanduser(explicit))
        xdg = env_value("XDG_CONFIG_HOME")
        if not xdg or not os.path.isabs(xdg):
            xdg = os.path.join(os.path.expanduser("~"), ".config")
        folder = self.table.client.get("config_dir") or self.table.product.get("id", "client")
        return os.path.join(xdg, folder, "config.json")

    def read_config(self) -> dict[str, Any] | None:
        try:
            with open(self.config_path(), "rb") as handle:
                data = json.loads(handle.read())
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def _config_error(self, path: str, exc: OSError | str) -> CliError:
        reason = exc if isinstance(exc, str) else (exc.strerror or type(exc).__name__)
        env_name = self.table.env.get("config_path")
        recovery: dict[str, Any] = {"docs_url": self.table.docs_anchor(None)}
        if env_name:
            recovery["suggested_command"] = f'{env_name}="$PWD/.{self.table.cli_name}/config.json" {self.label} --json'
        return CliError(
            "PUBLIC_CLI_CONFIG_WRITE_FAILED", f"could not write the config file at {path}: {reason}", recovery=recovery
        )

    def _ensure_folder(self, path: str) -> str:
        folder = os.path.dirname(path)
        try:
            if not os.path.isdir(folder):
                parent = os.path.dirname(folder)
                if parent:
                    os.makedirs(parent, exist_ok=True)
                os.mkdir(folder, 0o700)
                os.chmod(folder, 0o700)
        except OSError as exc:
            raise self._config_error(path, exc) from None
        return folder

    def probe_config_writable(self) -> str:
        """Fail before any network call if the config cannot be written."""
        path = self.config_path()
        folder = self._ensure_folder(path)
        if os.path.isdir(path):
            raise self._config_error(path, "a folder is in the way")
        probe = os.path.join(folder, f".{os.path.basename(path)}.probe-{os.getpid()}-{os.urandom(4).hex()}")
        try:
            fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            raise self._config_error(path, exc) from None
        return path

    def write_config(self, token: str, actor: Any) -> str:
        """Atomically write the config (file 0600 in a 0700 folder), bound to the current base."""
        path = self.config_path()
        folder = self._ensure_folder(path)
        content = {
            "api_base_url": self.base_url(),
            "token": token,
            "saved_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "actor": actor,
        }
        text = json.dumps(content, indent=2, ensure_ascii=False) + "\n"
        tmp = os.path.join(folder, f".{os.path.basename(path)}.{os.getpid()}-{os.urandom(4).hex()}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                os.write(fd, text.encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)
            os.chmod(tmp, 0o600)
            os.replace(tmp, path)
        except OSError as exc:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise self._config_error(path, exc) from None
        return path

    def remove_config(self) -> bool:
        try:
            os.unlink(self.config_path())
            return True
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise self._config_error(self.config_path(), exc) from None

    # ------------------------------------------------------------------ tokens

    def stdin_token(self) -> str | None:
        if not self.values.get("--token-stdin"):
            return None
        if not self._stdin_read:
            self._stdin_read = True
            if sys.stdin is None or sys.stdin.isatty():
                raise CliError("INVALID_ARGUMENTS", "--token-stdin needs the token piped on stdin")
            self._stdin_token = sys.stdin.read().strip()
        if not self._stdin_token:
            raise CliError("AUTH_REQUIRED", "--token-stdin received nothing on stdin", recovery=self.auth_recovery())
        return self._stdin_token

    def explicit_token(self) -> tuple[str | None, str | None]:
        """A token from stdin or the environment (never the config)."""
        token = self.stdin_token()
        if token:
            return token, "stdin"
        flag_value = self.values.get("--token")
        if isinstance(flag_value, str) and flag_value.strip():
            return flag_value.strip(), "flag"
        names = [self.table.env.get("token"), *(self.table.env.get("token_fallback") or ())]
        for name in names:
            value = env_value(name)
            if value:
                return value, "env"
        return None, None

    def saved_token(self) -> tuple[str | None, str | None]:
        """The config token if it was saved for the current base; else (None, why-not)."""
        config = self.read_config()
        token = config.get("token") if config else None
        if not isinstance(token, str) or not token.strip():
            return None, None
        saved_for = config.get("api_base_url") if config else None
        base = self.base_url()
        if not isinstance(saved_for, str) or normalize_base(saved_for) != normalize_base(base):
            return None, (
                f"the saved token was saved for {saved_for or 'an unknown API base'} and is never "
                f"sent to {base}; sign up again against this base or supply a token on stdin"
            )
        return token.strip(), None

    def resolve_token(self, *, include_config: bool = True) -> tuple[str | None, str | None, str | None]:
        """(token, source, refusal); refusal explains why a token exists but may not be sent.

        The base check comes first so that no token ever travels to an insecure base.
        """
        token, source = self.explicit_token()
        if not token and include_config:
            token, refusal = self.saved_token()
            if refusal:
                return None, None, refusal
            source = "config" if token else None
        if token and not is_secure_base(self.base_url()):
            return (
                None,
                None,
                (f"a token is only sent to an https API base or to http on a loopback host, not to {self.base_url()}"),
            )
        return token, source, None

    def has_env_token(self) -> bool:
        names = [self.table.env.get("token"), *(self.table.env.get("token_fallback") or ())]
        return any(env_value(n) for n in names)

    def auth_recovery(self) -> dict[str, Any]:
        recovery: dict[str, Any] = {}
        signup = self.table.by_behavior("signup")
        if signup is not None:
            recovery["suggested_command"] = f"{self.table.cli_name} {signup.path} --help"
        anchor = self.table.docs_anchor(signup)
        if anchor:
            recovery["docs_url"] = anchor
        return recovery
