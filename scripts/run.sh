#!/usr/bin/env bash
# Runs SMCP on this machine: installs and starts the container engine, then the smcp host.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/engine.sh

smcp_start_engine
dotnet run --project Orchestrator -c Release -- "$@"
