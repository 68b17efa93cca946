from __future__ import annotations

import av
import numpy as np
import pytest

from fakescope.core.media import MediaError
from fakescope.video.faces import FaceBox
from fakescope.video.faceswap import (
    BlendParams,
    BoxTracker,
    faceswap_video,
    self_blend,
    soft_ellipse_mask,
    swap_face,
)

pytest.importorskip("cv2")


def _texture(shape=(96, 96, 3), seed=0) -> np.ndarray:
    return np.random.default_rng(seed).integers(40, 200, shape, dtype=np.uint8)


def test_mask_is_soft_and_centred():
    m = soft_ellipse_mask((60, 60), FaceBox(15, 15, 30, 30), feather=0.3)
    assert m[30, 30] == 1.0 and m[0, 0] == 0.0
    assert 0.0 < m[30, 15] < 1.0  # the edge fades


def test_self_blend_changes_the_face_only():
    img = _texture()
    face = FaceBox(30, 30, 36, 36)
    out = self_blend(img, face, BlendParams(offset=(25.0, -10.0, 5.0), blur=1.0))
    inside = np.abs(out[44:52, 44:52].astype(int) - img[44:52, 44:52]).mean()
    assert inside > 5
    far = face.expanded(1.8, img.shape)
    keep = np.ones(img.shape[:2], bool)
    keep[far.y : far.y + far.h, far.x : far.x + far.w] = False
    assert (out[keep] == img[keep]).all()


def test_swap_face_matches_target_colours():
    img = _texture(seed=1)
    src = np.zeros((40, 40, 3), np.uint8)
    src[:, :, 2] = 250  # a blue "face"
    out = swap_face(img, FaceBox(30, 30, 36, 36), src, BlendParams())
    centre = out[44:52, 44:52].astype(float)
    # Colour transfer keeps the target's mean colour, so no blue blob appears.
    assert abs(centre[..., 2].mean() - img[44:52, 44:52, 2].mean()) < 40


def test_params_draw_and_wobble_are_reproducible():
    a = BlendParams.draw(np.random.default_rng(3))
    b = BlendParams.draw(np.random.default_rng(3))
    assert a == b
    assert a.wobble(np.random.default_rng(0), 0.0) == a
    assert a.wobble(np.random.default_rng(0), 1.0) != a


def test_tracker_bridges_gaps_then_forgets():
    t = BoxTracker(max_gap=2)
    assert t.update([FaceBox(0, 0, 10, 10)]) is not None
    assert t.update([]) is not None and t.update([]) is not None
    assert t.update([]) is None


def _frames(path):
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]


def test_faceswap_video_writes_a_readable_manipulated_clip(make_video, tmp_path):
    src = make_video(frames=12, size=(320, 320), fps=10, face=True)
    out = tmp_path / "fake.mp4"
    result = faceswap_video(src, out, seed=1)
    assert result.frames == 12 and result.manipulated >= 10
    fake, real = _frames(out), _frames(src)
    assert len(fake) == 12 and fake[0].shape == real[0].shape
    assert np.abs(fake[5].astype(int) - real[5]).mean() > 0.5


def test_swap_mode_and_copy_mode(make_video, tmp_path):
    data = pytest.importorskip("skimage.data")
    src = make_video(frames=6, size=(320, 320), fps=10, face=True)
    swapped = faceswap_video(src, tmp_path / "s.mp4", mode="swap", source_image=data.astronaut())
    assert swapped.manipulated >= 4
    copied = faceswap_video(src, tmp_path / "c.mp4", mode="none", max_seconds=0.3)
    assert copied.manipulated == 0 and copied.frames == 3


def test_faceswap_refuses_to_overwrite_its_input(make_video):
    src = make_video(frames=3)
    with pytest.raises(MediaError, match="overwrite"):
        faceswap_video(src, src)
    with pytest.raises(ValueError):
        faceswap_video(src, src.with_name("x.mp4"), mode="morph")


def test_unwritable_output_is_a_media_error(make_video, tmp_path):
    src = make_video(frames=3)
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(MediaError, match="cannot be written"):
        faceswap_video(src, blocker / "out.mp4")
