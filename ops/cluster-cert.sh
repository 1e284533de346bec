#!/usr/bin/env bash
# Makes the cluster certificate: one self-signed certificate (EC P-256, 10 years) that every node of the cluster
# holds. Nodes talk TLS to each other and accept only a peer that presents this very certificate, so a node
# without it cannot join (see README, "Several servers").
#
#   ops/cluster-cert.sh DIR [NAME]
#
# Writes DIR/cluster.pfx (PKCS#12: certificate and private key) and DIR/cluster.password (its random password),
# both owner-only (0600; DIR too when this makes it); prints the flags a node takes. Refuses to overwrite an existing
# certificate: a new one means every node must get it before it restarts. Copy both files to each server over a
# channel you trust (scp), never through the command line of a process.
set -euo pipefail

die() { echo "cluster-cert.sh: $*" >&2; exit 1; }
[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: ops/cluster-cert.sh DIR [NAME]" >&2; exit 2; }
dir=$1
name=${2:-vmc-cluster}
[[ "$name" =~ ^[A-Za-z0-9._-]{1,63}$ ]] || die "NAME '$name' must be letters, digits, '.', '_' or '-' (at most 63)"
command -v openssl >/dev/null || die "openssl is not installed (apt-get install openssl)"
[ ! -e "$dir/cluster.pfx" ] || die "$dir/cluster.pfx exists; remove it first if you mean to replace the cluster certificate"

umask 077 # a new DIR and every file in it: owner-only
mkdir -p "$dir"
work=$(mktemp -d "$dir/.cert.XXXXXX")
trap 'rm -rf "$work"' EXIT

openssl rand -hex 32 >"$work/password"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 -subj "/CN=$name" \
  -addext "basicConstraints=critical,CA:FALSE" -addext "extendedKeyUsage=serverAuth,clientAuth" \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null || die "openssl could not make the certificate"
openssl pkcs12 -export -inkey "$work/key.pem" -in "$work/cert.pem" -name "$name" \
  -passout "file:$work/password" -out "$work/cluster.pfx" || die "openssl could not write the PKCS#12 file"

mv "$work/password" "$dir/cluster.password"
mv "$work/cluster.pfx" "$dir/cluster.pfx"
chmod 0600 "$dir/cluster.pfx" "$dir/cluster.password"
fingerprint=$(openssl x509 -in "$work/cert.pem" -noout -fingerprint -sha1 | cut -d= -f2 | tr -d :)
echo "cluster-cert.sh: wrote $dir/cluster.pfx (CN=$name, SHA-1 thumbprint $fingerprint) and $dir/cluster.password (mode 0600)" >&2
echo "--cluster-cert $dir/cluster.pfx --cluster-cert-password-file $dir/cluster.password"
