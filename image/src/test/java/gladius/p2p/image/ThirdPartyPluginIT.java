package gladius.p2p.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proof that a plugin jar dropped on the module path runs: a third-party plugin is written
 * and compiled here, against the api alone, jarred, dropped into the image's plugins/ folder,
 * and {@code bin/gladius run} shows what it does.
 */
class ThirdPartyPluginIT {

    private static final String MODULE_INFO = """
            module acme.greeter {
                requires gladius.p2p.api;
                provides gladius.p2p.spi.PluginProvider with acme.greeter.GreeterProvider;
            }
            """;

    private static final String PROVIDER = """
            package acme.greeter;

            import gladius.p2p.Network;
            import gladius.p2p.Plugin;
            import gladius.p2p.spi.PluginProvider;
            import gladius.p2p.spi.SettingsReader;
            import java.util.Map;

            public final class GreeterProvider implements PluginProvider {
                @Override public String name() { return "acme"; }

                @Override public Plugin create(Map<String, String> settings) {
                    String greeting = SettingsReader.of(settings, "acme.", Map.of("acme.greeting", "hello")).text("acme.greeting");
                    return new Plugin() {
                        @Override public void startup(Network network) {
                            System.out.println("acme.greeter: " + greeting + " from " + network.localAddress());
                        }
                    };
                }
            }
            """;

    @Test
    void aPluginJarDroppedIntoThePluginsFolderRunsInTheNode(@TempDir Path work) throws Exception {
        Path jar = buildPlugin(work);
        Path dropped = Gladius.PLUGINS.resolve("acme.greeter.jar");
        Files.copy(jar, dropped);
        try (Gladius node = Gladius.start("run", "--listen", "127.0.0.1:0", "--set", "acme.greeting=bonjour",
                "--status-every", "1s")) {
            String address = node.awaitLine("the node's address", l -> l.startsWith("gladius: listening on ")).substring(22);
            node.awaitLine("the dropped plugin's greeting", l -> l.equals("acme.greeter: bonjour from " + address));
            node.awaitLine("a status line", l -> l.startsWith("gladius: peers "));
            int code = node.terminate();
            assertTrue(node.out().stream().anyMatch(l -> l.startsWith("gladius: stopping")), node.toString());
            assertEquals(143, code, "ended by SIGTERM after a clean shutdown" + node);
        } finally {
            Files.delete(dropped);
        }

        try (Gladius without = Gladius.start("run", "--listen", "127.0.0.1:0", "--set", "acme.greeting=bonjour")) {
            assertEquals(2, without.exit(java.time.Duration.ofSeconds(30)), "with the jar gone, acme.* is nobody's setting" + without);
            assertTrue(without.err().get(0).startsWith("gladius: unknown setting acme.greeting"), without.toString());
        }
    }

    @Test
    void theImageCarriesTheApiJarAndItsJavadocForPluginAuthors() throws IOException {
        Path api = Gladius.IMAGE.resolve("sdk/gladius.p2p.api.jar");
        Path javadoc = Gladius.IMAGE.resolve("sdk/gladius.p2p.api-javadoc.jar");
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(api.toFile())) {
            assertTrue(jar.getEntry("gladius/p2p/Plugin.class") != null && jar.getEntry("module-info.class") != null, api.toString());
        }
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(javadoc.toFile())) {
            assertTrue(jar.getEntry("index.html") != null, javadoc + " is the api's javadoc");
        }
    }

    /**
     * Writes, compiles and jars the plugin against the image alone ({@code javac --system IMAGE}:
     * the image's own modules, the api among them, are all the compiler sees), as the README's
     * plugin guide does it.
     */
    private static Path buildPlugin(Path work) throws IOException {
        Path sources = Files.createDirectories(work.resolve("src/acme/greeter"));
        Files.writeString(work.resolve("src/module-info.java"), MODULE_INFO);
        Files.writeString(sources.resolve("GreeterProvider.java"), PROVIDER);
        Path classes = work.resolve("classes");

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int compiled = javac.run(null, diagnostics, diagnostics, "--system", Gladius.IMAGE.toString(),
                "-d", classes.toString(), work.resolve("src/module-info.java").toString(), sources.resolve("GreeterProvider.java").toString());
        assertEquals(0, compiled, diagnostics.toString(StandardCharsets.UTF_8));

        Path jar = work.resolve("acme.greeter.jar");
        java.util.spi.ToolProvider jarTool = java.util.spi.ToolProvider.findFirst("jar").orElseThrow();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8);
        assertEquals(0, jarTool.run(print, print, "--create", "--file", jar.toString(), "-C", classes.toString(), "."), output.toString(StandardCharsets.UTF_8));
        return jar;
    }
}
