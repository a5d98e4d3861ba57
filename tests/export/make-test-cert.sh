#!/bin/sh
# make-test-cert.sh DIR — a fresh self-signed test certificate for ridge-test-server:
# DIR/cert.pem and DIR/key.pem (0600), P-256, valid two days, subjectAltName
# IP:127.0.0.1 and DNS:localhost. Made at test time, never committed.
set -eu
dir=${1:?usage: make-test-cert.sh DIR}
mkdir -p "$dir"
umask 077
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout "$dir/key.pem" -out "$dir/cert.pem" -days 2 -subj "/CN=localhost" \
  -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" 2>/dev/null
