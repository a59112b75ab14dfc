package gladius.p2p.kcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.Figure;
import gladius.p2p.NetworkState;
import gladius.p2p.kcp.jmx.NetworkMXBean;
import gladius.p2p.kcp.jmx.PeerFigures;
import gladius.p2p.testing.Await;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import javax.management.JMX;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.Test;

/** A network's figures on the platform MBean server, as a JMX console reads them. */
class JmxTest {

    private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();

    private static ObjectName name(Nodes.Node node) throws Exception {
        return new ObjectName("gladius.p2p:type=Network,address=" + ObjectName.quote(node.address().toString()));
    }

    @Test
    void aListeningNetworkShowsItsStateUnderItsAddressUntilItCloses() throws Exception {
        ObjectName aName;
        try (Nodes nodes = new Nodes()) {
            Nodes.Node a = nodes.start();
            Nodes.Node b = nodes.start();
            aName = name(a);
            a.network().add(b.address());
            for (int i = 0; i < 5; i++) {
                a.network().broadcast(a.network().newMessage("counted", new byte[100]), b.address());
            }
            Await.until("all at b", () -> b.inbox().count("counted") == 5);
            Await.until("a's counters", () -> a.network().networkState().messagesSent() == 5);

            // Attributes by name, as a generic console (JConsole, VisualVM, JMC) reads them.
            assertTrue(SERVER.isRegistered(aName), aName + " registered");
            assertEquals(5L, SERVER.getAttribute(aName, "MessagesSent"));
            assertEquals(a.address().toString(), SERVER.getAttribute(aName, "LocalAddress"));
            assertEquals(1, SERVER.getAttribute(aName, "ConnectedPeers"));
            CompositeData[] peers = (CompositeData[]) SERVER.getAttribute(aName, "Peers");
            assertEquals(1, peers.length);
            assertEquals(b.address().toString(), peers[0].get("address"));
            assertEquals(true, peers[0].get("connected"));
            assertEquals(5L, peers[0].get("messagesSent"));

            // Every figure NetworkState describes is an attribute, its help the description, its
            // value the snapshot's (a's peers and counts are still: nothing more is sent).
            MBeanInfo info = SERVER.getMBeanInfo(aName);
            NetworkState aState = a.network().networkState();
            for (Figure figure : NetworkState.figures()) {
                String attribute = Character.toUpperCase(figure.name().charAt(0)) + figure.name().substring(1);
                MBeanAttributeInfo shown = Arrays.stream(info.getAttributes()).filter(i -> i.getName().equals(attribute))
                        .findFirst().orElseThrow(() -> new AssertionError(attribute + " is not an attribute"));
                assertEquals(figure.help(), shown.getDescription(), attribute);
                if (figure.name().startsWith("messages") || figure.name().endsWith("Peers")) {
                    assertEquals(figure.of(aState), ((Number) SERVER.getAttribute(aName, attribute)).longValue(), attribute);
                }
            }

            // And through a typed proxy of the exported interface.
            NetworkMXBean proxy = JMX.newMXBeanProxy(SERVER, name(b), NetworkMXBean.class);
            NetworkState bState = b.network().networkState();
            assertEquals(bState.messagesReceived(), proxy.getMessagesReceived());
            assertEquals(bState.bytesReceived() > 0, proxy.getBytesReceived() > 0);
            assertArrayEquals(bState.observedAddresses().stream().map(Object::toString).toArray(), proxy.getObservedAddresses());
            PeerFigures fromA = proxy.getPeers()[0];
            assertEquals(a.address().toString(), fromA.getAddress());
            assertTrue(fromA.isInbound() && fromA.isConnected() && fromA.getRelay().isEmpty(), fromA.getAddress());
            assertEquals(5, fromA.getMessagesReceived());
        }
        assertFalse(SERVER.isRegistered(aName), "gone when the network closed");
    }

    @Test
    void kcpJmxFalseRegistersNothing() throws Exception {
        try (Nodes nodes = new Nodes()) {
            Nodes.Node quiet = nodes.start("kcp.jmx", "false");
            assertFalse(SERVER.isRegistered(name(quiet)));
            assertTrue(SERVER.isRegistered(name(nodes.start())), "while another network of the same process is there");
        }
    }
}
