package gladius.p2p.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.Network;
import gladius.p2p.PeerState;
import gladius.p2p.testing.Await;
import gladius.p2p.testing.Cluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gladius key}: the printed key is the one a secure node's peers see, so a closed network can be set up from the command line. */
class KeyCommandTest {

    @Test
    void aNewKeyFileAndThePrintedKeyAreWhatPeersSeeAndAllow(@TempDir Path dir) throws Exception {
        Path keyFile = dir.resolve("node.key");
        Gladius.Result made = Gladius.run("key", "--new", keyFile.toString());
        assertEquals(0, made.exit(), made.err());
        assertTrue(made.key().matches("[0-9a-f]{64}"), made.out());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)), "owner-only");
        String privateHex = Files.readString(keyFile).trim();

        Gladius.Result fromFile = Gladius.run("key", "--node-key", keyFile.toString());
        Gladius.Result fromHex = Gladius.run("key", "--node-key", privateHex);
        assertEquals(0, fromFile.exit(), fromFile.err());
        assertEquals(made.key(), fromFile.key());
        assertEquals(made.key(), fromHex.key());

        // A closed network: the other node allows only this key, and sees exactly it.
        try (Cluster cluster = new Cluster(Map.of("provider", "kcp", "plugins", "none", "kcp.secure", "true"))) {
            Network keyed = cluster.start(Map.of("kcp.node-key", keyFile.toString()));
            Network strict = cluster.start(Map.of("kcp.allow-keys", made.key()));
            assertEquals(made.key(), HexFormat.of().formatHex(keyed.networkState().staticKey().orElseThrow()));
            keyed.add(strict.localAddress());
            Await.until("a session the allow-list let in",
                    () -> strict.networkState().peer(keyed.localAddress()).map(PeerState::connected).orElse(false));
            assertEquals(made.key(), HexFormat.of().formatHex(
                    strict.networkState().peer(keyed.localAddress()).orElseThrow().staticKey().orElseThrow()));
        }
    }

    @Test
    void mistakesAreOneLineAndExitTwo(@TempDir Path dir) throws Exception {
        Path existing = Files.writeString(dir.resolve("taken.key"), "x");
        Gladius.Result overwrite = Gladius.run("key", "--new", existing.toString());
        assertEquals(2, overwrite.exit());
        assertTrue(overwrite.err().contains("never overwritten"), overwrite.err());
        assertEquals("x", Files.readString(existing), "the file is untouched");

        Gladius.Result badHex = Gladius.run("key", "--node-key", "abcd");
        assertEquals(2, badHex.exit());
        assertTrue(badHex.err().contains("kcp.node-key"), badHex.err());
        assertTrue(!badHex.err().contains("abcd"), "a mistyped key is never echoed: " + badHex.err());

        Gladius.Result neither = Gladius.run("key");
        assertEquals(2, neither.exit());
        assertTrue(neither.err().contains("--node-key") && neither.err().contains("--new"), neither.err());
    }
}
