package gladius.p2p.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.Network;
import gladius.p2p.ethstate.EthState;
import gladius.p2p.testing.Cluster;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** {@code gladius status} against a running node in this JVM: what it prints, and what it does not log. */
class StatusCommandTest {

    @Test
    void askingASecureNodeListsItsPeersAndEntriesExplainsBothRoundTripsAndLogsNoWarning() {
        List<LogRecord> warnings = new CopyOnWriteArrayList<>();
        Handler collect = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(record);
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        try (Cluster cluster = new Cluster(Map.of("provider", "kcp", "kcp.secure", "true", "plugins", "ethstate"))) {
            Network node = cluster.start(Map.of());
            node.registerPlugin(new StatusResponder());
            node.plugin(EthState.class).orElseThrow().put("name", "alice".getBytes(StandardCharsets.UTF_8));
            node.plugin(EthState.class).orElseThrow().put("blob", new byte[] {0, 1, 2});
            Logger.getLogger("").addHandler(collect);
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int exit;
            try {
                exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), "status", "--entries",
                        node.localAddress().toString());
            } finally {
                Logger.getLogger("").removeHandler(collect);
            }
            String text = out.toString();
            assertEquals(0, exit, err + text);
            assertTrue(text.startsWith("node " + node.localAddress()), text);
            assertTrue(text.contains(Report.RTT_LEGEND), "both round-trip figures are explained: " + text);
            String address = node.plugin(EthState.class).orElseThrow().address();
            assertTrue(text.contains("signed entries: 2"), text);
            assertTrue(text.contains(address + "  name = \"alice\""), text);
            assertTrue(text.contains(address + "  blob = 0x000102"), "a value that is not text shows as hex: " + text);
            assertEquals(List.of(), warnings.stream().map(r -> r.getLoggerName() + ": " + r.getMessage()).toList(),
                    "trying plain first against a secure node is not a problem to log");
        }
    }

    /**
     * A key is whatever its signer chose, and the answer whatever the asked node sent: what a
     * terminal would act on (an escape sequence that retitles the window or moves the cursor, a bidi
     * override) is printed as \\uXXXX instead.
     */
    @Test
    void escapeSequencesInEntriesAreShownNotObeyed() {
        try (Cluster cluster = new Cluster(Map.of("provider", "kcp", "plugins", "ethstate"))) {
            Network node = cluster.start(Map.of());
            node.registerPlugin(new StatusResponder());
            String key = "\u001b]0;owned\u0007\u001b[2Jname\u202e";
            node.plugin(EthState.class).orElseThrow().put(key, "alice".getBytes(StandardCharsets.UTF_8));
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), "status", "--entries",
                    node.localAddress().toString());
            String text = out.toString();
            assertEquals(0, exit, err + text);
            assertTrue(text.contains("\\u001b]0;owned\\u0007\\u001b[2Jname\\u202e = \"alice\""), text);
            assertTrue(text.chars().noneMatch(c -> c == 0x1b || c == 0x07 || c == 0x202e), "nothing for the terminal to act on");
        }
    }
}
