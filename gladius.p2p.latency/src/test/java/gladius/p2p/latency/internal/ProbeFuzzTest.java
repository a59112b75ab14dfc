package gladius.p2p.latency.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gladius.p2p.Message;
import gladius.p2p.NodeAddress;
import java.nio.ByteBuffer;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/** Generated latency messages handed straight to the plugin: it counts what it rejects and never throws. */
class ProbeFuzzTest {

    private final LatencyPlugin plugin = new LatencyPlugin(LatencySettings.from(Map.of()));

    private static Message message(String type, byte[] body) {
        return new Message() {
            @Override
            public NodeAddress sender() {
                return new NodeAddress("127.0.0.1", 7000);
            }

            @Override
            public String type() {
                return type;
            }

            @Override
            public ByteBuffer body() {
                return ByteBuffer.wrap(body).asReadOnlyBuffer();
            }

            @Override
            public int checksum() {
                return 0;
            }
        };
    }

    @Property(tries = 100_000)
    void pongsThatMatchNoProbeAreCountedNeverThrown(@ForAll @Size(max = 64) byte[] body, @ForAll boolean pong,
                                                    @ForAll @StringLength(max = 12) String suffix) {
        long before = plugin.rejectedMessages();
        String type = pong ? "latency/pong" : "latency/" + suffix;
        plugin.newMessage(message(type, body));
        boolean ping = type.equals("latency/ping") && body.length == 17 && body[0] == 1;
        assertEquals(ping ? before : before + 1, plugin.rejectedMessages(), "everything but a valid ping is rejected here");
    }
}
