#!/usr/bin/env bash
# Refresh docs/screenshots/: the dashboard's browser test keeps a screenshot of every page it
# checks when SCREENSHOTS_DIR is set (needs /usr/bin/chromium; builds first).
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build
SCREENSHOTS_DIR="$PWD/docs/screenshots" npx vitest run test/web/dashboard.test.ts
