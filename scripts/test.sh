#!/usr/bin/env bash
# Runs every Warden test on a fresh Debian machine with the .NET SDK.
# Installs what the tests need when it is missing (Debian's postgresql server and chromium), then runs
# `dotnet test` on the whole solution. The tests start their own throwaway PostgreSQL cluster on a free
# loopback port (as the postgres user when run as root) and drive /usr/bin/chromium headless; nothing
# listens beyond 127.0.0.1. Set WARDEN_TEST_POSTGRES to an admin connection string to use an existing server.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" > /dev/null || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing test dependencies: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
fi

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT
status=0
dotnet test Warden.slnx --nologo --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results" || status=$?

# One closing line that any CI can read: "N passed, N failed, N skipped".
passed=0; failed=0; total=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<< "$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<< "$counters")
  t=$(sed -n 's/.*total="\([0-9]*\)".*/\1/p' <<< "$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); total=$((total + ${t:-0}))
done
skipped=$((total - passed - failed))
if [ "$total" -eq 0 ] && [ "$status" -eq 0 ]; then
  echo "no tests ran"; exit 1
fi
echo "Tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$status"
