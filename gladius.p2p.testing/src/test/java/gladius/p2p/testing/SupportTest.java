package gladius.p2p.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Await, Workers and Fuzz: the pieces other modules' tests stand on must fail when they should. */
class SupportTest {

    @Test
    void awaitReturnsOnceTheConditionHoldsAndOtherwiseNamesWhatItWaitedFor() {
        AtomicInteger polls = new AtomicInteger();
        Await.until("the third poll", () -> polls.incrementAndGet() == 3);
        assertEquals(3, polls.get());
        AssertionError timeout = assertThrows(AssertionError.class,
                () -> Await.until("what never happens", Duration.ofMillis(50), () -> false, () -> "(state shown)"));
        assertEquals("timed out after 50 ms waiting for what never happens (state shown)", timeout.getMessage());
    }

    @Test
    void quietWaitsUntilACountStopsMovingAndReturnsIt() {
        AtomicLong count = new AtomicLong();
        Thread mover = new Thread(() -> {
            for (int i = 0; i < 20; i++) {
                count.incrementAndGet();
                java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
            }
        });
        mover.start();
        assertEquals(20, Await.quiet("the count", Duration.ofMillis(200), count::get), "not before the mover is done");
    }

    @Test
    void sentRetriesARefusedSendUntilTaken() {
        AtomicInteger tries = new AtomicInteger();
        assertEquals(2, Await.sent("a message", () -> tries.incrementAndGet() < 5 ? 0 : 2));
        assertEquals(5, tries.get());
    }

    @Test
    void workersHandTheirFailuresToTheTestThreadAndAHangIsAFailure() throws InterruptedException {
        try (Workers workers = new Workers()) {
            workers.start("fine", () -> { });
            workers.start("broken", () -> {
                throw new IllegalStateException("broke");
            });
            AssertionError failure = assertThrows(AssertionError.class, () -> workers.join(Duration.ofSeconds(10)));
            assertTrue(failure.getMessage().contains("worker broken failed") && failure.getMessage().contains("broke"), failure.getMessage());
        }
        CountDownLatch never = new CountDownLatch(1);
        try (Workers workers = new Workers()) {
            workers.start("stuck", never::await);
            AssertionError hang = assertThrows(AssertionError.class, () -> workers.join(Duration.ofMillis(100)));
            assertEquals("workers still running after 100 ms: [stuck]", hang.getMessage());
        }
    }

    @Test
    void fuzzRepeatsItsInputsForASeedAndAFailureNamesTheTryAndTheSeed() {
        List<byte[]> first = new ArrayList<>();
        List<byte[]> again = new ArrayList<>();
        Fuzz.run("bytes", 100, 42, random -> first.add(Fuzz.bytes(random, 64, 11)));
        Fuzz.run("bytes", 100, 42, random -> again.add(Fuzz.bytes(random, 64, 11)));
        for (int i = 0; i < first.size(); i++) {
            assertTrue(java.util.Arrays.equals(first.get(i), again.get(i)), "input " + i);
            assertTrue(first.get(i).length <= 64);
        }
        AtomicInteger tries = new AtomicInteger();
        AssertionError failure = assertThrows(AssertionError.class, () -> Fuzz.run("a check", 100, 7, random -> {
            if (tries.incrementAndGet() == 10) {
                throw new IllegalStateException("bad input");
            }
        }));
        assertTrue(failure.getMessage().startsWith("a check: try 9 of seed 7 failed: java.lang.IllegalStateException: bad input"),
                failure.getMessage());
    }
}
