#!/usr/bin/python3
"""Independent ska signer written from spec/ska.md with only the standard library.

Reads a JSON list of cases on stdin:
  {"secret", "hash" (hashlib name), "auth_user", "valid_until", "extra": [[k, v], ...], "url"}
and prints, per case, {"base", "signature", "signed_url", "dict"}: "dict" is
json.dumps of the signature dictionary in ska's order (signature_to_dict with the
signature decoded and valid_until as given).
"""
import base64
import hashlib
import hmac
import json
import sys
from urllib.parse import quote, urlencode


def base_string(valid_until, auth_user, extra):
    # spec/ska.md section 2: sorted by key (Python code-point order), quote(safe='/')
    base = valid_until + "_" + auth_user
    if extra:
        joined = "&".join("{0}={1}".format(k, v) for k, v in sorted(extra.items()))
        base += "_" + quote(joined)
    return base


def sign(case):
    extra = dict((k, v) for k, v in case["extra"])  # insertion order kept
    base = base_string(case["valid_until"], case["auth_user"], extra)
    digest = hmac.new(case["secret"].encode("utf-8"), base.encode("utf-8"), getattr(hashlib, case["hash"])).digest()
    signature = base64.b64encode(digest).decode("ascii")
    # spec/ska.md section 4: fixed field order, then extras in insertion order; quote_plus
    fields = [
        ("signature", signature),
        ("auth_user", case["auth_user"]),
        ("valid_until", case["valid_until"]),
        ("extra", ",".join(sorted(extra.keys()))),
    ] + list(extra.items())
    return {
        "base": base,
        "signature": signature,
        "signed_url": case["url"] + "?" + urlencode(fields),
        "dict": json.dumps(dict(fields)),
    }


json.dump([sign(case) for case in json.load(sys.stdin)], sys.stdout)
