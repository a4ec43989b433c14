#!/usr/bin/env bash
# The AWS-parity tier's AWS emulator: moto in server mode, pinned, in a virtual environment of this
# repository (.venv/, git-ignored). Creates or repairs it; does nothing when the pinned version is there.
set -euo pipefail
cd "$(dirname "$0")/.."
MOTO_VERSION=5.2.6
if .venv/bin/python -c "import moto, sys; sys.exit(0 if moto.__version__ == '${MOTO_VERSION}' else 1)" 2>/dev/null \
  && [ -x .venv/bin/moto_server ]; then
  exit 0
fi
echo "installing moto[server]==${MOTO_VERSION} into .venv (first run only)" >&2
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check "moto[server]==${MOTO_VERSION}"
