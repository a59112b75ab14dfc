package gladius.p2p.image;

import gladius.p2p.testing.Await;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A {@code bin/gladius} process of the built image, with its output collected line by line. */
final class Gladius implements AutoCloseable {

    static final Path IMAGE = Path.of(System.getProperty("gladius.image"));
    static final Path PLUGINS = IMAGE.resolve("plugins");

    private final Process process;
    private final List<String> out = new CopyOnWriteArrayList<>();
    private final List<String> err = new CopyOnWriteArrayList<>();
    private final List<Thread> pumps = new ArrayList<>();

    private Gladius(Process process) {
        this.process = process;
        pumps.add(pump(process.getInputStream(), out));
        pumps.add(pump(process.getErrorStream(), err));
    }

    static Gladius start(String... args) throws IOException {
        return start(java.util.Map.of(), args);
    }

    /** The same with these variables added to the environment. */
    static Gladius start(java.util.Map<String, String> environment, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(IMAGE.resolve("bin").resolve("gladius").toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        Process process = builder.start();
        process.getOutputStream().close();
        return new Gladius(process);
    }

    /** {@code bin/gladius} inside a network namespace of a {@link NetBed}. */
    static Gladius startIn(String namespace, String... args) throws IOException {
        return startIn(namespace, java.util.Map.of(), args);
    }

    /** The same with these variables added to the environment. */
    static Gladius startIn(String namespace, java.util.Map<String, String> environment, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(IMAGE.resolve("bin").resolve("gladius").toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(NetBed.inside(namespace, command));
        builder.environment().putAll(environment);
        Process process = builder.start();
        process.getOutputStream().close();
        return new Gladius(process);
    }

    /** Runs to the end and returns the exit code. */
    int exit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("gladius did not finish within " + timeout + ": " + this);
        }
        for (Thread pump : pumps) {
            pump.join(5_000);
        }
        return process.exitValue();
    }

    /** Waits for a line of standard output that matches, and returns it. */
    String awaitLine(String what, Predicate<String> matches) {
        Await.until(what, Await.TIMEOUT, () -> out.stream().anyMatch(matches), this::toString);
        return out.stream().filter(matches).findFirst().orElseThrow();
    }

    /** The newest line of standard output that matches, if any. */
    Optional<String> lastLine(Predicate<String> matches) {
        List<String> lines = List.copyOf(out);
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (matches.test(lines.get(i))) {
                return Optional.of(lines.get(i));
            }
        }
        return Optional.empty();
    }

    /**
     * SIGTERM, as a service manager would stop it; returns the exit code. Through the process
     * handle: {@code Process.destroy()} also closes our end of its pipes, which would lose what
     * the node prints while it shuts down.
     */
    int terminate() throws InterruptedException {
        process.toHandle().destroy();
        return exit(Duration.ofSeconds(30));
    }

    List<String> out() {
        return out;
    }

    List<String> err() {
        return err;
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }

    @Override
    public String toString() {
        return "\n--- stdout\n" + String.join("\n", out) + "\n--- stderr\n" + String.join("\n", err);
    }

    private static Thread pump(InputStream stream, List<String> lines) {
        Thread thread = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    lines.add(line);
                }
            } catch (IOException closed) {
                // the process ended
            }
        }, "gladius-output");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
