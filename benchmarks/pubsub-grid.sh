#!/usr/bin/env bash
# Issue 28's grid: PubSubScale on the simulator's Earth, each mode on the same runs (same seed).
# Usage: [SIZES="200 102400"] [LOSSES="0 0.05"] [MODES="v11 v12 lazy"] [TOPICS="1:1 100:10"] \
#        benchmarks/pubsub-grid.sh OUTDIR [NODES...]   (after mvn -B install -DskipTests)
# Every run: 10 sessions opened per node, 5 % of the nodes replaced a minute, 50 Mbit/s uplinks,
# peer scores on; modes: v1.1 (plain gossipsub), v1.2 (IDONTWANT from 1 KiB), and lazy links per
# topic over v1.2. 200 B: 200 messages 200 ms apart; 100 KiB: 50 messages 1 s apart (the heap).
set -euo pipefail
out=${1:?OUTDIR}; shift
nodes=("${@:-1000}")
jar=benchmarks/target/benchmarks.jar
mkdir -p "$out"
for n in "${nodes[@]}"; do
  for topics in ${TOPICS:-1:1 100:10}; do
    set -- ${topics/:/ }
    for size in ${SIZES:-200 102400}; do
      if [ "$size" = 200 ]; then count=200; interval=200; else count=50; interval=1000; fi
      for loss in ${LOSSES:-0 0.05}; do
        for mode in ${MODES:-v11 v12 lazy}; do
          case $mode in
            v11) flags="" ;;
            v12) flags="-Didontwant=1024" ;;
            lazy) flags="-Didontwant=1024 -Dchoke=true -Deager=2" ;;
          esac
          file="$out/n$n-topics$1-size$size-loss$loss-$mode.txt"
          java -Xmx20g -Dscores=true -Dchurn=0.05 -Duplink=50 -Dtopics=$1 -DtopicsPerNode=$2 -Dinterval=$interval $flags \
              -cp "$jar" gladius.p2p.pubsub.internal.PubSubScale "$n" 10 "$count" "$size" "$loss" 1 > "$file"
          echo "$file: $(grep -o 'delivered [0-9.]* %' "$file"), $(grep -o 'p95 [0-9]* ms' "$file"), $(grep -o 'duplicates per delivered message [0-9.]*' "$file"), $(grep -o '[0-9]* B sent' "$file")"
        done
      done
    done
  done
done
