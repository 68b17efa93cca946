"""A local test certificate authority and signing certificate for C2PA (never for production).

C2PA validators reject self-signed signing certificates, so :func:`make_test_credentials` writes a
small chain: a root CA (the trust anchor you give the verifier) and an end-entity certificate with
the key usages the C2PA certificate profile asks for (digitalSignature; extended key usage
emailProtection + documentSigning), both ECDSA P-256 (``ES256``).

Bring your own: a PEM private key and a PEM certificate chain (end entity first, then
intermediates) issued by a CA your audience trusts; pass them with ``--key``/``--cert`` and the
trust anchor(s) with ``--trust``.

Examples
--------
>>> import tempfile, pathlib
>>> creds = make_test_credentials(pathlib.Path(tempfile.mkdtemp()))
>>> sorted(p.name for p in creds.folder.iterdir())
['signer-chain.pem', 'signer-key.pem', 'test-root-ca.pem']
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

KEY_FILE, CHAIN_FILE, ROOT_FILE = "signer-key.pem", "signer-chain.pem", "test-root-ca.pem"
DEFAULT_DIR_ENV = "FAKESCOPE_C2PA_DIR"
DOCUMENT_SIGNING_OID = "1.3.6.1.5.5.7.3.36"


@dataclass
class Credentials:
    """Paths of a signing key, its certificate chain and the trust anchor for verification."""

    folder: Path
    key: Path
    chain: Path
    trust_anchor: Path | None


def default_dir() -> Path:
    """``$FAKESCOPE_C2PA_DIR`` or ``~/.config/fakescope/c2pa`` (created on first use)."""
    env = os.environ.get(DEFAULT_DIR_ENV)
    return Path(env).expanduser() if env else Path.home() / ".config" / "fakescope" / "c2pa"


def make_test_credentials(
    folder: Path, common_name: str = "fakescope local test signer"
) -> Credentials:
    """Write a fresh test root CA and an ES256 signing certificate into ``folder``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "fakescope local test root CA"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "fakescope (test only)"),
        ]
    )
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), False)
        .sign(root_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, "fakescope (test only)"),
                ]
            )
        )
        .issuer_name(root_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=730))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, False, False, False, False),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.EMAIL_PROTECTION, x509.ObjectIdentifier(DOCUMENT_SIGNING_OID)]
            ),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), False
        )
        .sign(root_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    key_path, chain_path, root_path = folder / KEY_FILE, folder / CHAIN_FILE, folder / ROOT_FILE
    key_path.write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    os.chmod(key_path, 0o600)
    chain_path.write_bytes(leaf.public_bytes(pem) + root.public_bytes(pem))
    root_path.write_bytes(root.public_bytes(pem))
    return Credentials(folder, key_path, chain_path, root_path)


def load_or_create(folder: Path | None = None) -> Credentials:
    """The test credentials in ``folder`` (default :func:`default_dir`), made on first use."""
    folder = Path(folder) if folder is not None else default_dir()
    key, chain, root = folder / KEY_FILE, folder / CHAIN_FILE, folder / ROOT_FILE
    if key.is_file() and chain.is_file():
        return Credentials(folder, key, chain, root if root.is_file() else None)
    return make_test_credentials(folder)
