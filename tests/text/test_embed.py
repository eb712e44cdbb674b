"""Embeddings: the same vectors as WordLlama's own inference, unit length, and closer for
comments about the same thing."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from cxlens.text.assets import WORDLLAMA_TOKENIZER, WORDLLAMA_WEIGHTS
from cxlens.text.embed import DIM, embed

TEXTS = ["Cannot log in to the app since the last update.", "Fine.",
         "The password reset link never arrives. Call me on [phone]!", "Ça marche très bien 👍"]


@pytest.fixture
def root_logger_kept() -> Iterator[None]:
    """Importing wordllama calls logging.basicConfig; put the root logger back afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_same_vectors_as_wordllamas_own_inference(root_logger_kept: None) -> None:
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer
    from wordllama import WordLlamaInference

    weights = load_file(str(WORDLLAMA_WEIGHTS.locate()))["embedding.weight"]
    reference = WordLlamaInference(weights, Tokenizer.from_file(str(WORDLLAMA_TOKENIZER.locate())))
    expected = reference.embed(TEXTS, norm=True)
    assert np.abs(embed(TEXTS) - expected).max() < 1e-6


def test_wordllamas_own_loader_would_not_find_the_bundled_tokenizer() -> None:
    """Why cxlens reads the files itself: WordLlama.load looks for the tokenizer in a
    ``tokenizer/`` folder while the wheel ships it in ``tokenizers/``, so the stock loader
    would download it from Hugging Face."""
    folder = WORDLLAMA_TOKENIZER.locate().parent.parent
    assert (folder / "tokenizers" / "l2_supercat_tokenizer_config.json").is_file()
    assert not Path(folder / "tokenizer").exists()


def test_shape_norm_and_empty_text() -> None:
    out = embed(["good service", "", "bad"])
    assert out.shape == (3, DIM) and out.dtype == np.float32
    assert np.linalg.norm(out, axis=1) == pytest.approx([1.0, 0.0, 1.0], abs=1e-6)
    assert embed([]).shape == (0, DIM)


def test_comments_about_the_same_thing_are_closer() -> None:
    a, b, c = embed(["The password reset link never arrives.", "I cannot log in to my account.",
                     "The parcel was delivered late."])
    # measured: 0.21 and 0.01
    assert a @ b > a @ c + 0.1


def test_many_texts_in_bounded_memory_with_the_same_vectors(root_logger_kept: None) -> None:
    """Three chunks' worth of comments: across the chunk boundaries the vectors are
    WordLlama's own, and the peak allocation stays near one chunk's token vectors. Gathering
    every token vector at once (1.5 M comments at 10 M interactions) took more than 12 GB:
    here that would be 3 × 2,000 texts × 12 tokens × 256 floats × 4 bytes ≈ 74 MB."""
    import tracemalloc

    from safetensors.numpy import load_file
    from tokenizers import Tokenizer
    from wordllama import WordLlamaInference

    from cxlens.text.embed import CHUNK

    texts = [f"{TEXTS[i % len(TEXTS)]} ({i})" for i in range(3 * CHUNK)]
    embed(texts[:1])  # the model loaded before measuring
    tracemalloc.start()
    try:
        out = embed(texts)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 45e6, f"{peak / 1e6:.0f} MB"
    weights = load_file(str(WORDLLAMA_WEIGHTS.locate()))["embedding.weight"]
    reference = WordLlamaInference(weights, Tokenizer.from_file(str(WORDLLAMA_TOKENIZER.locate())))
    rows = [0, CHUNK - 1, CHUNK, 2 * CHUNK + 7, 3 * CHUNK - 1]
    expected = reference.embed([texts[i] for i in rows], norm=True)
    assert np.abs(out[rows] - expected).max() < 1e-6
