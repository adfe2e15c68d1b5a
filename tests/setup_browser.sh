#!/usr/bin/env bash
# Prepares what the dashboard browser test needs; idempotent and fast when everything is present:
#   1. Debian chromium >= MIN_CHROMIUM and a CJK font (fonts-noto-cjk), installed when missing or too old
#      (needs root + apt-get; the package lists are refreshed first, since a stale list offers an old build).
#      Debian's security archive keeps only its current Chromium build, so an exact version cannot be pinned;
#      the minimum is the first version that sends Playwright's emulated locale on the WebSocket handshake too.
#   2. Solara's front-end assets from the npm registry into .cache/solara-assets, at the exact versions and
#      integrity hashes of tests/browser_assets.lock (the test points SOLARA_ASSETS_PROXY_CACHE_DIR there).
# With CI=true anything missing is an error (exit 1), so a green CI always includes the browser test;
# otherwise it is a warning and the browser test skips. SOVAI_SKIP_BROWSER_SETUP=1 skips this script.
set -euo pipefail
[[ "${SOVAI_SKIP_BROWSER_SETUP:-0}" == 1 ]] && exit 0
cd "$(dirname "$0")/.."
ASSETS="${SOVAI_SOLARA_ASSETS:-$PWD/.cache/solara-assets}"
MIN_CHROMIUM=151
STRICT=$([[ "${CI:-}" == true ]] && echo 1 || echo 0)

problem() {  # an error under CI, a warning otherwise
  if ((STRICT)); then echo "setup_browser: error: $*" >&2; exit 1; fi
  echo "setup_browser: warning: $* (the browser test will skip)" >&2
}

chromium_major() { chromium --version 2>/dev/null | grep -oE '[0-9]+' | head -1 || true; }

missing=()
major=$(chromium_major)
if [[ -z "$major" || "$major" -lt "$MIN_CHROMIUM" ]]; then missing+=(chromium); fi
fc-list : family 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null || missing+=(fonts-noto-cjk)
if ((${#missing[@]})); then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    echo "setup_browser: installing ${missing[*]} (chromium now: ${major:-none}, need >= $MIN_CHROMIUM)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  fi
  major=$(chromium_major)
  [[ -n "$major" && "$major" -ge "$MIN_CHROMIUM" ]] \
    || problem "chromium >= $MIN_CHROMIUM needed, found ${major:-none} (apt-get install chromium as root)"
  fc-list : family 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null \
    || problem "no CJK font (apt-get install fonts-noto-cjk as root)"
fi

command -v npm >/dev/null 2>&1 || { problem "npm not found; cannot fill $ASSETS"; exit 0; }
mkdir -p "$ASSETS"
while read -r folder spec integrity; do
  [[ -z "$folder" || "$folder" == \#* ]] && continue
  dest="$ASSETS/$folder"
  [[ -f "$dest/.complete" && "$(cat "$dest/.complete")" == "$integrity" ]] && continue
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  echo "setup_browser: npm pack $spec"
  tarball=""
  for attempt in 1 2 3; do
    tarball=$(cd "$tmp" && npm pack --silent "$spec" 2>/dev/null | tail -1) && [[ -f "$tmp/$tarball" ]] && break
    tarball=""
    sleep "$attempt"
  done
  [[ -n "$tarball" ]] || { problem "npm pack $spec failed (npm registry unreachable?)"; exit 0; }
  got="sha512-$(openssl dgst -sha512 -binary "$tmp/$tarball" | base64 -w0)"
  [[ "$got" == "$integrity" ]] || { echo "setup_browser: error: $spec integrity $got, lock says $integrity" >&2; exit 1; }
  mkdir -p "$tmp/x"
  tar -xzf "$tmp/$tarball" -C "$tmp/x"
  rm -rf "$dest"
  mkdir -p "$(dirname "$dest")"
  mv "$tmp/x/package" "$dest"
  echo "$integrity" > "$dest/.complete"
  rm -rf "$tmp"
  trap - EXIT
done < tests/browser_assets.lock
exit 0
