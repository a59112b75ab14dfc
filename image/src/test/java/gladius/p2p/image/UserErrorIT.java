package gladius.p2p.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A mistake the user can fix is one line naming it, exit code 2, and never a stack trace. */
class UserErrorIT {

    @Test
    void badFlagsSettingsFilesAndPortsAreOneClearLine() throws Exception {
        try (DatagramSocket taken = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Map<List<String>, String> cases = new LinkedHashMap<>();
            cases.put(List.of("run", "--bogus"), "--bogus");
            cases.put(List.of("run", "--listen", "nowhere"), "HOST:PORT");
            cases.put(List.of("run", "--listen", "127.0.0.1:" + taken.getLocalPort()), "127.0.0.1:" + taken.getLocalPort());
            cases.put(List.of("run", "--set", "kcpp.interval=10ms"), "unknown setting kcpp.interval");
            cases.put(List.of("run", "--set", "kcp.interval=soon"), "setting kcp.interval");
            cases.put(List.of("run", "--set", "kcp.intervall=10ms"), "kcp.intervall");
            cases.put(List.of("run", "--config", "/no/such/file.properties"), "/no/such/file.properties");
            cases.put(List.of("run", "--key-file", "/no/such/key"), "/no/such/key");
            cases.put(List.of("run", "--set", "ethstate.private-key=12"), "setting ethstate.private-key");
            cases.put(List.of("run", "--status-every", "0s"), "--status-every");
            cases.put(List.of("demo", "--nodes", "1"), "--nodes");
            cases.put(List.of("status", "127.0.0.1"), "HOST:PORT");
            cases.put(List.of("launch"), "launch");
            // Checked before the port is bound: with the port taken too, the --put mistake is the one reported.
            cases.put(List.of("run", "--listen", "127.0.0.1:" + taken.getLocalPort(), "--put", "novalue"), "--put wants key=value");
            for (Map.Entry<List<String>, String> c : cases.entrySet()) {
                try (Gladius gladius = Gladius.start(c.getKey().toArray(String[]::new))) {
                    assertEquals(2, gladius.exit(Duration.ofSeconds(30)), c.getKey() + gladius.toString());
                    assertEquals(1, gladius.err().size(), "one line: " + c.getKey() + gladius);
                    String line = gladius.err().get(0);
                    assertTrue(line.startsWith("gladius: ") && line.contains(c.getValue()), c.getKey() + " said: " + line);
                    assertTrue(!line.contains("Exception") && gladius.out().isEmpty(), c.getKey() + gladius.toString());
                }
            }
        }
    }

    @Test
    void aPluginFolderThatIsNotThereIsOneClearLine() throws Exception {
        try (Gladius gladius = Gladius.start(Map.of("GLADIUS_PLUGINS", "/no/such/plugins"), "demo", "--nodes", "2")) {
            assertEquals(2, gladius.exit(Duration.ofSeconds(30)), gladius.toString());
            assertEquals(List.of("gladius: $GLADIUS_PLUGINS names /no/such/plugins, which is not a folder"), gladius.err());
        }
    }
}
