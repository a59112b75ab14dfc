package gladius.p2p.latency.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gladius.p2p.Message;
import gladius.p2p.NodeAddress;
import gladius.p2p.testing.Fuzz;
import java.nio.ByteBuffer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Generated latency messages handed straight to the plugin: it counts what it rejects and never throws. */
class ProbeFuzzTest {

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

    @Test
    void pongsThatMatchNoProbeAreCountedNeverThrown() {
        LatencyPlugin plugin = new LatencyPlugin(LatencySettings.from(Map.of()));
        String[] types = {"latency/pong", "latency/ping", "latency/", "latency/other"};
        Fuzz.run("latency messages", 100_000, 21, random -> {
            byte[] body = Fuzz.bytes(random, 64, 17);
            String type = types[random.nextInt(types.length)];
            long before = plugin.rejectedMessages();
            plugin.newMessage(message(type, body));
            boolean ping = type.equals("latency/ping") && body.length == 17 && body[0] == 1;
            assertEquals(ping ? before : before + 1, plugin.rejectedMessages(), "everything but a valid ping is rejected here");
        });
    }
}
