package gladius.p2p.kcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.Message;
import gladius.p2p.NodeAddress;
import gladius.p2p.PeerState;
import gladius.p2p.Plugin;
import gladius.p2p.testing.Await;
import gladius.p2p.testing.LinkConditions;
import gladius.p2p.testing.LossyLink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The transport's flight-recorder events, recorded the way a user would (a {@link Recording}
 * dumped to a file) and read back with {@code jdk.jfr.consumer}: each with the fields someone
 * debugging a node would look for.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(value = Mode.class, names = {"PLAIN_EPOLL", "SECURE_EPOLL"})
class FlightRecorderTest {

    private static final List<String> EVENTS = List.of("gladius.SessionOpened", "gladius.SessionClosed",
            "gladius.SessionRefused", "gladius.HandshakeCompleted", "gladius.RetransmissionBurst",
            "gladius.MessagesDropped", "gladius.PluginFailure", "gladius.RelayDrops");

    @Parameter
    Mode mode;

    /** Throws on every message of type "boom". */
    private static final class Fragile implements Plugin {
        @Override
        public void newMessage(Message message) {
            if (message.type().equals("boom")) {
                throw new IllegalStateException("fragile plugin met " + message.type());
            }
        }
    }

    @Test
    void aRecordingHoldsTheSessionsLifeDropsBurstsAndPluginFailuresWithTheirFields() throws Exception {
        Path file = Files.createTempFile("gladius", ".jfr");
        List<RecordedEvent> events;
        NodeAddress aAddress;
        NodeAddress bAddress;
        NodeAddress dAddress;
        byte[] bKey;
        try (Recording recording = new Recording()) {
            EVENTS.forEach(name -> recording.enable(name).withoutThreshold());
            recording.start();
            try (Nodes nodes = new Nodes(mode)) {
                nodes.expectPluginFailures();
                Nodes.Node a = nodes.start("kcp.connect-timeout", "300ms");
                Nodes.Node b = nodes.start();
                aAddress = a.address();
                bAddress = b.address();
                bKey = b.network().networkState().staticKey().orElse(null);
                b.network().registerPlugin(new Fragile());
                a.network().add(b.address());
                a.network().broadcast(a.network().newMessage("boom", new byte[1]), b.address());
                Await.until("the message at b", () -> b.inbox().count("boom") == 1);

                // A peer nobody answers at, and a queue of four: six of ten messages are dropped at once,
                // the other four when the dial gives up.
                Nodes.Node d = nodes.start("kcp.queue-capacity", "4", "kcp.connect-timeout", "300ms");
                dAddress = d.address();
                NodeAddress nobody = new NodeAddress("127.0.0.1", 9);
                d.network().add(nobody);
                for (int i = 0; i < 10; i++) {
                    d.network().broadcast(d.network().newMessage("lost", new byte[1]), nobody);
                }

                // Heavy loss on a link with much to send: KCP resends in bursts.
                Nodes.Node c = nodes.start();
                try (LossyLink link = LossyLink.between(a.address(), c.address(), LinkConditions.PERFECT.withDrop(0.4))) {
                    NodeAddress cThroughLink = link.standInFor(c.address());
                    a.network().add(cThroughLink);
                    Await.until("a connected to c", () -> a.network().networkState().peer(cThroughLink)
                            .map(PeerState::connected).orElse(false));
                    for (int i = 0; i < 300; i++) {
                        a.network().broadcast(a.network().newMessage("bulk", new byte[1000]), cThroughLink);
                    }
                    Await.until("the bulk at c", () -> c.inbox().count("bulk") == 300);
                }
                a.network().delete(b.address());
                Await.until("a's session with b closed", () -> a.network().networkState().peer(b.address())
                        .map(p -> !p.connected()).orElse(true));
            }
            recording.stop();
            recording.dump(file);
        }
        try {
            events = RecordingFile.readAllEvents(file);
        } finally {
            Files.deleteIfExists(file);
        }

        RecordedEvent opened = one(events, "gladius.SessionOpened", e -> e.getString("local").equals(aAddress.toString())
                && e.getString("peer").equals(bAddress.toString()));
        assertFalse(opened.getBoolean("inbound"));
        assertEquals(secure(), opened.getBoolean("secure"));
        assertEquals("", opened.getString("relay"));
        assertTrue(opened.getLong("setupMillis") >= 0 && opened.getLong("setupMillis") < 5_000, opened.toString());
        one(events, "gladius.SessionOpened", e -> e.getString("local").equals(bAddress.toString())
                && e.getString("peer").equals(aAddress.toString()) && e.getBoolean("inbound"));

        // The established one: on a loaded machine a's first dial may outlast its 300 ms and close unanswered.
        RecordedEvent closed = one(events, "gladius.SessionClosed", e -> e.getString("local").equals(aAddress.toString())
                && e.getString("peer").equals(bAddress.toString()) && e.getBoolean("established"));
        assertEquals("deleted from the route table", closed.getString("reason"));
        one(events, "gladius.SessionClosed", e -> e.getString("peer").equals("127.0.0.1:9") && !e.getBoolean("established")
                && (stringsLostAcrossRecordings() || e.getString("reason").contains("kcp.connect-timeout")));

        long dropped = events.stream().filter(e -> named(e, "gladius.MessagesDropped") && e.getString("local").equals(dAddress.toString()))
                .mapToLong(e -> e.getLong("messages")).sum();
        assertTrue(dropped >= 6, "at least the six the full queue refused: " + dropped);

        RecordedEvent burst = one(events, "gladius.RetransmissionBurst", e -> e.getString("local").equals(aAddress.toString()));
        assertTrue(burst.getLong("segments") >= 16, burst.toString());

        RecordedEvent failure = one(events, "gladius.PluginFailure", e -> e.getString("plugin").equals(Fragile.class.getName()));
        assertEquals(IllegalStateException.class.getName(), failure.getString("exception"));
        assertEquals("fragile plugin met boom", failure.getString("message"));

        if (secure()) {
            RecordedEvent handshake = one(events, "gladius.HandshakeCompleted", e -> e.getString("local").equals(aAddress.toString())
                    && e.getString("peer").equals(bAddress.toString()));
            assertTrue(handshake.getBoolean("initiator"));
            assertEquals(HexFormat.of().formatHex(bKey), handshake.getString("staticKey"), "the key b proved");
        } else {
            assertTrue(events.stream().noneMatch(e -> named(e, "gladius.HandshakeCompleted")), "plain sessions have none");
        }
        assertTrue(events.stream().filter(e -> e.getEventType().getName().startsWith("gladius."))
                .allMatch(e -> e.getEventType().getCategoryNames().get(0).equals("Gladius P2P")));
    }

    @Test
    void aRefusedSessionIsRecordedOnBothSidesWithItsReason() throws Exception {
        Path file = Files.createTempFile("gladius", ".jfr");
        NodeAddress plainAddress;
        NodeAddress otherAddress;
        try (Recording recording = new Recording()) {
            recording.enable("gladius.SessionRefused");
            recording.start();
            Mode other = secure() ? Mode.PLAIN_EPOLL : Mode.SECURE_EPOLL;
            try (Nodes nodes = new Nodes(mode); Nodes others = new Nodes(other)) {
                Nodes.Node a = nodes.start();
                Nodes.Node b = others.start();
                plainAddress = a.address();
                otherAddress = b.address();
                a.network().add(b.address());
                Await.until("a refused", () -> a.network().networkState().sessionsRefused() > 0
                        && b.network().networkState().sessionsRefused() > 0);
            }
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> events;
        try {
            events = RecordingFile.readAllEvents(file);
        } finally {
            Files.deleteIfExists(file);
        }
        RecordedEvent byB = one(events, "gladius.SessionRefused", e -> e.getString("local").equals(otherAddress.toString())
                && e.getBoolean("byThisNode"));
        assertEquals(plainAddress.toString(), byB.getString("peer"));
        assertTrue(byB.getString("reason").contains("kcp.secure"), byB.toString());
        one(events, "gladius.SessionRefused", e -> e.getString("local").equals(plainAddress.toString()) && !e.getBoolean("byThisNode"));
    }

    /**
     * JDK 17's recorder reads back a longer string that an earlier recording in the same JVM also
     * held as missing ("N/A"): seen here for this reason in the second mode's run, never on JDK 25.
     * Its own constant pool, not ours; the other fields still count.
     */
    private static boolean stringsLostAcrossRecordings() {
        return Runtime.version().feature() < 21;
    }

    private boolean secure() {
        return mode.settings().get("kcp.secure").equals("true");
    }

    private static boolean named(RecordedEvent event, String name) {
        return event.getEventType().getName().equals(name);
    }

    private static RecordedEvent one(List<RecordedEvent> events, String name, Predicate<RecordedEvent> matching) {
        return events.stream().filter(e -> named(e, name) && matching.test(e)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " as expected among: "
                        + events.stream().filter(e -> named(e, name)).toList()));
    }
}
