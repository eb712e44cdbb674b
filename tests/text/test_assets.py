"""The model files: found inside the installed wheels, checked against their SHA-256, refused
with a clear error when they differ, and loaded without any network access."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cxlens.errors import CxlensError
from cxlens.text.assets import (
    ASSETS,
    VADER_LEXICON,
    WORDLLAMA_WEIGHTS,
    Asset,
    ModelFileError,
    read_verified,
)


@pytest.mark.parametrize("asset", ASSETS, ids=lambda a: a.path)
def test_every_file_ships_in_its_wheel_and_matches(asset: Asset) -> None:
    path = asset.locate()
    assert path.is_file()
    assert read_verified(asset) == path.read_bytes()


def test_a_changed_file_is_refused_with_where_and_how_to_fix(tmp_path: Path) -> None:
    copy = tmp_path / "vader_lexicon.txt"
    copy.write_bytes(VADER_LEXICON.locate().read_bytes() + b"awesomest\t4.0\t0.0\t[4]\n")
    with pytest.raises(ModelFileError) as caught:
        read_verified(VADER_LEXICON, copy)
    err = caught.value
    assert isinstance(err, CxlensError)
    assert str(copy) in err.message and "not the file cxlens was tested with" in err.message
    assert "uv sync --frozen" in err.hint and "vaderSentiment==3.3.2" in err.hint


def test_a_missing_file_or_package_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="cannot be read"):
        read_verified(WORDLLAMA_WEIGHTS, tmp_path / "nothing.safetensors")
    absent = dataclasses.replace(VADER_LEXICON, package="cxlens-absent", module="cxlens_absent")
    with pytest.raises(ModelFileError, match="package cxlens-absent is not installed"):
        read_verified(absent)


def test_models_load_and_run_without_opening_a_socket() -> None:
    """In a fresh interpreter, an audit hook fails any socket connection or DNS lookup; the
    models load and score (the trained one is trained, evaluated and read back too), and the root logger is left as it was (wordllama, if imported,
    would have configured it)."""
    code = textwrap.dedent("""
        import logging, sys
        def hook(event, args):
            if event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname"):
                raise RuntimeError(f"network access: {event} {args}")
        sys.addaudithook(hook)
        from cxlens.text.embed import embed
        from cxlens.text.sentiment import compound
        assert embed(["Cannot log in since the update."]).shape == (1, 256)
        from cxlens.text.glove import glove
        assert glove(["Cannot log in since the update."]).shape == (1, 50)
        assert compound(["not good"], "vader")[0] < 0
        assert compound(["not good"], "lexicon")[0] > 0
        from cxlens.text.learned import Learned, fit
        from cxlens.text.crossval import cross_validate
        texts = [f"great help {i}" for i in range(10)] + [f"awful wait {i}" for i in range(10)]
        labels = ["positive"] * 10 + ["negative"] * 10
        model = Learned.from_bytes(fit(texts, labels).to_bytes())
        assert model.predict(["great"])[1][0] == "positive"
        assert len(cross_validate(texts, labels)) == 3
        assert "wordllama" not in sys.modules
        assert logging.getLogger().handlers == []
        print("offline ok")
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "offline ok"
