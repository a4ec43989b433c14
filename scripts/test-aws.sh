#!/usr/bin/env bash
# npm run test:aws: the synthesized stack deployed to moto (CloudFormation), driven through its real bundles.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/moto-venv.sh
exec npx jest -c jest.aws.config.js "$@"
