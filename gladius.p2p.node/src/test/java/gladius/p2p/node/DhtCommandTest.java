package gladius.p2p.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.Network;
import gladius.p2p.dht.DhtService;
import gladius.p2p.testing.Await;
import gladius.p2p.testing.Cluster;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code gladius dht put|get|find} against running DHT nodes in this JVM, each command a node of its own. */
class DhtCommandTest {

    @Test
    void putThenGetThroughAnotherNodeAndFindANodeByKey() {
        String secret = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
        try (Cluster cluster = new Cluster(Map.of("provider", "kcp", "kcp.secure", "true", "plugins", "dht"))) {
            Network first = cluster.start(Map.of());
            for (int i = 0; i < 4; i++) {
                cluster.start(Map.of("dht.seeds", first.localAddress().toString()));
            }
            List<Network> nodes = cluster.nodes();
            Await.until("every node's DHT to know the four others",
                    () -> nodes.stream().allMatch(n -> n.plugin(DhtService.class).orElseThrow().knownNodes() == 4));
            String firstContact = first.networkState().key().orElseThrow() + "@" + first.localAddress();

            Gladius.Result put = Gladius.run("dht", "put", "--node-key", secret, firstContact, "greeting", "hello there");
            assertEquals(0, put.exit(), put.err());
            String path = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a/greeting";
            assertTrue(put.out().startsWith(path + " #"), put.out());

            Network other = nodes.get(3);
            Gladius.Result get = Gladius.run("dht", "get", "--set", "kcp.secure=true", other.localAddress().toString(), path);
            assertEquals(0, get.exit(), get.err());
            assertEquals("hello there", get.out().strip());

            Gladius.Result missing = Gladius.run("dht", "get", firstContact, path.replace("greeting", "nothing"));
            assertEquals(1, missing.exit());
            assertTrue(missing.err().contains("no valid record"), missing.err());

            String key = nodes.get(2).networkState().key().orElseThrow().toString();
            Gladius.Result find = Gladius.run("dht", "find", first.localAddress().toString(), key);
            assertEquals(0, find.exit(), find.err());
            assertEquals(nodes.get(2).localAddress().toString(), find.out().strip());

            String key3 = nodes.get(3).networkState().key().orElseThrow().toString();
            Gladius.Result both = Gladius.run("dht", "find", first.localAddress().toString(), key, key3);
            assertEquals(0, both.exit(), both.err());
            assertEquals(List.of(key + " " + nodes.get(2).localAddress(), key3 + " " + nodes.get(3).localAddress()),
                    both.out().lines().toList());
            Gladius.Result oneMissing = Gladius.run("dht", "get", firstContact, path, path.replace("greeting", "nothing"));
            assertEquals(1, oneMissing.exit(), "one of two is missing");
            assertEquals(path + " hello there", oneMissing.out().strip());

            Gladius.Result bad = Gladius.run("dht", "get", firstContact, "not-a-path");
            assertEquals(2, bad.exit(), bad.out());
            assertTrue(bad.err().contains("WRITERHEX/NAME"), bad.err());
        }
    }
}
