package gladius.p2p.kcp.internal.core;

import gladius.p2p.NodeAddress;
import gladius.p2p.benchmarks.Microbenchmark;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * The send path of one broadcast of a 1 KiB message to 1, 10 and 100 peers, as KcpNetwork does it
 * (one encode, then a retained view into each peer's bounded queue, which the event loop later
 * takes), beside its baseline: the same number of sends of a frame encoded before. Lives in the
 * transport's package (the benchmarks run on the class path) to reach its package-private parts.
 */
public class BroadcastFanOut extends Microbenchmark {

    /** Message body bytes. */
    public int size = 1024;

    @Param({"1", "10", "100"})
    public int peers;

    private KcpMessage message;
    private ByteBuf encoded;
    private byte[] body;
    private List<Peer> queues;

    @Setup(Level.Trial)
    public void setUp() {
        body = new byte[size];
        message = KcpMessage.outgoing(new NodeAddress("127.0.0.1", 1), "bench/frame", body, 1 << 20);
        encoded = Frames.encode(message);
        queues = new ArrayList<>();
        for (int i = 0; i < peers; i++) {
            queues.add(new Peer(new InetSocketAddress("127.0.0.1", 2000 + i), 8192, Duration.ofMillis(100), Duration.ofSeconds(30)));
        }
    }

    /** What KcpNetwork.broadcast does per call: one encode, a retained view per peer; then the event loop's take. */
    @Benchmark
    public int broadcastEncodeOnce() {
        ByteBuf frame = Frames.encode(message);
        int queued = fanOut(frame);
        frame.release();
        return queued;
    }

    /** The baseline: as many sends of a frame that was encoded before. */
    @Benchmark
    public int broadcastPreEncoded() {
        return fanOut(encoded);
    }

    private int fanOut(ByteBuf frame) {
        int queued = 0;
        for (Peer peer : queues) {
            ByteBuf view = frame.retainedDuplicate();
            if (peer.offer(view, Long.MAX_VALUE)) {
                queued++;
            } else {
                view.release();
            }
        }
        for (Peer peer : queues) {
            ByteBuf taken = peer.poll();
            if (taken != null) {
                taken.release();
            }
        }
        return queued;
    }
}
