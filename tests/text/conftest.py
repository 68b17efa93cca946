"""Fixtures for the text tests: a tiny random causal LM with a real (byte-level BPE) tokenizer.

It stands in for SmolLM2 so the tests never load the 98 MB model; its statistics are
meaningless, but every code path (windows, ranks, offsets, caches) is the real one.
"""

from __future__ import annotations

import pytest

# The text detectors that get a calibration from `train` (lm-cross needs a second model).
CALIBRATED_DETECTORS = frozenset(
    {"lm-likelihood", "lm-rank", "lm-curvature", "lm-tail", "lm-burstiness", "lm-entropy"}
)

CORPUS = [
    "The committee met on Tuesday to discuss the new budget for the city schools.",
    "She walked to the station in the rain, thinking about the letter from her brother.",
    "Researchers found that the treatment reduced symptoms in most of the patients.",
    "It was the best of times, it was the worst of times, it was the age of wisdom.",
]


@pytest.fixture(scope="session")
def tiny_lm():
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    from fakescope.text.lm import LanguageModel

    # A 32-wide model gains nothing from threads, and on a shared CPU extra threads only spin.
    torch.set_num_threads(1)
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400,
        special_tokens=["<eos>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(CORPUS * 5, trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<eos>")
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=tok.get_vocab_size(),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=1024,
        tie_word_embeddings=True,
        eos_token_id=0,
        pad_token_id=0,
        bos_token_id=0,
    )
    model = LlamaForCausalLM(config).eval()
    return LanguageModel("tiny-test-lm", model, fast)


@pytest.fixture()
def tiny_weights():
    from fakescope.core.fusion import LogisticFuser
    from fakescope.text.calibration import Calibration, TextWeights

    cals = {
        "lm-likelihood": Calibration("loglik", 2.0, 12.0, -6.5, -5.5),
        "lm-rank": Calibration("log_rank", -2.0, 8.0, 4.2, 3.8),
        "lm-curvature": Calibration("curvature", 3.0, 0.0, -0.1, 0.1),
        "lm-entropy": Calibration("entropy", -1.0, 6.0, 6.2, 5.8),
        "lm-tail": Calibration("surprisal_tail", -3.0, 2.0, 0.9, 0.6),
        "lm-burstiness": Calibration("loglik_std", -2.0, 5.0, 2.6, 2.4),
    }
    fuser = LogisticFuser(
        coef={"lm-likelihood": 0.7, "lm-rank": 0.3, "lm-curvature": 0.5, "lm-tail": 0.4},
        intercept=0.0,
        thresholds=(0.3, 0.8),
    )
    return TextWeights(cals, fuser, model="tiny-test-lm", window=64)


@pytest.fixture()
def long_text():
    return " ".join(CORPUS * 6)


HUMAN = [
    "The council argued for hours about whether the old bridge should be repaired or "
    "replaced, and in the end nobody could agree on the cost or the timetable for it.",
    "My grandmother kept a jar of buttons on the windowsill; every winter we sorted them by "
    "colour while the radio played and the kettle rattled on the stove in the kitchen.",
    "Researchers at the university measured rainfall in forty valleys over a decade and found "
    "that the wettest years were not the ones that flooded most often in the region.",
]
MACHINE = [
    "The committee met on Tuesday to discuss the new budget for the city schools. " * 3,
    "It was the best of times, it was the worst of times, it was the age of wisdom. " * 3,
    "She walked to the station in the rain, thinking about the letter from her brother. " * 3,
]


@pytest.fixture()
def texts():
    """Three human-like and three repetitive machine-like texts."""
    return HUMAN, MACHINE
