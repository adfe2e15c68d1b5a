#!/usr/bin/env bash
# Prepares what the dashboard browser test needs; idempotent and fast when everything is present:
#   1. Debian chromium and a CJK font (fonts-noto-cjk) when missing (needs root; skipped with a note otherwise);
#   2. Solara's front-end assets from the npm registry into .cache/solara-assets (the test points
#      SOLARA_ASSETS_PROXY_CACHE_DIR there, so the page works without a public CDN).
# SOVAI_SKIP_BROWSER_SETUP=1 skips everything (the browser test then skips itself).
set -euo pipefail
[[ "${SOVAI_SKIP_BROWSER_SETUP:-0}" == 1 ]] && exit 0
cd "$(dirname "$0")/.."
ASSETS="${SOVAI_SOLARA_ASSETS:-$PWD/.cache/solara-assets}"
PKGS=("@widgetti/solara-vuetify-app@10.1.1" "requirejs@2.3.6" "font-awesome@4.5.0"
      "@widgetti/vue-grid-layout@2.3.13-alpha.2" "vega@5" "vega-lite@5" "vega-embed@6" "katex@0.16.9"
      "mermaid@10.8.0")

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
fc-list : family 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null || missing+=(fonts-noto-cjk)
if ((${#missing[@]})); then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    echo "setup_browser: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; }
  else
    echo "setup_browser: missing ${missing[*]} (need root + apt-get); the browser test will skip" >&2
  fi
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "setup_browser: npm not found; cannot fill $ASSETS (the browser test will skip)" >&2
  exit 0
fi
mkdir -p "$ASSETS"
for spec in "${PKGS[@]}"; do
  dest="$ASSETS/$spec"
  [[ -f "$dest/.complete" ]] && continue
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  echo "setup_browser: npm pack $spec"
  tarball=""
  for attempt in 1 2 3; do
    tarball=$(cd "$tmp" && npm pack --silent "$spec" 2>/dev/null | tail -1) && [[ -f "$tmp/$tarball" ]] && break
    tarball=""
    sleep "$attempt"
  done
  [[ -n "$tarball" ]] || { echo "setup_browser: npm pack $spec failed (npm registry unreachable?)" >&2; exit 1; }
  mkdir -p "$tmp/x"
  tar -xzf "$tmp/$tarball" -C "$tmp/x"
  rm -rf "$dest"
  mkdir -p "$(dirname "$dest")"
  mv "$tmp/x/package" "$dest"
  touch "$dest/.complete"
  rm -rf "$tmp"
  trap - EXIT
done
exit 0
