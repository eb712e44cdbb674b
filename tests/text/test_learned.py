"""The trained sentiment model: its features are scikit-learn's TF-IDF, it learns what the
labels say, and what is stored reads back as the same model without unpickling anything."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from cxlens.errors import ConfigError
from cxlens.text.learned import BLOCKS, Learned, fit

GOOD = ["great service, thank you", "lovely agent, great help", "quick and great",
        "thank you so much, lovely", "great, solved first time", "lovely quick fix"]
BAD = ["awful wait, still broken", "broken again, awful", "rude agent and awful wait",
       "still waiting, broken app", "awful, nobody called back", "rude and slow, still broken"]


def small() -> Learned:
    return fit(GOOD + BAD, ["positive"] * len(GOOD) + ["negative"] * len(BAD))


def test_features_are_scikit_learns_tfidf() -> None:
    model = small()
    texts = ["great but still broken", "a text with no known word", "LOVELY agent"]
    for (name, params), block in zip(BLOCKS, model.blocks, strict=True):
        reference = TfidfVectorizer(sublinear_tf=True, **params).fit(GOOD + BAD)  # type: ignore[arg-type]
        assert block.name == name
        np.testing.assert_allclose(block.transform(texts).toarray(),
                                   reference.transform(texts).toarray(), atol=1e-12)


def test_it_learns_what_the_labels_say() -> None:
    compound, labels = small().predict(["great and lovely, thank you", "awful, still broken",
                                        "", None])
    assert labels.tolist() == ["positive", "negative", None, None]
    assert compound[0] > 0 > compound[1]
    assert np.isnan(compound[2:]).all()


def test_repeated_texts_and_chunks_score_as_one_by_one() -> None:
    model = small()
    texts = ["great", None, "awful wait", "great", "", "lovely but broken", "awful wait"]
    compound, labels = model.predict(texts, chunk=2)
    for i, text in enumerate(texts):
        one_c, one_l = model.predict([text])
        assert labels[i] == one_l[0]
        assert (np.isnan(compound[i]) and np.isnan(one_c[0])) or compound[i] == one_c[0]
    assert compound[0] == compound[3] and labels[2] == labels[6] == "negative"


def test_three_classes_keep_the_label_order() -> None:
    neutral = ["my order number is 12", "the parcel came on tuesday", "I called on monday",
               "order 12 came on tuesday", "called about the parcel", "monday the order came"]
    model = fit(GOOD + BAD + neutral, ["positive"] * 6 + ["negative"] * 6 + ["neutral"] * 6)
    assert model.classes == ("positive", "neutral", "negative")
    assert model.predict(["the parcel came on monday"])[1].tolist() == ["neutral"]
    assert model.proba(["great"]).sum() == pytest.approx(1.0)


def test_stored_bytes_score_identically() -> None:
    model = small()
    texts = GOOD + BAD + ["great but broken", "nothing known here"]
    back = Learned.from_bytes(model.to_bytes())
    assert back.classes == model.classes
    before, after = model.predict(texts), back.predict(texts)
    assert np.array_equal(before[0], after[0]) and before[1].tolist() == after[1].tolist()


def test_a_pickled_array_is_refused_not_run() -> None:
    # an .npz member holding an object array is how pickled code would travel: numpy's
    # allow_pickle=False refuses it, and the error says to train again
    buffer = io.BytesIO()
    np.savez(buffer, meta=np.array([{"format": "x"}], dtype=object))
    with pytest.raises(ConfigError, match="cannot be read") as err:
        Learned.from_bytes(buffer.getvalue())
    assert "cxlens sentiment train" in err.value.hint


def test_arrays_that_do_not_fit_are_refused() -> None:
    good = small().to_bytes()
    with zipfile.ZipFile(io.BytesIO(good)) as z:
        members = {n: z.read(n) for n in z.namelist()}
    short = io.BytesIO()
    np.save(short, np.zeros((1, 3)))
    members["coef.npy"] = short.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    with pytest.raises(ConfigError, match="do not fit together"):
        Learned.from_bytes(out.getvalue())


def test_one_label_or_an_unknown_label_is_refused() -> None:
    with pytest.raises(ConfigError, match="only positive labels"):
        fit(GOOD, ["positive"] * len(GOOD))
    with pytest.raises(ConfigError, match="unknown sentiment label"):
        fit(GOOD + BAD, ["positive"] * 6 + ["bad"] * 6)
