package gladius.p2p.benchmarks;

import gladius.p2p.Message;
import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import gladius.p2p.Plugin;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import gladius.p2p.testing.LinkConditions;
import gladius.p2p.testing.LossyLink;
import org.HdrHistogram.Histogram;

/**
 * Round-trip latency at a fixed offered load, each system in the same run: Gladius (plain and
 * secure), the {@link Baselines} with length-prefixed frames (Netty TCP, TLS 1.3 from the JDK and
 * BoringSSL, QUIC), and plain UDP datagrams (no reliability: the floor, and lost probes are simply
 * lost). A client sends a 64-byte probe every 1/rate
 * seconds carrying its send time; the server echoes it; the client records the round trip in an
 * HdrHistogram. Not JMH: percentiles at a fixed load are the point, not a rate.
 *
 * <pre>
 *   java -cp benchmarks/target/benchmarks.jar gladius.p2p.benchmarks.RoundTripLatency \
 *        [--loss N] [--rate 1000] [--seconds 10] [--out latency.jsonl] [--systems gladius,gladius-secure,gladius-pool,gladius-secure-pool,tcp,tls-jdk,tls-boringssl,quic,udp]
 *        (gladius and gladius-secure echo from non-blocking plugins on the I/O threads; the -pool systems
 *         from plugins that may block, on the plugin threads, as before Plugin#nonBlocking)
 *        [--set key=value,...]   (settings for every Gladius system; the system's name in the output carries them)
 *        [--warmup-seconds 2]    (each system runs this long at the rate first, unrecorded, so the JIT has compiled its path; no pause between)
 * </pre>
 *
 * {@code --loss} only labels the results: the loss itself is applied by the kernel around this
 * process (benchmarks/loss.sh). Each system prints one JSON line and appends it to {@code --out}.
 */
public final class RoundTripLatency {

    private static final int PROBE_BYTES = 64;
    /** For system gladius-link: the in-process lossy link's loss each way, and its delay each way. */
    private static double linkLoss;
    private static int linkDelayMillis;

    private RoundTripLatency() {}

    /** A system under test: starts, sends one probe stamped with its send time, stops. */
    private interface Echo extends AutoCloseable {
        void send(long sentNanos);

        @Override
        void close();
    }

    /**
     * Runs the measurement.
     *
     * @param args see the class javadoc
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> options = Options.parse(args, Map.of("--loss", "0", "--rate", "1000", "--seconds", "10",
                "--out", "latency.jsonl", "--systems", "gladius,gladius-secure,tcp,udp", "--link-delay-ms", "10",
                "--set", "", "--warmup-seconds", "2"));
        extraSettings = settings(options.get("--set"));
        int warmupSeconds = Integer.parseInt(options.get("--warmup-seconds"));
        linkLoss = Double.parseDouble(options.get("--loss")) / 100;
        linkDelayMillis = Integer.parseInt(options.get("--link-delay-ms"));
        int rate = Integer.parseInt(options.get("--rate"));
        int seconds = Integer.parseInt(options.get("--seconds"));
        for (String system : options.get("--systems").split(",")) {
            Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            AtomicLong received = new AtomicLong();
            // Probes sent before this instant are the warm-up: echoed like the rest, never recorded.
            long[] recordFrom = {Long.MAX_VALUE};
            LongConsumer onEcho = sentNanos -> {
                long rtt = System.nanoTime() - sentNanos;
                synchronized (histogram) {
                    if (sentNanos - recordFrom[0] >= 0) {
                        histogram.recordValue(Math.min(rtt, histogram.getHighestTrackableValue()));
                        received.incrementAndGet();
                    }
                }
            };
            long sent;
            try (Echo echo = start(system, onEcho)) {
                // One unbroken stream: a pause between warm-up and measurement would leave the loops
                // idle, and the JIT would recompile what that pause deoptimised while being measured.
                sent = run(echo, rate, warmupSeconds, seconds, from -> {
                    synchronized (histogram) {
                        recordFrom[0] = from;
                    }
                });
                awaitQuiet(received, 5_000);
            }
            String line;
            synchronized (histogram) {
                line = String.format(Locale.ROOT, "{\"system\":\"%s%s\",\"loss\":%s,\"rate\":%d,\"seconds\":%d,\"sent\":%d,"
                                + "\"received\":%d,\"p50_us\":%.1f,\"p90_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,\"max_us\":%.1f}",
                        system, options.get("--set").isEmpty() ? "" : " " + options.get("--set"), options.get("--loss"), rate, seconds, sent, received.get(),
                        histogram.getValueAtPercentile(50) / 1e3, histogram.getValueAtPercentile(90) / 1e3,
                        histogram.getValueAtPercentile(99) / 1e3, histogram.getValueAtPercentile(99.9) / 1e3,
                        histogram.getMaxValue() / 1e3);
            }
            System.out.println(line);
            Files.writeString(Path.of(options.get("--out")), line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        System.exit(0);
    }

    /**
     * Sends probes at the rate, on schedule: {@code warmupSeconds} of them, then tells
     * {@code measuring} the instant from which probes count, then {@code seconds} more; returns
     * how many were sent after that instant.
     */
    private static long run(Echo echo, int rate, int warmupSeconds, int seconds, LongConsumer measuring) {
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime();
        long boundary = start + TimeUnit.SECONDS.toNanos(warmupSeconds);
        long end = boundary + TimeUnit.SECONDS.toNanos(seconds);
        long next = start;
        long sent = 0;
        boolean measured = false;
        while (next < end) {
            long now = System.nanoTime();
            if (now < next) {
                LockSupport.parkNanos(next - now);
                continue;
            }
            if (!measured && next >= boundary) {
                measuring.accept(next);
                measured = true;
            }
            echo.send(System.nanoTime());
            if (measured) {
                sent++;
            }
            next += interval;
        }
        return sent;
    }

    /** Waits until no echo has arrived for a while (the rest are lost), at most the limit. */
    private static void awaitQuiet(AtomicLong received, long limitMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(limitMillis);
        long last = -1;
        while (System.nanoTime() < deadline) {
            long now = received.get();
            if (now == last) {
                return;
            }
            last = now;
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
        }
    }

    /** --set: comma-separated key=value settings for every Gladius system of the run (for example kcp.min-rto=30ms). */
    private static Map<String, String> extraSettings = Map.of();

    static Map<String, String> settings(String list) {
        Map<String, String> settings = new HashMap<>();
        for (String pair : list.split(",")) {
            if (!pair.isBlank()) {
                String[] keyValue = pair.split("=", 2);
                if (keyValue.length != 2) {
                    throw new IllegalArgumentException("--set: expected key=value, got " + pair);
                }
                settings.put(keyValue[0].trim(), keyValue[1].trim());
            }
        }
        return settings;
    }

    private static Map<String, String> withExtra(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(settings);
        all.putAll(extraSettings);
        return all;
    }

    private static Echo start(String system, LongConsumer onEcho) throws Exception {
        return switch (system) {
            case "gladius" -> gladius(withExtra(Map.of("plugins", "none")), true, onEcho);
            case "gladius-secure" -> gladius(withExtra(Map.of("plugins", "none", "kcp.secure", "true")), true, onEcho);
            case "gladius-pool" -> gladius(withExtra(Map.of("plugins", "none")), false, onEcho);
            case "gladius-secure-pool" -> gladius(withExtra(Map.of("plugins", "none", "kcp.secure", "true")), false, onEcho);
            case "gladius-link" -> gladiusAcrossLink(onEcho);
            case "tcp", "tls-jdk", "tls-boringssl", "quic" -> baseline(Baselines.Kind.parse(system), onEcho);
            case "udp" -> udp(onEcho);
            default -> throw new IllegalArgumentException("--systems: unknown system " + system);
        };
    }

    /** Gladius across LossyLink: --loss each way (not the kernel's) and --link-delay-ms each way. */
    private static Echo gladiusAcrossLink(LongConsumer onEcho) {
        Network client = Network.create(withExtra(Map.of("plugins", "none")));
        Network server = Network.create(withExtra(Map.of("plugins", "none")));
        client.listen(new NodeAddress("127.0.0.1", 0));
        server.listen(new NodeAddress("127.0.0.1", 0));
        LinkConditions conditions = LinkConditions.PERFECT.withSeed(1).withDrop(linkLoss)
                .withDelay(java.time.Duration.ofMillis(linkDelayMillis), java.time.Duration.ZERO);
        LossyLink link = LossyLink.between(client.localAddress(), server.localAddress(), conditions);
        Echo echo = gladius(client, server, link.standInFor(server.localAddress()), true, onEcho);
        return new Echo() {
            @Override
            public void send(long sentNanos) {
                echo.send(sentNanos);
            }

            @Override
            public void close() {
                echo.close();
                link.close();
            }
        };
    }

    private static Echo gladius(Map<String, String> settings, boolean onLoop, LongConsumer onEcho) {
        Network client = Network.create(settings);
        Network server = Network.create(settings);
        client.listen(new NodeAddress("127.0.0.1", 0));
        server.listen(new NodeAddress("127.0.0.1", 0));
        return gladius(client, server, server.localAddress(), onLoop, onEcho);
    }

    /**
     * The echo and the recorder as plugins: non-blocking ones (on the I/O threads, as a Netty
     * handler echoes) if onLoop, else plugins that may block (on the plugin threads).
     */
    private static Echo gladius(Network client, Network server, NodeAddress to, boolean onLoop, LongConsumer onEcho) {
        server.registerPlugin(new Plugin() {
            private volatile Network network;

            @Override
            public boolean nonBlocking() {
                return onLoop;
            }

            @Override
            public void startup(Network network) {
                this.network = network;
            }

            @Override
            public void newMessage(Message message) {
                network.broadcast(network.newMessage("pong", message.bodyBytes()), message.sender());
            }
        });
        client.registerPlugin(new Plugin() {
            @Override
            public boolean nonBlocking() {
                return onLoop;
            }

            @Override
            public void newMessage(Message message) {
                onEcho.accept(message.body().getLong(0));
            }
        });
        client.add(to);
        return new Echo() {
            @Override
            public void send(long sentNanos) {
                client.broadcast(client.newMessage("ping", ByteBuffer.allocate(PROBE_BYTES).putLong(sentNanos).array()), to);
            }

            @Override
            public void close() {
                client.close();
                server.close();
            }
        };
    }

    /** One of {@link Baselines}: the server sends each probe back whole. */
    private static Echo baseline(Baselines.Kind kind, LongConsumer onEcho) throws Exception {
        EventLoopGroup group = Baselines.group(2);
        Baselines.Pair pair = Baselines.echoing(kind, group, onEcho);
        return new Echo() {
            @Override
            public void send(long sentNanos) {
                ByteBuf frame = Unpooled.buffer(4 + PROBE_BYTES);
                frame.writeInt(PROBE_BYTES).writeLong(sentNanos).writeZero(PROBE_BYTES - 8);
                pair.write(frame);
            }

            @Override
            public void close() {
                pair.close();
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            }
        };
    }

    private static Echo udp(LongConsumer onEcho) throws IOException {
        DatagramChannel server = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        DatagramChannel client = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        InetSocketAddress to = (InetSocketAddress) server.getLocalAddress();
        Thread echo = daemon(() -> {
            ByteBuffer buffer = ByteBuffer.allocate(2048);
            while (server.isOpen()) {
                try {
                    buffer.clear();
                    InetSocketAddress from = (InetSocketAddress) server.receive(buffer);
                    buffer.flip();
                    server.send(buffer, from);
                } catch (IOException closed) {
                    return;
                }
            }
        });
        Thread replies = daemon(() -> {
            ByteBuffer buffer = ByteBuffer.allocate(2048);
            while (client.isOpen()) {
                try {
                    buffer.clear();
                    client.receive(buffer);
                    onEcho.accept(buffer.getLong(0));
                } catch (IOException closed) {
                    return;
                }
            }
        });
        echo.start();
        replies.start();
        return new Echo() {
            @Override
            public void send(long sentNanos) {
                try {
                    client.send(ByteBuffer.allocate(PROBE_BYTES).putLong(0, sentNanos), to);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public void close() {
                try {
                    client.close();
                    server.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        };
    }

    private static Thread daemon(Runnable task) {
        Thread thread = new Thread(task, "udp-echo");
        thread.setDaemon(true);
        return thread;
    }

    /** --key value pairs, with defaults; an unknown key is an error naming it. */
    static final class Options {
        static Map<String, String> parse(String[] args, Map<String, String> defaults) {
            Map<String, String> options = new HashMap<>(defaults);
            for (int i = 0; i < args.length; i += 2) {
                if (!defaults.containsKey(args[i]) || i + 1 >= args.length) {
                    throw new IllegalArgumentException("unknown option or missing value: " + args[i] + "; options: "
                            + List.copyOf(defaults.keySet()));
                }
                options.put(args[i], args[i + 1]);
            }
            return options;
        }
    }
}
