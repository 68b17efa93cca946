import numpy as np

from fakescope.core.plotting import array_to_png, figure_to_png, new_figure


def test_figure_and_array_encode_as_png():
    fig, ax = new_figure()
    ax.plot([0, 1], [1, 0])
    assert figure_to_png(fig)[:4] == b"\x89PNG"
    assert array_to_png(np.zeros((4, 5, 3), np.uint8))[:4] == b"\x89PNG"
