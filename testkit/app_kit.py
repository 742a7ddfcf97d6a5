"""The bolt app in process, over a store, talking to the Web API stand-in."""

from bot.app import create_app
from bot.config import Config
from store import Store
from testkit import slack_wire as wire
from testkit.fake_slack import FakeSlack


def inprocess_app(store: Store, fake: FakeSlack, **settings):
    """create_app as `serve` builds it (single workspace), for signed BoltRequests."""
    config = Config(
        db=store.path,
        bot_token="xoxb-test",
        signing_secret=wire.SECRET,
        slack_api_base_url=fake.api_url,
        **settings,
    )
    return create_app(config, store, token_verification_enabled=False)
