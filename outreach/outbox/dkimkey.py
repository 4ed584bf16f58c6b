"""The public half of the DKIM key Outreach signs with, written as the TXT record receivers look up.

dkimpy reads keys but cannot write one out, and no other library is needed for these few bytes of DER.
"""

import base64


def public_key_record(private_key: str) -> tuple[str, dict]:
    """The TXT record value for the key Outreach signs with (and the parsed private key)."""
    from dkim.crypto import parse_pem_private_key  # here: only the own-domain check needs it

    key = parse_pem_private_key(private_key.encode())
    rsa_key = _der(0x30, _der_integer(key["modulus"]) + _der_integer(key["publicExponent"]))
    algorithm = _der(0x30, _der(0x06, bytes.fromhex("2a864886f70d010101")) + _der(0x05, b""))  # rsaEncryption
    info = _der(0x30, algorithm + _der(0x03, b"\x00" + rsa_key))
    return f"v=DKIM1; k=rsa; p={base64.b64encode(info).decode()}", key


def _der(tag: int, content: bytes) -> bytes:
    length = len(content)
    if length < 0x80:
        return bytes([tag, length]) + content
    size = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(size)]) + size + content


def _der_integer(value: int) -> bytes:
    return _der(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big"))
