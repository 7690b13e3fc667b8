"""Chat markup pasted into a request, read as the words it stands for.

People paste Slack messages into any surface (the CLI, a DM, a thread): a user mention
(``<@U04ABCD>``), a channel (``<#C012AB|sec-leads>``), a broadcast (``<!here>``) or a link
with its label (``<https://console.aws.amazon.com/...|the policies page>``). The Slack
surface strips the mention of the bot itself, but a pasted message keeps the raw markup,
which the router and the slots would otherwise read as words: a user id as a person's
name, the angle brackets around a URL as part of it. Here a mention or broadcast is
dropped, a channel becomes its ``#name`` and a link becomes its address then its label
(both can name the thing asked about: a bucket in the URL, a group in the label)."""

from __future__ import annotations

import re

# <@U04ABCD>, <@W012|alice>: a Slack user mention (the name after | is the display name, when given)
_USER = re.compile(r"<@[UWB][A-Z0-9]{2,}(?:\|[^<>]*)?>")
# <#C012AB|sec-leads> or <#C012AB>: a channel
_CHANNEL = re.compile(r"<#[CG][A-Z0-9]{2,}(?:\|([^<>]*))?>")
# <!here>, <!channel>, <!subteam^S012|@sec>: a broadcast or a user group
_BROADCAST = re.compile(r"<!(?:here|channel|everyone|subteam\^[A-Z0-9]+)(?:\|[^<>]*)?>")
# <https://...|label> or <https://...>, <mailto:x@y|x@y>
_LINK = re.compile(r"<((?:https?|mailto):[^<>|\s]+)(?:\|([^<>]*))?>")


def plain_text(text: str) -> str:
    """``text`` with pasted Slack markup read as words; text without markup is returned as is."""
    if "<" not in text:
        return text
    plain = _USER.sub(" ", text)
    plain = _BROADCAST.sub(" ", plain)
    plain = _CHANNEL.sub(lambda m: f"#{m.group(1)}" if m.group(1) else " ", plain)
    plain = _LINK.sub(lambda m: f"{m.group(1)} {m.group(2)}" if m.group(2) else m.group(1), plain)
    if plain == text:
        return text
    # the spaces a dropped mention leaves, not the message's own line breaks
    return "\n".join(" ".join(line.split()) for line in plain.strip().splitlines()).strip()
