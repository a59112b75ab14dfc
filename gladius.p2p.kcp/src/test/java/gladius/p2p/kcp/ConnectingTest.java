package gladius.p2p.kcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.NodeAddress;
import gladius.p2p.PeerState;
import gladius.p2p.testing.Await;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Dialing: giving up on silence, trying again, coming up late, and the limit on sessions, in every mode. */
@ParameterizedClass(name = "{0}")
@EnumSource(Mode.class)
class ConnectingTest {

    @Parameter
    Mode mode;

    @Test
    void aDialThatHearsNothingGivesUpAfterTheConnectTimeoutAndTheNodeIsReachedOnceItComesUp() throws Exception {
        try (Nodes nodes = new Nodes(mode)) {
            Nodes.Node a = nodes.start("kcp.connect-timeout", "200ms", "kcp.redial-min", "100ms", "kcp.redial-max", "400ms");
            NodeAddress later;
            try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                later = new NodeAddress("127.0.0.1", silent.getLocalPort());
                a.network().add(later);
                assertEquals(1, a.network().broadcast(a.network().newMessage("queued-while-down", new byte[] {1})),
                        "a message for a route-table node that is not up waits in its queue");
                // Each dial names itself with a fresh tag (docs/PROTOCOL.md): three tags are three dials, so
                // at least two gave up at the connect timeout and were tried again.
                Set<Integer> dials = new HashSet<>();
                silent.setSoTimeout(1_000);
                byte[] buffer = new byte[2048];
                Await.until("three dials of the silent node", () -> {
                    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                    try {
                        silent.receive(packet);
                    } catch (SocketTimeoutException nothingYet) {
                        return false;
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    ByteBuffer datagram = ByteBuffer.wrap(buffer, 0, packet.getLength());
                    int kind = datagram.get(2);
                    assertTrue(kind == 1 || kind == 7, "only HELLOs go to a node that never answered: kind " + kind);
                    dials.add(datagram.getInt(3));
                    return dials.size() >= 3;
                });
                assertFalse(a.network().networkState().peer(later).orElseThrow().connected());
            }
            Nodes.Node b = nodes.startOn(later);
            Await.until("the late node reached", () -> a.network().networkState().peer(later).map(PeerState::connected).orElse(false));
            Await.until("what waited delivered", () -> b.inbox().count("queued-while-down") == 1);
            assertEquals(0, a.network().networkState().messagesDropped());
        }
    }

    @Test
    void maxSessionsRefusesTheNodeOverTheLimitUntilASessionEnds() {
        try (Nodes nodes = new Nodes(mode)) {
            Nodes.Node full = nodes.start("kcp.max-sessions", "2");
            List<Nodes.Node> dialers = List.of(nodes.start("kcp.connect-timeout", "1h"), nodes.start("kcp.connect-timeout", "1h"),
                    nodes.start("kcp.connect-timeout", "1h"));
            for (Nodes.Node dialer : dialers) {
                dialer.network().broadcast(dialer.network().newMessage("knock", new byte[0]), full.address());
            }
            Await.until("two admitted, one refused", () -> full.inbox().count("knock") == 2
                    && full.network().networkState().sessionsRefused() >= 1);
            assertEquals(2, Await.quiet("knocks heard", Duration.ofMillis(300), () -> full.inbox().count("knock")));
            assertEquals(2, full.network().networkState().peers().size(), "no more than kcp.max-sessions");

            // One admitted dialer leaves: the refused one, still trying, takes its place.
            NodeAddress admitted = full.inbox().messages().get(0).sender();
            dialers.stream().filter(d -> d.address().equals(admitted)).findFirst().orElseThrow().network().close();
            Await.until("the third knock, once a session ended", () -> full.inbox().count("knock") == 3);
            assertEquals(3, full.inbox().messages().stream().map(m -> m.sender()).distinct().count());
        }
    }
}
