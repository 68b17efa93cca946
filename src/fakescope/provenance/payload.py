"""The 32-bit watermark payload fakescope writes: tool byte, generator family byte, 16-bit id.

Examples
--------
>>> p = make_payload("biggan", 0x1234)
>>> hex(p), describe_payload(p)["generator"]
('0xf5011234', 'biggan')
>>> describe_payload(0x01020304)["tool"]
'unknown tool (0x01)'
"""

from __future__ import annotations

TOOL_BYTE = 0xF5  # "fakescope"
FAMILIES = {
    "biggan": 0x01,
    "decoder": 0x02,
    "upsample": 0x03,
    "selfblend": 0x04,
    "speech": 0x10,
    "external": 0xFF,  # a file marked with `fakescope provenance watermark`
}
_NAMES = {v: k for k, v in FAMILIES.items()}


def make_payload(family: str, ident: int) -> int:
    """Payload for a file made by ``family`` with a 16-bit identifier (kept in its sidecar)."""
    return (TOOL_BYTE << 24) | (FAMILIES.get(family, 0xFE) << 16) | (ident & 0xFFFF)


def describe_payload(payload: int) -> dict:
    """What a decoded payload says (tool, generator family, identifier)."""
    tool, fam, ident = payload >> 24, (payload >> 16) & 0xFF, payload & 0xFFFF
    return {
        "payload": f"{payload:08x}",
        "tool": "fakescope" if tool == TOOL_BYTE else f"unknown tool (0x{tool:02x})",
        "generator": _NAMES.get(fam, f"unknown (0x{fam:02x})"),
        "id": f"{ident:04x}",
    }
