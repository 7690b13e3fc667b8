"""The router's second opinion: a linear classifier over the request's character and word
n-grams (TF-IDF), beside the one over its MiniLM embedding (agents/router.py).

Why: the embedding generalises over meaning but blurs the words that decide a skill in
ops talk ("ack" vs "page", "sg" vs "bucket", "rerun" vs "logs", service names with
hyphens); n-grams keep them, typos and word pieces included. On the tunable routing sets,
without grammar rules, adding these log-probabilities took 1198 to 1255 of 1291 requests
right (docs/BENCHMARKS.md, "Lexical features").

It is fitted with scikit-learn when the router's index is built (cached with it), but it
answers with numpy alone: a query tokenises the text the way scikit-learn's
``TfidfVectorizer`` does (``char_wb`` 2-5 grams and word 1-2 grams, sublinear tf, l2 per
block) and takes one sparse dot product, so no scikit-learn import is on the ask path.
tests/agents/test_lexical.py checks the features against scikit-learn's own.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

CHAR_NGRAMS = (2, 5)  # characters, inside word boundaries (``char_wb``)
WORD_NGRAMS = (1, 2)
WORD_TOKEN = re.compile(r"[a-z0-9']+")
C = 30.0  # as the embedding classifier; chosen on the tunable sets with the rules (docs/BENCHMARKS.md)


def char_grams(text: str) -> list[str]:
    """scikit-learn's ``char_wb`` analyser: n-grams of each space-padded word."""
    grams: list[str] = []
    low, high = CHAR_NGRAMS
    for word in text.lower().split():
        padded = f" {word} "
        for n in range(low, high + 1):
            offset = 0
            grams.append(padded[offset:offset + n])
            while offset + n < len(padded):
                offset += 1
                grams.append(padded[offset:offset + n])
            if offset == 0:  # the word is shorter than n: longer n-grams would repeat it
                break
    return grams


def word_grams(text: str) -> list[str]:
    """scikit-learn's word analyser with ``WORD_TOKEN``: unigrams, then bigrams."""
    tokens = WORD_TOKEN.findall(text.lower())
    low, high = WORD_NGRAMS
    grams: list[str] = []
    for n in range(low, high + 1):
        grams += [" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]
    return grams


@dataclass
class Block:
    """One vectoriser's vocabulary and inverse document frequencies."""

    vocabulary: Mapping[str, int]
    idf: NDArray[np.float64]

    def weights(self, grams: Iterable[str], offset: int) -> dict[int, float]:
        """Column -> tf-idf weight (sublinear tf, l2-normalised within the block)."""
        counts = Counter(self.vocabulary[g] for g in grams if g in self.vocabulary)
        raw = {column: (1.0 + math.log(count)) * float(self.idf[column]) for column, count in counts.items()}
        norm = math.sqrt(sum(value * value for value in raw.values())) or 1.0
        return {offset + column: value / norm for column, value in raw.items()}


@dataclass
class LexicalModel:
    """N-gram features and a multinomial logistic regression over them."""

    chars: Block
    words: Block
    coef: NDArray[np.float32]  # (n_skills, n_char_features + n_word_features)
    intercept: NDArray[np.float64]  # (n_skills,)

    def log_probs(self, text: str) -> NDArray[np.float64]:
        """Log-probability per skill."""
        features = {**self.chars.weights(char_grams(text), 0),
                    **self.words.weights(word_grams(text), len(self.chars.vocabulary))}
        logits = self.intercept.copy()
        if features:
            columns = np.fromiter(features.keys(), dtype=np.int64, count=len(features))
            values = np.fromiter(features.values(), dtype=np.float64, count=len(features))
            logits += self.coef[:, columns].astype(np.float64) @ values
        shifted = logits - logits.max()
        return np.asarray(shifted - np.log(np.exp(shifted).sum()))

    # ------------------------------------------------------------------ cache
    def arrays(self) -> dict[str, NDArray[np.generic]]:
        """Arrays for ``np.savez`` beside the router's index."""
        return {"lex_char_grams": np.array(_ordered(self.chars.vocabulary)), "lex_char_idf": self.chars.idf,
                "lex_word_grams": np.array(_ordered(self.words.vocabulary)), "lex_word_idf": self.words.idf,
                "lex_coef": self.coef, "lex_intercept": self.intercept}

    @classmethod
    def from_arrays(cls, cached: Mapping[str, NDArray[np.generic]]) -> LexicalModel:
        def block(prefix: str) -> Block:
            grams = [str(g) for g in cached[f"{prefix}_grams"]]
            return Block({g: i for i, g in enumerate(grams)}, np.asarray(cached[f"{prefix}_idf"], dtype=np.float64))

        return cls(block("lex_char"), block("lex_word"), np.asarray(cached["lex_coef"], dtype=np.float32),
                   np.asarray(cached["lex_intercept"], dtype=np.float64))


def fit(texts: Sequence[str], labels: Sequence[int]) -> LexicalModel:
    """Fit the vectorisers and the classifier (scikit-learn; at index build time only).
    Every skill must occur in ``labels`` (the router's training files guarantee it)."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    chars = TfidfVectorizer(analyzer=char_grams, sublinear_tf=True)
    words = TfidfVectorizer(analyzer=word_grams, sublinear_tf=True)
    features = hstack([chars.fit_transform(texts), words.fit_transform(texts)]).tocsr()
    # saga converges in a few seconds on ~18k sparse features where lbfgs takes minutes;
    # seeded, so the same training files give the same model
    model = LogisticRegression(C=C, solver="saga", max_iter=200, tol=1e-3, random_state=0)
    model.fit(features, np.asarray(labels))
    return LexicalModel(Block(dict(chars.vocabulary_), np.asarray(chars.idf_, dtype=np.float64)),
                        Block(dict(words.vocabulary_), np.asarray(words.idf_, dtype=np.float64)),
                        np.asarray(model.coef_, dtype=np.float32), np.asarray(model.intercept_, dtype=np.float64))


def _ordered(vocabulary: Mapping[str, int]) -> list[str]:
    grams = [""] * len(vocabulary)
    for gram, column in vocabulary.items():
        grams[column] = gram
    return grams
