#!/usr/bin/env bash
# Regenerates generated.jsonl and event-loop.jsonl: password-hash test vectors made by
# implementations independent of ours (Debian 12 "bookworm" packages), so our verifiers are
# checked against the tools that produce these hashes in the wild. Tests never run this
# script (CI has no PHP); its output is committed. Published vectors live in published.json.
#
# Needs (as root):
#   apt-get update && apt-get install -y php-cli python3-passlib python3-django python3-bcrypt \
#     python3-argon2 python3-cryptography whois apache2-utils argon2 openssl slapd
# and node + npm: the Drupal 7 vectors use the npm package drupal-hash (a port of Drupal 7's
# password.inc), installed into a temporary directory, not into the project.
#
# Each line: {"scheme", "hash", "params"?, "password", "wrong", "source"}: `password` must
# verify, `wrong` must not. Salts are random, so a rerun gives different (equally valid) lines.
set -euo pipefail
cd "$(dirname "$0")"

PY=/usr/bin/python3 # Debian's python (with the python3-* packages), not a pyenv one
OUT=generated.jsonl
SLOW=event-loop.jsonl
TMP=$(mktemp)
trap 'rm -f "$TMP"' EXIT

version() { dpkg-query -W -f='${Version}' "$1"; }
DEB="Debian 12"
MKPASSWD="mkpasswd (whois $(version whois), libxcrypt $(version libcrypt1)), $DEB"
OPENSSL="openssl passwd (OpenSSL $(version openssl)), $DEB"
HTPASSWD="htpasswd (apache2-utils $(version apache2-utils)), $DEB"
ARGON2CLI="argon2 CLI, reference implementation (argon2 $(version argon2)), $DEB"
SLAPPASSWD="slappasswd (OpenLDAP slapd $(version slapd), pw-sha2 module for SHA-2), $DEB"
PHP="PHP $(php -r 'echo PHP_VERSION;') password_hash(), $DEB"

# emit SCHEME HASH PASSWORD WRONG SOURCE [PARAMS_JSON]
emit() {
  "$PY" -c 'import json, sys
scheme, hash_, password, wrong, source = sys.argv[1:6]
record = {"scheme": scheme, "hash": hash_}
if len(sys.argv) > 6: record["params"] = json.loads(sys.argv[6])
record.update(password=password, wrong=wrong, source=source)
print(json.dumps(record, ensure_ascii=False))' "$@" >>"$TMP"
}

# ---------------------------------------------------------------- crypt(3): mkpasswd (libxcrypt)
emit sha512-crypt "$(mkpasswd -m sha512crypt 'password')" 'password' 'Password' "$MKPASSWD"
emit sha512-crypt "$(mkpasswd -m sha512crypt -R 1000 'pässwörd')" 'pässwörd' 'passwörd' "$MKPASSWD"
emit sha512-crypt "$(mkpasswd -m sha512crypt -R 12345 '密码🔑 with spaces')" '密码🔑 with spaces' '密码🔑' "$MKPASSWD"
emit sha256-crypt "$(mkpasswd -m sha256crypt 'password')" 'password' 'passwore' "$MKPASSWD"
emit sha256-crypt "$(mkpasswd -m sha256crypt -R 2000 'Ωμέγα-1')" 'Ωμέγα-1' 'Ωμέγα-2' "$MKPASSWD"
emit md5-crypt "$(mkpasswd -m md5crypt 'password')" 'password' 'password1' "$MKPASSWD"
emit md5-crypt "$(mkpasswd -m md5crypt 'pässwörd')" 'pässwörd' 'passwort' "$MKPASSWD"
emit des-crypt "$(mkpasswd -m descrypt 'secret12')" 'secret12' 'secret13' "$MKPASSWD"
# DES crypt reads 8 bytes: "secret12-and-more" verifies against the hash of "secret12".
emit des-crypt "$(mkpasswd -m descrypt 'secret12-and-more')" 'secret12' 'secret1' "$MKPASSWD"
emit bcrypt "$(mkpasswd -m bcrypt -R 5 'password')" 'password' 'passworD' "$MKPASSWD"
emit bcrypt "$(mkpasswd -m bcrypt-a -R 5 'pässwörd')" 'pässwörd' 'pässword' "$MKPASSWD"

# ---------------------------------------------------------------- openssl passwd
emit md5-crypt "$(openssl passwd -1 'correct horse battery staple')" 'correct horse battery staple' 'correct horse battery' "$OPENSSL"
emit apr1 "$(openssl passwd -apr1 'password')" 'password' 'passw0rd' "$OPENSSL"
emit apr1 "$(openssl passwd -apr1 'pässwörd 密码')" 'pässwörd 密码' 'pässwörd' "$OPENSSL"
emit sha256-crypt "$(openssl passwd -5 'correct horse battery staple')" 'correct horse battery staple' 'Correct horse battery staple' "$OPENSSL"
emit sha512-crypt "$(openssl passwd -6 -salt 'sixteencharsalt!' 'password')" 'password' 'password!' "$OPENSSL"

# ---------------------------------------------------------------- htpasswd (user:hash lines)
emit apr1 "$(htpasswd -nbm user 'password' | cut -d: -f2-)" 'password' 'pass' "$HTPASSWD"
emit bcrypt "$(htpasswd -nbB -C 5 user 'pässwörd' | cut -d: -f2-)" 'pässwörd' 'pässwörd!' "$HTPASSWD"
emit ldap-sha "$(htpasswd -nbs user 'password' | cut -d: -f2-)" 'password' 'password2' "$HTPASSWD"
emit des-crypt "$(htpasswd -nbd user 'pass1234' | cut -d: -f2-)" 'pass1234' 'pass1235' "$HTPASSWD"

# ---------------------------------------------------------------- PHP password_hash (bcrypt $2y$)
php_bcrypt() { php -r 'echo password_hash($argv[1], PASSWORD_BCRYPT, ["cost" => (int)$argv[2]]);' -- "$1" "$2"; }
emit bcrypt "$(php_bcrypt 'password' 5)" 'password' 'password ' "$PHP"
emit bcrypt "$(php_bcrypt 'Ωμέγα 密码 🔑' 4)" 'Ωμέγα 密码 🔑' 'Ωμέγα 密码' "$PHP"
# bcrypt reads 72 bytes: the 80-byte password verifies with only its first 72 bytes.
LONG=$(printf 'x%.0s' {1..72})
emit bcrypt "$(php_bcrypt "${LONG}12345678" 4)" "${LONG}different" "${LONG:0:71}" "$PHP"
emit bcrypt "$(php_bcrypt 'realistic cost' 12)" 'realistic cost' 'realistic-cost' "$PHP (realistic cost 12)"

# WordPress 6.8 wp_hash_password() (wp-includes/pluggable.php): '$wp' . password_hash(
#   base64_encode(hash_hmac('sha384', trim($password), 'wp-sha384', true)), PASSWORD_BCRYPT).
wp_hash() {
  php -r 'echo "\$wp" . password_hash(base64_encode(hash_hmac("sha384", trim($argv[1]), "wp-sha384", true)), PASSWORD_BCRYPT, ["cost" => (int)$argv[2]]);' -- "$1" "$2"
}
WP="WordPress 6.8 wp_hash_password() formula run with $PHP"
emit wordpress-bcrypt "$(wp_hash 'password' 5)" 'password' 'Password' "$WP"
emit wordpress-bcrypt "$(wp_hash 'pässwörd 密码' 4)" 'pässwörd 密码' 'pässwörd' "$WP"
# The HMAC pre-hash keeps bytes past 72 significant (plain bcrypt would ignore them).
emit wordpress-bcrypt "$(wp_hash "${LONG}12345678" 4)" "${LONG}12345678" "${LONG}12345679" "$WP"
# WordPress trims the password when hashing and at login (wp_authenticate).
emit wordpress-bcrypt "$(wp_hash '  padded  ' 4)" '  padded  ' 'padded!' "$WP"
emit wordpress-bcrypt "$(wp_hash 'realistic cost' 10)" 'realistic cost' 'realistic-cost' "$WP (WordPress default cost 10)"

# ---------------------------------------------------------------- argon2 reference CLI
argon2_cli() { printf '%s' "$1" | argon2 "$2" "${@:3}" -e; }
emit argon2id "$(argon2_cli 'password' 'somesalt' -id -t 2 -k 1024 -p 1 -l 32)" 'password' 'passwore' "$ARGON2CLI"
emit argon2id "$(argon2_cli 'pässwörd 密码' 'saltsaltsalt' -id -t 1 -k 2048 -p 2 -l 16)" 'pässwörd 密码' 'pässwörd' "$ARGON2CLI"
emit argon2i "$(argon2_cli 'password' 'somesalt' -i -t 3 -k 512 -p 1 -l 32)" 'password' 'Password' "$ARGON2CLI"
emit argon2i "$(argon2_cli 'password' 'somesalt' -i -t 2 -k 256 -p 1 -l 32 -v 10)" 'password' 'password1' "$ARGON2CLI (version 0x10)"
emit argon2d "$(argon2_cli 'password' 'somesalt' -d -t 2 -k 1024 -p 2 -l 24)" 'password' 'passwor' "$ARGON2CLI"
emit argon2d "$(argon2_cli 'Ωμέγα' 'anothersalt' -d -t 1 -k 512 -p 1 -l 32 -v 10)" 'Ωμέγα' 'Ωμεγα' "$ARGON2CLI (version 0x10)"
emit argon2i "$(argon2_cli 'realistic cost' 'realsalt1234' -i -t 3 -m 16 -p 4 -l 32)" 'realistic cost' 'realistic-cost' "$ARGON2CLI (realistic: 64 MiB, t=3, p=4)"
emit argon2d "$(argon2_cli 'realistic cost' 'realsalt1234' -d -t 3 -m 16 -p 4 -l 32)" 'realistic cost' 'realistic-cost' "$ARGON2CLI (realistic: 64 MiB, t=3, p=4)"

# ---------------------------------------------------------------- slappasswd (OpenLDAP)
slap() { slappasswd -o module-path=/usr/lib/ldap -o module-load=pw-sha2.la "$@"; }
emit ldap-ssha "$(slap -h '{SSHA}' -s 'password')" 'password' 'passworD' "$SLAPPASSWD"
emit ldap-ssha "$(slap -h '{SSHA}' -s 'pässwörd 密码')" 'pässwörd 密码' 'pässwörd' "$SLAPPASSWD"
emit ldap-sha "$(slap -h '{SHA}' -s 'Ωμέγα')" 'Ωμέγα' 'Ωμέγ' "$SLAPPASSWD"
emit ldap-smd5 "$(slap -h '{SMD5}' -s 'password')" 'password' 'password1' "$SLAPPASSWD"
emit ldap-md5 "$(slap -h '{MD5}' -s 'pässwörd')" 'pässwörd' 'passwörd' "$SLAPPASSWD"
emit ldap-sha256 "$(slap -h '{SHA256}' -s 'password')" 'password' 'Password' "$SLAPPASSWD"
emit ldap-ssha256 "$(slap -h '{SSHA256}' -s 'pässwörd')" 'pässwörd' 'pässwörd ' "$SLAPPASSWD"
emit ldap-sha384 "$(slap -h '{SHA384}' -s 'password')" 'password' 'password ' "$SLAPPASSWD"
emit ldap-ssha384 "$(slap -h '{SSHA384}' -s '密码')" '密码' '密' "$SLAPPASSWD"
emit ldap-sha512 "$(slap -h '{SHA512}' -s 'password')" 'password' 'passwort' "$SLAPPASSWD"
emit ldap-ssha512 "$(slap -h '{SSHA512}' -s 'pässwörd')" 'pässwörd' 'passwörd' "$SLAPPASSWD"
emit ldap-crypt "$(slap -h '{CRYPT}' -c '$6$rounds=1000$%.16s' -s 'password')" 'password' 'passwore' "$SLAPPASSWD"
emit ldap-crypt "$(slap -h '{CRYPT}' -c '$1$%.8s' -s 'pässwörd')" 'pässwörd' 'pässword' "$SLAPPASSWD"
emit ldap-crypt "$(slap -h '{CRYPT}' -c '$5$%.16s' -s 'password')" 'password' 'passwor' "$SLAPPASSWD"
emit ldap-crypt "$(slap -h '{CRYPT}' -c '$2b$05$%.22s' -s 'password')" 'password' 'Password' "$SLAPPASSWD"
emit ldap-crypt "$(slap -h '{CRYPT}' -c '%.2s' -s 'password')" 'password' 'passwor' "$SLAPPASSWD (DES crypt)"

# ---------------------------------------------------------------- Python: passlib, Django, bcrypt, argon2-cffi, hashlib
"$PY" - >>"$TMP" <<'PYTHON'
import base64, hashlib, json, os, struct
import argon2, bcrypt, cryptography, django, passlib
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from passlib import hash as ph

DEB = "Debian 12"
PASSLIB = f"passlib {passlib.__version__} (python3-passlib), {DEB}"
DJANGO = f"Django {django.get_version()} make_password (python3-django), {DEB}"
BCRYPT = f"python bcrypt {bcrypt.__version__} (python3-bcrypt), {DEB}"
ARGON2 = f"argon2-cffi {argon2.__version__} (python3-argon2), {DEB}"

def emit(scheme, hash_, password, wrong, source, params=None):
    record = {"scheme": scheme, "hash": hash_}
    if params is not None:
        record["params"] = params
    record.update(password=password, wrong=wrong, source=source)
    print(json.dumps(record, ensure_ascii=False))

# python bcrypt
emit("bcrypt", bcrypt.hashpw(b"password", bcrypt.gensalt(4)).decode(), "password", "password1", BCRYPT)
emit("bcrypt", bcrypt.hashpw("密码🔑".encode(), bcrypt.gensalt(4, prefix=b"2a")).decode(), "密码🔑", "密码", BCRYPT)
emit("bcrypt", bcrypt.hashpw(b"", bcrypt.gensalt(4)).decode(), "", " ", BCRYPT + " (empty password)")

# passlib PBKDF2 (ab64) — small rounds, plus passlib's defaults as the realistic case
for scheme, handler in [("passlib-pbkdf2-sha1", ph.pbkdf2_sha1), ("passlib-pbkdf2-sha256", ph.pbkdf2_sha256), ("passlib-pbkdf2-sha512", ph.pbkdf2_sha512)]:
    emit(scheme, handler.using(rounds=1000).hash("password"), "password", "Password", PASSLIB)
    emit(scheme, handler.using(rounds=1200, salt_size=8).hash("pässwörd 密码"), "pässwörd 密码", "pässwörd", PASSLIB)
    emit(scheme, handler.hash("realistic cost"), "realistic cost", "realistic-cost", PASSLIB + f" (default rounds {handler.default_rounds})")

# passlib scrypt
emit("scrypt", ph.scrypt.using(rounds=10, block_size=8, parallelism=1).hash("password"), "password", "passwore", PASSLIB)
emit("scrypt", ph.scrypt.using(rounds=8, block_size=4, parallelism=2).hash("Ωμέγα 密码"), "Ωμέγα 密码", "Ωμέγα", PASSLIB)
emit("scrypt", ph.scrypt.hash("realistic cost"), "realistic cost", "realistic-cost", PASSLIB + " (default ln=16, r=8, p=1)")

# passlib phpass ($P$ and phpBB3's $H$)
emit("phpass", ph.phpass.using(rounds=8).hash("password"), "password", "passwore", PASSLIB)
emit("phpass", ph.phpass.using(rounds=10, ident="H").hash("pässwörd 密码"), "pässwörd 密码", "pässwörd", PASSLIB)
emit("phpass", ph.phpass.hash("realistic cost"), "realistic cost", "realistic-cost", PASSLIB + " (default rounds 2^19)")

# passlib crypt family (builtin backends)
emit("md5-crypt", ph.md5_crypt.hash("Ωμέγα"), "Ωμέγα", "Ωμέγ", PASSLIB)
emit("apr1", ph.apr_md5_crypt.hash("密码"), "密码", "密", PASSLIB)
emit("sha256-crypt", ph.sha256_crypt.using(rounds=1500).hash("pässwörd"), "pässwörd", "passwörd", PASSLIB)
emit("sha512-crypt", ph.sha512_crypt.using(rounds=5000).hash(""), "", "x", PASSLIB + " (empty password)")
emit("des-crypt", ph.des_crypt.hash("abc"), "abc", "abd", PASSLIB)
# Passwords are hashed as given: the decomposed (NFD) spelling of the same text must not match.
emit("sha256-crypt", ph.sha256_crypt.using(rounds=1000).hash("caf\u00e9"), "caf\u00e9", "cafe\u0301", PASSLIB + " (NFC password, NFD wrong)")

# passlib LDAP forms ({CRYPT} wrappers included)
emit("ldap-ssha", ph.ldap_salted_sha1.using(salt_size=16).hash("password"), "password", "password1", PASSLIB + " (16-byte salt)")
emit("ldap-smd5", ph.ldap_salted_md5.hash("pässwörd"), "pässwörd", "passwörd", PASSLIB)
emit("ldap-ssha256", ph.ldap_salted_sha256.hash("password"), "password", "passwore", PASSLIB)
emit("ldap-ssha512", ph.ldap_salted_sha512.hash("密码"), "密码", "码", PASSLIB)
emit("ldap-md5", ph.ldap_md5.hash("password"), "password", "passwor", PASSLIB)
emit("ldap-crypt", ph.ldap_sha512_crypt.using(rounds=5000).hash("Ωμέγα"), "Ωμέγα", "Ωμέγ", PASSLIB)
# RFC 2307 scheme names are case-insensitive.
emit("ldap-ssha", "{ssha}" + ph.ldap_salted_sha1.hash("lower case")[6:], "lower case", "lower-case", PASSLIB + " (prefix lower-cased)")
emit("ldap-crypt", "{crypt}" + ph.ldap_md5_crypt.hash("lower case")[7:], "lower case", "lower-case", PASSLIB + " (prefix lower-cased)")

# Django's own hashers
from django.conf import settings
settings.configure(PASSWORD_HASHERS=[
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.BCryptPasswordHasher",
])
django.setup()
from django.contrib.auth import hashers as dh

class FastPBKDF2(dh.PBKDF2PasswordHasher):
    iterations = 1000
class FastPBKDF2SHA1(dh.PBKDF2SHA1PasswordHasher):
    iterations = 1000
class FastArgon2(dh.Argon2PasswordHasher):
    time_cost, memory_cost, parallelism = 1, 1024, 1
class FastBCryptSHA256(dh.BCryptSHA256PasswordHasher):
    rounds = 4
class FastBCrypt(dh.BCryptPasswordHasher):
    rounds = 4

def django_cases(scheme, fast, default):
    emit(scheme, fast().encode("password", fast().salt()), "password", "Password", DJANGO)
    emit(scheme, fast().encode("pässwörd 密码", fast().salt()), "pässwörd 密码", "pässwörd", DJANGO)
    emit(scheme, default().encode("realistic cost", default().salt()), "realistic cost", "realistic-cost", DJANGO + " (default cost)")

django_cases("django-pbkdf2-sha256", FastPBKDF2, dh.PBKDF2PasswordHasher)
django_cases("django-pbkdf2-sha1", FastPBKDF2SHA1, dh.PBKDF2SHA1PasswordHasher)
django_cases("django-argon2", FastArgon2, dh.Argon2PasswordHasher)
django_cases("django-bcrypt-sha256", FastBCryptSHA256, dh.BCryptSHA256PasswordHasher)
django_cases("django-bcrypt", FastBCrypt, dh.BCryptPasswordHasher)
# bcrypt_sha256 pre-hashes, so bytes past 72 still count (plain bcrypt would ignore them).
long_password = "y" * 80
emit("django-bcrypt-sha256", FastBCryptSHA256().encode(long_password, FastBCryptSHA256().salt()), long_password, "y" * 79 + "z", DJANGO)

# argon2-cffi
fast = argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
emit("argon2id", fast.hash("Ωμέγα"), "Ωμέγα", "Ωμέγ", ARGON2)
emit("argon2i", argon2.PasswordHasher(time_cost=2, memory_cost=512, parallelism=2, type=argon2.Type.I).hash("密码"), "密码", "码", ARGON2)
emit("argon2d", argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=argon2.Type.D).hash("password"), "password", "passwore", ARGON2)
default = argon2.PasswordHasher()
emit("argon2id", default.hash("realistic cost"), "realistic cost", "realistic-cost",
     ARGON2 + f" (default m={default.memory_cost} KiB, t={default.time_cost}, p={default.parallelism})")

# ASP.NET Identity blobs, packed as dotnet/aspnetcore's PasswordHasher.cs lays them out,
# with Python's hashlib.pbkdf2_hmac doing the PBKDF2 (published blobs are in published.json).
ASPNET = "hashlib.pbkdf2_hmac (Python " + ".".join(map(str, __import__("sys").version_info[:3])) + f") packed per aspnetcore PasswordHasher.cs, {DEB}"
def aspnet_v2(password):
    salt = os.urandom(16)
    subkey = hashlib.pbkdf2_hmac("sha1", password.encode(), salt, 1000, 32)
    return base64.b64encode(b"\x00" + salt + subkey).decode()
def aspnet_v3(password, prf, iterations, salt_len, subkey_len):
    digest = ["sha1", "sha256", "sha512"][prf]
    salt = os.urandom(salt_len)
    subkey = hashlib.pbkdf2_hmac(digest, password.encode(), salt, iterations, subkey_len)
    return base64.b64encode(b"\x01" + struct.pack(">III", prf, iterations, salt_len) + salt + subkey).decode()
emit("aspnet-identity-v2", aspnet_v2("password"), "password", "Password", ASPNET)
emit("aspnet-identity-v2", aspnet_v2("pässwörd 密码"), "pässwörd 密码", "pässwörd", ASPNET)
emit("aspnet-identity-v3", aspnet_v3("password", 1, 10000, 16, 32), "password", "passwore", ASPNET + " (Identity 3 defaults)")
emit("aspnet-identity-v3", aspnet_v3("Ωμέγα 密码", 2, 100000, 16, 32), "Ωμέγα 密码", "Ωμέγα", ASPNET + " (Identity 8 defaults: SHA-512, 100000)")
emit("aspnet-identity-v3", aspnet_v3("password", 0, 500, 32, 64), "password", "passworD", ASPNET)

# Firebase modified scrypt, computed per github.com/firebase/scrypt's README with hashlib.scrypt
# and python3-cryptography's AES-256-CTR (the README's own vector is in published.json).
FIREBASE = f"hashlib.scrypt + cryptography {cryptography.__version__} AES-256-CTR per firebase/scrypt README, {DEB}"
def firebase(password, salt, signer_key, separator, rounds, mem_cost):
    key = hashlib.scrypt(password.encode(), salt=salt + separator, n=2 ** mem_cost, r=rounds, p=1, dklen=32)
    encryptor = Cipher(algorithms.AES(key), modes.CTR(b"\x00" * 16)).encryptor()
    return base64.b64encode(encryptor.update(signer_key) + encryptor.finalize()).decode()
for password, wrong, rounds, mem_cost in [("pässwörd 密码", "pässwörd", 8, 10), ("password", "Password", 4, 8)]:
    salt, signer_key, separator = os.urandom(12), os.urandom(64), b"\x07"
    params = {"algorithm": "firebase-scrypt", "salt": base64.b64encode(salt).decode(),
              "signerKey": base64.b64encode(signer_key).decode(), "saltSeparator": base64.b64encode(separator).decode(),
              "rounds": rounds, "memCost": mem_cost}
    emit("firebase-scrypt", firebase(password, salt, signer_key, separator, rounds, mem_cost), password, wrong, FIREBASE, params)
PYTHON

# ---------------------------------------------------------------- Drupal 7: drupal-hash (npm)
DRUPAL_DIR=$(mktemp -d)
npm install --prefix "$DRUPAL_DIR" --ignore-scripts --no-audit --no-fund --silent drupal-hash@1.0.4
DRUPAL="drupal-hash 1.0.4 (npm; port of Drupal 7 includes/password.inc)"
drupal_hash() { NODE_PATH="$DRUPAL_DIR/node_modules" node -e 'process.stdout.write(require("drupal-hash").hashPassword(process.argv[1], Number(process.argv[2])))' "$1" "$2"; }
md5_hex() { printf '%s' "$1" | md5sum | cut -d' ' -f1; }
emit drupal7 "$(drupal_hash 'pässwörd 密码' 8)" 'pässwörd 密码' 'pässwörd' "$DRUPAL"
emit drupal7 "$(drupal_hash 'password' 10)" 'password' 'Password' "$DRUPAL"
emit drupal7 "$(drupal_hash 'realistic cost' 15)" 'realistic cost' 'realistic-cost' "$DRUPAL (Drupal 7 default 2^15)"
# user_update_7000(): 'U' . user_hash_password(md5($password)).
emit drupal7-upgraded-md5 "U$(drupal_hash "$(md5_hex 'Ωμέγα old')" 7)" 'Ωμέγα old' 'Ωμέγα' "$DRUPAL, 'U' . hash(md5(password)) as user_update_7000()"
rm -rf "$DRUPAL_DIR"

mv "$TMP" "$OUT"
trap - EXIT

# A deliberately slow hash for the event-loop test (sha512crypt, 500000 rounds).
SLOW_TMP=$(mktemp)
TMP=$SLOW_TMP
emit sha512-crypt "$(mkpasswd -m sha512crypt -R 500000 'slow password')" 'slow password' 'slow passwore' "$MKPASSWD (500000 rounds)"
mv "$SLOW_TMP" "$SLOW"
echo "wrote $(wc -l <"$OUT") vectors to $OUT and $(wc -l <"$SLOW") to $SLOW"
