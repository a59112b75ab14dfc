package gladius.p2p.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.Network;
import gladius.p2p.NetworkState;
import gladius.p2p.PeerState;
import gladius.p2p.testing.Await;
import gladius.p2p.testing.Cluster;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The status line {@code gladius run} prints and the report {@code gladius status} shows, read off real networks. */
class ReportTest {

    private static final Pattern LINE = Pattern.compile("peers (\\d+)/(\\d+)  in (\\d+)  out (\\d+)  dropped (\\d+)(  .*)?");

    @Test
    void theStatusLineAndTheReportShowWhatTheNetworkStateHolds() {
        try (Cluster cluster = new Cluster()) {
            Network a = cluster.start(Map.of("provider", "kcp", "plugins", "none"));
            Network b = cluster.start(Map.of("provider", "kcp", "plugins", "none"));
            a.add(b.localAddress());
            a.add(new gladius.p2p.NodeAddress("127.0.0.1", 9)); // in the table, never up
            for (int i = 0; i < 3; i++) {
                a.broadcast(a.newMessage("report/hello", new byte[] {1}), b.localAddress());
            }
            Await.until("b hears all three", () -> b.networkState().messagesReceived() == 3);
            Await.until("a's counters agree", () -> a.networkState().messagesSent() == 3);

            NetworkState state = a.networkState();
            Matcher line = LINE.matcher(Report.line(a));
            assertTrue(line.matches(), Report.line(a));
            assertEquals("1", line.group(1), "connected route-table peers");
            assertEquals("2", line.group(2), "route-table peers");
            assertEquals(Long.toString(state.messagesReceived()), line.group(3));
            assertEquals("3", line.group(4));
            assertEquals(Long.toString(state.messagesDropped()), line.group(5));

            String report = Report.full(a);
            String[] lines = report.split("\n");
            assertTrue(lines[0].startsWith("node " + a.localAddress()), report);
            assertTrue(LINE.matcher(lines[1]).matches(), report);
            // Every figure NetworkState describes that is not 0, by its name: a sent three, received
            // none, and has bytes both ways and two peers in its table, one connected.
            assertTrue(lines[2].startsWith("figures: messagesSent 3, bytesSent "), report);
            assertTrue(lines[2].contains(", routeTablePeers 2, connectedPeers 1"), report);
            assertFalse(lines[2].contains("messagesReceived") || lines[2].contains("relay"), report);
            PeerState toB = state.peer(b.localAddress()).orElseThrow();
            assertTrue(report.lines().anyMatch(l -> l.trim().startsWith(b.localAddress().toString()) && l.contains(" table ")
                    && l.contains(" up ") && l.contains("out " + toB.messagesSent())), report);
            assertTrue(report.lines().anyMatch(l -> l.trim().startsWith("127.0.0.1:9 ") && l.contains(" down ")), report);
            assertEquals(3 + state.peers().size() + 1, lines.length, "one line per peer, then the legend: " + report);
            assertEquals(Report.RTT_LEGEND.trim(), lines[lines.length - 1], "what probe rtt and srtt are");

            String forB = Report.full(a, b.localAddress());
            assertEquals(lines.length - 1, forB.split("\n").length, "the asker's own line left out: " + forB);
            assertTrue(forB.lines().noneMatch(l -> l.trim().startsWith(b.localAddress().toString())), forB);
        }
    }

    @Test
    void aNodeInTopicsShowsThemOnItsStatusLine() {
        try (Cluster cluster = new Cluster()) {
            Network quiet = cluster.start(Map.of("provider", "kcp", "plugins", "pubsub"));
            assertTrue(!Report.line(quiet).contains("topics"), "no topics, nothing said: " + Report.line(quiet));
            Network chat = cluster.start(Map.of("provider", "kcp", "plugins", "pubsub", "pubsub.topics", "chat,news"));
            assertTrue(Report.line(chat).endsWith("  topics 2 delivered 0 mesh 0"), Report.line(chat));
        }
    }
}
