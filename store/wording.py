"""Words every surface shares (the CLI, Slack views, job summaries)."""


def plural(count: int, word: str) -> str:
    """'1 figure', '2 figures', '1,204 figures'."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"
