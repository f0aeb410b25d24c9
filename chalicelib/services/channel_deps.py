"""What the external channels need besides `Deps`: their configuration, the outbox, the
raw archive, the platform senders and the emergency word list.

Built once per `Deps` (once per Lambda container; once per test, whose fixture builds a
fresh `Deps` and sets the environment first).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

import requests

from chalicelib.adapters.outbox import Outbox
from chalicelib.adapters.raw_archive import RawArchive
from chalicelib.adapters.senders import Senders
from chalicelib.adapters.senders.email import EmailSender
from chalicelib.adapters.senders.meta import MetaGraph
from chalicelib.adapters.senders.partner import PartnerSender
from chalicelib.adapters.senders.sms import SmsSender
from chalicelib.adapters.senders.x import XSender
from chalicelib.channel_config import ChannelConfig
from chalicelib.domain.emergency import Lexicon
from chalicelib.registry import DATA_DIR
from chalicelib.services.deps import Deps


@dataclass(frozen=True)
class ChannelDeps:
    config: ChannelConfig
    outbox: Outbox
    archive: RawArchive
    senders: Senders
    graph: MetaGraph
    lexicon: Lexicon


@cache
def emergency_lexicon() -> Lexicon:
    data = json.loads((DATA_DIR / "emergency_words.json").read_text(encoding="utf-8"))
    return Lexicon.from_data(data["kinds"])


def build_channel_deps(deps: Deps) -> ChannelDeps:
    s = deps.settings
    config = ChannelConfig.from_environment(stage=s.stage, region=s.region,
                                            endpoint_url=s.endpoint_url,
                                            sender_email=s.sender_email)
    session = requests.Session()
    graph = MetaGraph(config.graph_api_url, config.access_token, session)
    x = XSender(config.x_api_url, config.access_token, session)
    senders = Senders({
        "x-tweet": x,
        "x-dm": x,
        "meta-message": graph,
        "meta-private-reply": graph,
        "ig-mention": graph,
        "email": EmailSender(config.email_reply_from, s.region, s.endpoint_url),
        "sms": SmsSender(s.region, s.endpoint_url),
        "partner": PartnerSender(config.callback_url, config.secret, config.partner_key_id,
                                 session, now=lambda: deps.clock().timestamp()),
    })
    return ChannelDeps(
        config=config,
        outbox=Outbox(s.table_name, s.region, host=s.endpoint_url),
        archive=RawArchive(s.bucket, s.region, endpoint_url=s.endpoint_url),
        senders=senders,
        graph=graph,
        lexicon=emergency_lexicon(),
    )


_built: tuple[Deps, ChannelDeps] | None = None


def channel_deps(deps: Deps) -> ChannelDeps:
    """The ChannelDeps that go with `deps` (rebuilt when `deps` is another object)."""
    global _built
    if _built is None or _built[0] is not deps:
        _built = (deps, build_channel_deps(deps))
    return _built[1]
