"""Load the scored protocol samples (chat era + older set) with every cached feature.

Used by ``head_protocol.py``. Per text (``rows``: dicts of the sample record plus):

- ``features``: the document statistics (round 2's ``features2-*`` when present, else round 1's)
  plus ``binoculars1`` and, where the token arrays exist, the unigram statistics;
- ``hidden``: ``{(pool, layer): vector}`` of pooled SmolLM2 hidden states ("mean" / "last");
- ``embed``: the MiniLM sentence embedding, where computed;
- ``round1``: the text was first scored in round 1 (its token arrays, if any, come from the
  later re-scoring of the fit half for the shipped fit);
- ``family`` (generator, the five Claude persuasion sets as one), ``set`` ("chat" / "fdg"),
  ``confounded`` (machine texts of the known confounded sets, README of ../shared).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from fakescope.text.unigram import unigram_statistics

CLAUDE_PERSUASION = {"claude-1.3", "claude-2", "claude-3-haiku", "claude-3-opus"}
CLAUDE_PERSUASION |= {"claude-instant-1.2"}
EDIT = "gpt-4-edit-of-human"
GEMINI = "gemini-pro"


def family(r: dict) -> str:
    if not r["label"]:
        return "human"
    return "claude-persuasion" if r["generator"] in CLAUDE_PERSUASION else r["generator"]


def is_confounded(r: dict) -> bool:
    return bool(r["label"]) and (
        r["generator"] in {GEMINI, EDIT} or r["source"].startswith("mixset/")
    )


def _jsonl(path: Path) -> list[dict]:
    with path.open() as fh:
        return [json.loads(line) for line in fh if line.strip()]


def load(data: Path, tag: str = "smollm2-135m", unigram: Path | None = None) -> list[dict]:
    sample = []
    for name, kind in (("sample.jsonl", "chat"), ("fdg_sample.jsonl", "fdg")):
        if (data / name).exists():
            sample += [dict(r, set=kind) for r in _jsonl(data / name)]
    by_id = {r["id"]: r for r in sample}
    feats: dict[str, dict] = {}
    if (data / f"features-{tag}.jsonl").exists():
        feats.update({f["id"]: f for f in _jsonl(data / f"features-{tag}.jsonl")})
    round1 = set(feats)
    for path in sorted(data.glob(f"features2-{tag}.*.jsonl")):
        feats.update({f["id"]: f for f in _jsonl(path)})
    rows = []
    for rid, f in feats.items():
        if rid not in by_id or not f["judged"]:
            continue
        r = dict(by_id[rid])
        x = dict(f["features"])
        x["binoculars1"] = -x["loglik"] / max(x["entropy"], 1e-6)
        r["features"] = x
        r["family"] = family(r)
        r["confounded"] = is_confounded(r)
        r["hidden"] = {}
        r["round1"] = rid in round1
        rows.append(r)
    index = {r["id"]: r for r in rows}
    # round 1's mean-pooled layers first, round 2's (all layers, mean and last) over them
    for path in sorted((data / f"pooled-{tag}").glob("*.npz")):
        with np.load(path) as z:
            layers = z["layers"].tolist()
            for i, vec in zip(z["ids"], z["pooled"], strict=True):
                if str(i) in index:
                    for k, layer in enumerate(layers):
                        index[str(i)]["hidden"][("mean", layer)] = vec[k].astype(np.float32)
    table = np.load(unigram) if unigram and unigram.exists() else None
    for path in sorted((data / f"scored-{tag}").glob("*.npz")):
        with np.load(path) as z:
            layers = z["layers"].tolist()
            off = z["offsets"]
            for j, i in enumerate(z["text_ids"]):
                r = index.get(str(i))
                if r is None:
                    continue
                vec = z["pooled"][j].astype(np.float32)
                for k, layer in enumerate(layers):
                    r["hidden"][("mean", layer)] = vec[k]
                    r["hidden"][("last", layer)] = vec[len(layers) + k]
                if table is not None:
                    a, b = off[j], off[j + 1]
                    r["features"].update(unigram_statistics(z["ids"][a:b], z["loglik"][a:b], table))
                    r["has_tokens"] = True
    embed_path = data / "embed-minilm.npz"
    if embed_path.is_file():
        with np.load(embed_path) as z:
            for i, v in zip(z["ids"], z["embed"], strict=True):
                if str(i) in index:
                    index[str(i)]["embed"] = v.astype(np.float32)
    return rows
