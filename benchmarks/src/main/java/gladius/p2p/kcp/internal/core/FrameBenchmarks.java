package gladius.p2p.kcp.internal.core;

import gladius.p2p.NodeAddress;
import gladius.p2p.benchmarks.Microbenchmark;
import io.netty.buffer.ByteBuf;
import java.util.zip.CRC32C;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * The transport's per-message work without sockets: encoding a frame (type, body, CRC-32C),
 * decoding it, and the checksum alone. Lives in the transport's package (the benchmarks run on
 * the class path) to reach its package-private parts.
 */
public class FrameBenchmarks extends Microbenchmark {

    @Param({"64", "1024", "65536"})
    public int size;

    private KcpMessage message;
    private ByteBuf encoded;
    private byte[] body;
    private Frames.Reader reader;

    @Setup(Level.Trial)
    public void setUp() {
        body = new byte[size];
        message = KcpMessage.outgoing(new NodeAddress("127.0.0.1", 1), "bench/frame", body, 1 << 20);
        encoded = Frames.encode(message);
        reader = new Frames.Reader(Frames.maxFrameLength(1 << 20));
    }

    @Benchmark
    public ByteBuf encode() {
        ByteBuf frame = Frames.encode(message);
        frame.release();
        return frame;
    }

    @Benchmark
    public Frames.Result decode() {
        ByteBuf stream = encoded.duplicate();
        return reader.next(stream);
    }

    @Benchmark
    public long checksum() {
        CRC32C crc = new CRC32C();
        crc.update(body, 0, body.length);
        return crc.getValue();
    }
}
