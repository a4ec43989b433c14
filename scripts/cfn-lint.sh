#!/usr/bin/env bash
# cfn-lint (pinned, scripts/requirements-tools.txt) over the synthesized template: any error or warning
# fails, except the warnings .cfnlintrc.yaml keeps, each with its reason there.
# Run after `npx cdk synth` (it reads cdk.out).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$("$root/scripts/python-tools.sh")"
shopt -s nullglob
templates=("$root"/cdk.out/*.template.json)
if [ ${#templates[@]} -eq 0 ]; then echo "cfn-lint: no template in cdk.out; run npx cdk synth first" >&2; exit 2; fi
cd "$root"
"$bin/cfn-lint" --non-zero-exit-code informational -- "${templates[@]}"
echo "cfn-lint: ${#templates[@]} template(s), no finding beyond those kept in .cfnlintrc.yaml"
