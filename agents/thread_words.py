"""Turns of a conversation that are about the conversation itself, not a new request: an
acknowledgement ("ok thx", "cool, cheers") says the answer landed and asks nothing, and a
correction ("no, I meant the gcp one", "sorry, meant aws") repeats the previous request with
the words after it in place of what was misread. Both are told by their grammar alone, so
the follow-up rules (agents/followup.py) can keep an acknowledgement from being read as a
name ("thx" is no service) and give a correction the previous question back."""

from __future__ import annotations

import re

# Words that only acknowledge; a turn made of nothing else asks nothing.
_THANKS = frozenset("""ok okay k kk ok. thanks thank thankyou you thx ty tyvm tysm cheers cool great nice perfect
    got it gotcha noted awesome sweet ta roger understood appreciated appreciate much lovely brilliant sounds
    good makes sense alright right ace excellent legend super so very a lot helpful that that's thats helps""".split())
_WORD = re.compile(r"[a-z']+")
_ACK_CORE = frozenset("ok okay k kk thanks thank thankyou thx ty tyvm tysm cheers cool great nice perfect "
                      "gotcha noted awesome sweet ta roger understood appreciated lovely brilliant ace "
                      "excellent legend super helpful".split())
MAX_ACK_WORDS = 6
# An acknowledgement of the last answer before the next ask ("ok thanks. apart from buckets, ...",
# "thank you! could you pull the same for X?"): one of these words, then what is asked.
ACK_LEAD = r"(?:(?:ok(?:ay)?|k|cool|great|nice|perfect|thanks?(?: you)?|thx|ty|cheers|ta|got it|alright)\W+)"

# "no, I meant ...", "sorry, meant ...", "nah i mean ...", "oops, I meant ...", "actually I meant ..."
# The previous target said to be the wrong one: "wrong one", "wrong box", "not that one".
WRONG_TARGET = r"(?:wrong (?:one|box|vm|host|server|instance|machine|db|bucket|repo|incident)|not that one)"
_CORRECTION = re.compile(r"^\W*(?:(?:no+|nope|nah|sorry|soz|oops|whoops|wait|actually|err?|um+|my bad|"
                         + WRONG_TARGET + r")\W+)*"
                         r"(?:i\s+)?(?:meant|mean|was asking about|was talking about)\b\W*", re.I)
# "no, the gcp one", "nah, the one in europe", "not that one, the windows one"
_NOT_THAT = re.compile(r"^\W*(?:no+|nope|nah|wrong one|not that one|not that)\W+(?:(?:sorry|i meant|the other)\W+)?"
                       r"(?=the\b)", re.I)


def is_acknowledgement(text: str) -> bool:
    """Only thanks and okays ("ok thx", "cool cheers!", "thanks, that helps"): nothing asked."""
    words = _WORD.findall(text.lower())
    if not words or len(words) > MAX_ACK_WORDS:
        return False
    return all(word in _THANKS for word in words) and any(word in _ACK_CORE for word in words)


def correction_rest(text: str) -> str | None:
    """The words a correction puts in place of what was misread ("the gcp one" of "no, I
    meant the gcp one"), or None when the turn corrects nothing."""
    match = _CORRECTION.match(text) or _NOT_THAT.match(text)
    if match is None:
        return None
    rest = text[match.end():].strip()
    return rest or None


# The speaker marks a change of subject: "unrelated, but ...", "different question" (or chat's
# "different q"), "btw", "on another note", "switching gears", "new topic", "separately, ...",
# "other thing - ...".
_SHIFT = (r"(?:unrelated(?:-ish)?|(?:a |on a )?(?:different|separate|another) (?:question|q|qq|topic|subject)|"
          r"(?:a )?new (?:question|q|qq|topic|subject)|on (?:an)?other note|switching gears|"
          r"change of (?:topic|subject)|changing (?:the )?(?:topic|subject)|btw|by the way|"
          # "separately, ..." opens another subject; "it gets billed separately" is how a thing is done
          r"(?<!ed )(?<!wn )(?<!id )separately|"
          r"(?:an)?other thing|different thing)")
TOPIC_SHIFT = re.compile(r"\b" + _SHIFT + r"\b", re.I)
# The marker opening a message, with its lead-in and the "but" after it ("ok switching gears -
# ...", "unrelated but ..."): words about the conversation, none about what is asked.
_SHIFT_OPENER = re.compile(r"^\W*(?:(?:ok(?:ay)?|so|alright|right|k|anyway|also|oh|and)\W+)*" + _SHIFT
                           + r"(?:\W+but)?(?:[\s,.:;!?]|\s*[-\u2013\u2014]+)+(?=\S)", re.I)


def without_topic_shift(text: str) -> str:
    """The message without a change-of-subject opener: what the router's models read, since
    "switching gears" says nothing of the skill (it reads like "switch" to the embedding)."""
    opener = _SHIFT_OPENER.match(text)
    return text[opener.end():] if opener else text
