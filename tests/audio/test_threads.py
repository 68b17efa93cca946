import torch
from threadpoolctl import threadpool_info

from fakescope.audio.threads import single_thread


def test_single_thread_limits_and_restores():
    before = torch.get_num_threads()
    with single_thread():
        assert torch.get_num_threads() == 1
        assert all(pool["num_threads"] == 1 for pool in threadpool_info())
    assert torch.get_num_threads() == before
