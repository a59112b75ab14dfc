package gladius.p2p.ethstate.internal;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The signers recovered lately in this process, shared by every ethstate plugin in it: an entry
 * is signed once and then checked by every node that receives it, and a process that runs many
 * nodes (a demo cluster, a test, the simulator's thousands) would otherwise recover the same
 * signer from the same signature once per node, an elliptic-curve multiplication each (about
 * 0.1 ms). Keyed by the whole of what recovery reads (the 32-byte hash and the 65-byte
 * signature), so a hit is exactly the recovery's own answer; a failed recovery is not kept.
 * Least recently used first out, at {@value #CAPACITY} signers (about 4 MiB). Thread-safe.
 */
final class Signers {

    static final int CAPACITY = 16_384;

    private static final Map<ByteBuffer, byte[]> RECOVERED = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteBuffer, byte[]> eldest) {
            return size() > CAPACITY;
        }
    };

    private Signers() {}

    /** {@link Secp256k1#recoverAddress}, answered from the cache when this very signature of this hash was recovered lately. */
    static Optional<byte[]> recoverAddress(byte[] hash, byte[] signature) {
        ByteBuffer key = ByteBuffer.allocate(hash.length + signature.length).put(hash).put(signature).flip();
        byte[] known;
        synchronized (RECOVERED) {
            known = RECOVERED.get(key);
        }
        if (known != null) {
            return Optional.of(known.clone());
        }
        Optional<byte[]> recovered = Secp256k1.recoverAddress(hash, signature);
        recovered.ifPresent(address -> {
            synchronized (RECOVERED) {
                RECOVERED.put(key, address.clone());
            }
        });
        return recovered;
    }
}
