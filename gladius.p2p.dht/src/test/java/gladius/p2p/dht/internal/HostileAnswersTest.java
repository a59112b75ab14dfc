package gladius.p2p.dht.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.NodeAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * What a peer can send the core that it did not ask for, on one core with the network in the test's
 * hands: an answer from another node than the one asked, an answer naming garbage, a record for
 * another place. Each is dropped and counted, and changes nothing.
 */
class HostileAnswersTest {

    private record Sent(NodeAddress to, byte[] body) {}

    private final List<Sent> sent = new ArrayList<>();
    private final SplittableRandom random = new SplittableRandom(5);
    private final Kademlia core = new Kademlia(Kademlia.Config.defaults(), NodeId.random(random), new Kademlia.Io() {
        @Override
        public void send(NodeAddress to, byte[] body) {
            sent.add(new Sent(to, body));
        }

        @Override
        public Optional<Peer> readEntry(byte[] entry) {
            try {
                NodeAddress address = NodeAddress.parse(new String(entry, StandardCharsets.UTF_8));
                return Optional.of(new Peer(NodeId.ofAddress(address), address, entry));
            } catch (IllegalArgumentException garbage) {
                return Optional.empty();
            }
        }
    }, a -> null, random);

    private static Peer peer(String host) {
        NodeAddress address = new NodeAddress(host, 4000);
        return new Peer(NodeId.ofAddress(address), address, address.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static int id(byte[] body) {
        return ((Wire.Request) Wire.decode(body).orElseThrow()).id();
    }

    @Test
    void anAnswerFromAnotherNodeThanTheOneAskedChangesNothing() {
        Peer asked = peer("20.0.0.1");
        Peer impostor = peer("20.0.1.1");
        core.addContact(asked, 0);
        List<Kademlia.Result> results = new ArrayList<>();
        core.findNode(NodeId.random(random), 0, results::add);
        assertEquals(1, sent.size());
        int request = id(sent.get(0).body());
        Peer planted = peer("66.6.6.6");
        byte[] answer = Wire.nodes(request, null, List.of(), List.of(planted.entry()));

        core.receive(impostor.id(), impostor.address(), impostor.entry(), answer, 10);
        assertEquals(1, core.counters().unsolicited, "an answer with the right ID from the wrong node");
        assertTrue(results.isEmpty(), "the lookup still waits for the node it asked");
        assertEquals(1, sent.size(), "and asked nobody the impostor named");

        core.receive(asked.id(), asked.address(), asked.entry(), Wire.nodes(request, null, List.of(), List.of()), 20);
        assertEquals(1, results.size());
        core.receive(asked.id(), asked.address(), asked.entry(), answer, 30);
        assertEquals(2, core.counters().unsolicited, "a second answer to one request");
    }

    @Test
    void garbageEntriesAndARecordOfAnotherPlaceAreDroppedAndCounted() {
        Peer asked = peer("20.0.0.1");
        core.addContact(asked, 0);
        List<Kademlia.Result> results = new ArrayList<>();
        core.get(NodeId.random(random), 0, results::add);
        int request = id(sent.get(0).body());
        byte[] secret = new byte[Signer.KEY_BYTES];
        random.nextBytes(secret);
        Signer writer = Signer.fromSecret(secret);
        Records.Signed elsewhere = Records.sign(new gladius.p2p.dht.DhtRecord(writer.publicKey(), "n", new byte[] {1}, 1,
                java.time.Instant.ofEpochMilli(3_600_000)), writer);
        byte[] answer = Wire.nodes(request, elsewhere.encoded(), List.of(), List.of("not an address".getBytes(StandardCharsets.UTF_8),
                "10.0.0.1:0:0".getBytes(StandardCharsets.UTF_8)));
        core.receive(asked.id(), asked.address(), asked.entry(), answer, 10);
        assertEquals(1, results.size());
        assertTrue(results.get(0).record().isEmpty(), "a valid record, but of another place");
        assertEquals(1, core.counters().invalidRecords);
        assertEquals(2, core.counters().invalidEntries);
        assertEquals(1, core.table().size(), "nothing named by garbage went into the table");
    }
}
