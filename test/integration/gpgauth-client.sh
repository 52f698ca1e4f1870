#!/bin/bash
# A gpgAuth 1.3.0 client using only gpg and curl (plus sed/grep/printf from the
# base system; bash for printf \x), independent of our TypeScript client (spec/gpgauth.md §5–§8).
# usage: GNUPGHOME=… gpgauth-client.sh SERVER_URL USER_FINGERPRINT
# The user's secret key must be in $GNUPGHOME without a passphrase.
set -eu
server=$1
fpr=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
g() { gpg --batch --no-tty --pinentry-mode loopback --passphrase '' "$@"; }

header() { # header NAME FILE → value of the last NAME: header in a curl -D dump
  grep -i "^$1:" "$2" | tail -n 1 | sed -e 's/^[^:]*: *//' -e 's/\r$//'
}
post() { # post OUTPUT FIELD=VALUE… (form-encoded, as the old passbolt CLI)
  out=$1; shift
  n=$#
  for f in "$@"; do set -- "$@" --data-urlencode "$f"; done
  shift "$n"
  curl -sS -D "$work/$out.h" -o "$work/$out.b" -H 'Accept: application/json' "$@" "$server/auth/login.json"
}
fail() { echo "FAIL: $*" >&2; exit 1; }

# The server's key from GET /auth/verify.json (keydata is a JSON string with \n escapes).
curl -sS -f "$server/auth/verify.json" > "$work/verify.json"
sed -e 's/.*"keydata":"\([^"]*\)".*/\1/' -e 's/\\n/\n/g' "$work/verify.json" > "$work/server.asc"
server_fpr=$(sed -e 's/.*"fingerprint":"\([0-9A-F]*\)".*/\1/' "$work/verify.json")
g --quiet --import "$work/server.asc" 2>/dev/null
echo "server-key: $server_fpr"

# Stage 0: the server must decrypt our nonce.
uuid=$(cat /proc/sys/kernel/random/uuid)
nonce="gpgauthv1.3.0|36|$uuid|gpgauthv1.3.0"
printf '%s' "$nonce" | g --armor --trust-model always --encrypt --recipient "$server_fpr" --sign --local-user "$fpr" > "$work/verify.asc"
post stage0 "data[gpg_auth][keyid]=$fpr" "data[gpg_auth][server_verify_token]@$work/verify.asc"
[ "$(header X-GPGAuth-Version "$work/stage0.h")" = "1.3.0" ] || fail "stage0: wrong X-GPGAuth-Version"
[ "$(header X-GPGAuth-Progress "$work/stage0.h")" = "stage0" ] || fail "stage0: wrong progress"
[ "$(header X-GPGAuth-Verify-Response "$work/stage0.h")" = "$nonce" ] || fail "stage0: the server did not echo our nonce"
echo "stage0: server verified"

# Stage 1: the user token, PHP-encoded: stripslashes first (urlencode leaves no other backslash), then urldecode.
post stage1 "data[gpg_auth][keyid]=$fpr"
[ "$(header X-GPGAuth-Progress "$work/stage1.h")" = "stage1" ] || fail "stage1: wrong progress"
encoded=$(header X-GPGAuth-User-Auth-Token "$work/stage1.h")
[ -n "$encoded" ] || fail "stage1: no X-GPGAuth-User-Auth-Token"
printf '%b' "$(printf '%s' "$encoded" | sed -e 's/\\\(.\)/\1/g' -e 's/+/ /g' -e 's/%\([0-9A-Fa-f][0-9A-Fa-f]\)/\\x\1/g')" > "$work/token.asc"
g --status-fd 3 --decrypt "$work/token.asc" 3> "$work/status" > "$work/token.txt" 2>/dev/null
grep -q "^\[GNUPG:\] GOODSIG " "$work/status" || fail "stage1: no good signature"
grep -q "^\[GNUPG:\] VALIDSIG $server_fpr " "$work/status" || fail "stage1: not signed by the server key"
token=$(cat "$work/token.txt")
printf '%s' "$token" | grep -Eq '^gpgauthv1\.3\.0\|36\|[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\|gpgauthv1\.3\.0$' || fail "stage1: bad token format"
echo "stage1: token decrypted, GOODSIG from $server_fpr"

# Stage 2: send it back.
post stage2 "data[gpg_auth][keyid]=$fpr" "data[gpg_auth][user_token_result]=$token"
status=$(head -n 1 "$work/stage2.h" | cut -d' ' -f2)
[ "$status" = "200" ] || fail "stage2: HTTP $status"
[ "$(header X-GPGAuth-Progress "$work/stage2.h")" = "complete" ] || fail "stage2: wrong progress"
[ "$(header X-GPGAuth-Authenticated "$work/stage2.h")" = "true" ] || fail "stage2: not authenticated"
cookie=$(header Set-Cookie "$work/stage2.h" | cut -d';' -f1)
echo "complete: $cookie"
curl -sS -f -H "Cookie: $cookie" "$server/v1/session"
echo
