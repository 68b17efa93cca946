"""Sample machine text from the configured language model (``fakescope generate text``).

Two modes: *continuation* (the prompt is the start of a document and the model writes on, as in
the Fast-DetectGPT data) and *chat* (the prompt is an instruction, wrapped in the model's chat
template, and only the reply is kept).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from fakescope.core.media import MediaError
from fakescope.text.lm import LanguageModel

PROMPT_WORDS = 30
"""A document used as a prompt is cut to its first words (as in Fast-DetectGPT)."""


@dataclass
class Sample:
    prompt: str
    text: str
    model: str
    new_tokens: int

    def to_record(self) -> dict[str, object]:
        return {
            "text": self.text,
            "prompt": self.prompt,
            "model": self.model,
            "new_tokens": self.new_tokens,
            "label": "machine",
        }


def read_prompts(path: Path, words: int = PROMPT_WORDS) -> list[str]:
    """Prompts from a file: ``.jsonl``/``.json`` records (``prompt`` field, else the first
    ``words`` words of ``text``) or a text file with one prompt per line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "p.txt"
    >>> _ = p.write_text("Once upon a time\\n\\nThe council met\\n")
    >>> read_prompts(p)
    ['Once upon a time', 'The council met']
    """
    from fakescope.text.loader import decode_bytes

    shown = str(path)
    if not path.is_file():
        raise MediaError(shown, "no such file")
    text = decode_bytes(path.read_bytes(), shown)
    prompts: list[str] = []
    if path.suffix.lower() in (".jsonl", ".json"):
        records: Iterable[object]
        try:
            if path.suffix.lower() == ".json":
                data = json.loads(text)
                records = data if isinstance(data, list) else [data]
            else:
                records = [json.loads(line) for line in text.splitlines() if line.strip()]
        except ValueError as exc:
            raise MediaError(shown, f"is not valid JSON ({exc})") from None
        for rec in records:
            if isinstance(rec, dict) and isinstance(rec.get("prompt"), str):
                prompts.append(rec["prompt"])
            elif isinstance(rec, dict) and isinstance(rec.get("text"), str):
                prompts.append(" ".join(rec["text"].split()[:words]))
            elif isinstance(rec, str):
                prompts.append(rec)
    else:
        prompts = [line.strip() for line in text.splitlines() if line.strip()]
    prompts = [p for p in prompts if p.strip()]
    if not prompts:
        raise MediaError(shown, "contains no prompts")
    return prompts


def generate(
    lm: LanguageModel,
    prompts: Iterable[str],
    *,
    max_new_tokens: int = 200,
    temperature: float = 1.0,
    top_p: float = 1.0,
    chat: bool = False,
    seed: int = 0,
    progress: Callable[[int], None] | None = None,
) -> list[Sample]:
    """Sample one continuation (or chat reply) per prompt (see :func:`iter_generate`)."""
    return list(
        iter_generate(
            lm,
            prompts,
            max_new_tokens=max_new_tokens,
            temperature=temperature,
            top_p=top_p,
            chat=chat,
            seed=seed,
            progress=progress,
        )
    )


def iter_generate(
    lm: LanguageModel,
    prompts: Iterable[str],
    *,
    max_new_tokens: int = 200,
    temperature: float = 1.0,
    top_p: float = 1.0,
    chat: bool = False,
    seed: int = 0,
    progress: Callable[[int], None] | None = None,
) -> Iterator[Sample]:
    """Yield one sample per prompt as soon as it is made (long runs can be written as they go).

    Examples
    --------
    >>> samples = generate(shared_model(), ["The city council voted"])  # doctest: +SKIP
    >>> samples[0].text.startswith("The city council voted")  # doctest: +SKIP
    True
    """
    import torch

    torch.manual_seed(seed)
    tok = lm.tokenizer
    for k, prompt in enumerate(prompts):
        if chat and getattr(tok, "chat_template", None):
            ids = tok.apply_chat_template(
                [{"role": "user", "content": prompt}],
                add_generation_prompt=True,
                return_tensors="pt",
                return_dict=True,
            )["input_ids"]
        else:
            ids = torch.tensor([lm.prefix_ids + lm.encode(prompt)[0]], dtype=torch.long)
        eos = tok.eos_token_id
        with lm.lock, torch.inference_mode():
            gen = lm.model.generate(
                input_ids=ids,
                attention_mask=torch.ones_like(ids),
                do_sample=temperature > 0,
                temperature=max(temperature, 1e-5) if temperature > 0 else None,
                top_p=top_p if temperature > 0 else None,
                max_new_tokens=max_new_tokens,
                pad_token_id=eos if eos is not None else 0,
            )
        new = gen[0, ids.shape[1] :]
        reply = tok.decode(new, skip_special_tokens=True)
        text = reply.strip() if chat else prompt + reply
        if progress is not None:
            progress(k + 1)
        yield Sample(prompt, text, lm.name, int(new.shape[0]))


def write_jsonl(samples: Iterable[Sample], path: Path) -> int:
    """Write records ``{"text", "prompt", "model", ...}`` as they arrive; returns how many."""
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        for s in samples:
            fh.write(json.dumps(s.to_record(), ensure_ascii=False) + "\n")
            fh.flush()
            n += 1
    return n
