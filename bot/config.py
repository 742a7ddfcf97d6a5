"""Configuration: a YAML file for settings, environment variables for secrets, read once."""

import os
from dataclasses import dataclass, fields
from pathlib import Path

import yaml

from store.links import DEFAULT_IMAGE_URL_TEMPLATE

DEFAULT_DB = "pathway-bot.db"
SECRET_ENV = {
    "bot_token": "SLACK_BOT_TOKEN",
    "signing_secret": "SLACK_SIGNING_SECRET",
    "app_token": "SLACK_APP_TOKEN",
}
SETTING_ENV = {"db": "PATHWAY_BOT_DB", "slack_api_base_url": "SLACK_API_BASE_URL"}


class ConfigError(Exception):
    """The configuration file or environment is missing something or holds a bad value."""


@dataclass(frozen=True)
class Config:
    """Every setting the bot reads, resolved once at startup."""

    db: Path = Path(DEFAULT_DB)
    image_url_template: str = DEFAULT_IMAGE_URL_TEMPLATE
    slack_api_base_url: str | None = None
    page_size: int = 5
    bot_token: str | None = None
    signing_secret: str | None = None
    app_token: str | None = None

    def require(self, *names: str) -> None:
        """Raise one clear ConfigError naming the first missing secret's variable."""
        for name in names:
            if not getattr(self, name):
                raise ConfigError(f"{SECRET_ENV[name]} is not set: export it before starting "
                                  "(find it in your Slack app's settings)")


FILE_KEYS = {f.name for f in fields(Config)} - set(SECRET_ENV)


def _read_yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as error:
        raise ConfigError(f"cannot read config file {path}: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"config file {path} is not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} must be a mapping of settings")
    secrets = set(data) & set(SECRET_ENV)
    if secrets:
        name = sorted(secrets)[0]
        raise ConfigError(f"config file {path} holds secret '{name}': remove it and set "
                          f"{SECRET_ENV[name]} in the environment instead")
    unknown = set(data) - FILE_KEYS
    if unknown:
        raise ConfigError(f"config file {path}: unknown setting '{sorted(unknown)[0]}' "
                          f"(known: {', '.join(sorted(FILE_KEYS))})")
    return data


def _checked(values: dict) -> dict:
    template = values.get("image_url_template")
    if template is not None:
        try:
            str(template).format(pmcid="PMC1", filename="f.jpg")
        except (KeyError, IndexError, ValueError) as error:
            raise ConfigError("image_url_template may use only {pmcid} and {filename}: "
                              f"{error!r}") from None
    if "page_size" in values:
        try:
            values["page_size"] = int(values["page_size"])
        except (TypeError, ValueError):
            raise ConfigError("page_size must be a whole number") from None
        if not 1 <= values["page_size"] <= 10:
            raise ConfigError("page_size must be between 1 and 10")
    url = values.get("slack_api_base_url")
    if url:
        if not str(url).startswith(("http://", "https://")):
            raise ConfigError(f"SLACK_API_BASE_URL must be an http(s) URL, not {url!r}")
        values["slack_api_base_url"] = str(url).rstrip("/") + "/"  # WebClient joins method names
    if values.get("db") is not None:
        values["db"] = Path(values["db"]).expanduser()
    return values


def load_config(path: str | Path | None = None, env: dict | None = None, **overrides) -> Config:
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
