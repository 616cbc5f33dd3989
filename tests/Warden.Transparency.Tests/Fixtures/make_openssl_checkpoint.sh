#!/usr/bin/env bash
# Makes the OpenSSL-side checkpoint fixtures: a throwaway P-256 key (the private half is deleted at the end), its key id
# computed by OpenSSL (SHA-256 of the SubjectPublicKeyInfo DER, first 4 bytes), and a checkpoint signed with
# `openssl dgst -sha256 -sign` (an ASN.1 DER ECDSA signature), so the tests check Warden against an independent
# implementation rather than against itself. The checkpoint's root is the RFC 6962 root of the 8 reference leaves.
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
key="$work/key.pem"
openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt -out "$key"
openssl pkey -in "$key" -pubout -out openssl-test-key.pub.pem
keyid=$(openssl pkey -in "$key" -pubout -outform DER | openssl dgst -sha256 -binary | head -c 4 | xxd -p)
root_b64=$(printf '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328' | xxd -r -p | base64 -w0)
printf 'example.com/warden-test\n8\n%s\n' "$root_b64" > "$work"/checkpoint-body.txt
openssl dgst -sha256 -sign "$key" -out "$work"/checkpoint.sig "$work"/checkpoint-body.txt
sig_b64=$( { printf '%s' "$keyid" | xxd -r -p; cat "$work"/checkpoint.sig; } | base64 -w0)
{ cat "$work"/checkpoint-body.txt; printf '\n\xe2\x80\x94 example.com/warden-test %s\n' "$sig_b64"; } > openssl-checkpoint.txt
printf '{\n  "keyName": "example.com/warden-test",\n  "keyIdHex": "%s"\n}\n' "$keyid" > openssl-checkpoint.json
