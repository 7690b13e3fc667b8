"""The router's n-gram classifier (agents/lexical.py): its query-time features are
scikit-learn's own, and what it learnt survives the router's cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer

from agents.lexical import CHAR_NGRAMS, WORD_NGRAMS, WORD_TOKEN, LexicalModel, char_grams, fit, word_grams

TEXTS = ["Restart payments-api-1 please", "who's on call for search?", "ack P7K2M9Q", "why did the bill jump in May",
         "which S3 buckets are public", "rerun the failed deploy on ledger-svc", "a", "", "   ", "logs   of  i-0abc"]
LABELS = [0, 1, 2, 3, 4, 5, 6, 6, 6, 7]


@pytest.mark.parametrize("text", [t for t in TEXTS if t.strip()] + ["naïve Ünïcode ok", "x"])
def test_the_grams_are_scikit_learns_own(text: str) -> None:
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=CHAR_NGRAMS).build_analyzer()
    words = TfidfVectorizer(analyzer="word", ngram_range=WORD_NGRAMS, token_pattern=WORD_TOKEN.pattern).build_analyzer()
    assert char_grams(text) == chars(text)
    assert word_grams(text) == words(text)


def test_the_log_probabilities_are_what_scikit_learn_computes_on_the_same_features() -> None:
    model = fit(TEXTS, LABELS)
    chars = TfidfVectorizer(analyzer=char_grams, sublinear_tf=True, vocabulary=model.chars.vocabulary)
    words = TfidfVectorizer(analyzer=word_grams, sublinear_tf=True, vocabulary=model.words.vocabulary)
    chars.fit(TEXTS), words.fit(TEXTS)
    for query in ["restart the payments box", "is anyone on call", "zzz", "bill", ""]:
        features = hstack([chars.transform([query]), words.transform([query])]).toarray()[0]
        logits = model.coef.astype(np.float64) @ features + model.intercept
        expected = logits - np.log(np.exp(logits - logits.max()).sum()) - logits.max()
        assert np.allclose(model.log_probs(query), expected, atol=1e-6)
    assert int(np.argmax(model.log_probs("ack P7K2M9Q now"))) == 2
    assert int(np.argmax(model.log_probs("which buckets are public?"))) == 4


def test_the_model_round_trips_through_the_index_cache_arrays(tmp_path: Path) -> None:
    model = fit(TEXTS, LABELS)
    np.savez(tmp_path / "index.npz", **model.arrays())
    with np.load(tmp_path / "index.npz") as cached:  # no pickles: plain string and number arrays
        restored = LexicalModel.from_arrays(cached)
    for query in [*TEXTS, "something else entirely"]:
        assert np.array_equal(restored.log_probs(query), model.log_probs(query))
