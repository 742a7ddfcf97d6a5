"""PathwayBot: app wiring, configuration and the command line."""
