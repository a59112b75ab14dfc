#!/bin/bash
# The DHT's figures for docs/BENCHMARKS.md (issue 27): DhtScale on 1,000 and 10,000 cores.
J=/tmp/bench-dht3.jar
run() { echo "\$ java -Xmx10g $1 -cp benchmarks/target/benchmarks.jar gladius.p2p.dht.internal.DhtScale ${@:2}"; java -Xmx10g $1 -cp $J gladius.p2p.dht.internal.DhtScale "${@:2}"; }
for seed in 1 2 3; do
  out=""; [ $seed = 1 ] && out="-Dout=/tmp/dhtfig/k1-clean.csv"
  run "-Dlookups=3 $out" 1000 0 0 0 3 10 $seed
  out=""; [ $seed = 1 ] && out="-Dout=/tmp/dhtfig/k1-loss.csv"
  run "-Dlookups=3 $out" 1000 0.05 0 0 3 10 $seed
  out=""; [ $seed = 1 ] && out="-Dout=/tmp/dhtfig/k1-churn.csv"
  run "-Dlookups=3 $out" 1000 0.05 0.1 0 3 20 $seed
done
for seed in 1 2 3; do for d in 1 2 3 4; do run "-Dlookups=3" 1000 0 0 0.2 $d 10 $seed; done; done
run "-Dlookups=3 -Dout=/tmp/dhtfig/k10-clean.csv" 10000 0 0 0 3 5 1
run "-Dlookups=3 -Dout=/tmp/dhtfig/k10-churn.csv" 10000 0.05 0.1 0 3 10 1
run "-Dlookups=3" 10000 0 0 0.2 1 5 1
run "-Dlookups=3" 10000 0 0 0.2 3 5 1
