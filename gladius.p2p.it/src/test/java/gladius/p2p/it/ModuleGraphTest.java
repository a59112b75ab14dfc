package gladius.p2p.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Launches {@link ModuleGraphCheck} in a new JVM on the built module path, with no class path. */
class ModuleGraphTest {

    @Test
    void theRealModuleGraphStartsWithAnEmptyClassPathAndFindsTheTransport() throws IOException, InterruptedException {
        String modulePath = System.getProperty("gladius.modules") + File.pathSeparator + System.getProperty("gladius.classes");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(List.of(java.toString(), "--module-path", modulePath,
                "--module", "gladius.p2p.it/gladius.p2p.it.ModuleGraphCheck"))
                .redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the check finished");
        assertEquals(0, process.exitValue(), output);
        assertTrue(output.contains("MODULE GRAPH OK"), output);
        assertTrue(output.contains("io.jpower.kcp.netty") && output.contains("org.jctools.core"), output);
    }
}
