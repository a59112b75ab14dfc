package gladius.p2p.ethstate.internal;

import gladius.p2p.benchmarks.Microbenchmark;
import java.math.BigInteger;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;

/** The ethstate plugin's cost per entry: EIP-191 sign (RFC 6979, low s) and verify by recovery. */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SignatureBenchmarks extends Microbenchmark {

    private Secp256k1.KeyPair key;
    private byte[] payload;
    private byte[] hash;
    private byte[] signature;

    @Setup
    public void setUp() {
        key = Secp256k1.KeyPair.of(new BigInteger("1da6847600b0ee25e9ad9a52abbd786dd2502fa4005dd5af9310b7cc7a3b25db", 16));
        payload = EntryCodec.payload(key.address(), 1_700_000_000_000L, "status".getBytes(), new byte[64]);
        hash = Secp256k1.personalMessageHash(payload);
        signature = key.sign(hash);
    }

    @Benchmark
    public byte[] sign() {
        return key.sign(Secp256k1.personalMessageHash(payload));
    }

    @Benchmark
    public Optional<byte[]> verify() {
        return Secp256k1.recoverAddress(Secp256k1.personalMessageHash(payload), signature);
    }
}
