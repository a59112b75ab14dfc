package gladius.p2p.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.testing.Await;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code gladius run --metrics} from the image: jdk.httpserver is linked in, and a scrape shows the node's peers. */
class MetricsIT {

    @Test
    void aRunningNodeOfTheImageServesItsMetrics() throws Exception {
        try (Gladius a = Gladius.start("run", "--listen", "127.0.0.1:0", "--status-every", "300ms")) {
            String seed = a.awaitLine("a's address", l -> l.startsWith("gladius: listening on ")).substring(22);
            try (Gladius b = Gladius.start("run", "--listen", "127.0.0.1:0", "--seed", seed, "--metrics", "127.0.0.1:0")) {
                String url = b.awaitLine("b's metrics address", l -> l.startsWith("gladius: metrics at ")).substring(20);
                assertTrue(url.matches("http://127\\.0\\.0\\.1:\\d+/metrics"), url);
                Await.until("b's scrape showing a connected", () -> scrape(url).contains("gladius_connected_peers{node=\"")
                        && scrape(url).lines().anyMatch(l -> l.startsWith("gladius_peer_up{") && l.contains("peer=\"" + seed + "\"")
                                && l.endsWith(" 1")));
                HttpURLConnection get = (HttpURLConnection) new URL(url).openConnection();
                assertEquals(200, get.getResponseCode());
                assertEquals("text/plain; version=0.0.4; charset=utf-8", get.getContentType());
            }
        }
    }

    private static String scrape(String url) {
        try (InputStream in = new URL(url).openStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
