"""C2PA (stretch): a signed manifest in each rendition with a `cawg.training-mining` assertion
saying every AI use is `notAllowed`.

The signer is the instance's own key: `KILN_C2PA_CERT_CHAIN` and `KILN_C2PA_PRIVATE_KEY` (PEM file
paths; production should use a certificate from a CA on the C2PA trust list), or, when unset, a
small CA and signing certificate generated once under var/shield/c2pa/. Manifests signed with
the generated chain validate ("Valid") but readers report `signingCredential.untrusted`, because
that CA is on no trust list.
"""

import datetime
import io
import json
import threading
from pathlib import Path

from django.conf import settings

TRAINING_MINING = {
    "label": "cawg.training-mining",
    "data": {
        "entries": {
            "cawg.ai_inference": {"use": "notAllowed"},
            "cawg.ai_generative_training": {"use": "notAllowed"},
            "cawg.ai_training": {"use": "notAllowed"},
            "cawg.data_mining": {"use": "notAllowed"},
        }
    },
}
MIME_TYPES = {"jpeg": "image/jpeg", "webp": "image/webp", "avif": "image/avif", "gif": "image/gif"}
# Thumbnails of the parent would add tens of KB to every small rendition.
C2PA_SETTINGS = {"builder": {"thumbnail": {"enabled": False}}}

_lock = threading.Lock()
_cache: dict = {}


def _generated_credentials(folder: Path) -> tuple[bytes, bytes]:
    """A CA and an end-entity signing certificate (ES256), made once and kept in var/."""
    chain_path, key_path = folder / "chain.pem", folder / "signer.key"
    if chain_path.is_file() and key_path.is_file():
        return chain_path.read_bytes(), key_path.read_bytes()
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    def name(common_name: str) -> x509.Name:
        return x509.Name(
            [
                x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Kiln"),
            ]
        )

    def usage(*, sign_certs: bool) -> x509.KeyUsage:
        return x509.KeyUsage(
            digital_signature=not sign_certs,
            content_commitment=False,
            key_encipherment=False,
            data_encipherment=False,
            key_agreement=False,
            key_cert_sign=sign_certs,
            crl_sign=sign_certs,
            encipher_only=False,
            decipher_only=False,
        )

    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(name("Kiln instance CA"))
        .issuer_name(name("Kiln instance CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(usage(sign_certs=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name("Kiln instance signer"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=825))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage(sign_certs=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    chain = cert.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(
        serialization.Encoding.PEM
    )
    pem_key = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    folder.mkdir(parents=True, exist_ok=True)
    key_path.touch(mode=0o600)
    key_path.write_bytes(pem_key)
    chain_path.write_bytes(chain)
    return chain, pem_key


def c2pa_credentials() -> tuple[bytes, bytes]:
    chain_file, key_file = settings.KILN_C2PA_CERT_CHAIN, settings.KILN_C2PA_PRIVATE_KEY
    if chain_file and key_file:
        return Path(chain_file).read_bytes(), Path(key_file).read_bytes()
    return _generated_credentials(Path(settings.VAR_DIR) / "shield" / "c2pa")


def _signer_and_context():
    import c2pa

    with _lock:
        if "signer" not in _cache:
            chain, key = c2pa_credentials()
            info = c2pa.C2paSignerInfo(c2pa.C2paSigningAlg.ES256, chain, key, None)
            _cache["signer"] = c2pa.Signer.from_info(info)
            _cache["context"] = c2pa.Context(c2pa.Settings.from_dict(C2PA_SETTINGS))
        return _cache["signer"], _cache["context"]


def c2pa_manifest_definition(*, title: str, creator: str, work_url: str) -> dict:
    return {
        "claim_generator_info": [{"name": "Kiln", "version": "1"}],
        "title": title,
        "assertions": [
            TRAINING_MINING,
            {
                "label": "stds.schema-org.CreativeWork",
                "data": {
                    "@context": "https://schema.org",
                    "@type": "CreativeWork",
                    "author": [{"@type": "Person", "name": creator}],
                    "url": work_url,
                },
            },
        ],
    }


def c2pa_sign_rendition(data: bytes, *, fmt: str, creator: str, work_url: str) -> bytes:
    """The rendition's bytes with an embedded, signed C2PA manifest (an edit of the upload)."""
    import c2pa

    mime = MIME_TYPES[fmt]
    signer, context = _signer_and_context()
    definition = c2pa_manifest_definition(
        title=f"rendition.{fmt}", creator=creator, work_url=work_url
    )
    builder = c2pa.Builder(json.dumps(definition), context=context)
    # "Edit": the rendition derives from the artist's upload, which becomes its parent.
    builder.set_intent(c2pa.C2paBuilderIntent.EDIT)
    out = io.BytesIO()
    builder.sign(signer, mime, io.BytesIO(data), out)
    return out.getvalue()


def c2pa_read(data: bytes, *, fmt: str) -> tuple[str, dict]:
    """(validation state, manifest store) as a C2PA reader sees the bytes."""
    import c2pa

    reader = c2pa.Reader(MIME_TYPES[fmt], io.BytesIO(data))
    return reader.get_validation_state(), json.loads(reader.json())
