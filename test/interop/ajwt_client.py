"""An independent asymmetric_jwt_auth-style client and verifier built on Debian's
python3-jwt (PyJWT) and python3-cryptography, following spec/jwt.md only.

  ajwt_client.py token KEYFILE USERNAME TIME NONCE [ALG]   print a token
  ajwt_client.py keygen ed25519|rsa DIR                    write DIR/private.pem, DIR/public.ssh
  ajwt_client.py verify PUBFILE TOKEN                      print the verified claims as JSON
  ajwt_client.py verify-jwks URL TOKEN                     same, with the key taken from a JWKS by kid
"""
import hashlib
import json
import sys

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

ALGORITHMS = {"RSA": ["RS512", "RS384", "RS256"], "Ed25519": ["EdDSA"]}


def key_type(key):
    if isinstance(key, (rsa.RSAPublicKey, rsa.RSAPrivateKey)):
        return "RSA"
    if isinstance(key, (ed25519.Ed25519PublicKey, ed25519.Ed25519PrivateKey)):
        return "Ed25519"
    raise SystemExit("unknown key type")


def fingerprint(public_key):
    # spec/jwt.md §3: SHA-256 hex of the SPKI PEM text, final newline included.
    pem = public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(pem).hexdigest()


def token(keyfile, username, time, nonce, alg=None):
    with open(keyfile, "rb") as f:
        private_key = serialization.load_pem_private_key(f.read(), password=None)
    alg = alg or ALGORITHMS[key_type(private_key)][0]
    # spec/jwt.md §1: payload in the order username, time, nonce; header alg, kid, typ.
    payload = {"username": username, "time": int(time), "nonce": nonce}
    return jwt.encode(payload, private_key, algorithm=alg, headers={"kid": fingerprint(private_key.public_key())})


def keygen(kind, directory):
    private_key = ed25519.Ed25519PrivateKey.generate() if kind == "ed25519" else rsa.generate_private_key(65537, 3072)
    with open(f"{directory}/private.pem", "wb") as f:
        f.write(private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    with open(f"{directory}/public.ssh", "wb") as f:
        f.write(private_key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH) + b" made-by-python\n")
    print(fingerprint(private_key.public_key()))


def verify(pubfile, tok):
    with open(pubfile, "rb") as f:
        public_key = serialization.load_pem_public_key(f.read())
    claims = jwt.decode(tok, public_key, algorithms=ALGORITHMS[key_type(public_key)])
    header = jwt.get_unverified_header(tok)
    print(json.dumps({"claims": claims, "kid_matches": header.get("kid") == fingerprint(public_key)}))


def verify_jwks(url, tok):
    signing_key = jwt.PyJWKClient(url).get_signing_key_from_jwt(tok)
    claims = jwt.decode(tok, signing_key.key, algorithms=ALGORITHMS[key_type(signing_key.key)])
    print(json.dumps({"claims": claims}))


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "token":
        print(token(*args))
    elif command == "keygen":
        keygen(*args)
    elif command == "verify":
        verify(*args)
    elif command == "verify-jwks":
        verify_jwks(*args)
    else:
        raise SystemExit(__doc__)
