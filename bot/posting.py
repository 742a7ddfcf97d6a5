"""chat.postMessage for messages with figure images, which Slack fetches before posting."""

import logging

from slack_sdk.errors import SlackApiError

LOG = logging.getLogger("pathway_bot")


def post_message(client, build, **where):
    """Post build(images=True); if Slack refuses because an image failed to download
    (invalid_blocks, and nothing was posted), post build(images=False): links still work."""
    try:
        return client.chat_postMessage(**where, **build(True))
    except SlackApiError as error:
        if error.response.get("error") != "invalid_blocks":
            raise
        LOG.warning("Slack refused the blocks for %s (%s); posting without images",
                    where.get("channel"), error.response.get("errors"))
        return client.chat_postMessage(**where, **build(False))
