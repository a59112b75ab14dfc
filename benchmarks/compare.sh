#!/usr/bin/env bash
# Two builds side by side in one session, alternating (A B, B A, A B) so drift on two shared cores
# hits both: OneWayThroughput (JMH, Gladius plain and secure), RoundTripLatency at 500/s, and
# CpuPerMessage (1 KiB, plain and secure). About 20 minutes. Keep the machine otherwise idle.
#
#   cp benchmarks/target/benchmarks.jar /tmp/before.jar     # on the old commit, after mvn install
#   ...change, mvn -B -q install -DskipTests...
#   benchmarks/compare.sh /tmp/before.jar benchmarks/target/benchmarks.jar /tmp/compare
#
# CpuPerMessage uses the api and Batch only, so both are taken from the second jar and run against both.
set -euo pipefail
if [ $# -ne 3 ]; then
  echo "usage: $0 BEFORE.jar AFTER.jar OUT_DIR" >&2
  exit 2
fi
before=$(realpath "$1")
after=$(realpath "$2")
out=$3
mkdir -p "$out/harness"
cd "$out"
(cd harness && unzip -q -o "$after" 'gladius/p2p/benchmarks/CpuPerMessage*' 'gladius/p2p/benchmarks/Batch*')

run() { # name jar pass
  local tag=$1-$3
  java -jar "$2" 'OneWayThroughput.gladius' -p size=64,1024,65000 -f 1 -wi 2 -w 2 -i 4 -r 2 \
      -rf json -rff "oneway-$tag.json" > "oneway-$tag.txt" 2>&1
  java -cp "$2" gladius.p2p.benchmarks.RoundTripLatency --rate 500 --seconds 10 \
      --systems gladius,gladius-secure --out "rtt-$tag.jsonl" > "rtt-$tag.txt" 2>&1
  for secure in false true; do
    java -cp "harness:$2" gladius.p2p.benchmarks.CpuPerMessage --secure "$secure" --rounds 3 \
        --messages 150000 > "cpu-$tag-$secure.txt" 2>&1
  done
}
rm -f rtt-*.jsonl
run before "$before" 1; run after "$after" 1
run after "$after" 2; run before "$before" 2
run before "$before" 3; run after "$after" 3
grep -h "^OneWayThroughput" oneway-*.txt | sort
grep -H "round" cpu-*.txt
cat rtt-*.jsonl
