package gladius.p2p.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import gladius.p2p.Network;
import gladius.p2p.testing.Await;
import gladius.p2p.testing.Cluster;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/grafana/gladius-dashboard.json: well formed as Grafana's dashboard model asks (as far as a
 * test can check without Grafana), and every query asks for metrics and labels that a scrape of
 * running nodes really has.
 */
class DashboardTest {

    private static final Path DASHBOARD = Path.of("..", "docs", "grafana", "gladius-dashboard.json");
    private static final Pattern METRIC = Pattern.compile("\\bgladius_[a-z_]+\\b");
    private static final Pattern LABEL_MATCH = Pattern.compile("([a-z_]+)\\s*=~?\\s*\"");
    private static final Pattern LEGEND_LABEL = Pattern.compile("\\{\\{(\\w+)}}");
    private static final Set<String> PANEL_TYPES = Set.of("timeseries", "stat", "gauge", "table", "bargauge", "text");

    @Test
    void theDashboardIsWellFormedAndAsksOnlyForWhatTheNodesServe() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        assertFalse(dashboard.path("uid").asText().isBlank());
        assertFalse(dashboard.path("title").asText().isBlank());
        assertTrue(dashboard.path("schemaVersion").isInt() && dashboard.path("schemaVersion").asInt() >= 36,
                "a current schemaVersion: " + dashboard.path("schemaVersion"));
        Set<String> variables = new HashSet<>();
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            assertTrue(variables.add(variable.path("name").asText()), "variable names are unique");
        }
        assertEquals(Set.of("datasource", "node"), variables);

        Map<String, Set<String>> served = servedMetricsWithLabels();
        Set<Integer> ids = new HashSet<>();
        boolean[][] grid = new boolean[24][200];
        assertTrue(dashboard.path("panels").size() >= 8, "peers, messages, bytes, drops, resends, round trips, entries, relaying");
        for (JsonNode panel : dashboard.path("panels")) {
            String title = panel.path("title").asText();
            assertTrue(ids.add(panel.path("id").asInt()), "panel ids are unique: " + title);
            assertTrue(PANEL_TYPES.contains(panel.path("type").asText()), title + ": a known panel type");
            JsonNode pos = panel.path("gridPos");
            int x = pos.path("x").asInt(-1);
            int y = pos.path("y").asInt(-1);
            int w = pos.path("w").asInt();
            int h = pos.path("h").asInt();
            assertTrue(x >= 0 && y >= 0 && w > 0 && h > 0 && x + w <= 24, title + ": inside the 24-column grid: " + pos);
            for (int column = x; column < x + w; column++) {
                for (int row = y; row < y + h; row++) {
                    assertFalse(grid[column][row], title + " overlaps another panel at " + column + "," + row);
                    grid[column][row] = true;
                }
            }
            assertEquals("${datasource}", panel.path("datasource").path("uid").asText(), title + ": the datasource variable");
            Set<String> refIds = new HashSet<>();
            assertFalse(panel.path("targets").isEmpty(), title + ": has queries");
            for (JsonNode target : panel.path("targets")) {
                assertTrue(refIds.add(target.path("refId").asText()), title + ": refIds are unique");
                checkQuery(title, target.path("expr").asText(), target.path("legendFormat").asText(), served);
            }
        }
    }

    /** Every metric the query names is served, and every label it matches or shows is one that metric has. */
    private static void checkQuery(String title, String expr, String legend, Map<String, Set<String>> served) {
        Matcher metrics = METRIC.matcher(expr);
        assertTrue(metrics.find(), title + ": the query names a gladius metric: " + expr);
        metrics.reset();
        while (metrics.find()) {
            String metric = metrics.group();
            assertTrue(served.containsKey(metric), title + ": " + metric + " is not served; served: " + served.keySet());
            Set<String> labels = served.get(metric);
            Matcher matched = LABEL_MATCH.matcher(expr);
            while (matched.find()) {
                assertTrue(labels.contains(matched.group(1)), title + ": " + metric + " has no label " + matched.group(1));
            }
            Matcher shown = LEGEND_LABEL.matcher(legend);
            while (shown.find()) {
                assertTrue(labels.contains(shown.group(1)), title + ": " + metric + " has no label " + shown.group(1) + " for the legend");
            }
        }
    }

    /** The metric names of a scrape of three running nodes with every plugin, each with the labels its samples carry. */
    private static Map<String, Set<String>> servedMetricsWithLabels() {
        try (Cluster cluster = new Cluster(Map.of("provider", "kcp", "latency.interval", "100ms", "discovery.interval", "200ms",
                "kcp.relay", "true"))) {
            Network a = cluster.start(Map.of());
            Network b = cluster.start(Map.of("discovery.seeds", a.localAddress().toString()));
            Network c = cluster.start(Map.of("discovery.seeds", a.localAddress().toString()));
            List<Network> nodes = List.of(a, b, c);
            Await.until("latency samples on every node", () -> Metrics.text(nodes).lines()
                    .filter(l -> l.startsWith("gladius_latency_probe_rtt_seconds{")).count() >= 3 * 2 * 3);
            Map<String, Set<String>> served = new HashMap<>();
            for (String line : Metrics.text(nodes).lines().toList()) {
                if (line.startsWith("#")) {
                    continue;
                }
                int brace = line.indexOf('{');
                String name = line.substring(0, brace < 0 ? line.indexOf(' ') : brace);
                Set<String> labels = served.computeIfAbsent(name, n -> new HashSet<>());
                Matcher label = Pattern.compile("(\\w+)=\"").matcher(brace < 0 ? "" : line.substring(brace, line.lastIndexOf('}')));
                while (label.find()) {
                    labels.add(label.group(1));
                }
            }
            return served;
        }
    }
}
