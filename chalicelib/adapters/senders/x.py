"""Replies on X through API v2: a reply tweet to a mention, a DM to a direct message.

- POST {api}/2/tweets {"text", "reply": {"in_reply_to_tweet_id"}} -> 201 {"data": {"id"}}
- POST {api}/2/dm_conversations/with/{participant_id}/messages {"text"}
  -> 201 {"data": {"dm_event_id", "dm_conversation_id"}}
Both act as the account, so they need a user-context token (OAuth 2.0 with tweet.write /
dm.write scopes): CRM_ACCESS_TOKEN_X.
"""

from __future__ import annotations

from collections.abc import Callable

import requests

from chalicelib.adapters.senders.base import NotConfiguredError, json_of, post_json
from chalicelib.domain.replies import Outgoing


class XSender:
    def __init__(self, api_url: str, token: Callable[[str], str | None],
                 session: requests.Session) -> None:
        self._api, self._token, self._session = api_url, token, session

    def send(self, message: Outgoing) -> str:
        token = self._token(message.channel)
        if not token:
            raise NotConfiguredError(f"no X user token for channel {message.channel!r} "
                                     "(CRM_ACCESS_TOKEN_<CHANNEL>): reply not sent")
        headers = {"Authorization": f"Bearer {token}"}
        address = message.address
        if message.medium == "x-tweet":
            response = post_json(self._session, f"{self._api}/2/tweets", {
                "text": message.text,
                "reply": {"in_reply_to_tweet_id": address["tweet_id"]},
            }, headers=headers)
            return str(json_of(response).get("data", {}).get("id") or "")
        response = post_json(
            self._session, f"{self._api}/2/dm_conversations/with/{address['user_id']}/messages",
            {"text": message.text}, headers=headers)
        return str(json_of(response).get("data", {}).get("dm_event_id") or "")
