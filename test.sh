#!/usr/bin/env bash
# The project's test command: makes sure the Python packages the integration tests need are there (in a
# virtual environment under the target directory, see .ci/python-env.sh), then runs every test of every
# crate with every feature. Arguments go to `cargo test` (`./test.sh -p cloudtrail-reader`).
set -euo pipefail
cd "$(dirname "$0")"
source .ci/python-env.sh
exec cargo test --workspace --all-features "$@"
