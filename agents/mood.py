"""Whether a sentence that names a change asks for it: grammatical mood, not keywords.

"stop payments-api-1" asks; "don't stop payments-api-1" (negated), "what would happen if I
stop it?" (hypothetical), "did someone stop it yesterday?" (past) and "bob said he'd stop it"
(reported) do not. Each occurrence of an action verb gets a mood from the words that govern
it in its clause: a negation right before it, a conditional or modal frame, a question
about the past or a past form, a reporting verb or a how-to frame. A sentence asks for an
action when at least one occurrence of that action's verbs is in the plain (imperative or
requesting) mood; a sentence that only talks about the action is answered as a question.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Literal

Mood = Literal["request", "negated", "hypothetical", "past", "reported"]

# Name resolution ("dns isn't resolving", "the hostname resolves to 10.0.0.5"): the verb of DNS,
# never the resolving of an incident.
NAME_RESOLUTION = re.compile(r"\b(?:dns|hostnames?|domains?|fqdns?|nslookup|dig|names?|records?)\b[^,;.!?]{0,30}"
                             r"\bresolv\w*|\bresolv\w*\b[^,;.!?]{0,20}\b(?:dns|hostnames?|domains?|fqdns?)\b|"
                             r"\bresolv\w* to \d+\.\d+|\bname resolution\b")

# Each mutating skill's verbs: base form, then its -ing and past forms.
VERBS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "infra.action": (
        ("stop", "stopping", "stopped"), ("start", "starting", "started"), ("reboot", "rebooting", "rebooted"),
        ("restart", "restarting", "restarted"), ("bounce", "bouncing", "bounced"),
        ("power cycle", "power cycling", "power cycled"), ("power off", "powering off", "powered off"),
        ("power on", "powering on", "powered on"), ("shut down", "shutting down", "shut down"),
        ("shutdown", "shutting down", "shutdown"), ("shut off", "shutting off", "shut off"),
        ("turn off", "turning off", "turned off"), ("turn on", "turning on", "turned on"),
        ("switch off", "switching off", "switched off"), ("switch on", "switching on", "switched on"),
        ("spin up", "spinning up", "spun up"), ("spin down", "spinning down", "spun down"),
        ("bring up", "bringing up", "brought up"), ("fire up", "firing up", "fired up"),
        ("boot up", "booting up", "booted up"), ("resize", "resizing", "resized"),
        ("scale", "scaling", "scaled"), ("kill", "killing", "killed"), ("terminate", "terminating", "terminated"),
        ("deallocate", "deallocating", "deallocated"),
    ),
    "cicd.rerun": (
        ("rerun", "rerunning", "reran"), ("re-run", "re-running", "re-ran"), ("retry", "retrying", "retried"),
        ("retrigger", "retriggering", "retriggered"), ("re-trigger", "re-triggering", "re-triggered"),
        ("redeploy", "redeploying", "redeployed"), ("re-deploy", "re-deploying", "re-deployed"),
        ("deploy", "deploying", "deployed"), ("rebuild", "rebuilding", "rebuilt"),
        ("kick off", "kicking off", "kicked off"), ("trigger", "triggering", "triggered"),
        ("run", "running", "ran"), ("roll back", "rolling back", "rolled back"),
        ("rollback", "rolling back", "rolled back"), ("dispatch", "dispatching", "dispatched"),
    ),
    "incident.ack": (("ack", "acking", "acked"), ("acknowledge", "acknowledging", "acknowledged")),
    "incident.resolve": (("resolve", "resolving", "resolved"), ("close", "closing", "closed"),
                         ("close out", "closing out", "closed out")),
    "incident.page": (
        ("page", "paging", "paged"), ("escalate", "escalating", "escalated"), ("wake up", "waking up", "woke up"),
        ("wake", "waking", "woke"), ("call in", "calling in", "called in"), ("loop in", "looping in", "looped in"),
        ("pull in", "pulling in", "pulled in"), ("summon", "summoning", "summoned"),
        ("notify", "notifying", "notified"),
    ),
}
# "retry" as a verb, not as the modifier of a noun ("the webhook retry/backoff change", "retry
# logic", "the retry policy"): a change's or a setting's name asks for no rerun.
RETRY_AS_NOUN = (r"[/-]\w|\s+(?:logic|polic(?:y|ies)|backoff|count|limits?|mechanism|config\w*|settings?|budgets?|"
                 r"storms?|loops?|handling|behaviou?r|queues?|attempts?|changes?|fix(?:es)?|prs?|logs?|thing|stuff|"
                 r"work|feature|refactor|patch|commit|branch)\b")
RETRY_VERB = rf"retry(?!{RETRY_AS_NOUN})"

# Past participles that double as the base form ("was the deploy rerun", "shut down").
_AMBIGUOUS_PAST = {"rerun": "infra", "re-run": "infra", "shut down": "infra", "shut off": "infra"}

_FILLER = r"(?:please|pls|plz|just|even|ever|you|u|we|i|really|actually|go|ahead|and|to|yet|now|again|,)"
_NEGATION = re.compile(
    r"(?:\b(?:don'?t|dont|do not|does not|doesn'?t|never|not|no need to|no reason to|shouldn'?t|should not|"
    r"mustn'?t|must not|won'?t|will not|wouldn'?t|can'?t|cannot|avoid|without|hold off on|hold off|refrain from|"
    r"under no circumstances|no way|not allowed to|nobody should|no one should|"
    r"stop|quit|no more|nobody|no one|no)\s+(?:" + _FILLER + r"\s+){0,3})$"
)
_NOT_A_NEGATION = re.compile(r"\bnever ?mind\b\s*$")  # "never mind the logs, reboot it"
_HYPOTHETICAL = re.compile(
    r"\bwhat (?:would|will|could|might|happens?|if)\b|\bwhat'?s the (?:impact|risk|effect|blast radius|downside)\b|"
    r"\b(?:impact|effect|consequences?|risks?|downside|blast radius) of\b|\bif (?:i|we|you|someone|somebody|they)\b|"
    r"\b(?:should|shall|would|could|might|must) (?:i|we)\b|\bcan i\b|\bwould it\b|\bwould (?:that|this)\b|"
    r"\bis it (?:safe|ok|okay|fine|wise|smart|a good idea|a bad idea|risky|worth)\b|\b(?:safe|ok|okay|wise) to\b|"
    r"\bdo (?:you|u) think\b|\bworth (?:it )?\w+ing\b|\bin theory\b|\bhypothetically\b|\bdry[- ]run\b|"
    r"\bwhether (?:to|i|we)\b|\bor (?:should|is it|wait)\b|\bor not\b|\bthinking (?:of|about)\b|"
    r"\bconsidering\b|\bwondering\b|\boverkill\b|\bdoes it make sense\b|\bany reason (?:to|not to)\b|"
    r"\bpros and cons\b|\bwhen should\b|"
    r"^\W*(?:would|could|should|might|will|does|is|are)\b(?!\s+(?:you|u)\b)"  # a yes/no question about it
)
_PAST = re.compile(
    r"\b(?:did|didn'?t|was|wasn'?t|were|has|hasn'?t|have|haven'?t|had)\b(?:\s+\S+){0,5}\s*$|"
    r"\bwho\b(?:\s+\S+){0,2}\s*$|\bwhen\b(?:\s+\S+){0,4}\s*$|\balready\s*$|\blast (?:time\s*)?$|"
    r"\bhistory of\s*$|\bany\s*$|\brecent\s*$"
)
_REPORTED = re.compile(
    r"\b(?:said|says|say|told|tells|asked|asks|wants|wanted|suggested|suggests|mentioned|mentions|thinks|thought|"
    r"claims|claimed|recommends|recommended|proposed|plans?|planning|planned|intends?|going|gonna|will|'ll|"
    r"might|may|about to|meant to|supposed to|scheduled|schedule|remind me|reminder|draft\w*|write|compose|"
    r"announce|tell (?:the )?\w+|let \w+ know|runbook|docs?|wiki|procedure|playbook|permission|allowed|"
    r"(?<!you be )(?<!u be )able|"  # "would you be able to page dave" asks the bot
    r"how (?:do|to|can|should|would|does)|how)\b"
)
# "go ahead and", as typed in chat too ("go ahead n resolve it", "go ahead & restart X")
_GO_AHEAD_AND = r"go ahead (?:and|n|an|&)"
# A go-ahead closing the message makes the action it mentioned the request: "carol says we
# should restart X, can you do it?", "what would a reboot of X do? ok, go ahead".
_GO_AHEAD = re.compile(
    r"(?:[,;.!?:]|\s-+\s|\b(?:so|then|ok|okay|yes|yep)\b)\s*(?:(?:please|pls|just|then|so)\s+)*"
    r"(?:(?:can|could|would|will) (?:you|u)\s+(?:please\s+|just\s+|" + _GO_AHEAD_AND + r"\s+)?do (?:it|that|this|so)|"
    r"(?:please |pls |you |u )?do (?:it|that)|go ahead|go for it|make it so)"
    # a reason or a plan may follow it after a dash ("do it for me - ill be at my desk in 5")
    r"(?:\s+(?:please|pls|now|then|for me))*(?:\W*$|\s+[-\u2013\u2014]+\s+(?!.*\?))"
)
# A dash between spaces ends a clause in chat ("on it - restart X"); a hyphen inside a name does not.
# So does a colon (not inside a time, "14:00"), a quoted line's ">" and an emoji.
# A quoted passage is a clause of its own: its closing quote ends it ('"... TRIGGERED" ack pls').
_CLAUSE_BREAK = re.compile(r"[,;.!?\n]|(?<!\d):|:(?!\d)|(?:^|\s)>+\s|\s[-\u2013\u2014]{1,2}\s|(?<=\S)[\"\u201d](?=\s)|"
                           r"[\u2600-\u27bf\U0001f300-\U0001faff]|"
                           r"\b(?:but|then|and|so|because|cuz|since|though|although|or|nor)\b")
# A question asks about the action, whatever its verbs' position ("what's the difference
# between stop and reboot?"); polite requests ("can you stop it?") are not wh-questions.
_WH_QUESTION = re.compile(r"^\W*(?:what|whats|what's|which|why|how|where|when|who|whose|whom)\b")
# A negation scopes over coordinated verbs: "don't stop or restart it", "never ack and resolve".
_NEGATED_COORDINATION = re.compile(
    r"\b(?:don'?t|dont|do not|never|not|no)\b[^,;.!?:]*\b(?:or|nor|and)\s+(?:\S+\s+){0,2}$")
# A machine action said as a noun in a clause of its own: "it hangs, make a reboot of him please",
# "give web-2 a quick restart", "then do one more bounce".
NOMINAL_MACHINE_ACTION = (r"(?:^|[,.;!?]\s*|\b(?:so|then|and)\s+)(?:please |pls |just )?(?:make|do|give)\s+"
                          r"(?:it\s+|him\s+|her\s+|[\w.-]*\d[\w.-]*\s+)?(?:a|an|one more|another)\s+"
                          r"(?:(?:quick|hard|soft|fresh)\s+)?(?:reboot|restart|bounce|power[- ]?cycle)\b")
# A request phrased with a noun: "send a page to security", "give bastion-1 a reboot".
_NOMINAL_REQUEST = re.compile(
    r"^\W*(?:(?:please|pls|plz|just|can you|could you|can u|" + _GO_AHEAD_AND + r"|i|we)\s+)*"
    r"(?:send|trigger|open|create|fire|"
    r"need|want|"
    r"raise|file|issue|do|give|kick off|start|put in|make)\b[^,;.!?]*\b(?:a|an|the|another|one more)\s+"
    r"(?:[\w-]+\s+){0,2}(?:page|incident|reboot|restart|rerun|"
    r"re-run|redeploy|rollback|bounce|ack|p[0-4]|sev ?[0-4])\b")
# A pasted alert or notification: "[FIRING] ...", "ALARM: ...", "CRITICAL - ...".
_PASTED_ALERT = re.compile(r"^\W*\[?(?:firing|resolved|alert(?:ing)?|alarm|critical|warning|warn|triggered)\b\]?"
                           r"(?:\s*[:\-\]|]|\s)")
# What a resolve without its verb must name: the incident ("that incident", "it", "#1042", "P7K2M9Q").
_NAMES_AN_INCIDENT = re.compile(r"\b(?:incidents?|outages?|alerts?|pages?|sev ?\d|p[0-4]|it|that|this|"
                                r"that one|this one)\b|#\d+|\bp[a-z0-9]{6}\b")


def _alert_alone(lowered: str) -> bool:
    """A pasted alert with nothing said after it ("ALERT X > 20% - get the auth on-call on it"
    has the user's own ask after the dash)."""
    return bool(_PASTED_ALERT.match(lowered)) and not re.search(r"\s[-\u2013\u2014]{1,2}\s|\n|[.!?]\s+\S", lowered)


# Bringing a person into the incident is paging them ("can you get the secondary in here",
# "pull the db on-call into the bridge").
# (a person put on it: "get the backup on it", "get bob on this", not "get started on it")
SUMMONED = (r"\b(?:get|bring|pull|grab|drag)\s+(?:\S+\s+){1,3}?(?:in here|over here|"
            r"on(?:to)? (?:the |this )?(?:call|bridge|line|channel|incident)|"
            r"in(?:to)? (?:the |this )?(?:call|bridge|channel|room|incident|war ?room))\b|"
            r"\bget\s+(?:the\s+)?(?:backup|secondary|primary|on-?call(?:\s+\w+)?|someone|somebody|a human|"
            r"(?!(?:started|going|working|moving|back|it|that|this|them|a|an|the)\b)[a-z]+)\s+on\s+(?:it|this|that)\b")
_SUMMONED = re.compile(SUMMONED)
# A person had look into something ("can you have whoever's on platform look at the pipeline",
# "get someone from storage to take a look", "have bob check on it"): paging them onto it.
SUMMONED_TO_LOOK = (r"\b(?:have|get|tell|ask)\s+(?:whoever(?:'?s| is)\s+on(?:[- ]?call)?(?:\s+(?:for\s+)?[\w-]+)?|"
                    r"someone|somebody|a human|an engineer|the\s+(?:[\w-]+\s+)?on-?call(?:er)?|"
                    r"(?!(?:a|an|the|it|this|that|them|me|us|you|u|another|one|my|our|your|more|some|any|guardian|bot)\b)[a-z]+)\s+"
                    r"(?:from\s+[\w-]+\s+)?(?:to\s+)?(?:look at|look into|take a look|check on|investigate|dig into|"
                    r"jump on)\b")
_SUMMONED_TO_LOOK = re.compile(SUMMONED_TO_LOOK)
# Marking an incident done is resolving it ("mark it done", "you can mark the page closed").
_MARKED_DONE = re.compile(r"\bmark (?:\S+ ){0,3}(?:as )?(?:done|closed|fixed)\b")
# An incident marked as taken ("mark it as handled", "mark as being worked on the payments alert"): an ack.
MARKED_TAKEN = r"\bmark (?:\S+ ){0,3}?as (?:handled|being handled|taken|mine|in progress|being worked on|owned)\b"
# The speaker claiming an incident ("the payments page is mine", "1042's on me", "i'm taking the
# 5xx page from here", "i'll take this one"): the owner's ack, as "acking P1" announces it; not
# a question of whose it is, nor blame taken ("that outage is on me, i pushed the config").
CLAIMED_BY_ME = (r"^(?!\W*(?:is|are|was|were|whose|who|which|did|does)\b)(?!.*\b(?:sorry|my bad|fault|pushed|broke|"
                 r"caused|mistake)\b).*(?:"
                 r"\b(?:page|alert|incident|outage|one|it|this|that|sev ?\d|p[0-4]|p[a-z0-9]{6}|#?\d{3,5})(?:'s| is)\s+"
                 r"(?:all\s+)?(?:mine|on me)\b|"
                 r"\bi'?m\s+(?:taking|grabbing|owning|picking up)\s+(?:this|that|it\b|the\s+(?:\S+\s+){0,3}?"
                 r"(?:page|alert|incident|one)\b)|"
                 r"\bi'?ll\s+(?:take|grab|own)\s+(?:this|that)\s+(?:one|page|alert|incident)\b)")
_NOMINAL_SKILL = {"page": "incident.page", "incident": "incident.page", "p": "incident.page", "sev": "incident.page",
                  "reboot": "infra.action", "restart": "infra.action", "bounce": "infra.action",
                  "rerun": "cicd.rerun", "re-run": "cicd.rerun", "redeploy": "cicd.rerun", "rollback": "cicd.rerun",
                  "ack": "incident.ack"}
# Frames shared by _IMPERATIVE_POSITION and _POLITE_FRAME: having the bot act ("could I get you
# to ..."), asking whether it may be done ("would it be possible to ..."), a wish ("i'd like to ...").
_HAVE_THE_BOT = r"(?:can|could|may) (?:i|we) (?:get (?:you|u) to|have (?:you|u)|ask (?:you|u) to)"
_WOULD_IT_BE = r"(?:would|will) it be (?:possible|ok|okay|alright|fine) (?:for (?:you|u) )?to"
_A_WISH = r"i'?d like (?:you |us )?to|i would like (?:you |us )?to"
_IMPERATIVE_POSITION = re.compile(
    r"^\W*(?:(?:hard|force|forcefully|gracefully|safely|cleanly|hey|hi|ok|okay|yo|alright|right|yes|yep|sure|fine|cool|guardian|@guardian|please|pls|plz|kindly|"
    r"h+m+|um+|uh+|ah|oh|welp|well|k|kk|ugh|meh|sigh|"  # "hmm ok bounce it then": a sound before the ask
    r"just|also|now|then|and|actually|quickly|quick|asap|urgently|immediately|right now|"
    + _GO_AHEAD_AND + r"|go ahead|go|btw|by the way|"
    r"for now|(?:at|around) \d{1,2}(?::\d{2})?\s*(?:am|pm|utc|gmt)?|tonight|"  # "at 14:00 redeploy X"
    r"can you|can u|could you|could u|would you|would u|will you|will u|i need you to|i want you to|"
    r"i'?d like you to|need you to|let'?s|lets|let us|time to|we need to|need to|gotta|have to|must|"
    r"you should|you need to|ok so|so|"
    r"(?:you|u) can|you may|feel free to|"  # permission to the bot is a request: "you can close it"
    + _HAVE_THE_BOT + "|"  # "could I get you to ..."
    # a wish or a polite question put to the bot is a request too: "i'd like to shut X down",
    # "would it be possible to start X", "would you mind restarting X", "please you stop X"
    + _A_WISH + r"|i want (?:you |us )?to|" + _WOULD_IT_BE + "|"
    r"(?:would|could) (?:you|u) (?:kindly|please)|(?:please|pls|plz|kindly) (?:you|u|do|make)|"
    # "would you be able to page dave?", "i was wondering if you could close out 1041"
    r"(?:would|could) (?:you|u) be able to|(?:i was |i'?m |just )?wondering if (?:you|u) (?:could|can|would)|"
    # said by someone writing in a second language: "i must to reboot X", "can you to stop X",
    # "please to restart", and "por favor", "bitte", "s'il vous plait" before it
    r"(?:i|we) must to|(?:can|could|would|will) (?:you|u) to|please to|por favor|porfa|bitte|"
    r"s'il (?:te|vous) pla[iî]t|per favore|"
    # asked of the channel ("somebody ack 1042", "someone needs to wake up bob"): the bot answers
    r"(?:(?:can|could|would) )?(?:someone|somebody|anyone|anybody)(?: please| (?:needs|has|ought) to| should| must|"
    r" gotta)?)\W*)*$"
)
# Frames that look like a question or a wish but ask the bot to act (see _IMPERATIVE_POSITION).
_POLITE_FRAME = re.compile(r"(?:" + _WOULD_IT_BE + "|" + _HAVE_THE_BOT + "|"
                           # asked of the channel at the start too: "could someone restart X?"
                           r"^\W*(?:can|could|would|will) (?:someone|somebody|anyone|anybody)(?: please)?|"
                           # a thing asked to be got into a state: "can i get that restarted?"
                           r"^\W*(?:can|could|may) (?:i|we) (?:please )?get (?:[\w.-]+\s+){1,4}|"
                           r"^\W*(?:i was |i'?m |just )?wondering if (?:you|u) (?:could|can|would)(?: please)?|"
                           + _A_WISH + r")\W*$")
# An action noun's article and manner at a clause's end: "... a quick ", "... another ".
_A_FRESH_ONE = r"(?:a|an|another|one more)\s+(?:quick\s+|hard\s+|good\s+|proper\s+|fresh\s+)?$"
# Asking leave to act, through the bot ("can i ack the payments one?", "may we restart X"): the
# act asked for; done by the asker's own hand ("can I bounce X myself?") it stays a question.
_ASKS_LEAVE = re.compile(r"^\W*(?:(?:ok|okay|so|hey|hi)\W+)?(?:can|could|may) (?:i|we)(?: just| please)?\W*$")
# A named thing said to need the act: "jump-host-1 needs a restart", "X could use a quick reboot".
# (said of the thing, not asked whether or reported: "does it need a restart?", "docs say it needs a")
_NEEDS_A = re.compile(r"^\W*(?!(?:does|do|did|is|will|would|should|why|when|whether|if|what|which|who)\b)"
                      r"(?:(?!(?:says?|said|thinks?|thought|because|whether|if)\b)[\w.()-]+\s+){1,4}"
                      r"(?:needs?|could use|is due)\s+" + _A_FRESH_ONE)
# An opinion put before a clause leaves its mood as it is: "i think the sev2 can be closed now".
_HEDGE = re.compile(r"^\W*(?:i (?:think|believe|guess|reckon)|i'?m (?:pretty )?sure)\s+")
# A condition in a clause of its own before the verb: "if nobody objects, ...", "once it drains, ...".
_CONDITION = re.compile(r"\b(?:if|once|assuming|provided)\b[^,;:]*[,;:]")
# A clause of its own put to the bot after a question ("who's on call and could you page them"):
# the question's wh-word does not govern it.
_ASKED_OF_THE_BOT = re.compile(r"^\W*(?:please |pls )?(?:can|could|would|will) (?:you|u)"
                               r"(?: please| pls| just| also)?\s*$")
# The same condition typed without its comma, about a thing and with its own verb, right before
# the verb or its polite frame: "if the nightly failed again rerun it", "if its still wedged could
# you give it a reboot". The verb after it is the main clause's ("if we rerun it" keeps the verb
# in the condition: a person is its subject).
_UNPUNCTUATED_CONDITION = re.compile(
    r"^\W*(?:if|once|assuming)\s+(?!(?:i|we|you|u|someone|somebody|anyone|they)\b)(?:\S+\s+){0,5}?"
    r"(?:\S+ed|is|was|are|were|\S+'s|its|isn'?t|wasn'?t|fails?|breaks?|broke|dies|died|froze|hung|fell over|goes|went|"
    r"got stuck|stays?|looks?|keeps \S+ing)"
    r"(?:\s+(?:again|still|too|now|yet|red|green|down|up|broken|failing|stuck|flaky|bad|off|over|wedged|hung|dead))*"
    r"\s+(?=$|(?:please|pls|just|then|kindly|go ahead|(?:can|could|would|will) (?:you|u))\b)")
# ("get X resolved" asks; "did anything get resolved?" is the passive: "get" needs its object)
_PARTICIPLE_REQUEST = re.compile(r"\b(?:get(?:\s+\S+){1,6}|(?:have|need|needs|want|wants|mark|set|put|make)"
                                 r"(?:\s+\S+){0,6})\s*(?:as\s*)?$")
# ... with objects joined by "and" ("get carol and dave paged", "have web-1 and web-2 restarted").
_COORDINATED_OBJECTS = re.compile(r"\b(?:get|have|need|want|wants|needs)\s+[\w.-]+(?:\s+and\s+[\w.-]+)+\s*$")
# Permission in the passive ("this one can be resolved", "the sev2 can now be closed", "P1 may
# safely be closed", a subject of up to ten words), unless someone else is the agent ("it can be
# restarted by the owner").
_PERMISSIVE_PASSIVE = re.compile(r"^\W*(?:\S+\s+){1,10}(?:can|may)\s+(?:now\s+|safely\s+|finally\s+)?be\s*$")
# A verb as the noun of a request in its own clause: "X is wedged, give it a reboot".
_GIVE_IT_A = re.compile(r"\b(?:give|do)\s+(?:it|that|them|this|this one|that one|[\w.-]+)\s+" + _A_FRESH_ONE)


@dataclass(frozen=True)
class Occurrence:
    skill: str
    verb: str
    form: Literal["base", "ing", "past"]
    mood: Mood


def _normalise(text: str) -> str:
    """Lower case, straight apostrophes, single spaces; a line break stays one, since a pasted
    line ends there ("...state changed to ALARM\nreboot it pls": the ask begins a line)."""
    lowered = text.lower().replace("’", "'").replace("‘", "'")
    return "\n".join(" ".join(line.split()) for line in lowered.splitlines() if line.strip())


@functools.cache
def _verb_forms() -> tuple[tuple[str, str, str, str, re.Pattern[str]], ...]:
    """(skill, verb, form, the form's first word, its compiled pattern) of every action verb
    form, longest first ("shut down" before "shut", "re-run" before "run"): built once, not
    per request (the router reads the mood of each request several times)."""
    forms = [(skill, verb, form, name) for skill, table in VERBS.items() for verbs in table
             for verb, form, name in ((verbs[0], "base", verbs[0]), (verbs[0], "ing", verbs[1]),
                                      (verbs[0], "past", verbs[2]))]
    forms.sort(key=lambda item: -len(item[3]))
    return tuple((skill, verb, form, name.split(" ")[0], re.compile(_form_pattern(name)))
                 for skill, verb, form, name in forms)


@functools.lru_cache(maxsize=1024)
def occurrences(text: str) -> tuple[Occurrence, ...]:
    """Every action verb in ``text`` with its form and mood, in order. Cached: the router's
    grammar, the mood and the slots each ask for the same request's verbs."""
    lowered = _normalise(text)
    found: list[tuple[int, int, Occurrence]] = []
    taken: list[tuple[int, int]] = []
    for skill, verb, form, head, pattern in _verb_forms():
        if head not in lowered:  # every match starts with the form's first word
            continue
        for match in pattern.finditer(lowered):
            span = (match.start(), match.end())
            if any(start < span[1] and span[0] < end for start, end in taken):
                continue
            if not _is_verb(lowered, match.start(), match.end(), verb):
                continue
            taken.append(span)
            mood = _mood(lowered, match.start(), match.end(), form)  # type: ignore[arg-type]
            found.append((match.start(), match.end(), Occurrence(skill, verb, form, mood)))  # type: ignore[arg-type]
    return tuple(occ for _, _, occ in sorted(found, key=lambda item: item[0]))


# The object of a phrasal verb may stand between its words ("spin X back up", "turn it off"):
# a pronoun or a resource name (a token with a hyphen or a digit), optionally with "back".
_SPLIT_OBJECT = r"(?:it|them|that|this|that one|this one|[a-z0-9.]*(?:-|\d)[\w.-]*)(?:\s+back)?"


def _form_pattern(name: str) -> str:
    """The regex of one verb form; a two-word phrasal verb also with its object in between."""
    words = name.split(" ")
    if len(words) == 2 and words[1] in ("up", "down", "off", "on", "in", "out", "back"):
        return rf"(?<![\w-]){re.escape(words[0])}(?:\s+{_SPLIT_OBJECT})?\s+{re.escape(words[1])}(?![\w-])"
    return rf"(?<![\w-]){re.escape(name)}(?![\w-])"


# A person's way in, as the object of a switch verb: their password, console login, MFA or keys
# ("turn off dave's console password", "switch on mfa for the admins").
LOGIN_OBJECT = re.compile(
    r"(?:[\w'-]+\s+){0,3}"
    r"(?:console (?:password|access|login|sign-?in)s?|passwords?|mfa|2fa|access keys?|api keys?|logins?|"
    r"credentials?)\b")
# A port or a firewall rule as the object of "close" ("close 3389 on the sg", "close port 22",
# "close ssh to the world"): the exposure's, not an incident's.
FIREWALL_OBJECT = re.compile(
    r"(?:off\s+|up\s+)?(?:the\s+|that\s+|this\s+)?(?:(?:port|ports)\s+\d{2,5}|"
    # a bare number only with the group it is open on ("close 1042 in pagerduty" is an incident)
    r"\d{2,5}(?:/(?:tcp|udp))?\s+(?:on|in|to|from|at)\s+(?:the\s+|that\s+)?(?:[\w.'-]+\s+){0,2}"
    r"(?:sg|nsg|(?:security\s+)?groups?|firewall|sg-[0-9a-f]+)\b|(?:ssh|rdp|ingress|inbound|ports?|firewall|sg)\b)")
_SWITCHES = ("turn off", "turn on", "switch off", "switch on", "shut off", "kill", "stop")


# What an incident write's participle describes when it names a state ("acked incidents", "the
# resolved one"), not the act: read by the verb filter and by the mood of a message with no verb.
_STATE_NOUN = r"(?:incidents?|ones?|alerts?|pages?|issues?|tickets?|outages?|p[0-4]s?|sevs?)\b"


# A verb that is the stem of a file name: "deploy.yml", "restart.sh", "rerun-failed.py".
_FILE_SUFFIX = r"[\w-]*\.(?:ya?ml|json|sh|py|tf|toml|cfg|ini|txt|md|js|ts|rb|go)\b"


def _is_verb(text: str, start: int, end: int, verb: str) -> bool:
    """Filter noun uses that would otherwise read as commands: "the run", "a page", "on-call
    page", "runbook", "deploy status", "close to"."""
    before = text[:start].rstrip()
    after = text[end:].lstrip()
    if re.match(_FILE_SUFFIX, text[end:]) or text[max(0, start - 1):start] in ("/", "_"):
        return False  # "kick deploy.yml again", "the ci/deploy job": a file's or a path's name, no verb
    if verb == "resolve" and NAME_RESOLUTION.search(text[max(0, start - 40):end + 30]):
        return False  # "dns isn't resolving": names resolve, incidents are not resolved
    if text[start:end] == "running" and re.search(r"\b(?:is|are|was|were|isn'?t|aren'?t|still|keeps?|kept)\b"
                                                   r"(?:\s+\S+){0,3}\s*$", before):
        return False  # "is web-2 running?": a state of the thing, not a run started
    if text[start:end] in ("stopped", "started") and re.search(r"\b(?:is|are|isn'?t|aren'?t)\b(?:\s+\S+){0,2}"
                                                              r"\s+or\s*$", before):
        return False  # "is it running or stopped?": the second of two states asked about, not a stop
    if text[start:end] in ("acked", "acknowledged", "resolved", "closed") and (
            re.match(_STATE_NOUN, after)
            or re.search(r"\b(?:is|are|isn'?t|aren'?t|currently|still)\b(?:\s+\S+){0,3}\s*$", before)
            or re.search(r"\b" + _STATE_NOUN + r"\s+(?:that|which)\s+(?:got|get|were|was|are|is|have been|has been|"
                         r"had been)?\s*$", before)):
        # "show acked incidents", "is anything acked right now?", "the ones that got resolved": a state
        # asked about or naming what is listed, not the act
        return False
    if verb in _SWITCHES and LOGIN_OBJECT.match(after):
        return False  # "turn off dave's console password": a login switched off, an IAM matter, no machine
    if verb == "retry" and re.match(RETRY_AS_NOUN, text[end:]):
        return False  # "the webhook retry/backoff change", "retry logic": a change's or a setting's name
    if verb in ("restart", "reboot") and re.match(r"(?:counts?|loops?|polic(?:y|ies)|counters?|storms?)\b", after):
        return False  # "restart count 40 and climbing": a measure of the pod, not a request
    if verb in ("run", "page", "deploy", "close", "trigger", "start", "scale", "stop", "notify", "wake",
                "retry", "kill"):
        if re.search(r"\b(?:the|a|an|this|that|last|latest|first|each|every|my|our|your|its|failed|failing|"
                     r"successful|nightly|previous|of|per|which|what)\s*$", before):
            return False
        if verb == "close" and re.match(r"to\b", after):
            return False
        if verb == "close" and FIREWALL_OBJECT.match(after):
            return False  # "close 3389 on the rdp group": a port shut in a firewall, no incident closed
        if verb in ("run", "page", "deploy") and re.search(r"\b(?:the|a|an|this|that|my|our|your|its)\s+[\w-]+\s*$",
                                                          before):
            return False  # a noun after its modifier: "the ledger page", "the payments deploy"
        if verb == "page" and re.match(r"(?:[,;:.!?]|\s-|$)", after) and before \
                and not re.search(r"(?:^|\s)(?:i|we|you|u|to|pls|please|plz|then|and|or|just|should|can|could|would|"
                                  r"will|me|them|now|ok|okay|also|so|go|ahead|n|&|who|whom|not|dont|don't)$", before):
            return False  # "payments 5xx page, details?": a page named by what it is about, with no one paged
        if verb in ("run", "deploy") and re.search(r"\b(?:ci|cd|build|pipeline|workflow|test|smoke|e2e|canary|job|"
                                                   r"actions?|gha|jenkins)\s*$", before):
            return False  # "the failed apple pay ci run": a CI noun's compound, however long its modifiers
        if verb in ("run", "deploy", "start") and re.match(r"(?:status|logs?|id|time|book|#|failed|number|"
                                                           r"history|url|link)\b", after):
            return False
    return True


def _clause_before(text: str, start: int) -> str:
    head = text[:start]
    breaks = list(_CLAUSE_BREAK.finditer(head))
    return head[breaks[-1].end():] if breaks else head


def _sentence_before(text: str, start: int) -> str:
    head = text[:start]
    # a colon ends a topic set before the sentence ("prepping for the audit: does the bot ever ..."),
    # not a time ("at 14:00")
    ends = list(re.finditer(r"[.!?;\n]|(?<!\d):|:(?!\d)", head))
    return head[ends[-1].end():] if ends else head


_BY_ONESELF = re.compile(r"\b(?:myself|ourselves|himself|herself|themselves|by hand|manually)\b")


# Whether the bot does a kind of action at all, on things in general: "can you restart things?"
# (the router reads it as help too).
_KINDS_IN_GENERAL = (r"(?:things|stuff|anything|machines|servers|vms|instances|workflows|builds|pipelines|incidents|"
                     r"people|runbooks|playbooks|how-?tos|docs|documentation|procedures|guides)")
ACTS_IN_GENERAL = (r"^\W*(?:can|could|do|does|will) (?:you|u|guardian|the bot) (?:also |even |actually )?[a-z-]+ "
                   r"(?:(?:up|out|into|through) )?" + _KINDS_IN_GENERAL + r"(?:(?:,| and| or| &) " + _KINDS_IN_GENERAL
                   + r")*\W*$")
# A message that only asks whether the bot can act, whatever its polite frame: "can you re-run
# workflows yourself or do I have to?", "...or is that not something you do?", "just asking".
_ONLY_ASKING = re.compile(r"\bjust (?:asking|curious|wondering)\b|\bout of curiosity\b|" + ACTS_IN_GENERAL + "|"
                          r"\bor (?:do|does|must|should|can|will|would) (?:i|we|it|that|this)\b|"
                          r"\bor (?:is|isn'?t) (?:that|this|it) (?:not )?(?:something|a thing|your job)\b|"
                          r"\bor (?:can'?t|cannot|don'?t|do not) (?:you|u)\b|"
                          # "can i ack it thru you or am i not allowed": whether leave is given at all
                          r"\bor (?:am|are) (?:i|we) (?:not |even )?(?:allowed|able|permitted)\b|"
                          r"\bor (?:is|isn'?t) (?:that|this|it) (?:not )?(?:allowed|permitted)\b")


# A resource's name alone before the verb, and nothing but urgency after it: the terse order.
_NAME_ALONE = re.compile(r"^\W*(?:(?:the|box|vm|instance|server|host|machine)\s+)?[a-z0-9.]*(?:-|\d)[\w.-]*\s*$")
_NOTHING_MORE = re.compile(r"^\s*(?:(?:now|pls|please|plz|asap|again|thx|thanks|right now|quick|quickly)\b\s*)*"
                           r"[.!]*\s*$")
# Someone's ask passed on to the bot: "X asked me to", "told us to", "wants me to" right before the verb.
_RELAYED = re.compile(r"\b(?:asked|told|wants|wanted)\s+(?:me|us)\s+to\s*$")
# ... and doubted after it: "..., should I?", "but I'm not sure", "not yet though".
_DOUBTED = re.compile(r"\b(?:should (?:i|we)|shall (?:i|we)|not sure|unsure|but (?:i|we)|not yet|wait|later|"
                      r"tomorrow|do (?:i|we) have to|ok to|okay to)\b")


# The occurrence sits in an open condition ("if nobody has acked the page yet"): a state checked, not told.
_IN_CONDITION = re.compile(r"\b(?:if|unless)\b[^,;:.!?]*$")


def _mood(text: str, start: int, end: int, form: Literal["base", "ing", "past"]) -> Mood:
    """The occurrence's mood in its clause (``_clause_mood``), unless a go-ahead closes the
    message (an action reported or wondered about, then "can you do it?", is asked for) or
    the message only asks whether the bot could (then nothing is)."""
    # a pasted alert or log line in quotes reports; only what is outside it asks
    mood: Mood = "reported" if _quoted(text, start) else _clause_mood(text, start, end, form)
    if (mood in ("reported", "hypothetical") or (mood == "past" and _IN_CONDITION.search(text[:start]))) \
            and _GO_AHEAD.search(text[end:]):
        return "request"  # "if nobody has acked it yet, do it for me": the act of the condition, asked
    if mood == "request" and _ONLY_ASKING.search(text):
        return "hypothetical"
    return mood


_QUOTED = re.compile(r"(?:^|(?<=\s))[\"\u201c][^\"\u201c\u201d]{8,}[\"\u201d](?=\W|$)")


def _quoted(text: str, start: int) -> bool:
    """Whether ``start`` lies inside a double-quoted passage of a message with words outside it
    too: a quoted alert, log line or message is what someone else wrote, never the speaker's ask."""
    for match in _QUOTED.finditer(text):
        if match.start() < start < match.end():
            return bool(text[:match.start()].strip() or text[match.end():].strip(" \t\"\u201d.!"))
    return False


def _clause_mood(text: str, start: int, end: int, form: Literal["base", "ing", "past"]) -> Mood:
    """An occurrence asks for the action only from the imperative position: the start of
    its clause after politeness and request frames ("please", "can you", "go ahead and",
    "let's"), or as a participle after "get/have/need/mark X". Anywhere else the sentence
    talks about the action; the other moods only say how (for the answer's wording)."""
    clause = _HEDGE.sub("", _clause_before(text, start))  # "i think X can be closed": X can be closed
    clause = _UNPUNCTUATED_CONDITION.sub("", clause)
    verb_text = text[start:end]
    sentence = _sentence_before(text, start)
    rest_clause = re.split(r"[,;.!?\n]|\b(?:but|so|because|cuz)\b", text[end:], maxsplit=1)[0]
    if (_NEGATION.search(clause) and not _NOT_A_NEGATION.search(clause)) or _NEGATED_COORDINATION.search(sentence):
        return "negated"
    if form == "past" and re.search(r"\b(?:should|could|would|might|must|shoulda|coulda)(?:n'?t)?(?: have|'ve)?\s*$",
                                    clause):
        return "past"  # "someone should have paged carol": what was not done then, asked of nobody now
    if form == "base" and (_ASKS_LEAVE.match(clause) or _NEEDS_A.match(clause)) \
            and not _BY_ONESELF.search(text[end:]) and not _ONLY_ASKING.search(text):
        return "request"
    # a condition closed before the verb's clause ("if you agree it's stable, could you resolve
    # X") conditions the request; a polite frame ("would it be possible to start X") asks
    if _HYPOTHETICAL.search(_CONDITION.sub(" ", sentence)) and not _POLITE_FRAME.search(clause):
        return "hypothetical"
    # "get carol and dave paged": the objects' "and" splits no clause for the participle
    coordinated = _COORDINATED_OBJECTS.search(re.split(r"[,;.!?:\n]", text[:start])[-1])
    participle = bool(_PARTICIPLE_REQUEST.search(clause) or coordinated) or bool(
        _PERMISSIVE_PASSIVE.search(clause) and not re.match(r"\s*by\b", rest_clause))
    past = (form == "past" and not participle) or bool(
        _PAST.search(clause) and (form != "base" or re.search(r"\b(?:did|who|when|already|last|has|have)\b", clause)))
    if form == "base" and clause.strip() != sentence.strip() and _ASKED_OF_THE_BOT.match(clause):
        return "request"  # "who is on call for payments and can you page them": a request of its own
    if form == "base" and _NAME_ALONE.match(clause) and _NOTHING_MORE.match(text[end:]):
        return "request"  # "payments-worker-2 restart", "jump-host-1 reboot now": typed from a phone
    if form == "base" and _RELAYED.search(clause) and not _WH_QUESTION.match(sentence) \
            and not _DOUBTED.search(text[end:]) and "?" not in text[end:]:
        return "request"  # "carol asked me to close out 1041 for her": her ask, passed on to the bot
    if _REPORTED.search(clause) or _WH_QUESTION.match(sentence):
        return "past" if past else "reported"
    if form == "base" and _IMPERATIVE_POSITION.match(clause):
        return "request"
    if form == "base" and re.match(r"^\W*we can\s*$", clause) and re.search(r"\bnow\b", rest_clause):
        return "request"  # "we can close out the sev2 now": the team's go-ahead
    given = _GIVE_IT_A.search(clause)
    if form == "base" and given and _IMPERATIVE_POSITION.match(clause[:given.start()]):
        return "request"
    if participle and (form == "past" or (form == "base" and verb_text in _AMBIGUOUS_PAST)):
        return "request"  # "need the deploy redeployed", "need the nightly re-run"
    if form == "ing" and re.search(r"\b(?:needs?|wants?|requires?|(?:would|do|could) (?:you|u) mind|"
                                   r"go ahead with|proceed with|get on with)\s*$", clause):
        return "request"
    if form == "past" and (re.search(r"\b(?:just|already)\s*$", clause) or _BY_ONESELF.search(rest_clause)):
        return "past"  # "just rebooted X myself": the speaker did it, nothing is asked
    if form != "base" and _IMPERATIVE_POSITION.match(clause) and not re.search(
            r"\?|\b(?:is|was|were|would|will|did|does|do|fixed|fixes|helps?|helped|breaks?|broke|caus\w+|seems?|"
            r"takes?|took|should|could|might|made|makes|went|goes|costs?|means?|requires?|uses?)\b", rest_clause):
        return "request"  # a one-line announcement: "acking P1", "acknowledged, on it"
    if past:
        return "past"
    if re.search(r"\b(?:yesterday|last night|earlier|this morning|ago|last week|last time)\b", rest_clause):
        return "past"
    return "reported"


def requested_skills(text: str) -> list[str]:
    """The mutating skills the text asks for, in order of first request."""
    asked: list[str] = []
    for occ in occurrences(text):
        if occ.mood == "request" and occ.skill not in asked:
            asked.append(occ.skill)
    return asked


# A topic set before the sentence, ended by a colon: "ok back to the deploy:", "re the bucket:".
_TOPIC_LEAD = re.compile(r"^\W*(?:(?:ok|okay|so|right|anyway)\W+)?(?:back to|re|regarding|about|as for|on)\s+"
                         r"[^:\n]{1,40}?:(?!\d)\s*")


def sentence_mood(text: str) -> Mood:
    """The mood of a sentence with no action verb the tables know ("get bob on this",
    "would waking carol help"): its frame alone."""
    lowered = _TOPIC_LEAD.sub("", _normalise(text))  # "ok back to the deploy: did it go out?": the question
    # "no reruns please": a plural noun after "no" forbids them ("no, restart it" answers, then asks)
    if re.match(r"^\W*(?:don'?t|dont|do not|never|no need to|please don'?t|no [a-z-]+s)\b", lowered) or re.match(
            r"^\W*(?:please |pls )?(?:leave|keep)\b.*\b(?:running|alone|up|on|as is|be|where it is)\b", lowered):
        return "negated"
    if _HYPOTHETICAL.search(lowered):
        return "hypothetical"
    # "have another go at it" asks for one more attempt; "have they ..." asks about the past
    if re.match(r"^\W*(?:did|was|were|has|have(?!\s+(?:a|an|another|one more)\b)|who|when)\b", lowered):
        return "past"
    if _DESCRIBED.search(lowered):  # "a cron that reboots X every sunday": a description
        return "reported"
    if _SAYS_WHAT_I_DO.search(lowered):  # "she's out, im covering her pager": the speaker's news
        return "reported"
    return "request"


# A clause telling what the speaker is doing ("im covering her pager", "we're handling it"): news.
_SAYS_WHAT_I_DO = re.compile(r"(?:^|[,;.!?]\s*)(?:i'?m|im|i am|we'?re|we are)\s+(?:\w+ly\s+)?[a-z]+ing\b")


def _third_person(verb: str) -> str:
    head, _, rest = verb.partition(" ")
    if head.endswith("y") and head[-2:-1] not in "aeiou":
        head = head[:-1] + "ie"
    elif head.endswith(("s", "sh", "ch", "x", "z")):
        head += "e"
    return f"{head}s" + (f" {rest}" if rest else "")


# An action verb in the third person inside a relative clause ("a job that restarts it", "the
# script which pages whoever is on call") describes what something does; it asks for nothing.
_DESCRIBED = re.compile(r"\b(?:that|which|who)\s+(?:\w+ly\s+|also\s+|just\s+)?(?:" + "|".join(
    sorted({re.escape(_third_person(verbs[0])) for table in VERBS.values() for verbs in table}, key=len, reverse=True))
    + r")\b")


# The states an incident write leaves behind, said as participles ("the acked one", "resolved ones").
# ("put it resolved" asks for the state, so only a participle before the thing it describes counts)
_STATE_OF = {"incident.ack": re.compile(r"\b(?:acked|ack'd|acknowledged)\s+" + _STATE_NOUN),
             "incident.resolve": re.compile(r"\b(?:resolved|closed)\s+" + _STATE_NOUN)}


# The pager made to stop ringing the speaker ("make pagerduty stop calling me"), or told the
# speaker has the incident ("let pagerduty know i've got it"): an ack.
SILENCING_ME = (r"\b(?:make|get)\s+(?:pagerduty|pd|the pager|it|them)\s+(?:to\s+)?stop\s+(?:calling|paging|ringing|"
                r"buzzing|texting|pinging|alerting|bugging)\s+me\b|\bstop (?:calling|paging|ringing|buzzing) me\b|"
                r"\b(?:let|tell)\s+(?:pagerduty|pd|the pager|opsgenie)\s+(?:know\s+)?(?:that\s+)?"
                r"(?:i'?ve|i have|i|we'?ve|we have|we)\s+(?:got|have|own|took|taken|picked up)\b|"
                # the pager itself named: "make the pager stop screaming", "get pd to shut up"
                r"\b(?:make|get)\s+(?:pagerduty|pd|the pager|my pager|my phone)\s+(?:to\s+)?(?:stop|shut up|quiet down)"
                r"(?!\s+(?:the|a|that|this)\b)")
# A clause that asks for the forbidden action's replacement, in the imperative: "... get frank
# instead", "; try the secondary instead", ". just ping bob instead".
_DONE_INSTEAD = re.compile(r"(?:^|[,.;:!?\n]\s*|\s-+\s*|\b(?:but|so)\s+)(?:just\s+|then\s+|please\s+|pls\s+)?"
                           r"(?:get|grab|call|ring|ping|wake(?:\s+up)?|try|use|ask|loop\s+in|bring\s+in|pull\s+in)\s+"
                           r"(?:\S+\s+){0,3}?(?:instead|in (?:her|his|their) place)\b")
# Phrases that ask for an incident write with no verb of it the tables know, when they stand in
# the imperative position: "you can mark the page done", "mark it as handled", "can you make
# pagerduty stop calling me", "can you get the secondary in here".
_ASKED_BY_PHRASE = {"incident.resolve": (_MARKED_DONE,),
                    "incident.ack": (re.compile(MARKED_TAKEN), re.compile(SILENCING_ME)),
                    "incident.page": (_SUMMONED, _SUMMONED_TO_LOOK)}


def mood_for(skill: str, text: str) -> tuple[Mood, str]:
    """(mood, the mutating skill actually asked for) for a text routed to mutating ``skill``.
    A request for another action wins over a negated one ("ack P1, don't page anyone")."""
    mentioned = occurrences(text)
    own = [occ for occ in mentioned if occ.skill == skill]
    if any(occ.mood == "request" for occ in own):
        return "request", skill
    lowered = _normalise(text)
    if any(occ.mood == "negated" for occ in own) and _DONE_INSTEAD.search(lowered):
        return "request", skill  # "don't page erin, she's off. get frank instead": the same action, on another
    if skill == "incident.ack" and re.search(CLAIMED_BY_ME, lowered):
        return "request", skill  # "payments page is mine, im on it": a claim said anywhere
    for phrase in _ASKED_BY_PHRASE.get(skill, ()):
        said = phrase.search(lowered)
        if said and _IMPERATIVE_POSITION.match(_clause_before(lowered, said.start())):
            return "request", skill
    if skill == "infra.action" and re.search(NOMINAL_MACHINE_ACTION, lowered):
        return "request", skill
    nominal = _NOMINAL_REQUEST.search(lowered)
    if nominal and _NOMINAL_SKILL.get(re.sub(r"[0-4 ]", "", nominal.group(0).split()[-1])) == skill:
        return "request", skill
    if not mentioned and ((skill == "incident.resolve" and not _NAMES_AN_INCIDENT.search(lowered))
                          or _alert_alone(lowered)):
        # "p95 back under 2s for 20 min", a pasted "[FIRING] UnHealthyHostCount >= 1" alert: a state
        # told, with no verb of the change and nothing to change named, asks for none ("put that
        # incident to bed" names it)
        return "reported", skill
    others = requested_skills(text)
    if others:  # "ack P1, don't page anyone": the other action is the one asked for
        return "request", others[0] if own else skill
    if not own and skill in _STATE_OF and _STATE_OF[skill].search(lowered):
        # "brief on the acknowledged one", "whats the story with the acked one": the action's
        # participle names a state the thing is in, which the grammar read as no verb at all
        return "reported", skill
    if not mentioned and re.match(r"^\W*(?:why|how come)\b(?!\s+not\b)", lowered):
        return "reported", skill  # "why does pagerduty keep calling me": a cause asked ("why not page X" suggests)
    frame = sentence_mood(text)
    if frame != "request" or not mentioned:  # "leave it running", or no action verb the tables know
        return frame, skill
    return (own or mentioned)[0].mood, skill


# Verbs that name one action whatever the object ("run", "deploy", "trigger", "start" and
# "page" also head requests for reports, scans and runbook pages).
_UNAMBIGUOUS = {
    "stop", "reboot", "restart", "bounce", "power cycle", "power off", "power on", "shut down", "shutdown",
    "shut off", "switch off", "spin up", "spin down", "terminate", "deallocate", "rerun", "re-run", "retry",
    "retrigger", "re-trigger", "redeploy", "re-deploy", "rebuild", "roll back", "rollback", "ack", "acknowledge",
    "resolve", "escalate",
}


# After a question about whom to page, "page" names the one action too ("who's on call? page them").
UNAMBIGUOUS_AFTER_ITS_QUESTION = frozenset(_UNAMBIGUOUS | {"page"})


def imperative_skills(text: str, verbs: Collection[str] = _UNAMBIGUOUS) -> list[str]:
    """Mutating skills asked for with an unambiguous verb in the imperative position of any
    clause ("no time to debug, just restart auth-service-1"): grammar the router trusts."""
    asked: list[str] = []
    for occ in occurrences(text):
        if occ.mood == "request" and occ.form == "base" and occ.verb in verbs and occ.skill not in asked:
            asked.append(occ.skill)
    return asked


def question_skill(skill: str, slots: Mapping[str, object]) -> str:
    """The read-only skill that answers a sentence about ``skill`` that did not ask for it:
    describe the machine, show the runs, brief the incident, say who is on call."""
    if skill == "infra.action":
        return "infra.describe"
    if skill == "cicd.rerun":
        return "cicd.status"
    if skill in ("incident.ack", "incident.resolve"):
        return "incident.brief" if slots.get("incident_id") else "incident.list"
    if skill == "incident.page":
        return "incident.brief" if slots.get("incident_id") else "incident.oncall"
    return skill


# A question about one's own right to act ("can I reboot X?", "am I allowed to page the team?").
_PERMISSION = re.compile(r"\b(?:(?:can|may|could) (?:i|we)|(?:am i|are we|is it) (?:even )?(?:able|allowed|permitted)|"
                         r"do (?:i|we) have (?:the )?(?:rights?|permissions?|access)|"
                         r"(?:i'?m|we'?re) (?:not )?(?:able|allowed|permitted))\b")


# A question about how an action is carried out rather than about its target: whether it needs
# someone's approval, or goes through the bot ("does it have to go through you?", "does someone
# have to approve that first?", "do you do it yourself or do I?"). Answered with the policy.
_HOW_IT_IS_DONE = re.compile(
    r"\b(?:go|goes|going|run|runs) (?:through|thru|via|past) (?:you|u|guardian|the bot)\b|"
    # the act done by way of the bot ("may I page people through you?") or how to have it do it
    # ("how would I get you to reboot a box?"); "can I get you to reboot X" stays a request
    r"\b(?:through|thru|via) (?:you|u|guardian|the bot)\b|"
    # whether it is done with nobody deciding ("does the bot ever restart servers without a human signing off?")
    r"\bwithout (?:a |any |an? )?(?:human|person|people|someone|somebody|anyone|anybody|approval|sign[- ]?off|"
    r"approver|(?:human|manual) (?:approval|sign[- ]?off|review|check))\b|"
    # who approves it ("who signs off on that?")
    r"\bwho (?:signs? off|approves?|okays?|green-?lights?|(?:has|needs) to (?:approve|sign off))\b|"
    r"\bhow (?:would|do|can|could|should|will|does) (?:i|we|one|someone) (?:get|have|make|ask|tell) "
    r"(?:you|u|guardian|the bot)\b|"
    r"\b(?:someone|somebody|anyone|anybody|a human|a person|a second person|you|i|we|they) "
    r"(?:(?:have|has|need|needs) to|must|should) (?:approve|sign (?:it |that |this )?off|ok|okay|green-?light)\b|"
    r"\b(?:need|needs|require|requires|wait|waits|go|goes) (?:for |through )?"
    r"(?:an? |any |(?:some|any)(?:one|body)'?s? )?(?:approval|sign[- ]?off|approver)s?\b|"
    r"\b(?:yourself|myself|ourselves)\b.*\bor (?:do|does|must|should|can|will) (?:i|we|you|u|it|some(?:one|body)|"
    r"an? (?:[\w-]+ )?(?:person|engineer|human|admin|approver|on-?call(?:er)?))\b|"
    r"\bor (?:do|does|must|should|can|will) (?:i|we|you|u) (?:have to |need to )?(?:do (?:it|that|this) )?"
    r"(?:myself|yourself|ourselves)\b"
)


# What an incident action does to the paging ("would acking it stop the escalation?", "if I
# resolve it, does the secondary still get paged?"): the escalation policy answers it.
_PAGING_EFFECT = re.compile(
    r"\b(?:stops?|halts?|pauses?|prevents?|cancels?|silences?|mutes?|ends?|still|keeps?|restarts?|resets?)\b"
    r"(?:\s+\S+){0,5}?\s+(?:escalat\w*|pag(?:e|es|ed|ing)|notif\w*|notified)\b|"
    r"\b(?:escalat\w*|pages?|paging)\b(?:\s+\S+){0,4}?\s+(?:stops?|continues?|carry on|keeps? going|goes? on)\b"
)


def asks_about_paging_effect(text: str) -> bool:
    """Whether the sentence asks what an incident action does to the paging (escalation, pages,
    notifications): a question the escalation policy answers, not the incident's state."""
    return bool(_PAGING_EFFECT.search(_normalise(text)))


def asks_how_it_is_done(text: str) -> bool:
    """Whether the sentence asks how an action would be carried out (approval, who acts), which
    the access policy answers, not the action's target."""
    return bool(_HOW_IT_IS_DONE.search(_normalise(text)))


def asks_permission(text: str) -> bool:
    """Whether the sentence asks if its speaker may do something (answered with the policy)."""
    return bool(_PERMISSION.search(_normalise(text)))


def talked_about(text: str) -> tuple[str, Mood] | None:
    """(mutating skill, mood) of an action the text talks about without asking for any:
    "did someone stop X yesterday?" -> (infra.action, past)."""
    found = occurrences(text)
    if any(occ.mood == "request" for occ in found):
        return None
    for occ in found:
        if occ.verb in _UNAMBIGUOUS and not _a_symptom(text, occ):
            return occ.skill, occ.mood
    return None


def _a_symptom(text: str, occ: Occurrence) -> bool:
    """"payments-api-1 keeps restarting": what the thing does by itself, a symptom the rest of the
    message asks about ("show me its logs"), not talk of the action on it."""
    if occ.form != "ing":
        return False
    ing = next(forms[1] for forms in VERBS[occ.skill] if forms[0] == occ.verb)
    return bool(re.search(rf"\b(?:keeps?|kept)(?: on)?\s+{re.escape(ing)}\b", _normalise(text)))
