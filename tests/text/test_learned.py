"""The trained sentiment model: its features are scikit-learn's TF-IDF, it learns what the
labels say, and what is stored reads back as the same model without unpickling anything."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from cxlens.errors import ConfigError
from cxlens.text.learned import BLOCKS, Learned, distinct, fit

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


def test_repeated_pairs_learn_once_with_their_count() -> None:
    """Survey comments repeat: a (text, label) pair given with a count learns what its copies
    learn — the vocabulary and IDF scikit-learn fits on every copy, and the same model."""
    texts = GOOD + BAD
    labels = ["positive"] * len(GOOD) + ["negative"] * len(BAD)
    copies = [1, 5, 1, 2, 1, 1, 1, 3, 1, 1, 4, 1]  # how often each text was written
    repeated_texts = [t for t, n in zip(texts, copies, strict=True) for _ in range(n)]
    repeated_labels = [lab for lab, n in zip(labels, copies, strict=True) for _ in range(n)]
    every_copy = fit(repeated_texts, repeated_labels)
    counted = fit(texts, labels, counts=copies)
    for (_, params), a, b in zip(BLOCKS, every_copy.blocks, counted.blocks, strict=True):
        reference = TfidfVectorizer(sublinear_tf=True, **params).fit(repeated_texts)  # type: ignore[arg-type]
        order = sorted(reference.vocabulary_, key=reference.vocabulary_.__getitem__)
        assert a.vocabulary == b.vocabulary == tuple(order)
        np.testing.assert_array_equal(a.idf, reference.idf_)
        np.testing.assert_array_equal(b.idf, reference.idf_)
    # the model scikit-learn learns from every copy, the solver's tolerance apart
    import scipy.sparse as sp
    from sklearn.linear_model import LogisticRegression

    features = sp.hstack([TfidfVectorizer(sublinear_tf=True, **params)  # type: ignore[arg-type]
                          .fit_transform(repeated_texts) for _, params in BLOCKS])
    plain = LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced").fit(
        features, repeated_labels)
    # scikit-learn's coef_ speaks for "positive" (its classes_ sorted), cxlens's for its
    # second class, "negative"
    np.testing.assert_allclose(counted.coef, -plain.coef_, atol=1e-3)
    np.testing.assert_allclose(counted.coef, every_copy.coef, atol=1e-3)
    probe = ["great and lovely", "awful, still broken", "rude wait"]
    np.testing.assert_allclose(counted.predict(probe)[0], every_copy.predict(probe)[0],
                               atol=1e-3)
    # one text with two labels stays two pairs
    assert distinct(["ok", "ok", "fine", "ok"], ["positive", "negative", "positive",
                                                 "positive"])[2].tolist() == [2, 1, 1]
