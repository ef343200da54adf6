#!/usr/bin/env bash
# Writes README's two screenshots from the samples: the report's overview and the stolen
# key's incident page, as a reviewer sees them (headless Chromium, 1280 px wide).
# Usage: docs/screenshots.sh  (from a checkout with Swift and chromium; takes a minute)
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
swift run -c release tokentrail scan samples --policy samples/policy.json --db "$out/db.sqlite" --report "$out/report" --quiet
incident=$(sqlite3 "$out/db.sqlite" "SELECT id FROM incidents ORDER BY CASE severity WHEN 'critical' THEN 0 ELSE 1 END, first_seen LIMIT 1")
shoot() {   # page, png, height
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,"$3" \
    --screenshot="$2" "file://$out/report/$1" 2>/dev/null
}
shoot index.html docs/overview.png 1500
shoot "incident-${incident#inc-}.html" docs/incident-page.png 1700
echo "wrote docs/overview.png and docs/incident-page.png (incident $incident)"
