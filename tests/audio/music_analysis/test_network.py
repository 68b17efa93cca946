import torch

from fakescope.audio.music_analysis.frontend import N_MELS
from fakescope.audio.music_analysis.network import TASKS, MusicCRNN


def test_one_output_per_frame_and_task_and_small():
    net = MusicCRNN().eval()
    out = net(torch.zeros(2, 2, 123, N_MELS))
    assert out.shape == (2, 123, len(TASKS))
    assert sum(p.numel() for p in net.parameters()) < 150_000


def test_output_depends_on_context_in_both_directions():
    torch.manual_seed(0)
    net = MusicCRNN().eval()
    x = torch.zeros(1, 2, 200, N_MELS)
    y0 = net(x)[0, 100]
    x2 = x.clone()
    x2[0, :, 110:, :] = 1.0  # change only the future
    assert (net(x2)[0, 100] - y0).abs().max() > 1e-6
    x3 = x.clone()
    x3[0, :, :90, :] = 1.0  # change only the past
    assert (net(x3)[0, 100] - y0).abs().max() > 1e-6
