"""`python -m bot` runs the same CLI as `pathway-bot`."""

from .cli import cli

cli(prog_name="pathway-bot")
