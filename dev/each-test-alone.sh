#!/usr/bin/env bash
# Runs every test method alone, each in a JVM of its own, and lists those that fail: a test that
# passes only after others ran (or fails only after them) shows here. Needs the modules installed
# first (mvn -B -q install -DskipTests). Usage: dev/each-test-alone.sh [module ...]
set -uo pipefail
cd "$(dirname "$0")/.."
modules=("$@")
if [ ${#modules[@]} -eq 0 ]; then
  modules=(gladius.p2p.api gladius.p2p.testing gladius.p2p.kcp gladius.p2p.discovery gladius.p2p.latency gladius.p2p.dht gladius.p2p.pubsub gladius.p2p.ethstate gladius.p2p.sim gladius.p2p.node)
fi
log=$(mktemp -d)
failed=0
ran=0
for module in "${modules[@]}"; do
  for file in $(find "$module/src/test/java" -name '*Test.java' | sort); do
    class=$(basename "$file" .java)
    # A test method is the first 'void name(' after a @Test or @ParameterizedTest line.
    for method in $(awk '/@(Test|ParameterizedTest)/ {want=1; next} want && /void [a-zA-Z0-9_]+\(/ {
        match($0, /void [a-zA-Z0-9_]+\(/); print substr($0, RSTART + 5, RLENGTH - 6); want=0 }' "$file"); do
      ran=$((ran + 1))
      # A filter that matched nothing would pass too: only a summary with tests in it counts.
      if mvn -B -o surefire:test -pl "$module" "-Dtest=$class#$method" -Dsurefire.failIfNoSpecifiedTests=false \
          > "$log/$class.$method.log" 2>&1 && grep -qE '^\[INFO\] Tests run: [1-9][0-9]*, Failures: 0, Errors: 0, Skipped: [0-9]+$' "$log/$class.$method.log"; then
        echo "ok    $module $class#$method ($(grep -E '^\[INFO\] Tests run: ' "$log/$class.$method.log" | tail -1 | cut -d, -f1 | cut -d: -f2) runs)"
      else
        failed=$((failed + 1))
        echo "FAIL  $module $class#$method (log: $log/$class.$method.log)"
      fi
    done
  done
done
echo "$ran methods run alone, $failed failed"
[ "$failed" -eq 0 ]
