#!/usr/bin/env bash
# Records demo/misbehaving.tape (docs/replay.md): the fake venue on 127.0.0.1:18080 and
# `oracled record` on demo/replay.toml, while venues misbehave one after another and BTC falls.
# `make replay-demo` replays the committed tape; run this only to record a new one.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/debug}
DIR=var/replay-demo-rec
PORT=18080
TAPE=${1:-demo/misbehaving.tape}
rm -rf "$DIR"; mkdir -p "$DIR"; rm -f "$TAPE"

venue() { curl -fsS -X POST "http://127.0.0.1:$PORT/_control/$1" >/dev/null; }
cleanup() { kill "${REC_PID:-}" "${VENUE_PID:-}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT

"$BIN/fake-venue" --port $PORT > "$DIR/fake-venue.log" 2>&1 &
VENUE_PID=$!
for _ in $(seq 50); do grep -q LISTENING "$DIR/fake-venue.log" 2>/dev/null && break; sleep 0.1; done

"$BIN/oracled" record --config demo/replay.toml --out "$TAPE" > "$DIR/record.log" 2>&1 &
REC_PID=$!
sleep 4                                            # calm: every venue agrees
venue "fault?venue=gemini&mode=crash";   sleep 5   # Gemini flash-crashes by −80 %: outlier
venue "fault?venue=gemini&mode=ok"
venue "fault?venue=coinbase&mode=stale"; sleep 4   # Coinbase's timestamps are 10 minutes old: stale
venue "fault?venue=coinbase&mode=ok"
venue "fault?venue=kraken&mode=frozen";  sleep 7   # Kraken repeats itself while others move: frozen
venue "fault?venue=kraken&mode=ok";      sleep 2
venue "price?pair=BTC-USD&price=50250";  sleep 6   # BTC −25 % everywhere: margin calls
kill -INT $REC_PID; wait $REC_PID || true
REC_PID=
ls -l "$TAPE"
