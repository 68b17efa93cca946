"""Face finding for swaps: MTCNN with landmarks vs the Haar cascade, on tilted and mirrored faces.

A 720p frame holds the astronaut's head and shoulders (scikit-image, public domain) at two
sizes, tilted from -50 to +50 degrees in 10-degree steps, mirrored and not (22 frames per size).
For each frame: is a face found, is it the right one (the box centre within a quarter of the
photo's width of the truth), and for MTCNN the landmark misfit that
``fakescope.video.alignment.align`` measures against the upright source. Prints time per
frame for both, on one thread, and the MTCNN / Haar ratio.

Usage
-----
    .venv/bin/python benchmarks/bench_faces.py
"""

from __future__ import annotations

import time

import cv2
import numpy as np
from skimage.data import astronaut

from fakescope.video.alignment import MAX_ALIGN_ERROR, align
from fakescope.video.faces import FaceFinder
from fakescope.video.mtcnn import LandmarkFaceFinder


def frames(face_width: int):
    photo = astronaut()[0:300, 100:350]
    face = cv2.resize(photo, (face_width, int(face_width * 1.2)))
    canvas = np.full((720, 1280, 3), 110, np.uint8)
    y0, x0 = (720 - face.shape[0]) // 2, (1280 - face.shape[1]) // 2
    canvas[y0 : y0 + face.shape[0], x0 : x0 + face.shape[1]] = face
    # The face centre in the photo crop is about (125, 115) of 250 x 300.
    centre = np.array([x0 + face_width * 125 / 250, y0 + face.shape[0] * 115 / 300])
    for degrees in range(-50, 51, 10):
        for mirrored in (False, True):
            image = canvas[:, ::-1].copy() if mirrored else canvas
            c = centre.copy()
            if mirrored:
                c[0] = 1279 - c[0]
            turn = cv2.getRotationMatrix2D((640, 360), degrees, 1.0)
            yield (
                cv2.warpAffine(image, turn, (1280, 720)),
                turn[:, :2] @ c + turn[:, 2],
                face_width * 0.25,
            )


def main() -> None:
    cv2.setNumThreads(1)
    mtcnn, haar = LandmarkFaceFinder(), FaceFinder()
    source = mtcnn.find(astronaut())[0].landmarks
    for width in (250, 500):
        stats = {"mtcnn": [0, 0, 0.0], "haar": [0, 0, 0.0]}  # right face, wrong box, seconds
        errors = []
        n = 0
        for frame, centre, tolerance in frames(width):
            n += 1
            for name, find in (("mtcnn", mtcnn.find), ("haar", haar.find)):
                t0 = time.perf_counter()
                found = find(frame)
                stats[name][2] += time.perf_counter() - t0
                if not found:
                    continue
                box = found[0].box if name == "mtcnn" else found[0]
                right = np.linalg.norm(np.array(box.center) - centre) < tolerance
                stats[name][0 if right else 1] += 1
                if name == "mtcnn" and right:
                    errors.append(align(source, found[0].landmarks).error)
        print(
            f"== head-and-shoulders photo {width} px wide (face about {width * 0.36:.0f} px) in a "
            f"1280x720 frame, {n} tilted/mirrored frames"
        )
        for name, (right, wrong, seconds) in stats.items():
            print(
                f"{name:6s} right face {right}/{n}, wrong box {wrong}, {seconds / n * 1000:.0f} ms"
            )
        ratio = stats["mtcnn"][2] / max(stats["haar"][2], 1e-9)
        print(f"mtcnn / haar time: {ratio:.2f}x")
        if errors:
            print(
                f"landmark misfit vs the upright source: median {np.median(errors):.3f}, "
                f"worst {max(errors):.3f} (swaps are refused above {MAX_ALIGN_ERROR})"
            )


if __name__ == "__main__":
    main()
