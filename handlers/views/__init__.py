"""Pure Block Kit and text views: domain objects in, {"text", "blocks"} out. No I/O."""
