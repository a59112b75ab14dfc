package gladius.p2p.dht.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The DHT's messages: each kind reads back as written; garbage is no message and never an exception. */
class WireTest {

    private final SplittableRandom random = new SplittableRandom(11);

    @Test
    void everyKindReadsBack() {
        NodeId target = NodeId.random(random);
        for (byte kind : new byte[] {Wire.FIND_NODE, Wire.GET, Wire.GET_PROVIDERS, Wire.ADD_PROVIDER}) {
            Wire.Request r = (Wire.Request) Wire.decode(Wire.request(kind, 77, target)).orElseThrow();
            assertEquals(kind, r.kind());
            assertEquals(77, r.id());
            assertEquals(target, r.target());
        }
        Wire.Request put = (Wire.Request) Wire.decode(Wire.put(-5, new byte[] {1, 2, 3})).orElseThrow();
        assertArrayEquals(new byte[] {1, 2, 3}, put.record());
        assertEquals(-5, put.id());
        Wire.Ack ack = (Wire.Ack) Wire.decode(Wire.ack(9, Wire.FULL)).orElseThrow();
        assertEquals(Wire.FULL, ack.status());
        Wire.Nodes nodes = (Wire.Nodes) Wire.decode(Wire.nodes(3, new byte[] {9}, List.of(new byte[] {4}),
                List.of(new byte[] {5, 6}, new byte[] {7}))).orElseThrow();
        assertArrayEquals(new byte[] {9}, nodes.record().orElseThrow());
        assertEquals(1, nodes.providers().size());
        assertEquals(2, nodes.closer().size());
        assertTrue(((Wire.Nodes) Wire.decode(Wire.nodes(3, null, List.of(), List.of())).orElseThrow()).record().isEmpty());
    }

    @Test
    void anAnswerTooBigForTheLimitLeavesEntriesOut() {
        List<byte[]> big = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            big.add(new byte[Wire.MAX_ENTRY_BYTES]);
        }
        byte[] body = Wire.nodes(1, null, List.of(), big);
        assertTrue(body.length <= Wire.MAX_BODY);
        assertTrue(((Wire.Nodes) Wire.decode(body).orElseThrow()).closer().size() < 60);
    }

    @Test
    void garbageIsNoMessage() {
        byte[] good = Wire.nodes(3, new byte[] {9}, List.of(new byte[] {4}), List.of(new byte[] {5, 6}));
        for (int cut = 0; cut < good.length; cut++) {
            assertTrue(Wire.decode(java.util.Arrays.copyOf(good, cut)).isEmpty(), "cut at " + cut);
        }
        byte[] longer = java.util.Arrays.copyOf(good, good.length + 1);
        assertTrue(Wire.decode(longer).isEmpty(), "a byte too many");
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[random.nextInt(64)];
            random.nextBytes(b);
            if (random.nextBoolean() && b.length > 0) {
                b[0] = (byte) (1 + random.nextInt(7));
            }
            Wire.decode(b); // never throws
        }
        byte[] manyEntries = {Wire.NODES, 0, 0, 0, 1, 0, 0, (byte) 0xff, (byte) 0xff};
        assertTrue(Wire.decode(manyEntries).isEmpty(), "a count over the limit");
    }
}
