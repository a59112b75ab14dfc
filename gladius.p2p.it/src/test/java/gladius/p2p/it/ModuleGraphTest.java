package gladius.p2p.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Launches the checks in new JVMs on the built module path (the jars the build produced, and
 * nothing on the class path), as a user would run them.
 */
class ModuleGraphTest {

    private static final Path MODULES = Path.of(System.getProperty("gladius.modules"));
    private static final Path CLASSES = Path.of(System.getProperty("gladius.classes"));

    private static String run(List<Path> modulePath, String main, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--module-path", String.join(File.pathSeparator, modulePath.stream().map(Path::toString).toList()),
                "--module", "gladius.p2p.it/" + main));
        command.addAll(List.of(args));
        // Output goes to a file, not a pipe we would have to drain, so the timeout below holds whatever the JVM does.
        Path log = Files.createTempFile("module-check", ".log");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            process.getOutputStream().close();
            boolean finished = process.waitFor(120, TimeUnit.SECONDS);
            if (!finished) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertTrue(finished, "the check finished within 120 s: " + output);
            assertEquals(0, process.exitValue(), output);
            return output;
        } finally {
            Files.deleteIfExists(log);
        }
    }

    @Test
    void theRealModuleGraphStartsWithAnEmptyClassPathAndFindsTheTransport() throws IOException, InterruptedException {
        String output = run(List.of(MODULES, CLASSES), "gladius.p2p.it.ModuleGraphCheck");
        assertTrue(output.contains("MODULE GRAPH OK"), output);
        assertTrue(output.contains("org.jctools.core")
                && output.contains("org.bouncycastle.provider") && output.contains("io.netty.transport.epoll.linux.x86_64"), output);
        // No flags given, as a user starts it: on Java 24+ kcp.io=auto must not make the JVM warn about native access.
        assertFalse(output.contains("restricted method"), output);
    }

    @Test
    void everyPluginJarOnTheModulePathRunsWithNoCodeNamingIt() throws IOException, InterruptedException {
        String output = run(List.of(MODULES, CLASSES), "gladius.p2p.it.PluginCheck", "dht,discovery,ethstate,latency");
        assertTrue(output.contains("PLUGINS OK"), output);
    }

    @Test
    void takingAPluginJarOffTheModulePathTakesThePluginAway(@TempDir Path dir) throws IOException, InterruptedException {
        Path modules = Files.createDirectory(dir.resolve("modules"));
        try (Stream<Path> jars = Files.list(MODULES)) {
            for (Path jar : jars.toList()) {
                if (!jar.getFileName().toString().startsWith("gladius.p2p.ethstate")) {
                    Files.copy(jar, modules.resolve(jar.getFileName()));
                }
            }
        }
        String output = run(List.of(modules, CLASSES), "gladius.p2p.it.PluginCheck", "dht,discovery,latency");
        assertTrue(output.contains("PLUGINS OK") && !output.contains("gladius.p2p.ethstate,"), output);
    }

    @Test
    void settingPluginsChoosesAmongThoseFound() throws IOException, InterruptedException {
        String output = run(List.of(MODULES, CLASSES), "gladius.p2p.it.PluginCheck", "latency", "plugins=latency");
        assertTrue(output.contains("PLUGINS OK"), output);
    }
}
