package gladius.p2p.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A flight recording of the image's own command, with the image's settings file, as the README says to take one. */
class FlightRecordingIT {

    @Test
    void theImagesSettingsFileRecordsGladiusEventsBesideTheJvms(@TempDir Path dir) throws Exception {
        Path jfc = Gladius.IMAGE.resolve("jfr").resolve("gladius.jfc");
        assertTrue(Files.isRegularFile(jfc), "the image carries " + jfc);
        Path recording = dir.resolve("demo.jfr");
        String options = "-XX:StartFlightRecording:settings=default,settings=" + jfc + ",filename=" + recording;
        try (Gladius demo = Gladius.start(Map.of("JAVA_OPTS", options), "demo", "--nodes", "4")) {
            assertEquals(0, demo.exit(Duration.ofMinutes(2)), demo.toString());
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(recording);
        long opened = events.stream().filter(e -> e.getEventType().getName().equals("gladius.SessionOpened")).count();
        assertTrue(opened >= 12, "four nodes in a full mesh open twelve session ends: " + opened);
        long closed = events.stream().filter(e -> e.getEventType().getName().equals("gladius.SessionClosed")).count();
        assertTrue(closed >= 12, "and close them when the demo ends: " + closed);
        assertTrue(events.stream().anyMatch(e -> e.getEventType().getName().equals("jdk.GarbageCollection")
                || e.getEventType().getName().equals("jdk.CPULoad")), "the JVM's own events are there too");
    }
}
