"""A login check written the way Django sites called HTTPAuthentificationOverXMPP
(blog.agayon.be/xmpp_auth_django.html): only `requests`, the original parameters,
the original status codes. authbridge must work with it unchanged.

Usage: python3 django_style_login.py AUTH_URL JID
"""
import random
import sys

import requests


def xmpp_authenticate(auth_url, jid, domain, method="POST", timeout=30):
    transaction_id = str(random.randint(100000, 999999))
    response = requests.get(
        auth_url,
        params={
            "jid": jid,
            "domain": domain,
            "method": method,
            "transaction_id": transaction_id,
            "timeout": timeout,
        },
        timeout=timeout + 5,
    )
    if response.status_code == 200:
        return True
    if response.status_code == 401:
        return False
    if response.status_code in (520, 523):
        raise ConnectionError("XMPP server or user unreachable")
    response.raise_for_status()
    return False


if __name__ == "__main__":
    url, jid = sys.argv[1], sys.argv[2]
    print("login ok" if xmpp_authenticate(url, jid, "shop.example") else "login refused")
