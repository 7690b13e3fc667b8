"""What a request rules out, at two grains.

Names (``without_ruled_out``): "checkout-web, not the payments repo", "the checkout one, not
the staging one", "who's on call for search, not checkout". The ruled-out name is the one the
user does NOT mean, so the slot finders must not read it as the subject; a correction of a
list item ("not the payments one, the checkout one") picks the item named after it.

Filter words (``ruled_out``, ``without_ruled_out_words``): "not prod", "aren't running", "not
the highs", "non-prod". A filter slot must not take its value from them, and the environment
one becomes an exclusion ("!prod"), so "everything but prod" does not read as "prod"."""


from __future__ import annotations

import re

# "not (the|that|this) NAME [one|repo|...]" ending where the clause ends (a comma, a full
# stop, "but", "I mean", the end): a short name phrase, never "not running" inside a clause
# that goes on ("instances not running in eu-west-1" keeps its words).
_RULED_OUT = re.compile(
    r"\b(?:not|never|except(?:\s+for)?|other than|rather than|instead of)\s+(the\s+|that\s+|this\s+|our\s+)?"
    r"[a-z0-9][\w.-]*(?:\s+[a-z0-9][\w.-]*)?"
    r"(?:\s+(?:one|ones|repo|repository|service|team|env|environment|account|cluster|pipeline|deploy|run|"
    r"incident|bucket|instance|box|vm))?"
    r"(?=\s*(?:[,.;!?)]|$|\bbut\b|\bi mean\b|\bi know\b))", re.I)


# "the pipeline is not green yet", "it does not start": after a verb "not" denies a state or
# an action, it rules out no name
_PREDICATE = re.compile(r"\b(?:is|are|was|were|be|been|being|am|do|does|did|has|have|had|will|would|can|could|"
                        r"should|may|might|must|shall|still|just)\s*$", re.I)


# A name is ruled out with a determiner ("not the payments one") or set apart as a clause of
# its own ("page dave, not erin"); "why is the pipeline not green" says how it is.
_CLAUSE_END = re.compile(r"(?:[,;:.!?\u2014-]|\bbut|\band)\s*$", re.I)


# The object of an action the speaker forbids, when a later clause names what to do instead:
# "don't page erin, she's off. get frank instead", "do not reboot web-1, restart web-2". The
# one forbidden is the one NOT meant; alone ("don't page erin") the name is still the subject.
_ACTIONS = (r"page|ping|call|ring|text|wake(?:\s+up)?|bother|ack|acknowledge|resolve|close|reboot|restart|stop|"
            r"bounce|start|rerun|re-run|retry|escalate(?:\s+to)?")
_FORBIDDEN_OBJECT = re.compile(
    rf"\b(?:don'?t|do not|never|no need to)\s+((?:{_ACTIONS})\s+[a-z][\w.-]*)(?=[\s,.;!?]|$)"
    rf"(?=.*(?:\binstead\b|\brather\b|[,.;]\s*(?:just\s+|then\s+|so\s+)?(?:{_ACTIONS}|get|try|use|ask)\b))", re.I)


def without_ruled_out(text: str) -> str:
    """``text`` with each ruled-out name phrase blanked (spaces keep the other words apart)."""
    def blank(match: re.Match[str]) -> str:
        before = text[:match.start()]
        set_apart = bool(match.group(1)) or not before.strip() or bool(_CLAUSE_END.search(before))
        if _PREDICATE.search(before) or not set_apart:
            return match.group(0)
        return " " * len(match.group(0))

    def forbidden(match: re.Match[str]) -> str:
        start, end = match.span(1)
        return match.group(0)[:start - match.start()] + " " * (end - start)

    return _FORBIDDEN_OBJECT.sub(forbidden, _RULED_OUT.sub(blank, text))


# --- filter words



# a negation, up to two filler words, then the one word it rules out
_NEGATED = re.compile(
    r"(?:\bnot|n't|\bexcept(?: for)?|\bexcluding|\bother than|\bapart from|\bminus)\s+"
    r"((?:(?:the|any|in|on|for|from|counting|including|be|a|an|ones?|in)\s+){0,2})([a-z0-9][\w-]*)")
_NON = re.compile(r"\bnon[- ]?(prod|production|prd|staging|stage|dev|development)\b")


def ruled_out(text: str) -> list[str]:
    """The words ``text`` rules out, in order (lower-case text)."""
    words = [match.group(2) for match in _NEGATED.finditer(text)]
    return words + [match.group(1) for match in _NON.finditer(text)]


def without_ruled_out_words(text: str) -> str:
    """``text`` with every ruled-out word (and its negation) blanked, so a positive filter
    (a service, a severity, an environment) is read only from what is asked for."""
    text = _NON.sub(" ", text)
    return _NEGATED.sub(" ", text)

