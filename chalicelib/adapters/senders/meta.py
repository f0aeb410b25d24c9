"""The Meta Graph API: answers on the Facebook page and Instagram, and mention texts.

- `meta-message`: POST {graph}/{account}/messages {"recipient": {"id": PSID or IGSID},
  "messaging_type": "RESPONSE", "message": {"text"}} (inside the 24-hour window that the
  citizen's own message opened);
- `meta-private-reply`: the same endpoint with {"recipient": {"comment_id"}} or
  {"recipient": {"post_id"}}: Meta's Private Replies, one private message answering a
  public comment or visitor post, so the tracking link is not published;
- `ig-mention`: POST {graph}/{ig account}/mentions {"media_id", "comment_id"?, "message"}:
  a comment answering where we were mentioned (private replies do not exist for mentions).
The page (or Instagram) access token is CRM_ACCESS_TOKEN_<CHANNEL>, sent as a bearer token
rather than in the URL so it never lands in access logs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests

from chalicelib.adapters.senders.base import (
    TIMEOUT,
    NotConfiguredError,
    PermanentSendError,
    TemporarySendError,
    json_of,
    post_json,
)
from chalicelib.domain.replies import Outgoing

# Graph API error codes that mean "later": throttling and temporary outages.
_TEMPORARY_CODES = {1, 2, 4, 17, 32, 341, 613, 80001, 80002, 80006}


def _temporary(response: requests.Response) -> bool:
    error = json_of(response).get("error") or {}
    return bool(error.get("is_transient")) or error.get("code") in _TEMPORARY_CODES


class MetaGraph:
    def __init__(self, graph_url: str, token: Callable[[str], str | None],
                 session: requests.Session) -> None:
        self._graph, self._token, self._session = graph_url, token, session

    def _headers(self, channel: str) -> dict[str, str]:
        token = self._token(channel)
        if not token:
            raise NotConfiguredError(f"no Graph API token for channel {channel!r} "
                                     "(CRM_ACCESS_TOKEN_<CHANNEL>)")
        return {"Authorization": f"Bearer {token}"}

    def send(self, message: Outgoing) -> str:
        address, headers = message.address, self._headers(message.channel)
        account = address["account_id"]
        if message.medium == "ig-mention":
            body: dict[str, Any] = {"media_id": address["media_id"], "message": message.text}
            if address.get("comment_id"):
                body["comment_id"] = address["comment_id"]
            response = post_json(self._session, f"{self._graph}/{account}/mentions", body,
                                 headers=headers, temporary=_temporary)
            return str(json_of(response).get("id") or "")
        if message.medium == "meta-private-reply":
            target = "comment_id" if address.get("comment_id") else "post_id"
            recipient = {target: address[target]}
            body = {"recipient": recipient, "message": {"text": message.text}}
        else:
            body = {"recipient": {"id": address["recipient_id"]}, "messaging_type": "RESPONSE",
                    "message": {"text": message.text}}
        response = post_json(self._session, f"{self._graph}/{account}/messages", body,
                             headers=headers, temporary=_temporary)
        return str(json_of(response).get("message_id") or "")

    def mention_text(self, channel: str, account_id: str, media_id: str,
                     comment_id: str | None) -> tuple[str, str | None]:
        """(text, author's username) of the comment or caption that mentioned the account."""
        if comment_id:
            fields = f"mentioned_comment.comment_id({comment_id}){{text,username}}"
        else:
            fields = f"mentioned_media.media_id({media_id}){{caption,username}}"
        try:
            response = self._session.get(f"{self._graph}/{account_id}",
                                         params={"fields": fields},
                                         headers=self._headers(channel), timeout=TIMEOUT)
        except requests.RequestException as exc:
            raise TemporarySendError(f"{type(exc).__name__}: {exc}") from exc
        if not response.ok:
            error = TemporarySendError if response.status_code >= 500 or _temporary(response) \
                else PermanentSendError
            raise error(f"HTTP {response.status_code}: {response.text[:300]}")
        body = json_of(response)
        found = body.get("mentioned_comment") or body.get("mentioned_media") or {}
        return str(found.get("text") or found.get("caption") or ""), found.get("username")
