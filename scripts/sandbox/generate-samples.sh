#!/usr/bin/env bash
# Regenerates sample-users.jsonl for the sandbox with independent, reference implementations from Debian 12
# (php-cli, argon2, python3-django, mkpasswd, slappasswd, python3 hashlib). Not run by tests or npm start:
# the committed file is what they use. Needs: apt-get install php-cli argon2 python3-django whois slapd
set -euo pipefail
out="$(dirname "$0")/sample-users.jsonl"
bcrypt() { php -r 'echo password_hash($argv[1], PASSWORD_BCRYPT, ["cost" => 10]);' "$1"; }
argon2id() { printf '%s' "$1" | argon2 "$(head -c 12 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 16)" -id -t 3 -m 14 -p 1 -e; }
django() { /usr/bin/python3 -c 'import sys; from django.conf import settings; settings.configure(); from django.contrib.auth.hashers import make_password; print(make_password(sys.argv[1], hasher="pbkdf2_sha256"), end="")' "$1"; }
aspnet_v3() { /usr/bin/python3 -c '
import sys, os, hashlib, struct, base64
salt = os.urandom(16)
sub = hashlib.pbkdf2_hmac("sha512", sys.argv[1].encode(), salt, 100000, 32)
print(base64.b64encode(b"\x01" + struct.pack(">III", 2, 100000, 16) + salt + sub).decode(), end="")' "$1"; }
sha512crypt() { mkpasswd -m sha-512 "$1"; }
md5crypt() { mkpasswd -m md5 "$1"; }
ssha() { slappasswd -h '{SSHA}' -s "$1"; }
line() { /usr/bin/python3 -c 'import json,sys; r={"username":sys.argv[1],"hash":sys.argv[2]}; r.update(json.loads(sys.argv[3])); print(json.dumps(r))' "$@"; }
{
  echo '# Sample legacy export for `npm start` (sandbox). Passwords are in sample-sign-ins.json; made by generate-samples.sh.'
  line 'alice@contoso.com'  "$(bcrypt 'Sunflower-2019!')"      '{"displayName":"Alice Smith","givenName":"Alice","surname":"Smith"}'
  line 'Bob@Contoso.com'    "$(argon2id 'Blue-Whale-88')"      '{"displayName":"Bob Jones","givenName":"Bob","surname":"Jones"}'
  line 'carol@contoso.com'  "$(django 'Maple#Leaf7')"          '{"givenName":"Carol","surname":"Nguyen"}'
  line 'dave@contoso.com'   "$(aspnet_v3 'Dave-Pass-2020')"    '{}'
  line 'erin@contoso.com'   "$(sha512crypt 'Erin.Secure9')"    '{}'
  line 'frank@contoso.com'  "$(md5crypt 'sunshine')"           '{}'
  line 'grace@contoso.com'  "$(ssha 'Grace-Hopper-1906')"      '{"status":"disabled"}'
  line 'heidi@contoso.com'  "$(bcrypt 'Heidi-Alps-42')"        '{"mustChangePassword":true,"displayName":"Heidi Keller"}'
  line 'ivan@contoso.com'   "$(sha512crypt 'Ivan-Terrible-1')" '{}'
  line 'judy@contoso.com'   "$(aspnet_v3 'Judy-Tulip-2017')"   '{}'
} > "$out"
echo "wrote $out"
