package gladius.p2p.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.Network;
import gladius.p2p.NetworkState;
import gladius.p2p.NodeAddress;
import gladius.p2p.testing.Await;
import gladius.p2p.testing.Cluster;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** {@code --metrics}: a three-node cluster scraped over HTTP, the numbers checked against NetworkState and by promtool. */
class MetricsTest {

    @Test
    void aScrapeOfThreeNodesShowsWhatTheirStateShowsAndPassesPromtool() throws Exception {
        try (Cluster cluster = new Cluster(Map.of("provider", "kcp", "latency.interval", "100ms", "discovery.interval", "200ms"))) {
            Network a = cluster.start(Map.of());
            Network b = cluster.start(Map.of("discovery.seeds", a.localAddress().toString()));
            Network c = cluster.start(Map.of("discovery.seeds", a.localAddress().toString()));
            List<Network> nodes = List.of(a, b, c);
            Await.until("every node with both others in its route table, connected", () -> nodes.stream()
                    .allMatch(n -> n.networkState().peers().stream().filter(p -> p.inRouteTable() && p.connected()).count() == 2));
            Await.until("every node's DHT to know both others", () -> nodes.stream()
                    .allMatch(n -> n.plugin(gladius.p2p.dht.DhtService.class).orElseThrow().knownNodes() == 2));
            Await.until("every node's pubsub to have met both others", () -> nodes.stream()
                    .allMatch(n -> n.plugin(gladius.p2p.pubsub.PubSub.class).orElseThrow().stats().peers() == 2));
            try (MetricsServer server = MetricsServer.start(new NodeAddress("127.0.0.1", 0), () -> nodes)) {
                String url = "http://" + server.address() + "/metrics";
                Await.until("latency samples for every peer of a", () -> scrape(url).body.lines()
                        .filter(l -> l.startsWith("gladius_latency_probe_rtt_seconds{node=\"" + a.localAddress() + "\"")
                                && l.contains("percentile=\"50\"")).count() == 2);
                Response response = scrape(url);
                assertEquals(200, response.status);
                assertEquals(MetricsServer.CONTENT_TYPE, response.contentType);
                String text = response.body;
                NetworkState state = a.networkState();
                long sent = value(text, "gladius_messages_sent_total{node=\"" + a.localAddress() + "\"}").orElseThrow();
                assertTrue(sent > 0 && sent <= state.messagesSent(), "a scrape before the snapshot: " + sent + " <= " + state.messagesSent());
                for (Network node : nodes) {
                    String label = "{node=\"" + node.localAddress() + "\"}";
                    assertEquals(Optional.of(2L), value(text, "gladius_connected_peers" + label), text);
                    assertEquals(Optional.of(2L), value(text, "gladius_discovery_known_peers" + label), text);
                    assertEquals(Optional.of(2L), value(text, "gladius_dht_known_nodes" + label), text);
                    assertEquals(Optional.of(2L), value(text, "gladius_pubsub_peers" + label), text);
                }
                assertTrue(text.contains("# TYPE gladius_messages_sent_total counter\n"), text);
                assertTrue(text.contains("# TYPE gladius_peer_smoothed_rtt_seconds gauge\n"), text);
                assertTrue(text.lines().filter(l -> l.startsWith("# TYPE ")).distinct().count()
                        == text.lines().filter(l -> l.startsWith("# TYPE ")).count(), "each family once, its samples together");
                promtool(text);
            }
        }
    }

    @Test
    void itServesMetricsOnlyAndNothingThatChangesANode() throws Exception {
        try (Cluster cluster = new Cluster(Map.of("provider", "kcp", "plugins", "none"));
             MetricsServer server = MetricsServer.start(new NodeAddress("127.0.0.1", 0), List::of)) {
            cluster.start(Map.of());
            String base = "http://" + server.address();
            assertEquals(404, scrape(base + "/").status);
            assertEquals(404, scrape(base + "/admin").status);
            HttpURLConnection post = (HttpURLConnection) new URL(base + "/metrics").openConnection();
            post.setRequestMethod("POST");
            post.setDoOutput(true);
            try (OutputStream body = post.getOutputStream()) {
                body.write(1);
            }
            assertEquals(405, post.getResponseCode());
            assertEquals("GET, HEAD", post.getHeaderField("Allow"));
        }
    }

    @Test
    void anAddressThatCannotBeBoundIsOneClearError() throws Exception {
        try (MetricsServer first = MetricsServer.start(new NodeAddress("127.0.0.1", 0), List::of)) {
            UserError e = org.junit.jupiter.api.Assertions.assertThrows(UserError.class,
                    () -> MetricsServer.start(first.address(), List::of));
            assertTrue(e.getMessage().startsWith("--metrics " + first.address()), e.getMessage());
        }
    }

    /**
     * A client that sends half a request and waits does not hold up the scrape behind it, and its
     * connection is closed once the request's time is up (ReadOnlyHttp). Before the limits, the
     * one thread of --metrics waited for the rest of that request for good.
     */
    @Test
    void aHalfSentRequestNeitherHoldsUpAScrapeNorStaysOpen() throws Exception {
        try (MetricsServer server = MetricsServer.start(new NodeAddress("127.0.0.1", 0), List::of);
             java.net.Socket slow = new java.net.Socket("127.0.0.1", server.address().port())) {
            slow.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
            slow.getOutputStream().flush();
            HttpURLConnection scrape = (HttpURLConnection) new URL("http://" + server.address() + "/metrics").openConnection();
            scrape.setConnectTimeout(2_000);
            scrape.setReadTimeout(2_000); // a read that waits longer throws, and fails the test
            assertEquals(200, scrape.getResponseCode(), "answered within 2 s beside the half-sent request");
            slow.setSoTimeout((ReadOnlyHttp.REQUEST_SECONDS + 5) * 1000);
            assertEquals(-1, slow.getInputStream().read(), "the half-sent request's connection closed by the server");
        }
    }

    /**
     * A web page whose name was made to point at this address (DNS rebinding) sends its own name
     * as Host: refused. An address, localhost, or the name the server was started on are this
     * server's.
     */
    @Test
    void aRequestForAnotherHostIsRefused() throws Exception {
        try (MetricsServer server = MetricsServer.start(new NodeAddress("127.0.0.1", 0), List::of)) {
            int port = server.address().port();
            assertEquals(421, rawStatus(port, "evil.example:" + port));
            assertEquals(421, rawStatus(port, "127.0.0.1.evil.example"));
            assertEquals(200, rawStatus(port, "127.0.0.1:" + port));
            assertEquals(200, rawStatus(port, "localhost:" + port));
            assertEquals(200, rawStatus(port, "[::1]:" + port));
        }
    }

    /** The status code of a GET /metrics with this Host header, by hand (HttpURLConnection sets its own Host). */
    private static int rawStatus(int port, String host) throws IOException {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.getOutputStream().write(("GET /metrics HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String statusLine = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
            return Integer.parseInt(statusLine.split(" ")[1]);
        }
    }

    /**
     * Whoever dials in is a peer, and a per-peer series: past the 64 busiest, peers are summed as
     * peer="other" so that nobody can make a node's series grow without bound. 100 sessions opened
     * by hand (plain HELLOs from 100 sockets).
     */
    @Test
    void peersPastTheBusiestSixtyFourShareOneSeries() throws Exception {
        try (Cluster cluster = new Cluster(Map.of("provider", "kcp", "plugins", "none"))) {
            Network node = cluster.start(Map.of());
            List<java.net.DatagramSocket> dialers = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 100; i++) {
                    java.net.DatagramSocket socket = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress());
                    dialers.add(socket);
                    byte[] hello = java.nio.ByteBuffer.allocate(11).put((byte) 0x47).put((byte) 1).put((byte) 1).putInt(1000 + i)
                            .putInt(0).array();
                    socket.send(new java.net.DatagramPacket(hello, hello.length,
                            new java.net.InetSocketAddress("127.0.0.1", node.localAddress().port())));
                }
                Await.until("100 peers", () -> node.networkState().peers().size() == 100);
                try (MetricsServer scraping = MetricsServer.start(new NodeAddress("127.0.0.1", 0), () -> List.of(node))) {
                    String text = scrape("http://" + scraping.address() + "/metrics").body;
                    long peers = text.lines().filter(l -> l.startsWith("gladius_peer_up{")).count();
                    assertEquals(Metrics.MAX_PEER_SERIES + 1, peers, "64 peers and 'other'");
                    assertEquals(Optional.of(36L), value(text, "gladius_peer_up{node=\"" + node.localAddress() + "\",peer=\"other\"}"),
                            "the other 36, all up, counted in one sample");
                }
            } finally {
                dialers.forEach(java.net.DatagramSocket::close);
            }
        }
    }

    /** Prometheus's own linter, where installed (Debian: apt-get install prometheus; .ci/run does). */
    private static void promtool(String text) throws Exception {
        Optional<Path> promtool = Stream.of(System.getenv("PATH").split(":")).map(dir -> Path.of(dir, "promtool"))
                .filter(Files::isExecutable).findFirst();
        Assumptions.assumeTrue(promtool.isPresent(), "promtool is not installed (Debian: apt-get install -y prometheus)");
        Process check = new ProcessBuilder(promtool.get().toString(), "check", "metrics").redirectErrorStream(true).start();
        try (OutputStream in = check.getOutputStream()) {
            in.write(text.getBytes(StandardCharsets.UTF_8));
        }
        String said = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(check.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, check.exitValue(), "promtool check metrics:\n" + said + "\non:\n" + text);
        assertEquals("", said.trim(), "promtool has nothing to say:\n" + said);
    }

    private record Response(int status, String contentType, String body) {}

    private static Response scrape(String url) {
        try {
            HttpURLConnection get = (HttpURLConnection) new URL(url).openConnection();
            int status = get.getResponseCode();
            String body = "";
            if (status == 200) {
                try (InputStream in = get.getInputStream()) {
                    body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
            return new Response(status, get.getContentType(), body);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Optional<Long> value(String text, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\d+)$", Pattern.MULTILINE).matcher(text);
        return m.find() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
    }
}
