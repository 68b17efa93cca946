import numpy as np

from fakescope.video.crops import centre_crop, face_crop, frame_media, shrink
from fakescope.video.faces import FaceBox


def test_centre_crop_never_resamples():
    frame = np.arange(100 * 50 * 3, dtype=np.uint8).reshape(100, 50, 3)
    crop = centre_crop(frame, 64)
    assert crop.shape == (64, 50, 3)
    assert np.array_equal(crop, frame[18:82])


def test_face_crops_of_neighbouring_frames_share_a_size_and_stay_inside():
    frame = np.zeros((360, 640, 3), np.uint8)
    a = face_crop(frame, FaceBox(300, 100, 90, 100))
    b = face_crop(frame, FaceBox(302, 101, 95, 98))
    assert a.shape == b.shape == (128, 128, 3)
    assert face_crop(frame, FaceBox(620, 340, 40, 40)).shape == (64, 64, 3)


def test_frame_media_is_an_image_the_image_detectors_take():
    media = frame_media("clip.mp4@1.50s#face", np.zeros((32, 48, 3), np.uint8))
    assert media.modality == "image" and media.metadata["size"] == [48, 32]
    assert media.data.flags["C_CONTIGUOUS"]


def test_shrink_keeps_the_aspect_ratio():
    assert shrink(np.zeros((720, 1280, 3), np.uint8), 0.25).shape == (180, 320, 3)
