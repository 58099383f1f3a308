#!/usr/bin/env bash
# Creates what docker-compose.yml mounts as secrets, in ${FLOW_SECRETS_DIR:-./.secrets} (git-ignored):
#   jwt-private.pem / jwt-public.pem   the token issuer's RSA key pair (the services get the public half)
#   dev-token                          a 12-hour admin token for project ${MITHRIL_DEFAULT_PROJECT:-flow-dev}
#   operator-token                     a 30-day flow-operator token: Prometheus scrapes /q/metrics with it
#   platform-ssh-key(.pub)             the platform SSH key: the log-streamer tails nodes and the submitter runs exec with it
# Register platform-ssh-key.pub in your Mithril project and put its fid in .env as FLOW_PLATFORM_SSH_KEY_FID.
# Needs openssl and ssh-keygen. Re-running keeps existing keys and only mints a new token.
set -euo pipefail
dir="${FLOW_SECRETS_DIR:-./.secrets}"
project="${MITHRIL_DEFAULT_PROJECT:-flow-dev}"
issuer="${FLOW_JWT_ISSUER:-https://flow.dev/dev-stack}"
audience="${FLOW_JWT_AUDIENCE:-flow-platform}"
umask 077
mkdir -p "$dir"
[[ -f "$dir/jwt-private.pem" ]] || openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/jwt-private.pem" 2>/dev/null
openssl pkey -in "$dir/jwt-private.pem" -pubout -out "$dir/jwt-public.pem"
[[ -f "$dir/platform-ssh-key" ]] || ssh-keygen -q -t ed25519 -N '' -C flow-platform -f "$dir/platform-ssh-key"
# the containers run as uid 185 and Compose (outside Swarm) bind-mounts secret files as they are: readable files in
# a directory only the owner can enter keep them private on the host
chmod 0644 "$dir/jwt-public.pem" "$dir/platform-ssh-key.pub" "$dir/platform-ssh-key"

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
now=$(date +%s)
header=$(printf '{"alg":"RS256","typ":"JWT"}' | b64url)
sign() { # <claims json> -> a signed RS256 JWT
  local payload signature
  payload=$(printf '%s' "$1" | b64url)
  signature=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -sign "$dir/jwt-private.pem" -binary | b64url)
  printf '%s.%s.%s\n' "$header" "$payload" "$signature"
}
# a tenant token (admin of its project); it does not carry flow-operator, so it cannot read /q/metrics
sign "$(printf '{"iss":"%s","aud":"%s","sub":"developer","upn":"developer","groups":["admin"],"projects":["%s"],"iat":%d,"exp":%d}' \
  "$issuer" "$audience" "$project" "$now" $((now + 43200)))" > "$dir/dev-token"
# the platform operator's token, for Prometheus to scrape /q/metrics (30 days; no project)
sign "$(printf '{"iss":"%s","aud":"%s","sub":"prometheus","upn":"prometheus","groups":["flow-operator"],"projects":[],"iat":%d,"exp":%d}' \
  "$issuer" "$audience" "$now" $((now + 2592000)))" > "$dir/operator-token"
echo "Secrets in $dir. Use the CLI with: export FLOW_TOKEN_FILE=$dir/dev-token"
