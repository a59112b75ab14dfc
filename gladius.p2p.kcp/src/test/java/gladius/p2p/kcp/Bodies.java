package gladius.p2p.kcp;

import gladius.p2p.Message;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/**
 * Message bodies a test can regenerate from their sequence number alone, so a receiver checks
 * every byte without keeping what was sent. Sizes run from 0 to 64 KiB: one in ten is drawn from
 * the whole range (the ends included), the rest from 0 to 1 KiB, so a run of 100,000 stays near
 * 400 MB instead of 3 GB.
 */
final class Bodies {
    static final int MAX = 64 * 1024;

    private Bodies() {}

    static byte[] body(long seed, int sequence) {
        SplittableRandom random = new SplittableRandom(seed * 1_000_003L + sequence);
        int size;
        if (sequence == 0) {
            size = 0;
        } else if (sequence == 1) {
            size = MAX;
        } else {
            size = random.nextInt(10) == 0 ? random.nextInt(MAX + 1) : random.nextInt(1025);
        }
        byte[] body = new byte[Math.max(size, 0)];
        random.nextBytes(body);
        if (body.length >= 4) {
            ByteBuffer.wrap(body).putInt(sequence);
        }
        return body;
    }

    static int checksum(Message message) {
        CRC32C crc = new CRC32C();
        crc.update(message.type().getBytes(StandardCharsets.UTF_8));
        crc.update(message.body());
        return (int) crc.getValue();
    }
}
