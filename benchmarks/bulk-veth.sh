#!/usr/bin/env bash
# Bulk one-way throughput across a real link: two network namespaces joined by a veth pair of MTU
# 1500 (the Internet's), one process in each (BulkAcrossHosts), Gladius beside Netty TCP. On
# loopback TCP sends a 65,000-byte message as one 64 KiB segment; here it must cut it into
# 1,448-byte ones as Gladius cuts it into KCP segments. veth offloads as the kernel sets them
# (TSO/GSO and GRO on).
#
#   benchmarks/bulk-veth.sh [out.jsonl] [systems...]      (default: bulk-veth.jsonl gladius gladius-secure tcp)
#
# SIZE (default 65000), BATCH (1000), ROUNDS (5), WARMUP (10 rounds: with 2, Gladius was still
# compiling and measured half its rate) pass through. LOOPBACK=1 runs both processes in one
# namespace over its loopback instead (MTU 65536), the same two-process setup without the link. Needs root (ip netns) and
# the shaded jar (mvn -B -q install -DskipTests). Addresses from 198.18.0.0/15 only; the namespaces
# and every process in them are removed on exit, also on failure.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-bulk-veth.jsonl}
shift || true
systems=("$@")
[ ${#systems[@]} -gt 0 ] || systems=(gladius gladius-secure tcp)
jar="$here/target/benchmarks.jar"
[ -f "$jar" ] || { echo "no $jar: run mvn -B -q install -DskipTests first" >&2; exit 2; }
java=$(command -v java)
a=gbulk-a-$$
b=gbulk-b-$$

cleanup() {
  for ns in "$a" "$b"; do
    if ip netns list | grep -qw "$ns"; then
      for pid in $(ip netns pids "$ns"); do kill "$pid" 2>/dev/null || true; done
      sleep 0.2
      for pid in $(ip netns pids "$ns"); do kill -9 "$pid" 2>/dev/null || true; done
      ip netns del "$ns"
    fi
  done
}
trap cleanup EXIT

ip netns add "$a"
ip netns add "$b"
ip link add veth-a netns "$a" type veth peer name veth-b netns "$b"
ip -n "$a" addr add 198.18.0.1/24 dev veth-a
ip -n "$b" addr add 198.18.0.2/24 dev veth-b
for ns in "$a" "$b"; do
  ip -n "$ns" link set lo up
done
ip -n "$a" link set veth-a mtu 1500 up
ip -n "$b" link set veth-b mtu 1500 up

server_ns=$b server=198.18.0.2 client=198.18.0.1 link=veth-1500
if [ "${LOOPBACK:-0}" = 1 ]; then
  server_ns=$a server=127.0.0.1 client=127.0.0.1 link=loopback
fi

port=7100
for system in "${systems[@]}"; do
  log=$(mktemp)
  ip netns exec "$server_ns" "$java" -Xmx1g -cp "$jar" gladius.p2p.benchmarks.BulkAcrossHosts receive "$system" $server:$port \
      --batch "${BATCH:-1000}" >"$log" 2>&1 &
  receiver=$!
  for _ in $(seq 1 200); do grep -q listening "$log" && break; sleep 0.1; done
  grep -q listening "$log" || { cat "$log" >&2; exit 1; }
  ip netns exec "$a" "$java" -Xmx1g -cp "$jar" gladius.p2p.benchmarks.BulkAcrossHosts send "$system" $server:$port \
      --from $client --batch "${BATCH:-1000}" --size "${SIZE:-65000}" --rounds "${ROUNDS:-5}" --warmup "${WARMUP:-10}" \
      2>/dev/null | grep '^{' | sed "s/^{/{\"link\":\"$link\",/" | tee -a "$out"
  kill "$receiver" 2>/dev/null || true
  wait "$receiver" 2>/dev/null || true
  rm -f "$log"
  port=$((port + 1))
done
