"""Configuration: a YAML file for settings, environment variables for secrets, read once."""

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from store.links import DEFAULT_IMAGE_URL_TEMPLATE

DEFAULT_DB = "pathway-bot.db"
SERVE_THREADS = 16  # requests each `serve` worker answers at once (gunicorn gthread)
SECRET_ENV = {
    "bot_token": "SLACK_BOT_TOKEN",
    "signing_secret": "SLACK_SIGNING_SECRET",
    "app_token": "SLACK_APP_TOKEN",
    "client_id": "SLACK_CLIENT_ID",
    "client_secret": "SLACK_CLIENT_SECRET",
}
SETTING_ENV = {
    "db": "PATHWAY_BOT_DB",
    "slack_api_base_url": "SLACK_API_BASE_URL",
    "database_url": "DATABASE_URL",
}
TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class ConfigError(Exception):
    """The configuration file or environment is missing something or holds a bad value."""


@dataclass(frozen=True)
class Config:
    """Every setting the bot reads, resolved once at startup."""

    db: Path = Path(DEFAULT_DB)
    image_url_template: str = DEFAULT_IMAGE_URL_TEMPLATE
    slack_api_base_url: str | None = None
    page_size: int = 5
    pfocr_source: str | None = None  # a PFOCR git checkout, or a repository URL to clone
    pfocr_checkout: Path | None = None  # where a URL is cloned; default: beside the database
    digest_time: str = "08:00"  # local time of the daily sync + digest
    timezone: str = "UTC"
    digest_cards: int = 5  # figure cards in a digest message; the rest behind "See all"
    digest_post_empty: bool = False  # post "no new figures" rather than stay silent
    digest_interval: float = 1.0  # seconds between digest posts: Slack allows ~1/s/channel
    # OAuth mode: installations (and their state) in a SQLAlchemy database when this is
    # set (Postgres for several replicas), else in SQLite beside `db`.
    database_url: str | None = None
    token_rotation_expiration_minutes: int = 120  # refresh a rotating token this early
    bot_token: str | None = None
    signing_secret: str | None = None
    app_token: str | None = None
    client_id: str | None = None
    client_secret: str | None = None

    @property
    def oauth(self) -> bool:
        """Many workspaces: client id and secret set, and no single bot token."""
        return bool(self.client_id and self.client_secret and not self.bot_token)

    @property
    def checkout(self) -> Path:
        """Where `sync` clones a PFOCR repository URL."""
        return self.pfocr_checkout or self.db.parent / "pfocr-database"

    def require(self, *names: str) -> None:
        """Raise one clear ConfigError naming the first missing secret's variable."""
        for name in names:
            if not getattr(self, name):
                raise ConfigError(
                    f"{SECRET_ENV[name]} is not set: export it before starting "
                    "(find it in your Slack app's settings)"
                )


FILE_KEYS = {f.name for f in fields(Config)} - set(SECRET_ENV)


def _read_yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as error:
        raise ConfigError(f"cannot read config file {path}: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise ConfigError(
            f"config file {path} is not UTF-8 text (byte 0x{error.object[error.start]:02x} "
            f"at offset {error.start}); is it the right file?"
        ) from None
    except yaml.YAMLError as error:
        problem = " ".join(str(getattr(error, "problem", "") or error).split())
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"config file {path} is not valid YAML{where}: {problem}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} must be a mapping of settings")
    secrets = set(data) & set(SECRET_ENV)
    if secrets:
        name = sorted(secrets)[0]
        raise ConfigError(
            f"config file {path} holds secret '{name}': remove it and set "
            f"{SECRET_ENV[name]} in the environment instead"
        )
    unknown = set(data) - FILE_KEYS
    if unknown:
        raise ConfigError(
            f"config file {path}: unknown setting '{sorted(unknown)[0]}' "
            f"(known: {', '.join(sorted(FILE_KEYS))})"
        )
    return data


TEXT_SETTINGS = (
    "db",
    "image_url_template",
    "slack_api_base_url",
    "pfocr_source",
    "pfocr_checkout",
    "digest_time",
    "timezone",
    "database_url",
)


def _checked(values: dict) -> dict:
    for name in TEXT_SETTINGS:
        value = values.get(name)
        if value is not None and not isinstance(value, (str, os.PathLike)):
            kind = {dict: "a mapping", list: "a list", bool: "true/false"}.get(
                type(value), "a number"
            )
            raise ConfigError(f"{name} must be text (a path, URL or name), not {kind}")
    template = values.get("image_url_template")
    if template is not None:
        try:
            str(template).format(pmcid="PMC1", filename="f.jpg")
        except (KeyError, IndexError, ValueError) as error:
            raise ConfigError(
                f"image_url_template may use only {{pmcid}} and {{filename}}: {error!r}"
            ) from None
    for name, low, high in (
        ("page_size", 1, 10),
        ("digest_cards", 1, 10),
        ("token_rotation_expiration_minutes", 1, 720),
    ):
        if name in values:
            try:
                values[name] = int(values[name])
            except (TypeError, ValueError):
                raise ConfigError(f"{name} must be a whole number") from None
            if not low <= values[name] <= high:
                raise ConfigError(f"{name} must be between {low} and {high}")
    if "digest_interval" in values:
        try:
            values["digest_interval"] = float(values["digest_interval"])
        except (TypeError, ValueError):
            raise ConfigError("digest_interval must be a number of seconds") from None
    if "digest_post_empty" in values and not isinstance(values["digest_post_empty"], bool):
        raise ConfigError("digest_post_empty must be true or false")
    if "digest_time" in values and not TIME_RE.match(str(values["digest_time"])):
        raise ConfigError(f"digest_time must be HH:MM (24-hour), not {values['digest_time']!r}")
    if "timezone" in values:
        try:
            ZoneInfo(str(values["timezone"]))
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"timezone {values['timezone']!r} is not an IANA time zone such as Europe/London"
            ) from None
    if values.get("pfocr_checkout") is not None:
        values["pfocr_checkout"] = Path(values["pfocr_checkout"]).expanduser()
    url = values.get("slack_api_base_url")
    if url:
        if not str(url).startswith(("http://", "https://")):
            raise ConfigError(f"SLACK_API_BASE_URL must be an http(s) URL, not {url!r}")
        values["slack_api_base_url"] = str(url).rstrip("/") + "/"  # WebClient joins method names
    if values.get("db") is not None:
        values["db"] = Path(values["db"]).expanduser()
    return values


def load_config(
    path: str | Path | None = None, env: Mapping[str, str] | None = None, **overrides
) -> Config:
    """Read the YAML file (if any), then env vars, then explicit overrides (CLI flags)."""
    env = os.environ if env is None else env
    values = _read_yaml(Path(path)) if path else {}
    for name, variable in SETTING_ENV.items():
        if env.get(variable):
            values[name] = env[variable]
    for name, variable in SECRET_ENV.items():
        values[name] = env.get(variable) or None
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Config(**_checked(values))
