"""The ONNX embedder against sentence-transformers (the baseline) in the same run: cold load in
a fresh process, single-query latency, batch throughput, resident memory, and the cosine
between their vectors.

    .venv/bin/python bench/bench_embed.py [--no-write]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# Run in a fresh interpreter per backend: import + load + one query, then timings and RSS.
PROBE = r"""
import json, resource, sys, time
started = time.perf_counter()
backend = sys.argv[1]
texts = [l for l in open(sys.argv[2]).read().splitlines() if l.strip()]
if backend == "onnx":
    from knowledge.embeddings import Embedder
    model = Embedder()
    encode = model.encode
else:
    from sentence_transformers import SentenceTransformer
    from knowledge.onnx_export import packaged_model_dir
    import torch
    st = SentenceTransformer(str(packaged_model_dir()), device="cpu")
    def encode(batch):
        threads = torch.get_num_threads()
        if len(batch) <= 8:
            torch.set_num_threads(1)  # what the shipped embedder did for queries
        try:
            return st.encode(batch, batch_size=64, normalize_embeddings=True, convert_to_numpy=True,
                             show_progress_bar=False)
        finally:
            torch.set_num_threads(threads)
encode(["warm up"])
cold = time.perf_counter() - started
single = []
for text in texts[:50]:
    t = time.perf_counter(); encode([text]); single.append((time.perf_counter() - t) * 1000)
t = time.perf_counter(); vectors = encode(texts); batch_s = time.perf_counter() - t
single.sort()
print(json.dumps({"cold_s": cold, "single_p50_ms": single[len(single) // 2], "batch_s": batch_s,
                  "texts": len(texts), "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "vectors": vectors.tolist()}))
"""


def probe(backend: str, corpus: Path) -> dict:
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", PROBE, backend, str(corpus)], capture_output=True, text=True,
                         check=True, cwd=root, env={**os.environ, "PYTHONPATH": str(root)})
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    import numpy as np

    from bench.report import write_section

    root = Path(__file__).resolve().parent.parent
    import yaml

    texts = [case["text"] for case in yaml.safe_load((root / "tests/agents/route_dev.yaml").read_text())["cases"]]
    texts += [p.read_text()[:1500] for p in sorted((root / "knowledge/runbooks").glob("*.md"))]
    corpus = Path(os.environ.get("TMPDIR", "/tmp")) / "bench-embed-corpus.txt"
    corpus.write_text("\n".join(t.replace("\n", " ") for t in texts))
    st, onnx = probe("sentence-transformers", corpus), probe("onnx", corpus)
    a, b = np.asarray(st["vectors"]), np.asarray(onnx["vectors"])
    cosines = (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    load = os.getloadavg()[0]
    lines = [
        "Command: `.venv/bin/python bench/bench_embed.py` (each backend in a fresh process, same run; "
        f"{st['texts']} texts: the router's dev requests and the shipped runbooks' first 1,500 characters; "
        f"1-min load average {load:.1f} on 2 cores at the end).",
        "",
        "| measure | sentence-transformers (baseline) | onnxruntime + tokenizers (shipped) | ratio |",
        "|---|---|---|---|",
        f"| fresh process: import, load, first vector | {st['cold_s']:.2f} s | {onnx['cold_s']:.2f} s "
        f"| {onnx['cold_s'] / st['cold_s']:.2f}x |",
        f"| one query, p50 of 50 | {st['single_p50_ms']:.1f} ms | {onnx['single_p50_ms']:.1f} ms "
        f"| {onnx['single_p50_ms'] / st['single_p50_ms']:.2f}x |",
        f"| all {st['texts']} texts (batches of 64 vs 16) | {st['batch_s']:.2f} s | {onnx['batch_s']:.2f} s "
        f"| {onnx['batch_s'] / st['batch_s']:.2f}x |",
        f"| peak RSS of the process | {st['rss_mb']:.0f} MB | {onnx['rss_mb']:.0f} MB "
        f"| {onnx['rss_mb'] / st['rss_mb']:.2f}x |",
        f"| cosine between the two backends' vectors | min {cosines.min():.6f}, mean {cosines.mean():.6f} | | |",
    ]
    body = "\n".join(lines)
    print(body)
    if not args.no_write:
        write_section("Embedder", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
