package gladius.p2p.kcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The floors of the transport's implementation, as its package-infos draw them: each package uses
 * only those below it, and the protocol core no Netty channel, transport or executor (so it runs
 * in virtual time). Reads the sources: every import and every fully qualified name outside
 * comments and strings.
 */
class LayersTest {

    private static final String INTERNAL = "gladius.p2p.kcp.internal";
    private static final Path SOURCES = Path.of("src/main/java");

    /** Each floor, with the floors of the transport it may use besides its own. */
    private static final Map<String, Set<String>> MAY_USE = Map.of(
            "secure", Set.of(),
            "observe", Set.of(),
            "dispatch", Set.of("observe"),
            "core", Set.of("secure", "dispatch", "observe"),
            "host", Set.of("core", "secure", "dispatch", "observe"));

    /** What each floor must not use from outside the transport. */
    private static final Map<String, List<String>> FORBIDDEN = Map.of(
            "secure", List.of("io.netty.", "org.jctools.", "gladius.p2p.kcp."),
            "observe", List.of("io.netty.", "org.jctools."),
            "dispatch", List.of("io.netty."),
            "core", List.of("io.netty.channel.", "io.netty.bootstrap.", "io.netty.handler.", "io.netty.util.concurrent."),
            "host", List.of());

    private static final Pattern BLOCK_COMMENT = Pattern.compile("/\\*.*?\\*/", Pattern.DOTALL);
    private static final Pattern LINE_COMMENT = Pattern.compile("//[^\\n]*");
    private static final Pattern STRING = Pattern.compile("\"(?:\\\\.|[^\"\\\\])*\"");
    /** A qualified name that ends in a type: the package is group 1. */
    private static final Pattern QUALIFIED = Pattern.compile("\\b((?:gladius|io|org)(?:\\.[a-z_]\\w*)+)\\.([A-Z]\\w*)");

    @Test
    void everyFloorUsesOnlyTheFloorsBelowIt() throws IOException {
        Path root = SOURCES.resolve(INTERNAL.replace('.', '/'));
        assertTrue(Files.isDirectory(root), () -> "run from the module's directory: no " + root.toAbsolutePath());
        Map<String, Integer> filesPerFloor = new TreeMap<>();
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                String floor = floorOf(root.relativize(file.getParent()).toString());
                filesPerFloor.merge(floor, 1, Integer::sum);
                violations.addAll(violations(floor, file.getFileName().toString(), Files.readString(file)));
            }
        }
        // Every floor named is there (a renamed package must update this test and its package-info).
        for (String floor : MAY_USE.keySet()) {
            assertTrue(filesPerFloor.getOrDefault(floor, 0) > 1, () -> "no sources in floor " + floor + ": " + filesPerFloor);
        }
        assertEquals(List.of(), violations, "uses that reach up or out of their floor");
    }

    @Test
    void aCoreClassUsingANettyChannelOrTheHostIsCaught() {
        String source = """
                package gladius.p2p.kcp.internal.core;

                import io.netty.buffer.ByteBuf;
                import io.netty.channel.Channel;
                /** {@link gladius.p2p.kcp.internal.KcpNetwork} in a comment is fine. */
                final class Bad {
                    String s = "gladius.p2p.kcp.internal.host.NettyDriver in a string is fine";
                    gladius.p2p.kcp.internal.host.UdpEndpoint endpoint;
                }
                """;
        assertEquals(List.of("core/Bad.java uses io.netty.channel.Channel",
                        "core/Bad.java uses gladius.p2p.kcp.internal.host.UdpEndpoint"),
                violations("core", "Bad.java", source));
    }

    /** "" for the top package, else the first package under it. */
    private static String floorOf(String relativeDirectory) {
        return relativeDirectory.isEmpty() ? "" : relativeDirectory.split("[/\\\\]")[0];
    }

    private static List<String> violations(String floor, String fileName, String source) {
        List<String> found = new ArrayList<>();
        if (floor.isEmpty()) {
            return found; // the top floor may use everything
        }
        String code = STRING.matcher(LINE_COMMENT.matcher(BLOCK_COMMENT.matcher(source).replaceAll(" ")).replaceAll(""))
                .replaceAll("\"\"");
        Matcher m = QUALIFIED.matcher(code);
        while (m.find()) {
            String pkg = m.group(1);
            String used = pkg + "." + m.group(2);
            String why = null;
            if (pkg.equals(INTERNAL) || pkg.startsWith(INTERNAL + ".")) {
                String other = pkg.equals(INTERNAL) ? "" : pkg.substring(INTERNAL.length() + 1).split("\\.")[0];
                if (!other.equals(floor) && (other.isEmpty() || !MAY_USE.get(floor).contains(other))) {
                    why = used;
                }
            }
            for (String forbidden : FORBIDDEN.get(floor)) {
                if ((pkg + ".").startsWith(forbidden) && !pkg.startsWith(INTERNAL + "." + floor)) {
                    why = used;
                }
            }
            if (why != null) {
                found.add(floor + "/" + fileName + " uses " + why);
            }
        }
        return found;
    }
}
