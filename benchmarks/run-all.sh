#!/usr/bin/env bash
# Every figure of docs/BENCHMARKS.md, into benchmarks/results/, then the plots into docs/img/.
# About 30 minutes on two cores. Needs root (network namespaces), the shaded jar (mvn -B -q install
# -DskipTests), nft for the loss runs (apt-get install nftables) and matplotlib for the plots
# (apt-get install python3-matplotlib).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
results="$here/results"
jar="$here/target/benchmarks.jar"
mkdir -p "$results"
cd "$results"
rm -f latency-loss.jsonl latency-link.jsonl discovery.jsonl bulk-veth.jsonl

# Microbenchmarks: frames, checksum, broadcast fan-out, signatures, the KCP engine alone.
java -jar "$jar" 'FrameBenchmarks|BroadcastFanOut|SignatureBenchmarks|KcpEngine' -rf json -rff micro.json | tee micro.txt
# End to end, one-way throughput: Gladius plain and secure, the baselines (Netty TCP, TLS from the JDK and
# BoringSSL, QUIC), Netty UDP; 64 B, 1 KiB, 65000 B.
java -jar "$jar" OneWayThroughput -rf json -rff oneway.json | tee oneway.txt
# The same pair under a flood of HELLOs and garbage from 50 addresses (LimitsTest only bounds this).
java -jar "$jar" ThroughputUnderFlood -rf json -rff flood.json | tee flood.txt
# Round trips at 500 probes/s under 0, 1, 5, 10 % loss applied by the kernel (nftables in a namespace).
# Gladius and Gladius secure echo from non-blocking plugins; gladius-pool from the plugin threads.
SYSTEMS=gladius,gladius-secure,gladius-pool,tcp,quic,udp "$here/loss.sh" "$results/latency-loss.jsonl" 0 1 5 10
# Gladius alone across the in-process lossy link, 10 ms each way.
for n in 0 1 5 10; do
  java -cp "$jar" gladius.p2p.benchmarks.RoundTripLatency --loss "$n" --rate 500 --seconds 10 --warmup-seconds 10 \
      --systems gladius-link --link-delay-ms 10 --out latency-link.jsonl
done
# Bulk between two processes: across a veth pair of MTU 1500, and over one namespace's loopback.
"$here/bulk-veth.sh" "$results/bulk-veth.jsonl"
LOOPBACK=1 "$here/bulk-veth.sh" "$results/bulk-veth.jsonl"
# Scale: 1,000 idle sessions, and discovery convergence for 25 to 200 nodes.
java -cp "$jar" gladius.p2p.benchmarks.IdleSessionFootprint 1000 | tee idle.txt
java -cp "$jar" gladius.p2p.benchmarks.DiscoveryConvergence discovery.jsonl 25 50 100 200
java -Dmax.peers=16 -cp "$jar" gladius.p2p.benchmarks.DiscoveryConvergence discovery.jsonl 200
/usr/bin/python3 "$here/plot.py" "$results" "$here/../docs/img"
