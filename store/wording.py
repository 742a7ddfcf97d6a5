"""Words every surface shares (the CLI, Slack views, job summaries)."""


def plural(count: int, word: str) -> str:
    """'1 figure', '2 figures', '1,204 figures', '20 matches'."""
    if count == 1:
        return f"{count:,} {word}"
    ending = "es" if word.endswith(("s", "sh", "ch", "x", "z")) else "s"
    return f"{count:,} {word}{ending}"
