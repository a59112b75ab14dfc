#!/usr/bin/env bash
# Round-trip latency under random packet loss applied by the kernel, Gladius beside plain TCP:
# the figure KCP is chosen for. Runs RoundTripLatency inside a network namespace of its own
# (no root needed: an unprivileged user namespace), where an nftables rule on the input hook of
# the loopback drops N % of packets at random (netem is not available on these kernels; a rule on
# the output hook would make the sender's write fail instead of losing the packet).
#
#   benchmarks/loss.sh [out.jsonl] [loss percentages...]     (default: latency-loss.jsonl 0 1 5 10)
#
# SYSTEMS (default gladius,tcp) and SET (key=value,... for the Gladius systems) pass through;
# WARMUP (default 10) is how many seconds each system runs unrecorded first: with 2, Gladius's
# p99 at 0 % loss was 4-6 ms of JIT compilation still going on (0.7-0.9 ms once compiled).
# Needs nft (Debian: apt-get install nftables) and the shaded jar (mvn -B -q install -DskipTests).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-latency-loss.jsonl}
shift || true
losses=("$@")
[ ${#losses[@]} -gt 0 ] || losses=(0 1 5 10)
jar="$here/target/benchmarks.jar"
[ -f "$jar" ] || { echo "no $jar: run mvn -B -q install -DskipTests first" >&2; exit 2; }
command -v nft >/dev/null || { echo "nft not found: apt-get install nftables" >&2; exit 2; }
java=$(command -v java)
rm -f "$out"

inner=$(cat <<'INNER'
set -euo pipefail
ip link set lo up
nft add table inet loss
nft add chain inet loss input '{ type filter hook input priority 0 ; }'
for n in $LOSSES; do
  nft flush chain inet loss input
  if [ "$n" != 0 ]; then
    nft add rule inet loss input numgen random mod 100 '<' "$n" drop
  fi
  "$JAVA" -Xmx1g -Dio.netty.leakDetection.level=disabled -cp "$JAR" gladius.p2p.benchmarks.RoundTripLatency \
      --loss "$n" --rate "${RATE:-500}" --seconds "${SECONDS_PER_RUN:-10}" --warmup-seconds "$WARMUP" \
      --out "$OUT" --systems "${SYSTEMS:-gladius,tcp}" ${SET:+--set "$SET"}
done
INNER
)
SET="${SET:-}" WARMUP="${WARMUP:-10}" LOSSES="${losses[*]}" JAVA="$java" JAR="$jar" OUT="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")" \
  unshare --user --map-root-user --net bash -c "$inner"
echo "wrote $out"
