package gladius.p2p.kcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.Message;
import gladius.p2p.Network;
import gladius.p2p.Plugin;
import gladius.p2p.testing.Await;
import gladius.p2p.testing.Cluster;
import gladius.p2p.testing.Inbox;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * gladius.p2p.testing's Cluster and Inbox on the real transport (the testing module has none of
 * its own): a plugin that threw fails the test at close, unless the test expects it.
 */
class ClusterTest {

    private static final Map<String, String> KCP = Map.of("provider", "kcp", "plugins", "none");

    @Test
    void aPluginThatThrewFailsTheClusterAtCloseUnlessExpected() {
        for (boolean expected : new boolean[] {false, true}) {
            Cluster cluster = new Cluster(KCP);
            Inbox inbox = new Inbox();
            Plugin broken = new Plugin() {
                @Override
                public void newMessage(Message message) {
                    throw new IllegalStateException("a broken plugin");
                }
            };
            Network a = cluster.start(Map.of());
            Network b = cluster.startOn(Cluster.LOOPBACK, Map.of(), broken, inbox);
            assertEquals("kcp", b.settings().get("provider"), "the cluster's defaults reach every node");
            a.broadcast(a.newMessage("m", new byte[0]), b.localAddress());
            Await.until("the plugin after the broken one hears the message", () -> inbox.count("m") == 1);
            assertEquals(a.localAddress(), inbox.messages().get(0).sender());
            assertEquals(b, inbox.network(), "startup got the network");
            if (expected) {
                cluster.expectPluginFailures();
                cluster.close();
            } else {
                AssertionError failure = assertThrows(AssertionError.class, cluster::close);
                assertTrue(failure.getMessage().startsWith("1 plugin callbacks threw"), failure.getMessage());
            }
            assertEquals(1, inbox.closes(), "the cluster closed every node either way");
        }
    }
}
