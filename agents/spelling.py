"""Typo repair for the router: "shwo the latst failed bulid" reads as "show the latest
failed build" before it is embedded and before the grammar rules look at it.

Why: MiniLM splits a misspelt word into word pieces that mean little, and a rule keyed on
"build" never sees "bulid". With 15% of the words of the dev requests misspelt (one edit
each, a fixed seed), skill accuracy fell by 6-9 points; with this repair it came back to
within a point of the clean text, and the clean texts routed exactly as before
(docs/BENCHMARKS.md, "Router: typo repair").

What is repaired, conservatively, so a name is never "fixed":
- only a whole lower-case (or capitalised) word of 4+ letters, not part of an id, a host,
  a path or a hyphenated name (``vm-pacs-store-01``, ``i-0badc0ffee...``), not an acronym;
- only a word the embedding model does not know whole (its WordPiece vocabulary) and that
  the training examples do not use, and not the plural of a known word;
- only to a word of the training examples one edit away (SymSpell, optimal string
  alignment: a letter dropped, added, changed, or two swapped) that starts with the same
  letter; among several, a vowel the typist dropped first ("fixd" is "fixed", not "find"),
  then the one the examples use most.
Chat shorthand ("err", "nxt", "incs") is read as the word it shortens (``SHORTHAND``); shorthand of
several words ("proj") and contractions without their apostrophe ("dont") are left as typed
(``LEFT_AS_TYPED``).
The repaired text is what the model embeds and what the grammar and the slot extractors
read ("restrat X" asks for a reboot, "lsat mnth" is a period); ``Route.text``, which the
audit records and the answer quotes, stays as typed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from symspellpy import SymSpell

MIN_LENGTH = 4
MAX_EDITS = 1
# A word standing alone: not glued to an id, path, host, e-mail or hyphenated name.
_WORD = re.compile(r"(?<![\w./:@#-])[A-Za-z]+(?![\w./:@#-])")
_TRAINING_WORD = re.compile(r"[a-z][a-z0-9]+")
# Chat shorthand read as the word it shortens: too short for the one-edit repair, or a word the
# model knows as something else ("err" is a hesitation to it, in a channel it is an error).
SHORTHAND = {"err": "error", "errs": "errors", "nxt": "next", "yday": "yesterday", "tmrw": "tomorrow",
             "incs": "incidents", "wk": "week", "wks": "weeks"}
# Left as typed, for the grammar to read: shorthand of more than one word ("proj dec?" is a
# projection, "which proj is it in" a project), and negative contractions typed without their
# apostrophe, which the grammar reads as negations ("dont page anyone"). Each is one edit from
# another word ("prod", "done", "want", "cast"): the repair would pick that one, and lose the "not".
LEFT_AS_TYPED = frozenset({"proj", "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent", "cant", "wont",
                           "couldnt", "shouldnt", "wouldnt", "havent", "hasnt", "hadnt", "aint"})


def model_words(vocab_file: Path) -> frozenset[str]:
    """The alphabetic whole words of a WordPiece ``vocab.txt`` (continuation pieces,
    ``##ing``, and special tokens left out): the words the model embeds whole."""
    words = vocab_file.read_text(encoding="utf-8").split()
    return frozenset(word for word in words if word.isalpha())


class Speller:
    """Repairs typos in a request against the words of the router's training examples."""

    def __init__(self, examples: Iterable[str], known: frozenset[str]) -> None:
        self.counts = Counter(word for text in examples for word in _TRAINING_WORD.findall(text.lower()))
        self.known = known

    @cached_property
    def _symspell(self) -> SymSpell:
        """The SymSpell index, built at the first word that needs it: most requests have no
        typo, and a cold `guardian ask` then never imports it (~50 ms)."""
        from symspellpy import SymSpell

        index = SymSpell(max_dictionary_edit_distance=MAX_EDITS, prefix_length=7)
        for word, count in self.counts.items():
            if len(word) >= MIN_LENGTH - 1:
                index.create_dictionary_entry(word, count)
        return index

    @cached_property
    def _unvowelled(self) -> dict[str, str]:
        """Each training word by its letters less the vowels after the first ("projected" by
        "prjctd"), the most used word where several share them: text typed without its vowels
        ("projctd", "rstrt") is more than one edit away, but its consonants still say the word."""
        by_consonants: dict[str, str] = {}
        for word, _count in self.counts.most_common():
            if len(word) >= MIN_LENGTH and word.isalpha():
                by_consonants.setdefault(_consonants(word), word)
        return by_consonants

    def correct(self, text: str) -> str:
        """``text`` with each repairable misspelt word replaced (see the module docstring)."""
        return _WORD.sub(lambda match: self.word(match.group(0)), text)

    def word(self, word: str) -> str:
        """The repair of one word, or the word itself."""
        lower = word.lower()
        if lower in SHORTHAND and word in (lower, lower.capitalize()):
            return SHORTHAND[lower].capitalize() if word[0].isupper() else SHORTHAND[lower]
        if len(lower) < MIN_LENGTH or lower in LEFT_AS_TYPED or self._is_known(lower):
            return word
        if word != lower and word != lower.capitalize():
            return word  # an acronym or a mixed-case name, not a typo
        from symspellpy import Verbosity

        suggestions = [item for item in self._symspell.lookup(lower, Verbosity.ALL, max_edit_distance=MAX_EDITS)
                       if item.distance == MAX_EDITS and item.term[0] == lower[0]]
        if not suggestions:
            unvowelled = self._unvowelled.get(_consonants(lower))
            if unvowelled is None or not _vowels_left_out(lower, unvowelled):
                return word
            return unvowelled.capitalize() if word[0].isupper() else unvowelled
        best = str(max(suggestions, key=lambda item: (_vowels_left_out(lower, item.term), item.count, item.term)).term)
        return best.capitalize() if word[0].isupper() else best

    def _is_known(self, word: str) -> bool:
        """Known whole, or an inflection of a known word: a plural ("buckets"), a past or a
        participle ("resized", "stopped", "resizing"), which the examples may never use."""
        return any(stem in self.counts or stem in self.known for stem in (word, *_stems(word)))


def _consonants(word: str) -> str:
    """The word without the vowels after its first letter: "projected" -> "prjctd"."""
    return word[0] + re.sub(r"[aeiou]", "", word[1:])


def _within(typed: str, term: str) -> bool:
    """Whether ``typed`` is ``term`` with letters left out (in order, none added or changed)."""
    letters = iter(term)
    return all(letter in letters for letter in typed)


def _vowels_left_out(typed: str, term: str) -> bool:
    """Whether ``typed`` is ``term`` with only vowels left out (none after the first letter added or
    changed): the typo of fast typing ("fixd", "projctd"), more likely than a letter changed
    ("fixd" is "fixed" before it is "find")."""
    return _consonants(typed) == _consonants(term) and _within(typed, term)


_SHORT_SYLLABLE = re.compile(r"[^aeiou][aeiou][^aeiouwxy]$")  # "stop": its -ed doubles the consonant


def _stems(word: str) -> tuple[str, ...]:
    """The words ``word`` may inflect: -s/-es, -d/-ed and -ing, a final consonant doubled
    ("stopped") where English doubles it, so "stoped" and "stoping" are still repaired."""
    stems: list[str] = []
    if word.endswith("s"):
        stems += [word[:-1], word[:-2] if word.endswith("es") else ""]
    for ending, silent_e in (("ed", word[:-1]), ("ing", word[:-3] + "e")):
        if not word.endswith(ending):
            continue
        bare = word[:-len(ending)]
        doubled = bare[:-1] if len(bare) > 2 and bare[-1] == bare[-2] else ""
        stems += [silent_e, doubled, "" if _SHORT_SYLLABLE.search(bare) else bare]
    return tuple(stem for stem in stems if len(stem) >= 3)
