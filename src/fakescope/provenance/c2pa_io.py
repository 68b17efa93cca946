"""Read, validate and sign C2PA manifests with the maintained ``c2pa-python`` library.

:func:`verify` returns a :class:`C2paStatus`: whether a manifest is there, the validation state the
C2PA SDK computed (``Trusted``: valid and signed by a certificate chaining to a trust anchor you
gave; ``Valid``: signature and hash bindings check out but nobody you trust vouches for the signer;
``Invalid``: something fails, e.g. the pixels changed after signing), the claim generator, the
signer, the actions (with IPTC digital source types) and the ingredients, plus every failure code
with a plain-words reason.

:func:`sign` adds a manifest signed with a local key (see :mod:`fakescope.provenance.certs`).

Nothing here guesses from bytes: without the library, :func:`verify` says it could not validate.
"""

from __future__ import annotations

import json
import mimetypes
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

AI_SOURCE_TYPES = (
    "trainedAlgorithmicMedia",
    "compositeWithTrainedAlgorithmicMedia",
    "algorithmicMedia",
    "compositeSynthetic",
)
# Plain words for the failure codes a user meets most (C2PA 2.x validation status codes).
REASONS = {
    "assertion.dataHash.mismatch": "the file's content changed after it was signed (hash mismatch)",
    "assertion.bmffHash.mismatch": "the file's content changed after it was signed (hash mismatch)",
    "assertion.boxesHash.mismatch": "the file's content changed after it was signed",
    "assertion.hashedURI.mismatch": "an assertion was altered after signing",
    "claimSignature.mismatch": "the signature does not match the claim (claim altered or forged)",
    "claimSignature.outsideValidity": "the signing certificate was not valid at signing time",
    "signingCredential.untrusted": "the signer's certificate does not chain to a trusted authority",
    "signingCredential.expired": "the signer's certificate has expired",
    "signingCredential.revoked": "the signer's certificate was revoked",
    "signingCredential.invalid": "the signer's certificate is not valid for C2PA",
    "ingredient.manifest.mismatch": "an ingredient's manifest does not match what was recorded",
    "manifest.inaccessible": "the manifest cannot be read",
}


class C2paUnavailable(RuntimeError):
    """``c2pa-python`` is not installed."""


@dataclass
class C2paStatus:
    """Outcome of reading a file's C2PA manifest store."""

    present: bool
    validated: bool  # True when the C2PA SDK checked it (False: library missing or unreadable)
    state: str | None = None  # "Trusted" | "Valid" | "Invalid"
    claim_generator: str | None = None
    title: str | None = None
    signer: str | None = None
    actions: list[dict[str, Any]] = field(default_factory=list)
    source_types: list[str] = field(default_factory=list)
    ingredients: list[dict[str, Any]] = field(default_factory=list)
    failures: list[dict[str, str]] = field(default_factory=list)
    error: str | None = None

    @property
    def ai_generated(self) -> bool:
        return any(s.rsplit("/", 1)[-1] in AI_SOURCE_TYPES for s in self.source_types)

    @property
    def ok(self) -> bool:
        return self.present and self.validated and self.state in ("Valid", "Trusted")

    def summary(self) -> str:
        """One sentence for a report."""
        if not self.present:
            return "no C2PA manifest"
        if not self.validated:
            return f"C2PA manifest present but NOT validated ({self.error})"
        who = self.claim_generator or "an unnamed tool"
        by = f", signed by {self.signer}" if self.signer else ""
        if self.state == "Invalid":
            why = "; ".join(dict.fromkeys(f["reason"] for f in self.failures)) or "unknown"
            return f"C2PA manifest from {who}{by} FAILS validation: {why}"
        trust = "trusted signer" if self.state == "Trusted" else "signer not on your trust list"
        return f"valid C2PA manifest from {who}{by} ({trust})"

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["ai_generated"] = self.ai_generated
        d["summary"] = self.summary()
        return d


def _require():
    try:
        import c2pa
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise C2paUnavailable(
            "C2PA needs the c2pa-python package: pip install 'fakescope[provenance]'"
        ) from exc
    return c2pa


def available() -> bool:
    try:
        _require()
    except C2paUnavailable:
        return False
    return True


def _context(trust_anchors: list[Path] | None):
    c2pa = _require()
    if not trust_anchors:
        return None
    pem = "".join(Path(p).read_text() for p in trust_anchors)
    return c2pa.Context.from_dict(
        {"trust": {"user_anchors": pem}, "verify": {"verify_trust": True}}
    )


def _reason(code: str, explanation: str) -> str:
    return REASONS.get(code, explanation or code)


def verify(path: str | Path, trust_anchors: list[Path] | None = None) -> C2paStatus:
    """Validate the C2PA manifest of ``path`` (any format the SDK reads: JPEG, PNG, WebP, WAV...).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.png"
    >>> from PIL import Image; Image.new("RGB", (8, 8)).save(p)
    >>> verify(p).present
    False
    """
    try:
        c2pa = _require()
    except C2paUnavailable as exc:
        return C2paStatus(present=False, validated=False, error=str(exc))
    path = Path(path)
    try:
        reader = c2pa.Reader.try_create(str(path), context=_context(trust_anchors))
    except Exception as exc:  # the SDK raises its own error classes for corrupt stores
        return C2paStatus(present=True, validated=False, error=f"manifest unreadable: {exc}")
    if reader is None:
        return C2paStatus(present=False, validated=True)
    with reader:
        store = json.loads(reader.json())
        state = reader.get_validation_state()
        results = reader.get_validation_results() or {}
    active = store.get("manifests", {}).get(store.get("active_manifest") or "", {})
    status = C2paStatus(present=True, validated=True, state=state, title=active.get("title"))
    gens = active.get("claim_generator_info") or []
    status.claim_generator = ", ".join(
        f"{g.get('name', '?')} {g.get('version', '')}".strip() for g in gens
    ) or active.get("claim_generator")
    sig = active.get("signature_info") or {}
    if sig:
        status.signer = " / ".join(v for v in (sig.get("common_name"), sig.get("issuer")) if v)
    for a in active.get("assertions", []):
        if str(a.get("label", "")).startswith("c2pa.actions"):
            for act in (a.get("data") or {}).get("actions", []):
                agent = act.get("softwareAgent")
                agent = agent.get("name") if isinstance(agent, dict) else agent
                status.actions.append(
                    {
                        "action": act.get("action"),
                        "software_agent": agent,
                        "digital_source_type": act.get("digitalSourceType"),
                    }
                )
                if act.get("digitalSourceType"):
                    status.source_types.append(act["digitalSourceType"])
    for ing in active.get("ingredients", []):
        status.ingredients.append(
            {
                "title": ing.get("title"),
                "relationship": ing.get("relationship"),
                "format": ing.get("format"),
                "has_manifest": bool(ing.get("active_manifest")),
            }
        )
    failures = (results.get("activeManifest") or {}).get("failure", [])
    for ing in results.get("ingredientDeltas", []) or []:
        failures += (ing.get("validationDeltas") or {}).get("failure", [])
    if not results:
        failures = [s for s in store.get("validation_status", []) if s.get("code")]
    # Content and claim failures first: "changed after signing" matters more than "untrusted".
    failures.sort(key=lambda f: str(f.get("code", "")).startswith("signingCredential"))
    status.failures = [
        {"code": f.get("code", ""), "reason": _reason(f.get("code", ""), f.get("explanation", ""))}
        for f in failures
    ]
    return status


def sign(
    src: str | Path,
    dst: str | Path,
    key: Path,
    chain: Path,
    source_type: str | None,
    title: str | None = None,
    software_agent: str = "fakescope",
    parameters: dict[str, Any] | None = None,
) -> None:
    """Write ``dst``: a copy of ``src`` with a signed C2PA manifest (ES256).

    The manifest records a ``c2pa.created`` action with the IPTC digital source type (when given)
    and the generation ``parameters``; an existing manifest in ``src`` becomes the parent
    ingredient, so the history is kept.
    """
    from fakescope import __version__
    from fakescope.provenance.record import IPTC

    c2pa = _require()
    src, dst = Path(src), Path(dst)
    mime = mimetypes.guess_type(src.name)[0] or "application/octet-stream"
    prior = c2pa.Reader.try_create(str(src))
    if prior is not None:
        prior.close()
    first = "c2pa.opened" if prior is not None else "c2pa.created"
    action: dict[str, Any] = {"action": first, "softwareAgent": {"name": software_agent}}
    if source_type:
        action["digitalSourceType"] = source_type if "/" in source_type else IPTC + source_type
    if parameters:
        action["parameters"] = dict(parameters)
    if prior is not None:  # link the "opened" action to the parent ingredient
        action.setdefault("parameters", {})["ingredientIds"] = ["parent"]
    manifest = {
        "claim_generator_info": [{"name": "fakescope", "version": __version__}],
        "title": title or src.name,
        "format": mime,
        "assertions": [{"label": "c2pa.actions", "data": {"actions": [action]}}],
    }
    info = c2pa.C2paSignerInfo(
        alg=b"es256", sign_cert=chain.read_bytes(), private_key=key.read_bytes(), ta_url=None
    )
    signer = c2pa.Signer.from_info(info)
    builder = c2pa.Builder(json.dumps(manifest))
    if prior is not None:
        with open(src, "rb") as f:
            builder.add_ingredient(
                {"title": src.name, "relationship": "parentOf", "label": "parent"}, mime, f
            )
    tmp = dst.with_name(dst.name + ".c2pa-tmp" + dst.suffix)
    try:
        builder.sign_file(str(src), str(tmp), signer)
        tmp.replace(dst)
    finally:
        builder.close()
        signer.close()
        if tmp.exists():
            tmp.unlink()
