#!/usr/bin/env bash
# Writes the configuration of one cluster node: BASE (default oracles.toml) with the node's own
# socket, state and spool directories under ./var/NODE, plus [store] (the shared PostgreSQL at URL)
# and [cluster] (node = NODE). Prints the path it wrote. See README "Running several nodes".
#   scripts/cluster-node-config.sh a 'postgresql://postgres@/oracled?host=/tmp/oracled-pg&port=5433'
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 NODE POSTGRES_URL [BASE_CONFIG]" >&2; exit 2; }
node=$1 url=$2 base=${3:-oracles.toml}
case "$node" in *[!A-Za-z0-9._-]*|'') echo "$0: node name '$node' must be letters, digits, '.', '-' or '_'" >&2; exit 2;; esac
case "$url" in postgresql://*|postgres://*) ;; *) echo "$0: '$url' is not a postgresql:// URL" >&2; exit 2;; esac
[ -r "$base" ] || { echo "$0: cannot read the base configuration $base" >&2; exit 2; }
grep -q '^\[store\]\|^\[cluster\]' "$base" && { echo "$0: $base already has [store] or [cluster]; start from a single-node config" >&2; exit 2; }
mkdir -p "var/$node"
out="var/$node/oracles.toml"
sed -e "s|^socket *=.*|socket    = \"./var/$node/run/oracled.sock\"|" \
    -e "s|^state_dir *=.*|state_dir = \"./var/$node/lib\"|" \
    -e "s|^spool_dir *=.*|spool_dir = \"./var/$node/spool\"|" "$base" > "$out"
cat >> "$out" <<TOML

# Added by scripts/cluster-node-config.sh: this node's part in the cluster.
[store]
backend = "postgresql"
url = "$url"

[cluster]
node = "$node"
shards = 64
lease = "5s"
TOML
echo "$out"
