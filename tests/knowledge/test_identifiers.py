"""Identifier splitting and query expansion: the word-level facts retrieval relies on."""

from __future__ import annotations

import pytest

from knowledge.expansion import expand_query
from knowledge.identifiers import identifier_parts, identifiers_as_words, split_identifiers
from knowledge.lexical import LexicalIndex


@pytest.mark.parametrize(("token", "parts"), [
    ("KubePodCrashLooping", ["kube", "pod", "crash", "looping"]),
    ("kube_pod_container_status_waiting", ["kube", "pod", "container", "status", "waiting"]),
    ("etcdGRPCRequestsSlow", ["etcd", "grpc", "requests", "slow"]),
    ("HTTPServerError", ["http", "server", "error"]),
    ("CPUThrottlingHigh", ["cpu", "throttling", "high"]),
    ("S3Bucket", ["s3", "bucket"]),
    ("disk-full.md", ["disk", "full", "md"]),
    ("i-0abc123", ["i", "0abc123"]),  # digits stay with their letters: an id is not cut into noise
])
def test_identifier_parts(token: str, parts: list[str]) -> None:
    assert identifier_parts(token) == parts


def test_split_keeps_the_whole_identifier_then_its_parts_and_leaves_words_alone() -> None:
    assert split_identifiers("KubePodCrashLooping fired on node1") == \
        "KubePodCrashLooping kube pod crash looping fired on node1"
    assert split_identifiers("nf_conntrack table full") == "nf_conntrack nf conntrack table full"
    assert split_identifiers("plain words only") == "plain words only"


def test_as_words_replaces_identifiers_for_the_sentence_model() -> None:
    assert identifiers_as_words("NodeFilesystemSpaceFillingUp: disk almost full") == \
        "node filesystem space filling up: disk almost full"


def test_expansion_appends_long_forms_once_and_keeps_the_query() -> None:
    assert expand_query("pvc almost full, is the PVC resizable?") == \
        "pvc almost full, is the PVC resizable? persistent volume claim"
    assert expand_query("hpa stuck in k8s") == "hpa stuck in k8s horizontal pod autoscaler kubernetes"
    assert expand_query("nothing to expand here") == "nothing to expand here"


def test_bm25_matches_the_words_of_an_identifier_only_when_split() -> None:
    ids = ["fs", "pod"]
    texts = ["NodeFilesystemSpaceFillingUp predicted to run out", "KubePodCrashLooping restarts"]
    assert LexicalIndex.build(ids, texts).search("space filling up", 2) == ["fs"]
    assert LexicalIndex.build(ids, texts, split=False).search("space filling up", 2) == []
    # The whole identifier still matches exactly, split or not.
    assert LexicalIndex.build(ids, texts).search("KubePodCrashLooping", 2)[0] == "pod"
    assert LexicalIndex.build(ids, texts, split=False).search("KubePodCrashLooping", 2) == ["pod"]
