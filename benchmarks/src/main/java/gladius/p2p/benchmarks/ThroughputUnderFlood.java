package gladius.p2p.benchmarks;

import gladius.p2p.Message;
import gladius.p2p.Network;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One-way throughput of an established pair (256-byte messages, as in LimitsTest) while 50
 * loopback addresses flood the receiver with plain HELLOs under fresh tags and random garbage, half
 * each, paced at {@code flood} datagrams a second; {@code flood=0} is the quiet baseline of the
 * same run. The receiver admits 100 handshakes a second, as in the test. This is the figure the
 * test only bounds (a fifth of the quiet pace at the least).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 4, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-Dio.netty.leakDetection.level=disabled"})
public class ThroughputUnderFlood {

    private static final int BATCH = 1_000;

    @Param({"0", "20000", "100000"})
    public int flood;

    private Network sender;
    private Network receiver;
    private final AtomicLong received = new AtomicLong();
    private Message message;
    private final List<DatagramChannel> flooders = new ArrayList<>();
    private final AtomicLong floodSent = new AtomicLong();
    private volatile boolean flooding;
    private Thread floodThread;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        Batch.Pair pair = Batch.pair(Map.of("plugins", "none"),
                Map.of("plugins", "none", "kcp.handshakes-per-second", "100"), received);
        sender = pair.sender();
        receiver = pair.receiver();
        message = sender.newMessage("bench", new byte[256]);
        // The pair is established before the flood starts, as in the test: a flood of HELLOs takes the
        // handshake tokens (kcp.handshakes-per-second) that a new legitimate session would need too.
        sender.broadcast(message);
        while (received.get() == 0) {
            LockSupport.parkNanos(1_000_000);
        }
        if (flood > 0) {
            for (int i = 2; i < 52; i++) {
                flooders.add(DatagramChannel.open().bind(new InetSocketAddress("127.0.0." + i, 0)));
            }
            flooding = true;
            floodThread = new Thread(this::flood, "flood");
            floodThread.setDaemon(true);
            floodThread.start();
        }
    }

    /** Bursts of 100 datagrams, parked in between, so the flooder costs what sending costs and no more. */
    private void flood() {
        InetSocketAddress target = new InetSocketAddress("127.0.0.1", receiver.localAddress().port());
        SplittableRandom random = new SplittableRandom(4);
        byte[] garbage = new byte[200];
        long burstNanos = 100 * 1_000_000_000L / flood;
        long next = System.nanoTime();
        try {
            while (flooding) {
                for (int i = 0; i < 100; i++) {
                    DatagramChannel from = flooders.get(random.nextInt(flooders.size()));
                    if (random.nextBoolean()) {
                        // A plain HELLO (docs/PROTOCOL.md): magic, version, kind 1, sender tag, receiver 0.
                        from.send(ByteBuffer.allocate(11).put((byte) 0x47).put((byte) 1).put((byte) 1)
                                .putInt(random.nextInt() | 1).putInt(0).flip(), target);
                    } else {
                        random.nextBytes(garbage);
                        from.send(ByteBuffer.wrap(garbage), target);
                    }
                }
                floodSent.addAndGet(100);
                next += burstNanos;
                LockSupport.parkNanos(next - System.nanoTime());
            }
        } catch (IOException e) {
            if (flooding) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException, InterruptedException {
        flooding = false;
        if (floodThread != null) {
            floodThread.join(5_000);
        }
        System.out.printf("%nflood %d/s: %d datagrams sent, %d sessions refused, %d malformed inputs counted%n", flood,
                floodSent.get(), receiver.networkState().sessionsRefused(), receiver.networkState().malformedInputs());
        for (DatagramChannel channel : flooders) {
            channel.close();
        }
        sender.close();
        receiver.close();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void gladius() {
        Batch.sendAndAwait(sender, message, received, BATCH);
    }
}
