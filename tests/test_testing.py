"""fakescope.testing catches what it promises to catch (a plugin relies on it)."""

from functools import partial

import numpy as np
import pytest

from fakescope.core.evidence import Artefact, Evidence
from fakescope.core.media import Media
from fakescope.core.plotting import array_to_png
from fakescope.testing import check_detector, detector_checks, sample_media

TEXT = Media("t.txt", "text", "Some words to judge.", {})


class Good:
    name, modality = "good-demo", "text"

    def score(self, media):
        return Evidence(self.name, 0.25, "a reason")


class Random(Good):
    def __init__(self):
        self.n = 0

    def score(self, media):
        self.n += 1
        return Evidence(self.name, 0.1 * self.n, "changes")


class IgnoresWeights(Good):
    abilities = {"weights": "text"}


class BadBatch(Good):
    def score_batch(self, medias):
        return [self.score(medias[0])]


GREY = np.full((4, 4, 3), 128, np.uint8)


class LazyPicture(Good):
    def score(self, media):
        picture = Artefact("image", "grey", render=partial(array_to_png, GREY))
        return Evidence(self.name, 0.25, "a reason", artefacts=[picture])


class EagerPicture(Good):
    def score(self, media):
        picture = Artefact("image", "grey", png=array_to_png(GREY))
        return Evidence(self.name, 0.25, "a reason", artefacts=[picture])


class BrokenPicture(Good):
    def score(self, media):
        picture = Artefact("image", "grey", render=partial(array_to_png, GREY.astype(float)))
        return Evidence(self.name, 0.25, "a reason", artefacts=[picture])


def test_a_good_detector_passes_with_a_real_sample(tmp_path):
    check_detector(Good(), sample_media("text", tmp_path))


def test_a_picture_drawn_on_demand_passes():
    check_detector(LazyPicture(), TEXT)


@pytest.mark.parametrize(
    "detector, failing",
    [
        (Random(), "check_deterministic"),
        (IgnoresWeights(), "check_missing_weights_are_named"),
        (BadBatch(), "check_batch_matches_single"),
        (EagerPicture(), "check_pictures_drawn_on_demand"),
        (BrokenPicture(), "check_json"),
    ],
)
def test_each_broken_contract_is_named(detector, failing):
    assert failing in dict(detector_checks(detector))
    with pytest.raises(AssertionError, match=failing):
        check_detector(detector, TEXT)


def test_unknown_abilities_are_refused():
    class Typo(Good):
        abilities = {"weigths": "text"}

    with pytest.raises(ValueError, match="unknown abilities"):
        detector_checks(Typo())
