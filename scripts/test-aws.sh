#!/usr/bin/env bash
# npm run test:aws: the synthesized stack deployed to moto (CloudFormation), driven through its real bundles.
# moto[server] is pinned in scripts/requirements-tools.txt and installed into .venv by scripts/python-tools.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/python-tools.sh >/dev/null
exec npx jest -c jest.aws.config.js "$@"
