"""Helpers shared by tests/ and bench/: Slack stand-ins, signed requests, record and corpus
builders, git repositories, Block Kit checks. Neither tests/ nor bench/ imports the other."""
