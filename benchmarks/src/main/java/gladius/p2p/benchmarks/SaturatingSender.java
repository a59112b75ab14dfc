package gladius.p2p.benchmarks;

import gladius.p2p.Message;
import gladius.p2p.Network;
import gladius.p2p.Plugin;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A sender that always has more than the receiver takes, on loopback (nothing lost): per round the
 * messages per second, the segments sent again (all of them spurious here), the least number of
 * segments the bytes sent could be, and the sends refused because the peer's queue was full. Round
 * 1 starts in a cold JVM, which is where a receiver slower than its sender shows. Unlike
 * CpuPerMessage, which waits for each batch of 1,000 to arrive, this sends a whole round before
 * waiting, so the sender's queue never runs dry.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar gladius.p2p.benchmarks.SaturatingSender \
 *     [--size 1024] [--messages 100000] [--rounds 4] [--spin-ns 0] [--set kcp.overload-backoff=false,...]
 * </pre>
 *
 * {@code --spin-ns} makes the receiver's plugin spin that long per message (a slow receiver).
 */
public final class SaturatingSender {

    private SaturatingSender() {}

    public static void main(String[] args) {
        Map<String, String> options = RoundTripLatency.Options.parse(args, Map.of("--size", "1024", "--messages", "100000",
                "--rounds", "4", "--spin-ns", "0", "--set", ""));
        int size = Integer.parseInt(options.get("--size"));
        int messages = Integer.parseInt(options.get("--messages"));
        long spinNanos = Long.parseLong(options.get("--spin-ns"));
        Map<String, String> settings = new HashMap<>(Map.of("plugins", "none"));
        settings.putAll(RoundTripLatency.settings(options.get("--set")));

        AtomicLong received = new AtomicLong();
        Plugin slowCounter = new Plugin() {
            @Override
            public void newMessage(Message m) {
                received.incrementAndGet();
                for (long start = System.nanoTime(); System.nanoTime() - start < spinNanos; ) {
                    Thread.onSpinWait();
                }
            }
        };
        try (Batch.Pair pair = Batch.pair(settings, settings, slowCounter)) {
            Network sender = pair.sender();
            Message message = sender.newMessage("bench", new byte[size]);
            System.out.printf("size %d B, %d messages per round, receiver spins %d ns, settings %s%n", size, messages,
                    spinNanos, options.get("--set").isEmpty() ? "default" : options.get("--set"));
            for (int round = 1; round <= Integer.parseInt(options.get("--rounds")); round++) {
                long resentBefore = Batch.retransmissions(sender);
                long bytesBefore = sender.networkState().bytesSent();
                long start = System.nanoTime();
                long refused = Batch.sendAndAwait(sender, message, received, messages);
                long elapsed = System.nanoTime() - start;
                System.out.printf("round %d: %,.0f msg/s, resent %d of >= %d segments, refused %d sends%n", round,
                        messages * 1e9 / elapsed, Batch.retransmissions(sender) - resentBefore,
                        (sender.networkState().bytesSent() - bytesBefore) / 1400, refused);
            }
        }
    }
}
