"""Router variants measured against the shipped one, kept out of the product.

- ``knn``, ``centroid``, ``knn_rules``, ``logreg``: the approaches the shipped router
  (logistic regression + grammar rules, agents/router.py) was chosen over.
- ``tuned``: a SetFit-style contrastive fine-tune of MiniLM itself on the hand-written
  training utterances only (both files; batch-all triplet loss over P skills x K utterances per
  batch, fixed seed), then the same logistic regression and rules on its vectors, so every
  dev set stays unseen by it. The
  tuned model is saved under the cache directory keyed by a hash of its inputs, so it is
  trained once per machine; training happens offline on CPU.
"""

from __future__ import annotations

import hashlib
import os
import random
import time
from pathlib import Path
from typing import Any, Literal

import numpy as np
import yaml
from numpy.typing import NDArray

from agents.router import HAND_WRITTEN_PATHS, RouterIndex, SkillRouter, load_training
from agents.router_rules import SKILL_NAMES
from knowledge.embeddings import MODEL_NAME, Embedder
from knowledge.onnx_export import packaged_model_dir

Approach = Literal["knn", "centroid", "knn_rules", "logreg", "logreg_rules", "lexical", "logreg_lexical"]
DEV_PATH = Path(__file__).resolve().parents[1] / "tests" / "agents" / "route_dev.yaml"


class VariantRouter(SkillRouter):
    """The shipped router with its scoring swapped for one of the measured alternatives."""

    def __init__(self, embedder: Embedder, approach: Approach, **kwargs: Any) -> None:
        super().__init__(embedder, **kwargs)
        self.approach = approach
        self._centroids: NDArray[np.float32] | None = None

    def logits(self, index: RouterIndex, vector: NDArray[np.float32], knn: NDArray[np.float64]) -> NDArray[np.float64]:
        if self.approach in ("knn", "knn_rules"):
            return knn * 20.0
        if self.approach == "centroid":
            return np.asarray((self._centroids_of(index) @ vector).astype(np.float64) * 20.0)
        if self.approach == "lexical":
            return np.zeros(len(SKILL_NAMES))
        return super().logits(index, vector, knn)

    def lexical(self, index: RouterIndex, text: str) -> NDArray[np.float64]:
        """The n-gram classifier only in the variants named for it."""
        if self.approach in ("lexical", "logreg_lexical"):
            return super().lexical(index, text)
        return np.zeros(len(SKILL_NAMES))

    def boosts(self, text: str) -> tuple[NDArray[np.float64], bool]:
        if self.approach.endswith("_rules"):
            return super().boosts(text)
        return np.zeros(len(SKILL_NAMES)), False

    def _centroids_of(self, index: RouterIndex) -> NDArray[np.float32]:
        if self._centroids is None:
            centroids = np.stack([index.vectors[index.labels == i].mean(axis=0) for i in range(len(SKILL_NAMES))])
            centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
            self._centroids = centroids.astype(np.float32)
        return self._centroids


def training_examples(dev_path: Path | None = None) -> tuple[list[str], list[int]]:
    """The hand-written training utterances (plus, if given, a dev file's cases), labelled by
    skill index."""
    utterances = load_training(HAND_WRITTEN_PATHS)
    texts = [text for name in SKILL_NAMES for text in utterances[name]]
    labels = [i for i, name in enumerate(SKILL_NAMES) for _ in utterances[name]]
    if dev_path is not None:
        for case in yaml.safe_load(dev_path.read_text(encoding="utf-8"))["cases"]:
            texts.append(str(case["text"]))
            labels.append(SKILL_NAMES.index(case["skill"]))
    return texts, labels


def fine_tune(cache_dir: Path, steps: int = 80, seed: int = 0, per_skill: int = 4, skills: int = 16) -> Path:
    """A MiniLM contrastively tuned on the training utterances, saved under ``cache_dir``
    (re-used when its inputs are unchanged). Returns the model directory."""
    texts, labels = training_examples()
    settings = f"{MODEL_NAME}/{steps}/{seed}/{per_skill}/{skills}".encode()
    inputs = b"".join(path.read_bytes() for path in HAND_WRITTEN_PATHS)
    key = hashlib.sha256(inputs + settings).hexdigest()[:16]
    target = cache_dir / f"router-tuned-{key}"
    if (target / "config.json").exists():
        return target
    import torch
    from sentence_transformers.sentence_transformer.losses import BatchAllTripletLoss

    torch.manual_seed(seed)
    rng = random.Random(seed)
    by_skill: dict[int, list[str]] = {}
    for text, label in zip(texts, labels, strict=True):
        by_skill.setdefault(label, []).append(text)
    model = _sentence_transformer(packaged_model_dir())
    model.train()
    loss_fn = BatchAllTripletLoss(model)
    optimiser = torch.optim.AdamW(model.parameters(), lr=2e-5)
    for _ in range(steps):
        batch_texts, batch_labels = [], []
        for skill in rng.sample(sorted(by_skill), skills):
            for text in rng.sample(by_skill[skill], per_skill):
                batch_texts.append(text)
                batch_labels.append(skill)
        loss = loss_fn([model.tokenize(batch_texts)], torch.tensor(batch_labels))
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    model.eval()
    tmp = target.with_name(target.name + ".tmp")
    model.save(str(tmp))
    tmp.replace(target)
    return target


def _sentence_transformer(model_dir: Path) -> Any:
    """The packaged MiniLM as a trainable sentence-transformers model (offline, CPU)."""
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):  # never reach for a model hub
        os.environ.setdefault(name, "1")
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(model_dir), device="cpu")


def tuned_router(cache_dir: Path, **kwargs: Any) -> tuple[SkillRouter, float]:
    """The tuned variant and its training time in seconds (0 when cached)."""
    start = time.perf_counter()
    model_dir = fine_tune(cache_dir)
    trained = time.perf_counter() - start
    # Queried like the shipped model: exported to ONNX once (knowledge/onnx_export.py), no torch.
    embedder = Embedder(cache_dir=cache_dir, model_dir=model_dir)
    return SkillRouter(embedder, cache_dir=model_dir, utterances_paths=HAND_WRITTEN_PATHS, **kwargs), trained

