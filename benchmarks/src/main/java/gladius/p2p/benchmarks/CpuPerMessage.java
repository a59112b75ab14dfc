package gladius.p2p.benchmarks;

import gladius.p2p.Message;
import gladius.p2p.Network;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where one-way throughput spends CPU: two nodes on loopback in this JVM, the same batches as
 * OneWayThroughput, and for each round the messages per second and each thread's CPU
 * microseconds per message (ThreadMXBean), so a change can be judged by what it costs and not
 * only by what two noisy cores happened to deliver. Uses only the api and {@link Batch}, so with
 * those classes first on the class path it runs against an older build's jar:
 * {@code java -cp CpuPerMessage-and-Batch-classes:old.jar ...} (benchmarks/compare.sh does this).
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar gladius.p2p.benchmarks.CpuPerMessage \
 *     [--size 1024] [--messages 200000] [--rounds 5] [--secure false] [--lane loop|pool] [--set kcp.io=nio,...]
 * </pre>
 */
public final class CpuPerMessage {

    private static final int BATCH = 1_000;

    private CpuPerMessage() {}

    public static void main(String[] args) {
        Map<String, String> options = RoundTripLatency.Options.parse(args, Map.of("--size", "1024", "--messages", "200000",
                "--rounds", "5", "--secure", "false", "--set", "", "--lane", "loop"));
        int size = Integer.parseInt(options.get("--size"));
        int messages = Integer.parseInt(options.get("--messages")) / BATCH * BATCH;
        int rounds = Integer.parseInt(options.get("--rounds"));
        Map<String, String> settings = new HashMap<>(Map.of("plugins", "none", "kcp.secure", options.get("--secure")));
        settings.putAll(RoundTripLatency.settings(options.get("--set")));

        AtomicLong received = new AtomicLong();
        boolean onLoop = switch (options.get("--lane")) {
            case "loop" -> true;
            case "pool" -> false;
            default -> throw new IllegalArgumentException("--lane must be loop or pool: " + options.get("--lane"));
        };
        try (Batch.Pair pair = Batch.pair(settings, settings, received, onLoop)) {
            Network sender = pair.sender();
            Message message = sender.newMessage("bench", new byte[size]);
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            send(sender, message, received, messages); // warm-up
            System.out.printf("size %d B, secure %s, counted on the %s, %d messages per round, settings %s%n", size,
                    options.get("--secure"), onLoop ? "event loop" : "plugin executor", messages,
                    options.get("--set").isEmpty() ? "default" : options.get("--set"));
            for (int round = 1; round <= rounds; round++) {
                long resentBefore = Batch.retransmissions(sender);
                long bytesBefore = sender.networkState().bytesSent();
                Map<String, Long> before = cpuByThread(threads);
                long start = System.nanoTime();
                send(sender, message, received, messages);
                long elapsed = System.nanoTime() - start;
                Map<String, Long> after = cpuByThread(threads);
                long resent = Batch.retransmissions(sender) - resentBefore;
                long wireBytes = sender.networkState().bytesSent() - bytesBefore;
                StringBuilder line = new StringBuilder(String.format("round %d: %,.0f msg/s; CPU us/msg:", round,
                        messages * 1e9 / elapsed));
                double total = 0;
                for (Map.Entry<String, Long> thread : after.entrySet()) {
                    double micros = (thread.getValue() - before.getOrDefault(thread.getKey(), 0L)) / 1e3 / messages;
                    if (micros >= 0.005) {
                        line.append(String.format(" %s %.2f", thread.getKey(), micros));
                        total += micros;
                    }
                }
                // Segments resent against the least number of segments the bytes could have been (kcp.mtu 1400).
                System.out.println(line.append(String.format("; all %.2f; resent %d of >= %d segments", total, resent,
                        wireBytes / 1400)));
            }
        }
    }

    private static void send(Network sender, Message message, AtomicLong received, int messages) {
        for (int sent = 0; sent < messages; sent += BATCH) {
            Batch.sendAndAwait(sender, message, received, BATCH);
        }
    }

    /** CPU nanoseconds so far of every live thread, by name (a name used twice gets its id appended). */
    private static Map<String, Long> cpuByThread(ThreadMXBean threads) {
        Map<String, Long> cpu = new TreeMap<>();
        for (long id : threads.getAllThreadIds()) {
            ThreadInfo info = threads.getThreadInfo(id);
            long nanos = threads.getThreadCpuTime(id);
            if (info != null && nanos >= 0) {
                String name = cpu.containsKey(info.getThreadName()) ? info.getThreadName() + "#" + id : info.getThreadName();
                cpu.put(name, nanos);
            }
        }
        return cpu;
    }
}
