#!/usr/bin/env bash
# make demo: the whole path offline — a local fake venue speaking every venue's format, the real
# daemon on demo/oracles.demo.toml, robust marks, a venue misbehaving, sample accounts and a margin call,
# then an options account (a short BTC straddle) called through a volatility spike.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.build/debug
DIR=var/demo
SOCK=$DIR/run/oracled.sock
PORT=18080
rm -rf "$DIR"; mkdir -p "$DIR/run" "$DIR/lib" "$DIR/spool"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
ctl() { "$BIN/oraclectl" "$@" --socket "$SOCK"; }
venue() { curl -fsS -X POST "http://127.0.0.1:$PORT/_control/$1" >/dev/null; }
# GET /v1/vol/BTC over the daemon's socket, one line per expiry (the whole JSON without jq).
vol() {
  if command -v jq >/dev/null; then
    curl -fsS --unix-socket "$SOCK" http://localhost/v1/vol/BTC | jq -r '"BTC surface: \(.status), \(.sources_used) sources",
      (.expiries[] | "  expiry \(.expiry)  ATM vol \(.atm_vol * 10000 | round / 100) %  \(.method)  from \(.sources_used | join(", "))")'
  else
    curl -fsS --unix-socket "$SOCK" http://localhost/v1/vol/BTC; echo
  fi
}
# One line on an options account: level, equity, the grid requirement and the scenario that sets it.
optsummary() {
  command -v jq >/dev/null || return 0
  curl -fsS --unix-socket "$SOCK" "http://localhost/v1/accounts/$1" | jq -r '"\(.id): \(.level)  equity \(.equity)  requirement \(.maintenance_requirement)  ratio \(.ratio)",
    (.risk.option_grid.worst_scenario | "  grid worst scenario: BTC-USD \(.moves["BTC-USD"] | tonumber * 100 | round | if . > 0 then "+\(.)" else "\(.)" end) %, vol \(.vol_shock)\(if .extreme then ", extreme move counted at \(.weight)" else "" end): P&L \(.pnl)"),
    (.components.positions[] | select(.option) | "  \(.option.name) x \(.quantity): σ \(.volatility | tonumber * 10000 | round / 100) %, price \(.option_price | tonumber * 100 | round / 100) (entry \(.entry_price))")'
}

cleanup() { kill "${ORACLED_PID:-}" "${VENUE_PID:-}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT

say "starting the fake venue on 127.0.0.1:$PORT"
"$BIN/fake-venue" --port $PORT > "$DIR/fake-venue.log" 2>&1 &
VENUE_PID=$!
for _ in $(seq 50); do grep -q LISTENING "$DIR/fake-venue.log" 2>/dev/null && break; sleep 0.1; done

say "starting oracled on demo/oracles.demo.toml (log: $DIR/oracled.log)"
"$BIN/oracled" run --config demo/oracles.demo.toml > "$DIR/oracled.log" 2>&1 &
ORACLED_PID=$!
for _ in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.1; done
sleep 3

say "robust marks from every venue"
ctl prices
ctl price BTC-USD

say "gemini flash-crashes by -80%: the mark does not move, gemini is named an outlier"
venue "fault?venue=gemini&mode=crash"
sleep 3
ctl price BTC-USD

say "kraken answers 503 and okx hangs: they drop out with a reason, the mark stays ok on the rest"
venue "fault?venue=kraken&mode=http503"
venue "fault?venue=okx&mode=hang"
sleep 4
ctl price BTC-USD
ctl health

venue "fault?venue=all&mode=ok"

say "sample accounts loaded (demo/accounts.ndjson)"
ctl accounts import demo/accounts.ndjson
ctl accounts list

say "what if BTC fell 25%? (POST /v1/whatif — nothing is written)"
ctl whatif --shock BTC-USD=-0.25

say "BTC falls 25% on every venue: margin calls appear in $DIR/spool/new/ and calls.jsonl (and syslog). Half the sample book enters call on one update, so the notices carry mass_call: true and no liquidation follows until a later mark confirms"
venue "price?pair=BTC-USD&price=50250"
sleep 4
ls "$DIR/spool/new"
tail -n 5 "$DIR/spool/calls.jsonl"
ctl calls
say "why: the breakdown of acct-call"
ctl accounts show acct-call

say "the client deposits: acct-call gets 30000 USD more and is cured"
cat > "$DIR/acct-call.json" <<'JSON'
{"id": "acct-call", "collateral": [{"asset": "USD", "amount": "68800"}], "positions": [{"pair": "BTC-USD", "quantity": "2", "entry_price": "67000"}]}
JSON
ctl accounts put "$DIR/acct-call.json" >/dev/null
sleep 2
tail -n 1 "$DIR/spool/calls.jsonl"
ctl calls

say "options: the BTC implied-volatility surface, fitted from the fake's Deribit, OKX and Bybit option chains (GET /v1/vol/BTC)"
vol

# The straddle expires a week from today at 08:00 UTC, as the fake venue lists its options.
EXPIRY=$(date -u -d "+7 days" +%Y-%m-%dT08:00:00Z)
say "a short BTC straddle (demo/options-accounts.ndjson, expiry $EXPIRY): 5 calls + 5 puts at 50000, 53000 USD. Valued with Black-76 on the BTC-USD mark and the surface; margined by the price × volatility scenario grid (docs/options.md)"
sed "s/@EXPIRY@/$EXPIRY/g" demo/options-accounts.ndjson > "$DIR/options-accounts.ndjson"
ctl accounts import "$DIR/options-accounts.ndjson"
sleep 2
optsummary acct-straddle

say "implied volatility spikes ×2.4 on every venue, prices unchanged: the straddle loses, its grid requirement rises, and it is called while its equity is still well above zero"
venue "vol?spike=2.4"
sleep 5
vol
ls "$DIR/spool/new" | grep acct-straddle || true
grep acct-straddle "$DIR/spool/calls.jsonl" | tail -n 1 || true
optsummary acct-straddle
say "why: the whole breakdown of acct-straddle (option lines with σ, price and Greeks; risk.option_grid)"
ctl accounts show acct-straddle
venue "vol?spike=1"

say "done — the daemon log is in $DIR/oracled.log"
