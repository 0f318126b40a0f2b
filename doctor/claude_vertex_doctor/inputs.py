"""The environment Claude Code would see: the process environment, a dotenv file, a settings file.

Claude Code applies the `env` object of its settings on top of the environment it was started in, and a dotenv
file is what a developer sources into that environment first; the doctor layers them the same way. Input the
doctor cannot read is the user's to fix, so it raises `InputError` with one line that names the file and the
place, never the value (a value may be a secret the developer did not mean to show).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ESCAPES = {"n": "\n", "\\": "\\", '"': '"', "$": "$", "t": "\t"}


class InputError(Exception):
    """Bad input to the doctor itself (exit 2): one line naming the file, the place and what is allowed."""


def _read(path: Path, flag: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{flag} {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{flag} {path}: cannot be read as UTF-8 text ({type(exc).__name__})") from None


def _unquote(raw: str, where: str) -> str:
    """A dotenv value: bare (up to a ` #` comment), 'single-quoted' (literal) or "double-quoted" (with escapes)."""
    raw = raw.strip()
    if raw.startswith("'"):
        end = raw.find("'", 1)
        if end < 0:
            raise InputError(f"{where}: unterminated single quote")
        return raw[1:end]
    if raw.startswith('"'):
        out: list[str] = []
        i = 1
        while i < len(raw):
            c = raw[i]
            if c == "\\" and i + 1 < len(raw):
                out.append(_ESCAPES.get(raw[i + 1], "\\" + raw[i + 1]))
                i += 2
                continue
            if c == '"':
                return "".join(out)
            out.append(c)
            i += 1
        raise InputError(f"{where}: unterminated double quote")
    return raw.split(" #", 1)[0].strip()


def parse_dotenv(text: str, source: str = ".env") -> dict[str, str]:
    """`KEY=value` lines as the stack's `dotenv` output writes them (and `export KEY=value`, as shells do)."""
    env: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("export "):
            stripped = stripped[len("export ") :].lstrip()
        key, sep, value = stripped.partition("=")
        key = key.strip()
        where = f"--env-file {source} line {number}"
        if not sep or not KEY_RE.match(key):
            raise InputError(f"{where}: expected KEY=VALUE with KEY like CLOUD_ML_REGION")
        env[key] = _unquote(value, where)
    return env


def parse_settings(text: str, source: str = "settings.json") -> dict[str, str]:
    """The `env` object of a Claude Code settings file (`{"env": {"KEY": "value"}}`); other keys are not ours."""
    flag = f"--settings {source}"
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{flag}: not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    if not isinstance(data, dict):
        raise InputError(f'{flag}: expected a JSON object like {{"env": {{"CLOUD_ML_REGION": "global"}}}}')
    env = data.get("env", {})
    if not isinstance(env, dict):
        raise InputError(f"{flag}: env must be an object of strings, got {type(env).__name__}")
    for key, value in env.items():
        if not isinstance(value, str):
            raise InputError(f"{flag}: env.{key} must be a string, got {type(value).__name__}")
    return dict(env)


def assemble(
    process_env: Mapping[str, str], env_file: Path | None = None, settings: Path | None = None
) -> dict[str, str]:
    """Process environment, then the dotenv file, then the settings' `env` on top (as Claude Code applies it)."""
    env = dict(process_env)
    if env_file is not None:
        env.update(parse_dotenv(_read(env_file, "--env-file"), str(env_file)))
    if settings is not None:
        env.update(parse_settings(_read(settings, "--settings"), str(settings)))
    return env


def read_access_token(path: Path) -> str:
    """The token in `--access-token-file` (as gcloud's flag of that name): the file's content, stripped."""
    token = _read(path, "--access-token-file").strip()
    if not token or any(c.isspace() for c in token):
        raise InputError(f"--access-token-file {path}: expected one access token on one line")
    return token
