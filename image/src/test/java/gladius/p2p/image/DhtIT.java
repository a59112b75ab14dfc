package gladius.p2p.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's DHT: {@code gladius dht put|get|find} against running secure nodes, and {@code run
 * --data DIR}: a restarted node is the same node (its key kept in DIR), holds the records it held,
 * and rejoins through the nodes it knew when its only seed is gone. No warning on any Java.
 */
class DhtIT {

    private static final String NODE_KEY = "gladius: node key ";

    /** A node's contact, KEYHEX@HOST:PORT, from what it printed at start. */
    private static String contact(Gladius node) {
        String address = node.awaitLine("its address", l -> l.startsWith("gladius: listening on ")).substring(22);
        String key = node.awaitLine("its key", l -> l.startsWith(NODE_KEY)).substring(NODE_KEY.length(), NODE_KEY.length() + 64);
        return key + "@" + address;
    }

    private static Gladius once(String... args) throws Exception {
        Gladius command = Gladius.start(args);
        command.exit(Duration.ofSeconds(60));
        return command;
    }

    @Test
    void putGetFindAndARestartedNodeThatRejoinsWithoutItsSeed(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("b");
        Gladius a = Gladius.start("run", "--listen", "127.0.0.1:0", "--set", "kcp.secure=true");
        try {
            String seed = contact(a);
            try (Gladius c = Gladius.start("run", "--listen", "127.0.0.1:0", "--set", "kcp.secure=true", "--seed", seed)) {
                String cContact = contact(c);
                Gladius b = Gladius.start("run", "--listen", "127.0.0.1:0", "--set", "kcp.secure=true", "--seed", seed,
                        "--data", data.toString());
                String bContact = contact(b);
                assertTrue(Files.exists(data.resolve("node.key")), "the key kept in --data");

                Gladius put = once("dht", "put", seed, "greeting", "hello");
                assertEquals(0, put.exit(Duration.ofSeconds(1)), put.toString());
                String path = put.out().get(0).substring(0, put.out().get(0).indexOf(' '));
                Gladius get = once("dht", "get", cContact, path);
                assertEquals("hello", get.out().get(0), get.toString());
                Gladius find = once("dht", "find", seed, bContact.substring(0, 64));
                assertEquals(bContact.substring(65), find.out().get(0), find.toString());

                assertEquals(143, b.terminate(), b.toString());
                assertFalse(String.join("\n", b.err()).contains("WARNING"), "no warning: " + b);
                a.close(); // b's only seed is gone

                try (Gladius again = Gladius.start("run", "--listen", "127.0.0.1:0", "--set", "kcp.secure=true",
                        "--data", data.toString())) {
                    String againContact = contact(again);
                    assertEquals(bContact.substring(0, 64), againContact.substring(0, 64), "the same node key");
                    Gladius kept = once("dht", "get", againContact, path);
                    assertEquals("hello", kept.out().get(0), "it still holds the record: " + kept);
                    Gladius found = once("dht", "find", againContact, cContact.substring(0, 64));
                    assertEquals(cContact.substring(65), found.out().get(0), "it rejoined through c: " + found);
                    assertFalse(String.join("\n", again.err()).contains("WARNING"), "no warning: " + again);
                }
            }
        } finally {
            a.close();
        }
    }
}
