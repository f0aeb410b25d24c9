"""Filing what the external channels deliver, the same way for every platform.

For one delivery (already authenticated, already parsed into `InboundMessage`s):
1. check each complaint against the intake rules (a refused one is a 400 for a partner,
   logged and skipped for a platform), so nothing is stored for a refused delivery;
2. if any complaint remains, archive the raw delivery in S3 before filing anything:
   nothing is filed without the platform's own record of it;
3. file each complaint with the platform's message id as the dedupe key, so a redelivery
   finds its ticket and creates nothing;
4. attach its photos (email attachments stored in S3; photo links kept as references);
5. queue the answers to the citizen in the outbox: the 112 notice when the text speaks of
   an emergency, and the acknowledgement with ticket and tracking link.
Steps 4 and 5 are idempotent and run again on a redelivery, which repairs a delivery
whose first handling died halfway.

Photo links (partners, X, Meta) are recorded, not fetched: fetching URLs a sender chose
from inside the webhook would let them make our Lambda call any address (SSRF, including
the instance metadata endpoint) and would make the platform wait on a third host. The
officer's browser opens the link; copying media into S3 can be a later outbox job with a
per-partner host allowlist.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from typing import Any

from chalicelib.adapters.raw_archive import archive_key
from chalicelib.adapters.senders.base import PermanentSendError, TemporarySendError
from chalicelib.adapters.store import StoreUnavailable
from chalicelib.domain.channel_payloads.base import Attachment, InboundMessage, ignored
from chalicelib.domain.channel_payloads.meta import with_fetched_text
from chalicelib.domain.channels import Channel
from chalicelib.domain.emergency import emergency_kinds
from chalicelib.domain.errors import ConcurrentUpdate, IllegalTransition, ValidationFailed
from chalicelib.domain.intake import parse_intake
from chalicelib.domain.replies import reply_messages, tracking_link
from chalicelib.domain.report import SYSTEM_ACTOR, Photo, Report, apply_action
from chalicelib.domain.status import Action
from chalicelib.services.channel_deps import ChannelDeps, channel_deps
from chalicelib.services.deps import Deps
from chalicelib.services.intake import Filed, file_report

log = logging.getLogger("crm.channels")

PHOTO_SUFFIX = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp",
                "image/heic": "heic"}
INTAKE_MEDIA = "intake"  # HistoryEvent.data["source"] of the photos that came with a complaint
_MEDIA_ATTEMPTS = 3


@dataclass(frozen=True)
class Outcome:
    """What became of one message of a delivery."""

    external_id: str | None
    ticket: str | None = None
    tracking_token: str | None = None
    status: str | None = None
    created: bool = False
    emergency: tuple[str, ...] = ()
    ignored: str | None = None

    def summary(self) -> dict[str, Any]:
        if self.ignored:
            return {"id": self.external_id, "ignored": self.ignored}
        return {"id": self.external_id, "ticket": self.ticket, "created": self.created}


@dataclass(frozen=True)
class Receipt:
    outcomes: list[Outcome] = field(default_factory=list)
    archive_key: str | None = None

    @property
    def filed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ignored]

    def summary(self) -> dict[str, Any]:
        return {"filed": [o.summary() for o in self.filed],
                "ignored": [o.summary() for o in self.outcomes if o.ignored]}


def _archive_name(messages: list[InboundMessage], raw: bytes) -> str:
    ids = [m.external_id for m in messages if m.external_id]
    if len(ids) == 1:
        return ids[0]
    # A batch (Meta and X deliver several events at once) is stored once, named by content.
    return "batch-" + hashlib.sha256(raw).hexdigest()[:32]


def receive(deps: Deps, channel: Channel, raw: bytes, messages: list[InboundMessage], *,
            suffix: str = "json", strict: bool = False) -> Receipt:
    """Archive, file and answer the complaints of one delivery.

    `strict`: a complaint the intake rules refuse raises `ValidationFailed` before anything
    is stored (a partner's API call gets its 400); otherwise it is logged and ignored, so
    one bad message does not make the platform redeliver a whole batch forever.
    """
    cd = channel_deps(deps)
    checked = [_checked(deps, channel, _with_text(cd, channel, m), strict=strict)
               if m.ignored is None else m for m in messages]
    complaints = [m for m in checked if m.ignored is None]
    key = None
    if complaints:
        key = archive_key(channel.id, deps.clock(), _archive_name(complaints, raw), suffix)
        cd.archive.put(key, raw, suffix)
    outcomes = [Outcome(m.external_id, ignored=m.ignored) if m.ignored is not None
                else _file(deps, cd, channel, m) for m in checked]
    return Receipt(outcomes, key)


def _checked(deps: Deps, channel: Channel, message: InboundMessage, *,
             strict: bool) -> InboundMessage:
    """The message if the intake rules accept its fields, else why not (or raise)."""
    if message.ignored is not None:
        return message
    reg = deps.registry
    try:
        parse_intake(message.fields, channel=channel.id, wilayah=reg.wilayah,
                     categories=reg.categories, external_id=message.external_id)
    except ValidationFailed as exc:
        if strict:
            raise
        log.warning("channel %s: message %s not filed: %s", channel.id, message.external_id,
                    exc)
        return ignored(message.external_id, f"invalid: {exc.message_en}")
    return message


def _with_text(cd: ChannelDeps, channel: Channel, message: InboundMessage) -> InboundMessage:
    """The message with the text its webhook did not carry (Instagram mentions)."""
    ref = message.text_ref
    if ref is None:
        return message
    try:
        text, username = cd.graph.mention_text(channel.id, ref.account_id, ref.media_id,
                                               ref.comment_id)
    except TemporarySendError as exc:
        # Meta redelivers a webhook that was not answered 2xx: try again then.
        raise StoreUnavailable(f"Graph API: {exc}") from exc
    except PermanentSendError as exc:
        log.error("channel %s: text of %s unavailable: %s", channel.id, message.external_id,
                  exc)
        return ignored(message.external_id, "the mention's text is unavailable")
    return with_fetched_text(message, text, username)


def _file(deps: Deps, cd: ChannelDeps, channel: Channel, message: InboundMessage) -> Outcome:
    filed = file_report(deps, message.fields, channel=channel.id,
                        external_id=message.external_id)
    if message.attachments or message.photo_urls:
        _attach_media(deps, cd, channel, filed, message)
    emergency = tuple(emergency_kinds(message.text, cd.lexicon))
    if emergency:
        log.warning("channel %s: ticket %s speaks of an emergency (%s): 112 notice queued",
                    channel.id, filed.ticket, ", ".join(emergency))
    if message.reply is not None:
        link = tracking_link(deps.settings.public_base_url, filed.ticket, filed.tracking_token)
        for reply_id, outgoing in reply_messages(channel.id, message.reply, filed.ticket, link,
                                                 bool(emergency)):
            cd.outbox.queue(filed.ticket, reply_id, outgoing, deps.clock())
    return Outcome(message.external_id, filed.ticket, filed.tracking_token, filed.status,
                   filed.created, emergency)


# -- photos ------------------------------------------------------------------------

def photo_key(ticket: str, attachment: Attachment) -> str:
    """Named by content: storing the same attachment again writes the same object."""
    digest = hashlib.sha256(attachment.content).hexdigest()[:24]
    return f"reports/{ticket}/citizen-{digest}.{PHOTO_SUFFIX[attachment.content_type]}"


def _media_recorded(deps: Deps, ticket: str) -> bool:
    return any(e.action == Action.FOTO and e.data.get("source") == INTAKE_MEDIA
               for e in deps.store.history(ticket))


def _attach_media(deps: Deps, cd: ChannelDeps, channel: Channel, filed: Filed,
                  message: InboundMessage) -> None:
    """Store the photos that came with the complaint and record them in one history event."""
    if not filed.created and _media_recorded(deps, filed.ticket):
        return
    keys = []
    for attachment in message.attachments:
        key = photo_key(filed.ticket, attachment)
        cd.archive.put_photo(key, attachment.content, attachment.content_type)
        keys.append(key)
    for _ in range(_MEDIA_ATTEMPTS):  # routing may update the new report at the same moment
        loaded = deps.store.load(filed.ticket)
        if loaded is None:
            return
        report: Report = loaded.report
        now = deps.clock()
        known = {p.key for p in report.photos}
        photos = [Photo(key=k, kind="citizen", at=now, by=channel.id)
                  for k in keys if k not in known]
        try:
            updated, event = apply_action(
                report, Action.FOTO, actor=SYSTEM_ACTOR, now=now,
                note="Foto dari pelapor dilampirkan. / The reporter's photos were attached.",
                data={"source": INTAKE_MEDIA, "photos": keys,
                      "photo_urls": list(message.photo_urls)},
                changes={"photos": [*report.photos, *photos]})
            deps.store.update(loaded, updated, [event])
            return
        except IllegalTransition:
            log.warning("ticket %s is closed: intake photos not attached", filed.ticket)
            return
        except ConcurrentUpdate:
            continue
    log.warning("ticket %s kept changing: intake photos not attached", filed.ticket)
