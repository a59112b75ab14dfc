package gladius.p2p.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import gladius.p2p.PeerState;
import gladius.p2p.ethstate.EthState;
import gladius.p2p.testing.Await;
import gladius.p2p.testing.Cluster;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code --http}: the live page of three running nodes, rendered by real headless Chromium: the
 * numbers it shows are the nodes' own, and a screenshot is kept (target/live-page.png; the one in
 * docs/images is a copy of it).
 */
class LivePageTest {

    @Test
    void chromiumShowsTheNodesNumbersAndDrawsTheNetwork() throws Exception {
        Optional<Path> chromium = Stream.of("chromium", "chromium-browser", "google-chrome")
                .flatMap(name -> Stream.of(System.getenv("PATH").split(":")).map(dir -> Path.of(dir, name)))
                .filter(Files::isExecutable).findFirst();
        Assumptions.assumeTrue(chromium.isPresent(), "chromium is not installed (Debian: apt-get install -y chromium)");
        try (Cluster cluster = new Cluster(Map.of("provider", "kcp", "latency.interval", "100ms", "discovery.interval", "200ms"))) {
            Network a = cluster.start(Map.of());
            Network b = cluster.start(Map.of("discovery.seeds", a.localAddress().toString()));
            Network c = cluster.start(Map.of("discovery.seeds", a.localAddress().toString()));
            List<Network> nodes = List.of(a, b, c);
            for (Network node : nodes) {
                node.plugin(EthState.class).orElseThrow().put("name", ("node " + node.localAddress().port()).getBytes(StandardCharsets.UTF_8));
            }
            Await.until("three nodes connected and holding the three entries", () -> nodes.stream().allMatch(n ->
                    n.networkState().peers().stream().filter(p -> p.inRouteTable() && p.connected()).count() == 2
                            && n.plugin(EthState.class).orElseThrow().snapshot().size() == 3));
            try (LivePage page = LivePage.start(new NodeAddress("127.0.0.1", 0), () -> nodes)) {
                String url = "http://" + page.address() + "/";
                assertTrue(get(url).contains("<title>Gladius P2P: live</title>"));
                assertTrue(get(url).lines().noneMatch(l -> l.contains("src=\"http") || l.contains("href=\"http")),
                        "nothing from elsewhere: the page works offline");

                String dom = chromium(chromium.get(), "--dump-dom", url);
                long up = nodes.stream().mapToLong(n -> n.networkState().peers().stream().filter(PeerState::connected).count()).sum();
                assertEquals("3", figure(dom, "node-count"), dom);
                assertEquals(Long.toString(up), figure(dom, "peer-count"), "sessions up, as NetworkState counts them");
                assertEquals("9", figure(dom, "entries-count"), "three entries held on each of three nodes");
                long dropped = nodes.stream().mapToLong(n -> n.networkState().messagesDropped()).sum();
                assertEquals(Long.toString(dropped), figure(dom, "dropped"));
                for (Network node : nodes) {
                    assertTrue(dom.contains("data-node=\"" + node.localAddress() + "\""), "a section per node");
                    assertTrue(dom.contains("data-address=\"" + node.localAddress() + "\""), "a vertex per node in the drawing");
                    for (PeerState peer : node.networkState().peers()) {
                        assertTrue(dom.contains("<tr data-peer=\"" + peer.address() + "\">"), "a row per peer: " + peer.address());
                    }
                }
                assertTrue(count(dom, "<line ") >= 3, "a line per session pair: " + count(dom, "<line "));

                Path shot = Path.of("target", "live-page.png").toAbsolutePath();
                Files.deleteIfExists(shot);
                chromium(chromium.get(), "--screenshot=" + shot, url);
                byte[] png = Files.readAllBytes(shot);
                assertTrue(png.length > 10_000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "a real screenshot: " + png.length + " bytes");
            }
        }
    }

    /**
     * A signed entry is its signer's words: a key written to break out of the page's script and
     * run its own is shown as the text it is, and runs nothing (LiveState escapes '<' in the JSON,
     * the page sets text, never HTML).
     */
    @Test
    void anEntryWrittenAsMarkupIsShownAsTextAndRunsNothing() throws Exception {
        Optional<Path> chromium = Stream.of("chromium", "chromium-browser", "google-chrome")
                .flatMap(name -> Stream.of(System.getenv("PATH").split(":")).map(dir -> Path.of(dir, name)))
                .filter(Files::isExecutable).findFirst();
        Assumptions.assumeTrue(chromium.isPresent(), "chromium is not installed (Debian: apt-get install -y chromium)");
        String markup = "</script><img src=x onerror=\"document.title='pwned'\"><script>document.title='pwned'</script>";
        try (Cluster cluster = new Cluster(Map.of("provider", "kcp", "plugins", "ethstate"))) {
            Network node = cluster.start(Map.of());
            node.plugin(EthState.class).orElseThrow().put(markup, markup.getBytes(StandardCharsets.UTF_8));
            try (LivePage page = LivePage.start(new NodeAddress("127.0.0.1", 0), () -> List.of(node))) {
                String dom = chromium(chromium.get(), "--dump-dom", "http://" + page.address() + "/");
                assertTrue(dom.contains("&lt;/script&gt;&lt;img src=x onerror="), "the key, as text: " + dom);
                assertFalse(dom.contains("<img src=\"x\""), "no element made of it");
                assertFalse(dom.contains("<title>pwned</title>"), "and nothing of it ran");
            }
        }
    }

    /**
     * Watchers that stop reading do not keep the event stream's places: each stream ends after
     * its time (here 2 s) and its place is free for the next page.
     */
    @Test
    void watchersThatStopReadingGiveTheirPlacesBack() throws Exception {
        try (Cluster cluster = new Cluster(Map.of("provider", "kcp", "plugins", "none"))) {
            Network node = cluster.start(Map.of());
            try (LivePage page = LivePage.start(new NodeAddress("127.0.0.1", 0), () -> List.of(node), java.time.Duration.ofSeconds(2))) {
                List<java.net.Socket> stalled = new ArrayList<>();
                try {
                    for (int i = 0; i < LivePage.MAX_WATCHERS; i++) {
                        java.net.Socket socket = new java.net.Socket("127.0.0.1", page.address().port());
                        stalled.add(socket);
                        socket.getOutputStream().write(("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                        // and never read again
                    }
                    String events = "http://" + page.address() + "/events";
                    Await.until("every place taken", () -> status(events) == 503);
                    Await.until("a place given back", () -> status(events) == 200);
                } finally {
                    for (java.net.Socket socket : stalled) {
                        socket.close();
                    }
                }
            }
        }
    }

    /** The status of a GET, its body left unread. */
    private static int status(String url) {
        try {
            HttpURLConnection connection = (HttpURLConnection) new URL(url).openConnection();
            connection.setReadTimeout(5_000);
            try {
                return connection.getResponseCode();
            } finally {
                connection.disconnect();
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Runs headless Chromium on the page, letting it load and its scripts run for 4 s; returns what it printed. */
    private static String chromium(Path chromium, String what, String url) throws Exception {
        List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--hide-scrollbars", "--window-size=1100,1300", "--timeout=4000", what, url));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "chromium finished");
        assertEquals(0, process.exitValue(), "chromium: " + out);
        return out;
    }

    private static String figure(String dom, String id) {
        Matcher m = Pattern.compile("id=\"" + id + "\">([^<]*)<").matcher(dom);
        return m.find() ? m.group(1) : "(no #" + id + ")";
    }

    private static int count(String text, String part) {
        return text.split(Pattern.quote(part), -1).length - 1;
    }

    private static String get(String url) throws Exception {
        HttpURLConnection connection = (HttpURLConnection) new URL(url).openConnection();
        assertEquals(200, connection.getResponseCode());
        try (InputStream in = connection.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
